import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { probeKeyTable } from '../../protocol/collections/key-table';
import { encodeStream } from '../../protocol/wmbus/encode';
import { formatAOnAirBytes } from '../../protocol/wmbus/format-a';
import { IDENTITY_DLL_ONLY, IDENTITY_ELL_PLAINTEXT, IDENTITY_FROM_TPL, IDENTITY_LENGTH } from '../../protocol/wmbus/header';
import { PORTABLE_KERNELS } from '../../protocol/wmbus/kernels';
import { encodeManchester } from '../../protocol/wmbus/manchester';
import { chipBytes3of6, encode3of6 } from '../../protocol/wmbus/three-of-six';
import { meterFrames } from '../../sim/radio/meter-frames';
import { createRandom, type SeededRandom } from '../../sim/world/random';
import { crcFreeCorpusFrames } from './corpus';
import { steeredFrames } from './steered-frames';

/**
 * The C kernels of native/wmbus_kernels.c (plain C functions, compiled here with the host compiler
 * through tests/wmbus/native/kernels-harness.c) give what the portable TypeScript kernels give,
 * on random and real inputs. Their XS bindings are tested inside XS (tests/xs/wmbus-kernels.test.ts).
 */
const HARNESS_C = path.join(__dirname, 'native', 'kernels-harness.c');
const k = PORTABLE_KERNELS;
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

let harness = '';

beforeAll(() => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wmbus-kernels-'));
  harness = path.join(dir, 'harness');
  execFileSync('cc', ['-std=c99', '-Wall', '-Wextra', '-pedantic', '-Werror', '-O2', HARNESS_C, '-o', harness]);
});

/** Answers of the C harness, one per request line. */
function c(requests: readonly string[]): string[] {
  const out = execFileSync(harness, { input: requests.join('\n') + '\n', maxBuffer: 64 * 1024 * 1024 }).toString();
  return out.trimEnd().split('\n');
}

function randomBytes(r: SeededRandom, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = r.int(0, 255);
  return b;
}

