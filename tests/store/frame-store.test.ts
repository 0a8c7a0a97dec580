import { crc16Ccitt } from '../../protocol/checksum/crc16-ccitt';
import { SimFlash } from '../../sim/drivers/flash';
import { FRAME_RECORD_OVERHEAD, FrameStore, HEADER_SIZE } from '../../tasks/store/frame-store';
import type { FrameRecord, OverwriteEvent, StoredFrame } from '../../tasks/store/types';
import { makeFrame, realisticRecord, sameRecord, seededRandom } from './helpers';

const SECTOR = 4096;
const T0 = 1_560_066_602; // §5.3 example timestamp

function hex(s: string): Uint8Array {
  return Uint8Array.from(s.match(/../g) ?? [], (b) => parseInt(b, 16));
}

/** A T1 frame from the corpus (Kamstrup Multical 21, CRCs stripped). */
const FRAME_A = hex('2D442D2C9643636013047A21400000');
const FRAME_B = hex('1844AE4C4455223368077A55000000041389E20100023B0000');

function all(store: FrameStore): StoredFrame[] {
  return Array.from(store.records());
}

describe('append, pending, commitUpload', () => {
  test('a new partition opens as an empty store', () => {
    const store = FrameStore.open(new SimFlash({ size: 8 * SECTOR }));
    expect(store.stats()).toEqual({
      records: 0,
      pendingRecords: 0,
      bytesUsed: 0,
      capacityBytes: 7 * SECTOR,
      overwritten: 0,
      overwrittenPending: 0,
      recoveredTornRecords: 0,
    });
    expect(store.pending(10)).toEqual({ records: [], cursor: 0 });
  });

  test('records come back byte for byte with T, R (negative dBm) and F', () => {
    const store = FrameStore.open(new SimFlash({ size: 8 * SECTOR }));
    store.append({ time: T0, rssi: -57, frame: FRAME_A });
    store.append({ time: T0 + 8, rssi: 127, frame: FRAME_B });
    const batch = store.pending(10);
    expect(batch.records).toEqual([
      { serial: 0, time: T0, rssi: -57, frame: FRAME_A },
      { serial: 1, time: T0 + 8, rssi: 127, frame: FRAME_B },
    ]);
    expect(batch.cursor).toBe(2);
  });

  test('pending(max) returns the oldest max records and a cursor just after them', () => {
    const store = FrameStore.open(new SimFlash({ size: 8 * SECTOR }));
    for (let i = 0; i < 5; i++) store.append({ time: T0 + i, rssi: -80, frame: FRAME_A });
    const batch = store.pending(3);
    expect(batch.records.map((r) => r.time)).toEqual([T0, T0 + 1, T0 + 2]);
    expect(batch.cursor).toBe(3);
    expect(store.pending(0)).toEqual({ records: [], cursor: 0 });
  });

  test('pending does not move the cursor; only commitUpload does', () => {
    const store = FrameStore.open(new SimFlash({ size: 8 * SECTOR }));
    for (let i = 0; i < 5; i++) store.append({ time: T0 + i, rssi: -80, frame: FRAME_A });
    store.pending(3);
    expect(store.pending(3).records[0].serial).toBe(0);
    expect(store.commitUpload(3)).toBe(true);
    expect(store.pending(10).records.map((r) => r.serial)).toEqual([3, 4]);
    expect(store.stats()).toMatchObject({ records: 5, pendingRecords: 2 });
  });

  test('a cursor behind the current one changes nothing; one past the newest record is refused', () => {
    const store = FrameStore.open(new SimFlash({ size: 8 * SECTOR }));
    for (let i = 0; i < 4; i++) store.append({ time: T0 + i, rssi: -80, frame: FRAME_A });
    expect(store.commitUpload(3)).toBe(true);
    expect(store.commitUpload(1)).toBe(true);
    expect(store.commitUpload(5)).toBe(false);
    expect(store.commitUpload(2.5)).toBe(false);
    expect(store.stats().pendingRecords).toBe(1);
  });

  test('everything uploaded: pending is empty and keeps the cursor', () => {
    const store = FrameStore.open(new SimFlash({ size: 8 * SECTOR }));
    store.append({ time: T0, rssi: -80, frame: FRAME_A });
    store.commitUpload(store.pending(10).cursor);
    expect(store.pending(10)).toEqual({ records: [], cursor: 1 });
  });

  test('frames of 1 and 255 bytes are stored; 0 and 256 bytes, bad T or R are range errors', () => {
    const store = FrameStore.open(new SimFlash({ size: 8 * SECTOR }));
    store.append({ time: 0, rssi: -128, frame: Uint8Array.of(0x42) });
    store.append({ time: 0xffffffff, rssi: 0, frame: new Uint8Array(255).fill(0xa5) });
    expect(() => store.append({ time: T0, rssi: -60, frame: new Uint8Array(0) })).toThrow(RangeError);
    expect(() => store.append({ time: T0, rssi: -60, frame: new Uint8Array(256) })).toThrow(RangeError);
    expect(() => store.append({ time: -1, rssi: -60, frame: FRAME_A })).toThrow(RangeError);
    expect(() => store.append({ time: 2 ** 32, rssi: -60, frame: FRAME_A })).toThrow(RangeError);
    expect(() => store.append({ time: T0, rssi: -129, frame: FRAME_A })).toThrow(RangeError);
    expect(() => store.append({ time: T0, rssi: 1.5, frame: FRAME_A })).toThrow(RangeError);
    const back = all(store);
    expect(back.map((r) => [r.time, r.rssi, r.frame.length])).toEqual([
      [0, -128, 1],
      [0xffffffff, 0, 255],
    ]);
  });

  test('T and R must be integers in range: fractions, NaN, 2^32 and 128 are range errors', () => {
    const store = FrameStore.open(new SimFlash({ size: 8 * SECTOR }));
    for (const time of [T0 + 0.5, Number.NaN, 2 ** 32, Number.POSITIVE_INFINITY]) {
      expect(() => store.append({ time, rssi: -60, frame: FRAME_A })).toThrow(RangeError);
    }
    for (const rssi of [-60.5, Number.NaN, 128, -129, 2 ** 40]) {
      expect(() => store.append({ time: T0, rssi, frame: FRAME_A })).toThrow(RangeError);
    }
    store.append({ time: 0xffffffff, rssi: 127, frame: FRAME_A });
    expect(all(store).map((r) => [r.time, r.rssi])).toEqual([[0xffffffff, 127]]);
  });

  test('on flash a frame is commit, "F", n, T, R, F, CRC-16; the commit byte is programmed last, alone', () => {
    const flash = new SimFlash({ size: 8 * SECTOR });
    const store = FrameStore.open(flash);
    const programs: [number, number[]][] = [];
    const program = flash.program.bind(flash);
    flash.program = (offset, bytes) => {
      programs.push([offset, Array.from(bytes)]);
      program(offset, bytes);
    };
    store.append({ time: T0, rssi: -60, frame: FRAME_A });
    // T0 = 0x5CFCBA2A, little-endian; -60 dBm = 0xC4.
    const body = [0x46, FRAME_A.length, 0x2a, 0xba, 0xfc, 0x5c, 0xc4, ...FRAME_A];
    const crc = crc16Ccitt(Uint8Array.from(body));
    const at = HEADER_SIZE; // first record of the first sector
    expect(programs.slice(-2)).toEqual([
      [at + 1, [...body, crc & 0xff, crc >> 8]],
      [at, [0x00]],
    ]);
    expect(flash.read(at, body.length + 3)).toEqual(Uint8Array.from([0x00, ...body, crc & 0xff, crc >> 8]));
  });

  test('on flash an upload cursor is commit, "C", serial, CRC-16, committed last', () => {
    const flash = new SimFlash({ size: 8 * SECTOR });
    const store = FrameStore.open(flash);
    for (let i = 0; i < 3; i++) store.append({ time: T0, rssi: -60, frame: FRAME_A });
    const at = HEADER_SIZE + 3 * (FRAME_A.length + FRAME_RECORD_OVERHEAD);
    const programs: [number, number[]][] = [];
    const program = flash.program.bind(flash);
    flash.program = (offset, bytes) => {
      programs.push([offset, Array.from(bytes)]);
      program(offset, bytes);
    };
    store.commitUpload(2);
    const body = [0x43, 2, 0, 0, 0];
    const crc = crc16Ccitt(Uint8Array.from(body));
    expect(programs).toEqual([
      [at + 1, [...body, crc & 0xff, crc >> 8]],
      [at, [0x00]],
    ]);
  });

  test('a frame record takes the frame plus 10 bytes of flash', () => {
    const flash = new SimFlash({ size: 8 * SECTOR });
    const store = FrameStore.open(flash);
    store.append({ time: T0, rssi: -60, frame: FRAME_A });
    flash.resetCounters();
    store.append({ time: T0, rssi: -60, frame: FRAME_A });
    expect(flash.counters.bytesProgrammed).toBe(FRAME_A.length + FRAME_RECORD_OVERHEAD);
    expect(flash.counters.programs).toBe(2);
  });
});

