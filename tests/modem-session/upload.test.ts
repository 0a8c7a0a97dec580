/**
 * Upload sessions end to end (§3.1.2.2, §5.1, §5.3): the BG95 driver over the modem emulator,
 * real ftp-srv and SNTP servers on 127.0.0.1, files read back on the server with npm bson.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BsonBinary } from '../../protocol/bson/types';
import { FTP_UPLOAD_DATA, FTP_UPLOAD_LOG, FTP_UPLOAD_SUPERVISION } from '../../protocol/config/types';
import { UploadRig } from '../../sim/upload/rig.node';
import { startFtpServer, startSntpServer, type SntpServer, type UploadFtpServer } from '../../sim/upload/servers.node';
import { EVENTS } from '../../tasks/log/events';
import { FTP_PASS, FTP_USER, KEY, ROOT, frameKey, serverConfig, serverDocs, serverFrames } from './support';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'modem');

let ftp: UploadFtpServer;
let ftps: UploadFtpServer;
let ntp: SntpServer;
let rig: UploadRig;
/** The SNTP server answers with the simulation's true time of the rig in use. */
let trueTime: () => number = () => Date.now();

beforeAll(async () => {
  ftp = await startFtpServer({ user: FTP_USER, pass: FTP_PASS });
  ftps = await startFtpServer({
    user: FTP_USER,
    pass: FTP_PASS,
    tls: { key: fs.readFileSync(path.join(FIXTURES, 'server-key.pem'), 'utf8'), cert: fs.readFileSync(path.join(FIXTURES, 'server-cert.pem'), 'utf8') },
  });
  ntp = await startSntpServer(() => trueTime());
});

afterAll(async () => {
  await ftp?.close();
  await ftps?.close();
  await ntp?.close();
});

function newRig(rtcErrorMs = 0): UploadRig {
  rig = new UploadRig({ rtcErrorMs });
  trueTime = () => rig.world.now();
  return rig;
}

afterEach(() => rig?.close());

function clearServer(server: UploadFtpServer): void {
  fs.rmSync(path.join(server.root, ROOT.split('/')[1]), { recursive: true, force: true });
}