/** CRC-16/CCITT-FALSE bit by bit, from its definition (poly 0x1021, init 0xFFFF, no reflection, no final XOR). */
function ccittReference(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const b of bytes) {
    crc ^= b << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/** Chip streams of real frames, and the same with random chips flipped (most of those have bad code words). */
function chipSamples(r: SeededRandom, encode: (b: Uint8Array) => Uint8Array): { chips: Uint8Array; count: number }[] {
  const samples = meterFrames().map((f) => ({ chips: encode(f), count: f.length }));
  for (let i = 0; i < 300; i++) {
    const base = samples[i % 20];
    const chips = base.chips.slice();
    for (let f = r.int(0, 2); f > 0; f--) chips[r.int(0, chips.length - 1)] ^= 1 << r.int(0, 7);
    samples.push({ chips, count: base.count });
  }
  for (let i = 0; i < 200; i++) {
    const count = r.int(0, 40);
    samples.push({ chips: randomBytes(r, count * 2 + 2), count });
  }
  return samples;
}

describe('C kernels (host compiler) agree with the portable kernels', () => {
  test('EN 13757-4 CRC-16 of 2000 random byte strings, and the check value', () => {
    const r = createRandom(16);
    const inputs = [Uint8Array.from(Buffer.from('123456789')), ...Array.from({ length: 2000 }, () => randomBytes(r, r.int(0, 300)))];
    const native = c(inputs.map((b) => `crc16 ${hex(b)}`));
    expect(native[0]).toBe('c2b7');
    expect(native).toEqual(inputs.map((b) => k.crc16(b, 0, b.length).toString(16).padStart(4, '0')));
  });

  test('frame-store record CRC (CRC-16/CCITT-FALSE) of 2000 random byte strings, and the check value', () => {
    const r = createRandom(17);
    const inputs = [Uint8Array.from(Buffer.from('123456789')), ...Array.from({ length: 2000 }, () => randomBytes(r, r.int(0, 300)))];
    const native = c(inputs.map((b) => `ccitt ${hex(b)}`));
    expect(native[0]).toBe('29b1');
    expect(native).toEqual(inputs.map((b) => ccittReference(b).toString(16).padStart(4, '0')));
  });

  test('3-of-6 decoding of real, corrupted and random chip streams', () => {
    const samples = chipSamples(createRandom(36), encode3of6).filter((s) => chipBytes3of6(s.count) <= s.chips.length);
    const portable = samples.map(({ chips, count }) => {
      const out = new Uint8Array(count);
      return k.decode3of6(chips, out, count, 0) ? `ok ${hex(out)}` : 'bad';
    });
    expect(portable.filter((p) => p === 'bad').length).toBeGreaterThan(100);
    expect(c(samples.map(({ chips, count }) => `3of6 ${count} ${hex(chips)}`))).toEqual(portable);
  });

  test('Manchester decoding of real, corrupted and random chip streams', () => {
    const samples = chipSamples(createRandom(2), encodeManchester);
    const portable = samples.map(({ chips, count }) => {
      const out = new Uint8Array(count);
      return k.decodeManchester(chips, out, count, 0) ? `ok ${hex(out)}` : 'bad';
    });
    expect(portable.filter((p) => p === 'bad').length).toBeGreaterThan(100);
    expect(c(samples.map(({ chips, count }) => `manchester ${count} ${hex(chips)}`))).toEqual(portable);
  });

  test('format-A block stripping of real frames, with and without a corrupted byte', () => {
    const r = createRandom(0xa);
    const samples: { onAir: Uint8Array; dataBytes: number }[] = [];
    for (const f of meterFrames()) {
      const onAir = (encodeStream(f, 'C1A') as Uint8Array).subarray(2);
      samples.push({ onAir, dataBytes: f.length });
      for (let i = 0; i < 20; i++) {
        const bad = onAir.slice();
        bad[r.int(0, bad.length - 1)] ^= 1 << r.int(0, 7);
        samples.push({ onAir: bad, dataBytes: f.length });
      }
    }
    const portable = samples.map(({ onAir, dataBytes }) => {
      const frame = new Uint8Array(dataBytes);
      return k.stripBlocksA(onAir, frame) ? `ok ${hex(frame)}` : 'bad';
    });
    expect(portable.slice(0, 21)[0]).toBe(`ok ${hex(meterFrames()[0])}`);
    expect(portable.filter((p) => p === 'bad').length).toBeGreaterThan(300);
    expect(c(samples.map(({ onAir, dataBytes }) => `stripa ${dataBytes} ${hex(onAir)}`))).toEqual(portable);
  });
});

/** Every combination of the filter identity's flags. */
const IDENTITY_FLAG_SETS = [0, IDENTITY_DLL_ONLY, IDENTITY_ELL_PLAINTEXT, IDENTITY_DLL_ONLY | IDENTITY_ELL_PLAINTEXT];

/** The portable filter identity as the harness prints it: the code, then the identity when one is written (every code but IDENTITY_LENGTH). */
function portableIdentity(frame: Uint8Array, flags: number): string {
  const out = new Uint8Array(8);
  const code = k.filterIdentity(frame, out, flags);
  return code !== IDENTITY_LENGTH ? `${code} ${hex(out)}` : String(code);
}

function identityAgreement(frames: readonly Uint8Array[]): { native: string[]; portable: string[] } {
  const cases = frames.flatMap((f) => IDENTITY_FLAG_SETS.map((flags) => ({ f, flags })));
  return {
    native: c(cases.map(({ f, flags }) => `identity ${flags} ${hex(f)}`)),
    portable: cases.map(({ f, flags }) => portableIdentity(f, flags)),
  };
}

/**
 * A key table filled the way KeyTable fills one (probe, then take the empty slot): `count` random
 * keys of `width` bytes, some sharing their hashed prefix with an earlier key, in slots of 2 or 4 bytes.
 */
function randomKeyTable(r: SeededRandom, width: number, hashBytes: number, count: number, slotBytes: 2 | 4) {
  let bits = 1;
  while (1 << bits < count * 2) bits++;
  const mask = (1 << bits) - 1;
  const slots = slotBytes === 2 ? new Uint16Array(mask + 1) : new Uint32Array(mask + 1);
  const keys = new Uint8Array(count * width);
  let n = 0;
  while (n < count) {
    const key = randomBytes(r, width);
    if (n > 0 && r.next() < 0.3) key.set(keys.subarray((n - 1) * width, (n - 1) * width + hashBytes));
    const s = probeKeyTable(keys, width, hashBytes, slots, mask, key, 0, 0);
    if (slots[s] !== 0) continue;
    keys.set(key, n * width);
    slots[s] = ++n;
  }
  return { keys, slots, mask };
}

describe('C filter identity and key-table probe agree with the portable ones', () => {
  test('filter identity of the 352 corpus frames and every truncation of them, under every flag set', () => {
    const corpus = crcFreeCorpusFrames();
    const prefixes = corpus.flatMap((f) => Array.from({ length: f.length }, (_, n) => f.subarray(0, n)));
    const { native, portable } = identityAgreement([...corpus, ...prefixes]);
    expect(portable.filter((p) => p.startsWith('1 ')).length).toBeGreaterThan(0);
    expect(portable.filter((p) => p.startsWith('3 ')).length).toBeGreaterThan(0);
    expect(portable.filter((p) => p.startsWith('4 ')).length).toBeGreaterThan(0);
    expect(native).toEqual(portable);
  });

  test('filter identity of 5000 random frames steered through ELL, AFL and TPL headers', () => {
    const { native, portable } = identityAgreement(steeredFrames(0xc1, 5000));
    expect(native).toEqual(portable);
  });

  test('filter identity with every CI value after the DLL and after an ELL', () => {
    const r = createRandom(0xc2);
    const frames: Uint8Array[] = [];
    for (let ci = 0; ci < 0x100; ci++) {
      for (const length of [11, 14, 22, 40]) {
        const afterDll = randomBytes(r, length);
        afterDll[10] = ci;
        const afterEll = randomBytes(r, length);
        afterEll[10] = 0x8c;
        if (length > 13) afterEll[13] = ci;
        frames.push(afterDll, afterEll);
      }
    }
    const { native, portable } = identityAgreement(frames);
    expect(native).toEqual(portable);
  });

  test('key-table probe of present, masked, same-prefix and absent keys in 16- and 32-bit slot tables', () => {
    const r = createRandom(0x9e);
    const requests: string[] = [];
    const portable: string[] = [];
    for (const [width, hashBytes, count, slotBytes] of [[8, 6, 150, 2], [9, 6, 120, 4], [3, 1, 40, 2]] as const) {
      const { keys, slots, mask } = randomKeyTable(r, width, hashBytes, count, slotBytes);
      const slotsHex = hex(new Uint8Array(slots.buffer));
      for (let i = 0; i < 400; i++) {
        const key = r.next() < 0.7 ? keys.slice((i % count) * width, (i % count + 1) * width) : randomBytes(r, width);
        if (r.next() < 0.4) key[r.int(hashBytes - 1, width - 1)] ^= 1 << r.int(0, 7);
        const ignore = [0, 1 << (width - 1), 1 << (width - 2), 0xffff][r.int(0, 3)];
        requests.push(`probe ${width} ${hashBytes} ${slotBytes} ${mask} ${ignore} ${hex(keys)} ${slotsHex} ${hex(key)}`);
        portable.push(String(probeKeyTable(keys, width, hashBytes, slots, mask, key, 0, ignore)));
      }
    }
    const native = c(requests);
    expect(new Set(portable).size).toBeGreaterThan(100);
    expect(native).toEqual(portable);
  });

  test('key-table probe fails instead of reading past the keys or looping on a full table', () => {
    const keys = Uint8Array.of(1, 2, 3, 4);
    expect(c([`probe 2 1 2 3 0 ${hex(keys)} ${hex(new Uint8Array(Uint16Array.of(3, 3, 3, 3).buffer))} 0102`])).toEqual(['fail']);
    expect(c([`probe 2 1 2 1 0 ${hex(keys)} ${hex(new Uint8Array(Uint16Array.of(1, 2).buffer))} 0909`])).toEqual(['fail']);
  });
});

describe('portable kernels keep the contract the C bindings check', () => {
  test('crc16 throws RangeError for a range outside the bytes', () => {
    const b = new Uint8Array(4);
    expect(() => k.crc16(b, 0, 5)).toThrow(RangeError);
    expect(() => k.crc16(b, -1, 2)).toThrow(RangeError);
    expect(() => k.crc16(b, 3, 2)).toThrow(RangeError);
    expect(k.crc16(b, 4, 4)).toBe(0xffff);
  });

  test('the decoders return false for short chips, a short out, a negative count or offset', () => {
    const chips = encode3of6(Uint8Array.of(1, 2, 3));
    const out = new Uint8Array(3);
    expect(k.decode3of6(chips, out, 3, 0)).toBe(true);
    expect(k.decode3of6(chips, out, 3, 1)).toBe(false);
    expect(k.decode3of6(chips, new Uint8Array(2), 3, 0)).toBe(false);
    expect(k.decode3of6(chips, out, -1, 0)).toBe(false);
    expect(k.decodeManchester(encodeManchester(Uint8Array.of(9)), out, 1, -1)).toBe(false);
    expect(k.decodeManchester(encodeManchester(Uint8Array.of(9)), out, 2, 0)).toBe(false);
  });

  test('filterIdentity throws RangeError for an identity buffer shorter than 8 bytes', () => {
    const frame = meterFrames()[0];
    expect(() => k.filterIdentity(frame, new Uint8Array(7), 0)).toThrow(RangeError);
    expect(k.filterIdentity(frame, new Uint8Array(8), 0)).toBeLessThanOrEqual(IDENTITY_FROM_TPL);
  });

  test('stripBlocksA throws RangeError when the frame is shorter than block 1 or the bytes on air too few', () => {
    const frame = meterFrames()[0];
    const onAir = (encodeStream(frame, 'C1A') as Uint8Array).subarray(2);
    expect(onAir.length).toBe(formatAOnAirBytes(frame.length));
    expect(() => k.stripBlocksA(onAir, new Uint8Array(9))).toThrow(RangeError);
    expect(() => k.stripBlocksA(onAir.subarray(0, onAir.length - 1), new Uint8Array(frame.length))).toThrow(RangeError);
  });
});