describe('persistence across open', () => {
  test('records, cursor and counters survive a reopen', () => {
    const flash = new SimFlash({ size: 8 * SECTOR });
    const random = seededRandom(3);
    const store = FrameStore.open(flash);
    const written: FrameRecord[] = [];
    for (let i = 0; i < 200; i++) {
      const r = realisticRecord(random, T0 + i);
      written.push(r);
      store.append(r);
    }
    store.commitUpload(120);
    const again = FrameStore.open(flash);
    const back = all(again);
    expect(back.length).toBe(200);
    back.forEach((r, i) => expect(sameRecord(r, written[i])).toBe(true));
    expect(again.stats()).toEqual(store.stats());
    expect(again.pending(1).records[0].serial).toBe(120);
  });

  test('after a reopen appends continue in the same head sector', () => {
    const flash = new SimFlash({ size: 8 * SECTOR });
    FrameStore.open(flash).append({ time: T0, rssi: -60, frame: FRAME_A });
    const again = FrameStore.open(flash);
    again.append({ time: T0 + 1, rssi: -61, frame: FRAME_B });
    expect(again.layout().head).toBe(0);
    expect(all(FrameStore.open(flash)).map((r) => r.serial)).toEqual([0, 1]);
  });

  test('a cursor committed when the head sector is full is carried by the next sector header', () => {
    const flash = new SimFlash({ size: 8 * SECTOR });
    const store = FrameStore.open(flash);
    // 255-byte frames take 265 bytes: 15 fill a sector to 32 + 3975 bytes, leaving room for 11
    // 8-byte cursor records; the 12th opens sector 1.
    const big = new Uint8Array(255).fill(7);
    for (let i = 0; i < 15; i++) store.append({ time: T0 + i, rssi: -70, frame: big });
    for (let i = 0; i < 11; i++) store.commitUpload(i + 1);
    expect(store.layout().head).toBe(0);
    store.commitUpload(12);
    expect(store.layout().head).toBe(1);
    const again = FrameStore.open(flash);
    expect(again.stats()).toMatchObject({ records: 15, pendingRecords: 3 });
    expect(again.pending(1).records[0].serial).toBe(12);
  });
});

