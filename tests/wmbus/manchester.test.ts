import { decodeManchester, decodeManchesterFirst, encodeManchester } from '../../protocol/wmbus/manchester';

describe('Manchester coding (EN 13757-4 mode S)', () => {
  test('a 0 bit is chips 10 and a 1 bit is chips 01, MSB first', () => {
    expect(Array.from(encodeManchester(Uint8Array.of(0x0f)))).toEqual([0xaa, 0x55]);
    expect(Array.from(encodeManchester(Uint8Array.of(0x44)))).toEqual([0x9a, 0x9a]);
  });

  test('decoding inverts encoding for all 256 byte values', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const out = new Uint8Array(256);
    expect(decodeManchester(encodeManchester(all), out, 256)).toBe(true);
    expect(out).toEqual(all);
  });

  test('a chip pair 00 or 11 is rejected', () => {
    expect(decodeManchester(Uint8Array.of(0xaa, 0xa8), new Uint8Array(1), 1)).toBe(false);
    expect(decodeManchester(Uint8Array.of(0xea, 0xaa), new Uint8Array(1), 1)).toBe(false);
  });

  test('the L-field is read from the first two chip bytes', () => {
    expect(decodeManchesterFirst(encodeManchester(Uint8Array.of(0x2e)))).toBe(0x2e);
    expect(decodeManchesterFirst(Uint8Array.of(0x00, 0x00))).toBe(-1);
  });
});