describe('a scheduled session with data (bit 0)', () => {
  test('300 frames reach /DATA exactly once, in order, in CRC-checked files', async () => {
    clearServer(ftp);
    newRig(4_000);
    rig.configure(serverConfig(ftp.port, ntp.port));
    const recorded = rig.record(300);
    const result = await rig.runSession('schedule', FTP_UPLOAD_DATA);

    expect(result).toMatchObject({ ok: true, retry: 'none', framesUploaded: 300, ftpAttempts: 1, restart: false });
    const { frames, files } = serverFrames(ftp);
    expect(frames).toEqual(recorded.map(frameKey));
    expect(files.length).toBe(result.filesUploaded - 1);
    // The store has nothing left to upload and the outbox is empty.
    expect(rig.frames.stats().pendingRecords).toBe(0);
    expect(rig.outbox.list()).toEqual([]);
  });

  test('the §5.1.1.2 tree is made under ftp.dir and no .tmp file is left (§5.1.1.3)', async () => {
    const dirs = ['CONFIG', 'DATA', 'ALARM', 'SUPERVISION', 'INBOX/123456', 'BIN'];
    for (const d of dirs) expect(fs.statSync(path.join(ftp.root, ROOT, d)).isDirectory()).toBe(true);
    expect(ftp.files().filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  test('each data file is named <uid>-<timestamp>-data.bson and carries uid, source, TS, frameCount (§5.3)', () => {
    const docs = serverDocs(ftp, '/DATA');
    expect(docs.length).toBeGreaterThan(0);
    for (const { name, doc } of docs) {
      const m = /^123456-(\d+)-data\.bson$/.exec(name);
      expect(m).not.toBeNull();
      expect(doc).toMatchObject({ uid: '123456', source: 'schedule', TS: Number(m?.[1]) });
      expect(Object.keys(doc)).toEqual(['uid', 'source', 'TS', 'frameCount', 'data', 'crc']);
    }
  });

  test('the configuration copy goes to /CONFIG once after a change (§5.2)', () => {
    const docs = serverDocs(ftp, '/CONFIG');
    expect(docs).toHaveLength(1);
    expect(docs[0].name).toMatch(/^123456-\d+-config\.bson$/);
    expect(docs[0].doc).toMatchObject({ config: { remote: { ftp: { dir: '/WebdynEasy/site-7/' } } } });
    expect(rig.config.copyPending).toBe(false);
  });

  test('SNTP sets the RTC (§4.2.3.3): the 4 s error is gone', () => {
    expect(Math.abs(rig.clock.now() - rig.world.now())).toBeLessThan(500);
  });

  test('counters, dates and the event log record the session (§5.7, §5.8)', () => {
    const m = rig.counters.value.modem;
    expect(m).toMatchObject({ sessions: 1, sessionsOk: 1, sessionsFailed: 0, framesUploaded: 300, lastCnxKo: 0 });
    expect(m.filesUploaded).toBeGreaterThanOrEqual(2);
    expect(m.bytesSent).toBeGreaterThan(300 * 13);
    expect(m.bytesReceived).toBeGreaterThan(0);
    expect(m.onSeconds).toBeGreaterThan(5);
    expect(rig.counters.value.uptime.modem).toBe(m.onSeconds);
    expect(Math.abs(m.lastCnxOk - Math.floor(rig.world.now() / 1000))).toBeLessThanOrEqual(1);
    const codes = rig.events.entries().map((e) => e.code);
    expect(codes).toContain(EVENTS.clockSynchronised.code);
    expect(codes).toContain(EVENTS.ftpSessionOk.code);
  });

  test('the modem is off after the session', () => {
    expect(rig.port.status()).toBe(false);
    expect(rig.port.supplyOn()).toBe(false);
    expect(rig.ledger.stateOf('modem')).toBe('off');
  });
});

describe('file size, encryption, supervision and log', () => {
  test('no data file exceeds the configured size; the split loses and repeats nothing', async () => {
    clearServer(ftp);
    newRig();
    rig.configure(serverConfig(ftp.port, ntp.port));
    const recorded = rig.record(120);
    const result = await rig.runSession('schedule', FTP_UPLOAD_DATA, 1500);
    expect(result.ok).toBe(true);
    const { frames, files } = serverFrames(ftp);
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) expect(f.size).toBeLessThanOrEqual(1500);
    expect(frames).toEqual(recorded.map(frameKey));
  });

  test('with security.encryption every file is .bson.aes and decrypts with the key (§4.2.1.2)', async () => {
    clearServer(ftp);
    newRig();
    rig.configure(serverConfig(ftp.port, ntp.port, { extra: { security: { encryption: true, key: new BsonBinary(KEY) } } }));
    const recorded = rig.record(80);
    const result = await rig.runSession('schedule', FTP_UPLOAD_DATA | FTP_UPLOAD_SUPERVISION);
    expect(result.ok).toBe(true);
    const uploaded = ftp.files();
    expect(uploaded.length).toBeGreaterThanOrEqual(3);
    for (const f of uploaded) expect(f).toMatch(/\.bson\.aes$/);
    expect(serverFrames(ftp, KEY).frames).toEqual(recorded.map(frameKey));
  });

  test('supervision (bit 1) and log (bit 2) files go to /SUPERVISION', async () => {
    clearServer(ftp);
    newRig();
    rig.configure(serverConfig(ftp.port, ntp.port));
    const result = await rig.runSession('schedule', FTP_UPLOAD_SUPERVISION | FTP_UPLOAD_LOG);
    expect(result.ok).toBe(true);
    const docs = serverDocs(ftp, '/SUPERVISION');
    const supervision = docs.filter((d) => /^123456-\d+-supervision\.bson$/.test(d.name));
    const log = docs.filter((d) => /^123456-\d+-log\.bson$/.test(d.name));
    expect(supervision).toHaveLength(1);
    expect(log).toHaveLength(1);
    expect(supervision[0].doc).toMatchObject({
      uid: '123456',
      source: 'schedule',
      supervision: { identity: { uid: '123456', SN: 'SN-123456' }, version: { hw: 11, sw: '01.00' }, measures: { temperature: 22 }, modem: { mode: 'auto' } },
    });
    expect(Array.isArray((log[0].doc as { log: unknown }).log)).toBe(true);
    expect(serverDocs(ftp, '/DATA')).toEqual([]);
  });

  test('a drift beyond alarms.timeGap raises an ntp alarm in /ALARM (§4.2.4, §5.4)', async () => {
    clearServer(ftp);
    newRig(-125_000);
    rig.configure(serverConfig(ftp.port, ntp.port, { extra: { alarms: { timeGap: 60 } } }));
    const result = await rig.runSession('schedule', 0);
    expect(result.ok).toBe(true);
    const alarms = serverDocs(ftp, '/ALARM').filter((d) => d.name.endsWith('-alarm.bson'));
    expect(alarms).toHaveLength(1);
    expect(alarms[0].doc).toMatchObject({ uid: '123456', source: 'alarm', alarm: { type: 'ntp' } });
    expect(Math.abs((alarms[0].doc.alarm as { value: number }).value + 125)).toBeLessThanOrEqual(1);
  });
});

describe('FTPS (ftp.mode 1, implicit TLS)', () => {
  test('with the server certificate stored by `certificate`, the upload goes over TLS', async () => {
    clearServer(ftps);
    newRig();
    rig.configure(serverConfig(ftps.port, ntp.port, { tls: true }));
    expect(rig.certificates.add('server.pem', new Uint8Array(fs.readFileSync(path.join(FIXTURES, 'server-cert.pem'))))).toEqual({ ok: true });
    const recorded = rig.record(50);
    const result = await rig.runSession('schedule', FTP_UPLOAD_DATA);
    expect(result.error).toBeUndefined();
    expect(result).toMatchObject({ ok: true, framesUploaded: 50 });
    expect(serverFrames(ftps).frames).toEqual(recorded.map(frameKey));
  });

  test('a server whose certificate the stored CA does not sign is refused and not retried until the CA is fixed; nothing is lost', async () => {
    clearServer(ftps);
    newRig();
    rig.configure(serverConfig(ftps.port, ntp.port, { tls: true }));
    rig.certificates.add('other.pem', new Uint8Array(fs.readFileSync(path.join(FIXTURES, 'other-ca.pem'))));
    rig.record(20);
    const result = await rig.runSession('schedule', FTP_UPLOAD_DATA);
    expect(result).toMatchObject({ ok: false, failedStep: 'connect', retry: 'schedule' });
    expect(rig.frames.stats().pendingRecords).toBe(20);
    expect(ftps.files()).toEqual([]);
  });
});
