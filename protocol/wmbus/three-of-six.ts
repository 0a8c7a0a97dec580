import { freezeTable } from '../freeze';

/**
 * EN 13757-4 §9.2 (mode T, meter to other): "3 out of 6" coding. Each byte is sent as two 6-chip code
 * words, high nibble first, chips MSB first; a frame's chips are packed MSB first into bytes. When the
 * frame has an odd number of bytes the last chip byte ends with 4 postamble chips (0101).
 */

/** Nibble → 6-chip code word (each has exactly three ones). */
const ENCODE_3OF6: readonly number[] = freezeTable([
  0x16, 0x0d, 0x0e, 0x0b, 0x1c, 0x19, 0x1a, 0x13, 0x2c, 0x25, 0x26, 0x23, 0x34, 0x31, 0x32, 0x29,
]);

/** 6-chip code word → nibble, 0xff for the 48 words that are not codes. */
const DECODE_3OF6: readonly number[] = freezeTable([
  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x03, 0xff, 0x01, 0x02, 0xff,
  0xff, 0xff, 0xff, 0x07, 0xff, 0xff, 0x00, 0xff, 0xff, 0x05, 0x06, 0xff, 0x04, 0xff, 0xff, 0xff,
  0xff, 0xff, 0xff, 0x0b, 0xff, 0x09, 0x0a, 0xff, 0xff, 0x0f, 0xff, 0xff, 0x08, 0xff, 0xff, 0xff,
  0xff, 0x0d, 0x0e, 0xff, 0x0c, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
]);

const NIBBLE_MAX = 0x0f;
const CODE_MASK = 0x3f;
/** Chips that fill the last half byte of an odd-length frame. */
const POSTAMBLE_NIBBLE = 0x5;

/** Chip bytes carrying `byteCount` bytes (12 chips per byte, rounded up to whole bytes). */
export function chipBytes3of6(byteCount: number): number {
  return (byteCount * 3 + 1) >> 1;
}

/**
 * Decodes `count` bytes from the chips starting at byte `chipOffset` into `out[0, count)`.
 * False when a code word is invalid or the chips run out.
 */
export function decode3of6(chips: Uint8Array, out: Uint8Array, count: number, chipOffset = 0): boolean {
  if (!(chipOffset >= 0 && count >= 0) || chipOffset + chipBytes3of6(count) > chips.length || count > out.length) return false;
  let c = chipOffset;
  let o = 0;
  // Two bytes are 24 chips: three chip bytes hold four code words.
  const pairs = count >> 1;
  for (let p = 0; p < pairs; p++) {
    const c0 = chips[c];
    const c1 = chips[c + 1];
    const c2 = chips[c + 2];
    c += 3;
    const n0 = DECODE_3OF6[c0 >> 2];
    const n1 = DECODE_3OF6[((c0 << 4) | (c1 >> 4)) & CODE_MASK];
    const n2 = DECODE_3OF6[((c1 << 2) | (c2 >> 6)) & CODE_MASK];
    const n3 = DECODE_3OF6[c2 & CODE_MASK];
    if ((n0 | n1 | n2 | n3) > NIBBLE_MAX) return false;
    out[o] = (n0 << 4) | n1;
    out[o + 1] = (n2 << 4) | n3;
    o += 2;
  }
  if ((count & 1) !== 0) {
    const c0 = chips[c];
    const c1 = chips[c + 1];
    const n0 = DECODE_3OF6[c0 >> 2];
    const n1 = DECODE_3OF6[((c0 << 4) | (c1 >> 4)) & CODE_MASK];
    if ((n0 | n1) > NIBBLE_MAX) return false;
    out[o] = (n0 << 4) | n1;
  }
  return true;
}

/** The first byte carried by the chips (the L-field), or -1 when it is not two valid code words. */
export function decode3of6First(chips: Uint8Array, chipOffset = 0): number {
  if (chipOffset + 2 > chips.length) return -1;
  const c0 = chips[chipOffset];
  const n0 = DECODE_3OF6[c0 >> 2];
  const n1 = DECODE_3OF6[((c0 << 4) | (chips[chipOffset + 1] >> 4)) & CODE_MASK];
  return (n0 | n1) > NIBBLE_MAX ? -1 : (n0 << 4) | n1;
}

/** Encodes bytes into packed chips (`chipBytes3of6(bytes.length)` bytes). */
export function encode3of6(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(chipBytes3of6(bytes.length));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    acc = ((acc << 12) | (ENCODE_3OF6[b >> 4] << 6) | ENCODE_3OF6[b & NIBBLE_MAX]) & 0xffffff;
    bits += 12;
    while (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  if (bits > 0) out[o] = ((acc << 4) | POSTAMBLE_NIBBLE) & 0xff;
  return out;
}
