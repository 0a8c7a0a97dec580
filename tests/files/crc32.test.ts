/** CRC-32 as zlib computes it: the check value, agreement with zlib, chaining. */
import * as zlib from 'zlib';
import { crc32 } from '../../protocol/files/crc32';
import { int, randomBytes, rng } from './fixtures';

test('check value: CRC-32 of "123456789" is 0xCBF43926', () => {
  expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
});

test('empty input gives 0', () => {
  expect(crc32(new Uint8Array(0))).toBe(0);
});

test('1000 random inputs agree with zlib.crc32', () => {
  const r = rng(32);
  for (let i = 0; i < 1000; i++) {
    const data = randomBytes(r, int(r, 0, 300));
    expect(crc32(data)).toBe(zlib.crc32(data));
  }
});

test('chains like zlib: crc32(b, crc32(a)) equals crc32(a ++ b)', () => {
  const r = rng(33);
  const data = randomBytes(r, 500);
  for (const cut of [0, 1, 17, 250, 499, 500]) {
    expect(crc32(data.subarray(cut), crc32(data.subarray(0, cut)))).toBe(crc32(data));
  }
});

test('results are unsigned', () => {
  expect(crc32(Uint8Array.of(0))).toBe(0xd202ef8d);
});
