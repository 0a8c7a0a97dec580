/**
 * Data files cut to a size limit (§5.3 files, sized arithmetically): every file fits, the files
 * together hold every record once and in order, and the size arithmetic matches the real encoder.
 */
import { decodeFile, encodeFile } from '../../protocol/files/codec';
import { buildDataDocument, DataRecord, dataFileSize, plainLimitForCipher, splitDataRecords } from '../../protocol/files/data';
import type { FileHeader } from '../../protocol/files/header';
import { BsonBinary, BsonDocument } from '../../protocol/bson/types';

/** mulberry32, so every run cuts the same records. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HEADER: FileHeader = { uid: 'WE_1234', source: 'schedule', timeSec: 1700000000 };
const KEY = new Uint8Array(Buffer.from('4400AAF78378049CAB13EE4E350E281B', 'hex'));

/** W-MBus frames without CRC run from 10 to 256 bytes (L-field up to 255 + itself). */
function records(count: number, seed: number): DataRecord[] {
  const r = rng(seed);
  const out: DataRecord[] = [];
  for (let i = 0; i < count; i++) {
    const frame = new Uint8Array(10 + Math.floor(r() * 247));
    for (let k = 0; k < frame.length; k++) frame[k] = Math.floor(r() * 256);
    out.push({ timeSec: 1700000000 + i * 7, rssi: 100 + Math.floor(r() * 150), frame });
  }
  return out;
}

function frameOf(doc: BsonDocument): Uint8Array {
  return (doc.F as BsonBinary).bytes;
}

describe('dataFileSize', () => {
  test.each([0, 1, 9, 10, 11, 99, 100, 101, 1000])('is the exact file length for %i records (array keys of 1 to 3 digits)', (n) => {
    const rs = records(n, n + 1);
    expect(dataFileSize(HEADER, rs)).toBe(encodeFile(buildDataDocument(HEADER, rs), { encryption: false }).length);
  });
});

describe('splitDataRecords', () => {
  test.each([400, 1000, 4096, 16384, 65536])('%i-byte files: each fits, none is lost, order is kept', (limit) => {
    const rs = records(300, limit);
    const split = splitDataRecords(HEADER, rs, limit);
    if (!split.ok) throw new Error(split.error);
    const seen: Uint8Array[] = [];
    let expectedStart = 0;
    for (const { start, end } of split.ranges) {
      expect(start).toBe(expectedStart);
      expect(end).toBeGreaterThan(start);
      expectedStart = end;
      const file = encodeFile(buildDataDocument(HEADER, rs.slice(start, end)), { encryption: false });
      expect(file.length).toBeLessThanOrEqual(limit);
      const back = decodeFile(file, { encrypted: false, crcMode: 2 });
      if (!back.ok) throw new Error(back.detail);
      expect(back.doc.frameCount).toBe(end - start);
      for (const d of back.doc.data as BsonDocument[]) seen.push(frameOf(d));
    }
    expect(expectedStart).toBe(rs.length);
    expect(seen).toEqual(rs.map((r) => r.frame));
  });

  test('fills files: adding the next record to any file would pass the limit', () => {
    const limit = 2000;
    const rs = records(300, 7);
    const split = splitDataRecords(HEADER, rs, limit);
    if (!split.ok) throw new Error(split.error);
    for (const { start, end } of split.ranges.slice(0, -1)) {
      expect(dataFileSize(HEADER, rs.slice(start, end + 1))).toBeGreaterThan(limit);
    }
  });

  test('a limit exactly the size of the whole file gives one file; one byte less gives two', () => {
    const rs = records(20, 3);
    const exact = dataFileSize(HEADER, rs);
    expect(splitDataRecords(HEADER, rs, exact)).toEqual({ ok: true, ranges: [{ start: 0, end: 20 }] });
    const smaller = splitDataRecords(HEADER, rs, exact - 1);
    expect(smaller.ok && smaller.ranges.length).toBe(2);
  });

  test('encrypted files: the AES form of each file fits the limit', () => {
    const limit = 1500;
    const rs = records(200, 11);
    const split = splitDataRecords(HEADER, rs, limit, { encrypted: true });
    if (!split.ok) throw new Error(split.error);
    for (const { start, end } of split.ranges) {
      const file = encodeFile(buildDataDocument(HEADER, rs.slice(start, end)), { encryption: true, key: KEY });
      expect(file.length).toBeLessThanOrEqual(limit);
    }
  });

  test('PKCS#7 bound: the largest plain file whose ciphertext fits', () => {
    expect(plainLimitForCipher(1024)).toBe(1023);
    expect(plainLimitForCipher(1030)).toBe(1023);
    const fileOf = (plainBytes: number): Uint8Array => {
      // { b: <binary n> } + crc trailer is n + 22 bytes.
      const file = encodeFile({ b: new BsonBinary(new Uint8Array(plainBytes - 22)) }, { encryption: false });
      expect(file.length).toBe(plainBytes);
      return encodeFile({ b: new BsonBinary(new Uint8Array(plainBytes - 22)) }, { encryption: true, key: KEY });
    };
    expect(fileOf(plainLimitForCipher(1040)).length).toBe(1040);
    expect(fileOf(plainLimitForCipher(1040) + 1).length).toBeGreaterThan(1040);
  });

  test('no records, no files', () => {
    expect(splitDataRecords(HEADER, [], 1000)).toEqual({ ok: true, ranges: [] });
  });

  test('a record too large for any file is reported by index, not dropped', () => {
    const rs = records(5, 1);
    const big = { timeSec: 1, rssi: 1, frame: new Uint8Array(600) };
    const result = splitDataRecords(HEADER, [...rs.slice(0, 2), big, ...rs.slice(2)], 500);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.index).toBe(2);
  });
});
