/**
 * A backlog larger than the file partition (issue 13 item 2): the frame store's records go up in
 * as many data files as they need, written, uploaded and deleted in turn within one session,
 * oldest first; a session cut short leaves the rest to the next one from the store's cursor.
 * Files are read back on a real ftp-srv and decoded with npm bson.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FTP_UPLOAD_DATA, FTP_UPLOAD_LOG, FTP_UPLOAD_SUPERVISION } from '../../protocol/config/types';
import { UploadRig } from '../../sim/upload/rig.node';
import { startFtpServer, startSntpServer, type SntpServer, type UploadFtpServer } from '../../sim/upload/servers.node';
import { EVENTS } from '../../tasks/log/events';
import { FTP_PASS, FTP_USER, ROOT, frameKey, serverConfig, serverDocs, serverFrames } from './support';

/** A file partition that holds about a fifth of the backlog's data files. */
const FILES_BYTES = 64 * 1024;
const FRAME_FLASH_BYTES = 512 * 1024;
const BACKLOG_FRAMES = 3000;
/** Data files delivered before the session's time limit cuts it. */
const FILES_BEFORE_LIMIT = 5;

let ftp: UploadFtpServer;
let ntp: SntpServer;
let rig: UploadRig;

beforeAll(async () => {
  ftp = await startFtpServer({ user: FTP_USER, pass: FTP_PASS });
  ntp = await startSntpServer(() => rig.world.now());
});

afterAll(async () => {
  await ftp?.close();
  await ntp?.close();
});

beforeEach(() => {
  fs.rmSync(path.join(ftp.root, ROOT.split('/')[1]), { recursive: true, force: true });
  rig = new UploadRig({ filesCapacity: FILES_BYTES, flashBytes: FRAME_FLASH_BYTES });
  rig.configure(serverConfig(ftp.port, ntp.port));
});

afterEach(() => rig.close());

/** Stored bytes of the data files a backlog of `frames` makes, to check the test is about a backlog larger than the partition. */
function dataBytesOnServer(): number {
  return serverFrames(ftp).files.reduce((n, f) => n + f.size, 0);
}

test('a backlog larger than the file partition goes up in one session, oldest first, each frame once', async () => {
  const recorded = rig.record(BACKLOG_FRAMES);
  const result = await rig.runSession('schedule', FTP_UPLOAD_DATA);

  expect(result).toMatchObject({ ok: true, framesUploaded: BACKLOG_FRAMES });
  expect(dataBytesOnServer()).toBeGreaterThan(2 * FILES_BYTES);
  // File names carry increasing timestamps: in name order the frames are the stored ones, in order.
  expect(serverFrames(ftp).frames).toEqual(recorded.map(frameKey));
  expect(rig.frames.stats().pendingRecords).toBe(0);
  expect(rig.outbox.list()).toEqual([]);
});

test('a session ended by its time limit midway leaves the rest to the next one from the store cursor: none skipped, none twice', async () => {
  const recorded = rig.record(BACKLOG_FRAMES);
  const session = rig.newSession('schedule', FTP_UPLOAD_DATA);
  // The modem task's limit (ModemTask: session.abort) falls after the fifth data file is committed.
  const commit = rig.frames.commitUpload.bind(rig.frames);
  let commits = 0;
  rig.frames.commitUpload = (cursor) => {
    const done = commit(cursor);
    if (++commits === FILES_BEFORE_LIMIT) session.abort('session time limit');
    return done;
  };
  const first = await rig.drive(session.run());
  expect(first.ok).toBe(false);
  const partial = serverFrames(ftp).frames;
  expect(partial.length).toBeGreaterThan(0);
  expect(partial.length).toBeLessThan(BACKLOG_FRAMES);
  expect(partial).toEqual(recorded.slice(0, partial.length).map(frameKey));
  expect(rig.frames.stats().pendingRecords).toBe(BACKLOG_FRAMES - partial.length);

  rig.boot();
  const second = await rig.runSession('schedule', FTP_UPLOAD_DATA);
  expect(second.ok).toBe(true);
  expect(serverFrames(ftp).frames).toEqual(recorded.map(frameKey));
  expect(rig.frames.stats().pendingRecords).toBe(0);
});

test('the scheduled supervision and log files go up with a backlog that fills the file partition', async () => {
  rig.record(BACKLOG_FRAMES);
  const result = await rig.runSession('schedule', FTP_UPLOAD_DATA | FTP_UPLOAD_SUPERVISION | FTP_UPLOAD_LOG);

  expect(result).toMatchObject({ ok: true, framesUploaded: BACKLOG_FRAMES });
  const kinds = serverDocs(ftp, '/SUPERVISION').map((d) => d.name.replace(/^.*-/, ''));
  expect(kinds.sort()).toEqual(['log.bson', 'supervision.bson']);
  const log = serverDocs(ftp, '/SUPERVISION').find((d) => d.name.endsWith('-log.bson'))?.doc as { log: { C: number }[] };
  expect(log.log.map((e) => e.C)).not.toContain(EVENTS.fileDropped.code);
});
