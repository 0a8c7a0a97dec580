import { chipBytes3of6, decode3of6, decode3of6First, encode3of6 } from '../../protocol/wmbus/three-of-six';

const CODES = [0x16, 0x0d, 0x0e, 0x0b, 0x1c, 0x19, 0x1a, 0x13, 0x2c, 0x25, 0x26, 0x23, 0x34, 0x31, 0x32, 0x29];

function ones(x: number): number {
  let n = 0;
  for (; x !== 0; x >>= 1) n += x & 1;
  return n;
}

describe('3 out of 6 coding (EN 13757-4 mode T)', () => {
  test('each nibble maps to the table code word, high nibble first, chips MSB first', () => {
    for (let n = 0; n < 16; n++) {
      // Byte 0xn0: codes[n] then codes[0] = 12 chips, padded with the 0101 postamble.
      const chips = encode3of6(Uint8Array.of(n << 4));
      expect(((chips[0] << 4) | (chips[1] >> 4)) >> 6).toBe(CODES[n]);
    }
  });

  test('every code word has exactly three ones', () => {
    for (const c of CODES) expect(ones(c)).toBe(3);
  });

  test('0x44 (SND_NR) encodes to chips 0x71C followed by the postamble', () => {
    expect(Array.from(encode3of6(Uint8Array.of(0x44)))).toEqual([0x71, 0xc5]);
  });

  test('two bytes take exactly three chip bytes, an odd count rounds up', () => {
    expect(chipBytes3of6(2)).toBe(3);
    expect(chipBytes3of6(3)).toBe(5);
    expect(encode3of6(new Uint8Array(3)).length).toBe(5);
  });

  test('decoding inverts encoding for all 256 byte values', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const out = new Uint8Array(256);
    expect(decode3of6(encode3of6(all), out, 256)).toBe(true);
    expect(out).toEqual(all);
  });

  test('a chip group that is no code word is rejected', () => {
    const chips = encode3of6(Uint8Array.of(0x12, 0x34));
    chips[1] ^= 0x01;
    expect(decode3of6(chips, new Uint8Array(2), 2)).toBe(false);
  });

  test('the L-field is read from the first 12 chips', () => {
    expect(decode3of6First(encode3of6(Uint8Array.of(0x2e, 0x44)))).toBe(0x2e);
    expect(decode3of6First(Uint8Array.of(0x54, 0x3d))).toBe(-1);
  });

  test('decoding stops with false when the chips run out', () => {
    expect(decode3of6(encode3of6(Uint8Array.of(1, 2)), new Uint8Array(3), 3)).toBe(false);
  });
});
