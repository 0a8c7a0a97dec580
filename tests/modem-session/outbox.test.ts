/**
 * The outbox on the FileStore: names, order, data files cut to size, and the store cursor that
 * only moves for data files the server has, whatever reboot falls in between.
 */
import { defaultConfig } from '../../protocol/config/defaults';
import type { SecurityConfig } from '../../protocol/config/types';
import { parseOutboxName } from '../../protocol/files/names';
import { SimFiles } from '../../sim/drivers/files';
import { SimFlash } from '../../sim/drivers/flash';
import { SimSettings } from '../../sim/drivers/settings';
import { seededRandom, syntheticFrame } from '../../sim/upload/rig.node';
import type { SettingValue } from '../../drivers/settings/types';
import { Outbox, OUTBOX_DATA_PREFIX, OUTBOX_SENT_PREFIX, type OutboxFile } from '../../tasks/outbox';
import { FrameStore } from '../../tasks/store/frame-store';
import type { FrameRecord } from '../../tasks/store/types';
import { ManualClock } from '../fixtures/manual-clock';
import { KEY, frameKey, readHubFile } from './support';

const START_MS = Date.UTC(2026, 2, 2, 8, 0, 0);
const UID = '123456';

/** The persistent parts of a device; `boot()` gives fresh RAM objects over them. */
class Device {
  readonly settingsMap = new Map<string, SettingValue>();
  readonly filesMap = new Map<string, Uint8Array>();
  readonly flash = new SimFlash({ size: 64 * 1024, sectorSize: 4096 });
  readonly clock = new ManualClock(START_MS);
  security: SecurityConfig = defaultConfig().security;
  outbox!: Outbox;
  store!: FrameStore;
  files!: SimFiles;
  private readonly random = seededRandom(3);

  constructor() {
    this.boot();
  }

  boot(): void {
    this.files = new SimFiles(this.filesMap, 1024 * 1024);
    this.store = FrameStore.open(this.flash);
    this.outbox = new Outbox(this.files, { uid: UID, clock: this.clock, security: () => this.security, settings: new SimSettings(this.settingsMap) });
  }

  record(n: number): FrameRecord[] {
    const out: FrameRecord[] = [];
    for (let i = 0; i < n; i++) {
      const r = { time: Math.floor(this.clock.now() / 1000) - 3600 + i, rssi: -60 - (i % 40), frame: syntheticFrame(this.random, 20 + ((i * 7) % 60)) };
      this.store.append(r);
      out.push(r);
    }
    return out;
  }

  /** The server side: what `file` holds, decoded as the server would. */
  frames(file: OutboxFile): string[] {
    const doc = readHubFile(file.name, this.outbox.read(file) as Uint8Array, KEY) as { data: { T: number; R: number; F: { buffer: Uint8Array } }[] };
    return doc.data.map((d) => `${d.T}/${d.R}/${Buffer.from(d.F.buffer).toString('hex')}`);
  }
}