describe('wraparound', () => {
  function fill(store: FrameStore, n: number, seed = 1): void {
    const random = seededRandom(seed);
    for (let i = 0; i < n; i++) store.append({ time: T0 + i, rssi: -70, frame: makeFrame(random, 50) });
  }

  test('when full, the oldest sector is dropped and reported, newest records kept in order', () => {
    const events: OverwriteEvent[] = [];
    const flash = new SimFlash({ size: 4 * SECTOR });
    const store = FrameStore.open(flash, { onOverwrite: (e) => events.push(e) });
    fill(store, 1000);
    const stats = store.stats();
    const back = all(store);
    expect(events.length).toBeGreaterThan(0);
    expect(stats.overwritten).toBe(events.reduce((s, e) => s + e.records, 0));
    expect(stats.records + stats.overwritten).toBe(1000);
    expect(back[0].serial).toBe(stats.overwritten);
    expect(back[back.length - 1].serial).toBe(999);
    back.forEach((r, i) => expect(r.time).toBe(T0 + back[0].serial + i));
    // 60-byte records, 67 per sector: the ring holds 2 closed sectors plus the head.
    expect(stats.records).toBeGreaterThanOrEqual(2 * 67);
  });

  test('dropped records are split into uploaded and not-yet-uploaded', () => {
    const events: OverwriteEvent[] = [];
    const store = FrameStore.open(new SimFlash({ size: 4 * SECTOR }), { onOverwrite: (e) => events.push(e) });
    fill(store, 100);
    store.commitUpload(100);
    fill(store, 400, 2);
    const stats = store.stats();
    const lostPending = events.reduce((s, e) => s + e.pendingRecords, 0);
    expect(stats.overwrittenPending).toBe(lostPending);
    expect(stats.overwritten - stats.overwrittenPending).toBe(100);
    expect(stats.pendingRecords).toBe(stats.records);
    expect(events[0]).toEqual({ sector: 0, firstSerial: 0, records: 67, pendingRecords: 0 });
  });

  test('a cursor behind the oldest record held reads from the oldest record', () => {
    const store = FrameStore.open(new SimFlash({ size: 4 * SECTOR }));
    fill(store, 500);
    const oldest = all(store)[0].serial;
    expect(oldest).toBeGreaterThan(0);
    expect(store.pending(1).records[0].serial).toBe(oldest);
    expect(store.stats().pendingRecords).toBe(store.stats().records);
  });

  test('the lifetime overwrite counters persist across reopen', () => {
    const flash = new SimFlash({ size: 4 * SECTOR });
    const store = FrameStore.open(flash);
    fill(store, 1000);
    const again = FrameStore.open(flash);
    expect(again.stats()).toEqual(store.stats());
  });

  test('an iteration overtaken by the ring stops instead of returning other records', () => {
    const store = FrameStore.open(new SimFlash({ size: 4 * SECTOR }));
    fill(store, 300);
    const it = store.records();
    const firstSeen = it.next().value as StoredFrame;
    fill(store, 600, 2);
    const rest = Array.from(it);
    const serials = [firstSeen.serial, ...rest.map((r) => r.serial)];
    serials.forEach((s, i) => i > 0 && expect(s).toBe(serials[i - 1] + 1));
    expect(serials[serials.length - 1]).toBeLessThan(300);
  });

  test('an iteration sees records appended while it runs', () => {
    const store = FrameStore.open(new SimFlash({ size: 8 * SECTOR }));
    fill(store, 10);
    const it = store.records();
    it.next();
    fill(store, 200, 2);
    expect(Array.from(it).map((r) => r.serial)).toEqual(Array.from({ length: 209 }, (_, i) => i + 1));
  });

  test('erase wear spreads evenly over the ring', () => {
    const flash = new SimFlash({ size: 16 * SECTOR });
    const store = FrameStore.open(flash);
    fill(store, 16 * 67 * 20);
    const counts = Array.from(flash.eraseCounts);
    expect(Math.min(...counts)).toBeGreaterThanOrEqual(19);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
  });
});

