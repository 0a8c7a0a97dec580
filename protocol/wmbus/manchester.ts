import { freezeTable } from '../freeze';

/**
 * EN 13757-4 mode S: Manchester coding, two chips per bit, MSB first; a 0 is sent as chips 10
 * and a 1 as chips 01 (each data nibble becomes one chip byte: 0x0 → 0xAA, 0xF → 0x55).
 */

const PAIR_ONE = 0b01;
const PAIR_ZERO = 0b10;
const INVALID = 0xff;
const NIBBLE_MAX = 0x0f;

function decodeChipByte(c: number): number {
  for (let pair = 0; pair < 4; pair++) {
    const chips = (c >> (pair * 2)) & 0b11;
    if (chips !== PAIR_ONE && chips !== PAIR_ZERO) return INVALID;
  }
  // The second chip of each pair is the data bit.
  return ((c >> 3) & 0b1000) | ((c >> 2) & 0b0100) | ((c >> 1) & 0b0010) | (c & 0b0001);
}

function buildDecodeTable(): readonly number[] {
  const table: number[] = [];
  for (let c = 0; c < 256; c++) table.push(decodeChipByte(c));
  return table;
}

/** Chip byte → data nibble, 0xff when a chip pair is 00 or 11. Built once at load, never written after. */
const DECODE_MANCHESTER: readonly number[] = freezeTable(buildDecodeTable());

/** Data nibble → chip byte. */
const ENCODE_MANCHESTER: readonly number[] = freezeTable([
  0xaa, 0xa9, 0xa6, 0xa5, 0x9a, 0x99, 0x96, 0x95, 0x6a, 0x69, 0x66, 0x65, 0x5a, 0x59, 0x56, 0x55,
]);

/** Chip bytes carrying `byteCount` bytes. */
export function chipBytesManchester(byteCount: number): number {
  return byteCount * 2;
}

/** Decodes `count` bytes from the chips starting at byte `chipOffset` into `out[0, count)`; false on a bad chip pair. */
export function decodeManchester(chips: Uint8Array, out: Uint8Array, count: number, chipOffset = 0): boolean {
  if (!(chipOffset >= 0 && count >= 0) || chipOffset + count * 2 > chips.length || count > out.length) return false;
  let c = chipOffset;
  for (let o = 0; o < count; o++) {
    const hi = DECODE_MANCHESTER[chips[c]];
    const lo = DECODE_MANCHESTER[chips[c + 1]];
    c += 2;
    if ((hi | lo) > NIBBLE_MAX) return false;
    out[o] = (hi << 4) | lo;
  }
  return true;
}

/** The first byte carried by the chips (the L-field), or -1. */
export function decodeManchesterFirst(chips: Uint8Array, chipOffset = 0): number {
  if (chipOffset + 2 > chips.length) return -1;
  const hi = DECODE_MANCHESTER[chips[chipOffset]];
  const lo = DECODE_MANCHESTER[chips[chipOffset + 1]];
  return (hi | lo) > NIBBLE_MAX ? -1 : (hi << 4) | lo;
}

/** Encodes bytes into Manchester chips (two chip bytes per byte). */
export function encodeManchester(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length * 2);
  for (let i = 0; i < bytes.length; i++) {
    out[2 * i] = ENCODE_MANCHESTER[bytes[i] >> 4];
    out[2 * i + 1] = ENCODE_MANCHESTER[bytes[i] & NIBBLE_MAX];
  }
  return out;
}