describe('names and order', () => {
  test('each kind goes to its §5.1.1.2 directory as <uid>-<timestamp>-<kind>.bson', () => {
    const d = new Device();
    d.outbox.addAck({ type: 'cmd', cid: 'c1', result: 'ok' });
    d.outbox.addAlarm({ type: 'battery', value: 9 });
    d.outbox.addConfig({ config: { name: 'x' } }, 'ftp');
    d.outbox.add('supervision', 'schedule', (h) => ({ uid: h.uid, source: h.source, TS: h.timeSec }));
    const list = d.outbox.list();
    expect(list.map((f) => [f.kind, f.directory])).toEqual([
      ['alarm', '/ALARM'],
      ['ack', '/ALARM'],
      ['config', '/CONFIG'],
      ['supervision', '/SUPERVISION'],
    ]);
    for (const f of list) expect(f.name).toBe(`${UID}-${START_MS / 1000}-${f.kind}.bson`);
  });

  test('files of one kind in the same second get consecutive seconds, never the same name', () => {
    const d = new Device();
    for (let i = 0; i < 3; i++) d.outbox.addAck({ type: 'cmd', cid: `c${i}`, result: 'ok' });
    const secs = d.outbox.list().map((f) => f.timeSec);
    expect(secs).toEqual([START_MS / 1000, START_MS / 1000 + 1, START_MS / 1000 + 2]);
    // TS inside matches the name (§5.5).
    const f = d.outbox.list()[2];
    expect(readHubFile(f.name, d.outbox.read(f) as Uint8Array)).toMatchObject({ TS: START_MS / 1000 + 2, ack: { cid: 'c2' } });
  });

  test('a clock set back by SNTP does not reuse a name, even after a reboot', () => {
    const d = new Device();
    d.outbox.addAck({ type: 'cmd', cid: 'a', result: 'ok' });
    const first = d.outbox.list()[0];
    d.outbox.delivered(first);
    d.clock.set(START_MS - 60_000);
    d.boot();
    d.outbox.addAck({ type: 'cmd', cid: 'b', result: 'ok' });
    expect(d.outbox.list()[0].timeSec).toBe(START_MS / 1000 + 1);
  });

  test('with encryption the name ends .bson.aes and the bytes are AES-128-CBC (§4.2.1.2)', () => {
    const d = new Device();
    d.security = { crcMode: 1, encryption: true, key: KEY, tlsVerify: 'auto' };
    d.outbox.addAck({ type: 'cmd', cid: 'c1', result: 'ok' });
    const f = d.outbox.list()[0];
    expect(f.name).toBe(`${UID}-${START_MS / 1000}-ack.bson.aes`);
    expect(parseOutboxName(f.name)?.encrypted).toBe(true);
    expect(readHubFile(f.name, d.outbox.read(f) as Uint8Array, KEY)).toMatchObject({ ack: { cid: 'c1' } });
  });

  test('with encryption on and no key nothing is written: no file leaves in clear', () => {
    const d = new Device();
    d.security = { crcMode: 1, encryption: true, key: null, tlsVerify: 'auto' };
    const r = d.outbox.addAck({ type: 'cmd', cid: 'c1', result: 'ok' });
    expect(r.ok).toBe(false);
    expect(d.outbox.list()).toEqual([]);
  });
});

describe('data files', () => {
  test('pending records become data files of at most maxFileBytes, in store order', () => {
    const d = new Device();
    const recorded = d.record(200);
    const r = d.outbox.prepareData(d.store, 2048, 'schedule');
    expect(r).toEqual({ files: expect.any(Number), frames: 200 });
    const files = d.outbox.list();
    expect(files.length).toBe(r.files);
    expect(files.length).toBeGreaterThan(3);
    for (const f of files) expect((d.outbox.read(f) as Uint8Array).length).toBeLessThanOrEqual(2048);
    expect(files.flatMap((f) => d.frames(f))).toEqual(recorded.map(frameKey));
    // The ranges tile the serials with no gap.
    let next = 0;
    for (const f of files) {
      expect(f.range?.from).toBe(next);
      next = f.range?.to as number;
    }
    expect(next).toBe(200);
  });

  test('the limit applies to the ciphertext when encrypting', () => {
    const d = new Device();
    d.security = { crcMode: 1, encryption: true, key: KEY, tlsVerify: 'auto' };
    const recorded = d.record(150);
    d.outbox.prepareData(d.store, 1024, 'schedule');
    const files = d.outbox.list();
    for (const f of files) expect((d.outbox.read(f) as Uint8Array).length).toBeLessThanOrEqual(1024);
    expect(files.flatMap((f) => d.frames(f))).toEqual(recorded.map(frameKey));
  });

  test('a backlog larger than one batch is cut without loss (600 records, large files)', () => {
    const d = new Device();
    const recorded = d.record(600);
    d.outbox.prepareData(d.store, 64 * 1024, 'schedule');
    expect(d.outbox.list().flatMap((f) => d.frames(f))).toEqual(recorded.map(frameKey));
  });

  test('preparing again adds only the records that arrived since', () => {
    const d = new Device();
    const a = d.record(30);
    d.outbox.prepareData(d.store, 4096, 'schedule');
    expect(d.outbox.prepareData(d.store, 4096, 'schedule')).toEqual({ files: 0, frames: 0 });
    const b = d.record(10);
    expect(d.outbox.prepareData(d.store, 4096, 'schedule').frames).toBe(10);
    expect(d.outbox.list().flatMap((f) => d.frames(f))).toEqual([...a, ...b].map(frameKey));
  });

  test('the store cursor moves only when a data file is delivered, and only past delivered ones', () => {
    const d = new Device();
    d.record(90);
    d.outbox.prepareData(d.store, 1024, 'schedule');
    const [f1, f2, ...rest] = d.outbox.list();
    expect(rest.length).toBeGreaterThan(0);
    expect(d.store.stats().pendingRecords).toBe(90);
    // The second file reaches the server first: the cursor cannot move (the first is missing).
    d.outbox.delivered(f2, d.store);
    expect(d.store.stats().pendingRecords).toBe(90);
    expect(d.outbox.list().map((f) => f.name)).toEqual([f1, ...rest].map((f) => f.name));
    // The first arrives: the cursor moves past both.
    d.outbox.delivered(f1, d.store);
    expect(d.store.pending(0).cursor).toBe(f2.range?.to);
    for (const f of rest) d.outbox.delivered(f, d.store);
    expect(d.store.pending(0).cursor).toBe(90);
    expect([...d.filesMap.keys()].filter((k) => k.startsWith('out'))).toEqual([]);
  });
});

