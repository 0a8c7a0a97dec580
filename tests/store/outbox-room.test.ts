/**
 * The file partition is shared by the outbox's data files (copies of frame-store records) and the
 * files nothing else can make again (log, supervision, ACKs, alarms, configuration copy). Data
 * files never take the last DATA_RESERVE_BYTES; a file of another kind that finds no room pushes
 * out data files whose records the store still holds, newest first, so every record still reaches
 * a file, in order, exactly once; what cannot be written even so is reported, not dropped silently.
 */
import { defaultConfig } from '../../protocol/config/defaults';
import { SimFiles } from '../../sim/drivers/files';
import { SimFlash } from '../../sim/drivers/flash';
import { SimSettings } from '../../sim/drivers/settings';
import type { SettingValue } from '../../drivers/settings/types';
import { DATA_RESERVE_BYTES, Outbox, type OutboxFile } from '../../tasks/outbox';
import { FrameStore } from '../../tasks/store/frame-store';
import type { FrameRecord } from '../../tasks/store/types';
import { ManualClock } from '../fixtures/manual-clock';
import { frameKey, readHubFile } from '../modem-session/support';
import { CORPUS_FRAME_LENGTHS, makeFrame, seededRandom } from './helpers';

const START_MS = Date.UTC(2026, 2, 2, 8, 0, 0);
const UID = '123456';
const FILES_BYTES = 48 * 1024;
const DATA_FILE_BYTES = 8 * 1024;
const FRAMES = 1500;
/** A ring of about 90 KB: FRAMES more records overwrite all it held. */
const SMALL_FLASH_BYTES = 24 * 4096;
/** A log file of this many events of 200 bytes is about 25 KB: more than the reserve leaves free. */
const LOG_EVENTS = 110;
const LOG_EVENT_TEXT = 'x'.repeat(200);

interface Bench {
  readonly files: SimFiles;
  readonly store: FrameStore;
  readonly outbox: Outbox;
  readonly recorded: FrameRecord[];
  readonly dropped: string[];
}

function bench(withFrames = true, flashBytes = 256 * 1024): Bench {
  const clock = new ManualClock(START_MS);
  const files = new SimFiles(new Map(), FILES_BYTES);
  const store = FrameStore.open(new SimFlash({ size: flashBytes, sectorSize: 4096 }));
  const recorded: FrameRecord[] = [];
  record(store, recorded, FRAMES);
  const dropped: string[] = [];
  const settings = new SimSettings(new Map<string, SettingValue>());
  const outbox = new Outbox(files, {
    uid: UID,
    clock,
    security: () => defaultConfig().security,
    settings,
    ...(withFrames ? { frames: store } : {}),
    onDropped: (e) => dropped.push(e),
  });
  return { files, store, outbox, recorded, dropped };
}

function record(store: FrameStore, recorded: FrameRecord[], count: number): void {
  const random = seededRandom(11 + recorded.length);
  for (let i = 0; i < count; i++) {
    const n = recorded.length;
    const r = { time: START_MS / 1000 - 7200 + n, rssi: -60 - (n % 40), frame: makeFrame(random, CORPUS_FRAME_LENGTHS[n % CORPUS_FRAME_LENGTHS.length]) };
    store.append(r);
    recorded.push(r);
  }
}

function addLog(outbox: Outbox) {
  return outbox.add('log', 'schedule', (h) => ({ uid: h.uid, source: h.source, TS: h.timeSec, log: Array.from({ length: LOG_EVENTS }, (_, i) => ({ T: i, C: 1, D: LOG_EVENT_TEXT })) }));
}

/** The frames of the data files, file after file in upload order, as the server decodes them. */
function framesIn(b: Bench, files: readonly OutboxFile[]): string[] {
  const out: string[] = [];
  for (const f of files) {
    const doc = readHubFile(f.name, b.outbox.read(f) as Uint8Array) as { data: { T: number; R: number; F: { buffer: Uint8Array } }[] };
    for (const d of doc.data) out.push(`${d.T}/${d.R}/${Buffer.from(d.F.buffer).toString('hex')}`);
  }
  return out;
}

/** Uploads every queued file (the server has it), then prepares again, until the store has nothing left; returns the frames in upload order. */
function drain(b: Bench): string[] {
  const uploaded: string[] = [];
  for (let pass = 0; pass < FRAMES; pass++) {
    const queued = b.outbox.list();
    if (queued.length === 0 && b.outbox.prepareData(b.store, DATA_FILE_BYTES, 'schedule').files === 0) break;
    uploaded.push(...framesIn(b, queued.filter((f) => f.kind === 'data')));
    for (const f of queued) b.outbox.delivered(f, b.store);
  }
  return uploaded;
}

test('data files stop where they would leave less than the reserve free, and say more records wait', () => {
  const b = bench();
  const r = b.outbox.prepareData(b.store, DATA_FILE_BYTES, 'schedule');
  expect(r.more).toBe(true);
  expect(r.error).toBeUndefined();
  expect(r.frames).toBeLessThan(FRAMES);
  expect(b.files.free()).toBeGreaterThanOrEqual(DATA_RESERVE_BYTES);
  expect(b.store.stats().pendingRecords).toBe(FRAMES);
});

test('a log file that finds no room pushes out the newest data files, and every frame still reaches a file once, in order', () => {
  const b = bench();
  b.outbox.prepareData(b.store, DATA_FILE_BYTES, 'schedule');
  const before = b.outbox.list().filter((f) => f.kind === 'data');
  const log = addLog(b.outbox);

  expect(log.ok).toBe(true);
  expect(b.dropped).toEqual([]);
  const after = b.outbox.list().filter((f) => f.kind === 'data');
  expect(after.length).toBeLessThan(before.length);
  // The oldest files stay as they were: those pushed out are the newest.
  expect(after.map((f) => f.id)).toEqual(before.slice(0, after.length).map((f) => f.id));
  expect(drain(b)).toEqual(b.recorded.map(frameKey));
  expect(b.store.stats().pendingRecords).toBe(0);
});

test('a file that cannot be written even so is reported through onDropped and not queued', () => {
  const b = bench(false);
  b.outbox.prepareData(b.store, DATA_FILE_BYTES, 'schedule');
  const log = addLog(b.outbox);

  expect(log.ok).toBe(false);
  expect(b.dropped).toHaveLength(1);
  expect(b.dropped[0]).toMatch(new RegExp(`^${UID}-\\d+-log\\.bson: files: no space`));
  expect(b.outbox.list().filter((f) => f.kind === 'log')).toEqual([]);
  // Nothing stored is lost for it: the data files and the records are all still there.
  expect(drain(b)).toEqual(b.recorded.map(frameKey));
});

test('data files whose records the ring has overwritten since are never pushed out: they are the only copy', () => {
  const b = bench(true, SMALL_FLASH_BYTES);
  b.outbox.prepareData(b.store, DATA_FILE_BYTES, 'schedule');
  const data = b.outbox.list().filter((f) => f.kind === 'data');
  const prepared = framesIn(b, data);
  // A backlog that wraps the small ring: every record of the prepared files is dropped from flash.
  record(b.store, b.recorded, FRAMES);
  expect(b.store.stats().overwrittenPending).toBeGreaterThan(prepared.length);

  const log = addLog(b.outbox);
  expect(log.ok).toBe(false);
  expect(b.dropped).toHaveLength(1);
  expect(b.outbox.list().filter((f) => f.kind === 'data').map((f) => f.id)).toEqual(data.map((f) => f.id));
  expect(drain(b).slice(0, prepared.length)).toEqual(prepared);
});