describe('listening window', () => {
  const PARTITION = 384 * SECTOR; // 1.5 MB

  function windowOf(n: number, seed: number): FrameRecord[] {
    const random = seededRandom(seed);
    return Array.from({ length: n }, (_, i) => realisticRecord(random, T0 + Math.floor(i / 20)));
  }

  test('2000 corpus-sized frames fit, with at most one sector erase per append', () => {
    const flash = new SimFlash({ size: PARTITION });
    const store = FrameStore.open(flash);
    const frames = windowOf(2000, 11);
    let worstErases = 0;
    let worstMs = 0;
    for (const f of frames) {
      const erases = flash.counters.erases;
      const busy = flash.counters.busyMs;
      store.append(f);
      worstErases = Math.max(worstErases, flash.counters.erases - erases);
      worstMs = Math.max(worstMs, flash.counters.busyMs - busy);
    }
    expect(store.stats().records).toBe(2000);
    expect(worstErases).toBeLessThanOrEqual(1);
    expect(worstMs).toBeLessThan(50);
    all(store).forEach((r, i) => expect(sameRecord(r, frames[i])).toBe(true));
  });

  test('after prepare(), a 2000-frame window on a full ring needs no erase at all', () => {
    const flash = new SimFlash({ size: PARTITION });
    const store = FrameStore.open(flash);
    const random = seededRandom(5);
    while (store.stats().overwritten === 0) store.append(realisticRecord(random, T0));
    const frames = windowOf(2000, 12);
    const bytes = frames.reduce((s, f) => s + f.frame.length + FRAME_RECORD_OVERHEAD, 0);
    const prepared = store.prepare(bytes + 2 * SECTOR);
    expect(prepared).toBeGreaterThan(40);
    const erases = flash.counters.erases;
    let worstMs = 0;
    for (const f of frames) {
      const busy = flash.counters.busyMs;
      store.append(f);
      worstMs = Math.max(worstMs, flash.counters.busyMs - busy);
    }
    expect(flash.counters.erases).toBe(erases);
    expect(worstMs).toBeLessThan(2);
  });
});