describe('reboots between the server rename and the commit', () => {
  test('a file renamed on the server but not yet committed is committed at the next pass, not prepared again', () => {
    const d = new Device();
    const recorded = d.record(40);
    d.outbox.prepareData(d.store, 64 * 1024, 'schedule');
    const [f] = d.outbox.list();
    // What `delivered` does first, then the power fails: the local copy is marked sent, no commit.
    d.files.rename(f.id, `${OUTBOX_SENT_PREFIX}${f.range?.from}-${f.range?.to}-${f.name}`);
    d.boot();
    expect(d.store.stats().pendingRecords).toBe(40);
    const more = d.record(5);
    const r = d.outbox.prepareData(d.store, 64 * 1024, 'schedule');
    expect(r.frames).toBe(5);
    expect(d.store.pending(0).cursor).toBe(40);
    const left = d.outbox.list();
    expect(left).toHaveLength(1);
    expect(d.frames(left[0])).toEqual(more.map(frameKey));
    expect(recorded).toHaveLength(40);
  });

  test('a committed file whose local copy survived a cut is dropped, not uploaded twice', () => {
    const d = new Device();
    d.record(20);
    d.outbox.prepareData(d.store, 64 * 1024, 'schedule');
    const [f] = d.outbox.list();
    d.files.rename(f.id, `${OUTBOX_SENT_PREFIX}${f.range?.from}-${f.range?.to}-${f.name}`);
    d.store.commitUpload(f.range?.to as number);
    d.boot();
    d.outbox.prepareData(d.store, 64 * 1024, 'schedule');
    expect(d.outbox.list()).toEqual([]);
    expect([...d.filesMap.keys()].filter((k) => k.startsWith('out'))).toEqual([]);
  });

  test('a data file not yet uploaded keeps its name across a reboot (a retry replaces the same server file)', () => {
    const d = new Device();
    d.record(20);
    d.outbox.prepareData(d.store, 64 * 1024, 'schedule');
    const before = d.outbox.list().map((f) => f.name);
    d.clock.advance(3_600_000);
    d.boot();
    d.outbox.prepareData(d.store, 64 * 1024, 'schedule');
    expect(d.outbox.list().map((f) => f.name)).toEqual(before);
  });

  test('records the ring overwrote after they were prepared are still uploaded from the outbox copy', () => {
    const d = new Device();
    const recorded = d.record(30);
    d.outbox.prepareData(d.store, 64 * 1024, 'schedule');
    const [f] = d.outbox.list();
    // Fill the ring until the first sectors are gone.
    d.record(1500);
    expect(d.store.stats().overwrittenPending).toBeGreaterThan(0);
    d.outbox.prepareData(d.store, 64 * 1024, 'schedule');
    expect(d.outbox.list()[0].id).toBe(f.id);
    expect(d.frames(d.outbox.list()[0])).toEqual(recorded.map(frameKey));
  });
});

test('data files are named by prefix with their serial range', () => {
  const d = new Device();
  d.record(3);
  d.outbox.prepareData(d.store, 4096, 'schedule');
  expect([...d.filesMap.keys()].filter((k) => k.startsWith(OUTBOX_DATA_PREFIX))).toEqual([`${OUTBOX_DATA_PREFIX}0-3-${UID}-${START_MS / 1000}-data.bson`]);
});