describe('recovery cost', () => {
  test('open of a full 1.5 MB partition reads only the sector headers and the head sector', () => {
    const sectors = 384;
    const flash = new SimFlash({ size: sectors * SECTOR });
    const store = FrameStore.open(flash);
    const random = seededRandom(9);
    while (store.stats().overwritten === 0) store.append(realisticRecord(random, T0));
    for (let i = 0; i < 100; i++) store.append(realisticRecord(random, T0));
    flash.resetCounters();
    const again = FrameStore.open(flash);
    expect(flash.counters.reads).toBe(sectors + 1);
    expect(flash.counters.bytesRead).toBe(sectors * HEADER_SIZE + SECTOR - HEADER_SIZE);
    expect(again.stats()).toEqual(store.stats());
  });

  test('capacity: a 1.5 MB partition holds more than 1.5 MB of record bytes', () => {
    const store = FrameStore.open(new SimFlash({ size: 384 * SECTOR }));
    expect(store.stats().capacityBytes).toBeGreaterThanOrEqual(1.5 * 1024 * 1024 - SECTOR);
  });
});

describe('damage', () => {
  test('a half-written record at the head is skipped, counted, and the head is closed', () => {
    const flash = new SimFlash({ size: 8 * SECTOR });
    const store = FrameStore.open(flash);
    store.append({ time: T0, rssi: -60, frame: FRAME_A });
    // The body of a second record without its commit byte, as a cut between the two programs leaves it.
    flash.program(HEADER_SIZE + FRAME_A.length + FRAME_RECORD_OVERHEAD + 1, Uint8Array.of(0x46, 3, 1, 2, 3));
    const again = FrameStore.open(flash);
    expect(again.stats()).toMatchObject({ records: 1, recoveredTornRecords: 1 });
    again.append({ time: T0 + 1, rssi: -61, frame: FRAME_B });
    expect(again.layout().head).toBe(1);
    expect(all(FrameStore.open(flash)).map((r) => r.time)).toEqual([T0, T0 + 1]);
  });

  test('a record whose bits rotted fails its CRC and is never returned', () => {
    const flash = new SimFlash({ size: 8 * SECTOR });
    const store = FrameStore.open(flash);
    store.append({ time: T0, rssi: -60, frame: FRAME_A });
    store.append({ time: T0 + 1, rssi: -60, frame: FRAME_B });
    flash.corrupt(HEADER_SIZE + FRAME_A.length + FRAME_RECORD_OVERHEAD + 12, 0x10);
    const back = all(FrameStore.open(flash));
    expect(back.map((r) => r.time)).toEqual([T0]);
  });

  test('garbage in a sector ahead of the head is found before use and erased', () => {
    const flash = new SimFlash({ size: 4 * SECTOR });
    const store = FrameStore.open(flash);
    store.append({ time: T0, rssi: -60, frame: FRAME_A });
    flash.program(2 * SECTOR + 1000, Uint8Array.of(0)); // header blank, body not
    const again = FrameStore.open(flash);
    const big = new Uint8Array(255).fill(1);
    for (let i = 0; i < 40; i++) again.append({ time: T0 + i, rssi: -60, frame: big });
    expect(flash.counters.violations).toBe(0);
    expect(FrameStore.open(flash).stats().records).toBe(again.stats().records);
  });
});

describe('factory reset', () => {
  test('erase() empties the store, which then works as new', () => {
    const flash = new SimFlash({ size: 8 * SECTOR });
    const store = FrameStore.open(flash);
    const random = seededRandom(4);
    for (let i = 0; i < 300; i++) store.append(realisticRecord(random, T0 + i));
    store.erase();
    expect(store.stats()).toMatchObject({ records: 0, pendingRecords: 0, overwritten: 0, overwrittenPending: 0 });
    expect(FrameStore.open(flash).stats()).toMatchObject({ records: 0, pendingRecords: 0 });
    store.append({ time: T0, rssi: -60, frame: FRAME_A });
    const again = FrameStore.open(flash);
    expect(again.pending(10).records.map((r) => r.time)).toEqual([T0]);
  });

  test('after erase() every sector but the head reads blank', () => {
    const flash = new SimFlash({ size: 8 * SECTOR });
    const store = FrameStore.open(flash);
    for (let i = 0; i < 300; i++) store.append({ time: T0, rssi: -60, frame: new Uint8Array(100) });
    store.erase();
    const head = store.layout().head;
    for (let s = 0; s < 8; s++) {
      if (s === head) continue;
      expect(flash.read(s * SECTOR, SECTOR).every((b) => b === 0xff)).toBe(true);
    }
  });
});
