/**
 * EN 13757-4 data-link blocks: checking and removing the CRCs of a received frame, and adding them
 * for transmission.
 *
 * Format A: block 1 is L, C, M, A (10 bytes) + CRC; the rest follows in blocks of 16 bytes + CRC, the
 * last one shorter. L counts the bytes after L without CRCs.
 * Format B: block 1 is L, C, M, A without its own CRC; block 2 holds up to 118 bytes including a CRC
 * over blocks 1 and 2; when the frame is longer a block 3 follows with its own CRC. L counts every
 * byte after L including the CRCs.
 */
import { writeCrc16 } from './crc16';
import { CRC_BYTES, DLL_HEADER_BYTES, FORMAT_A_BLOCK_BYTES, formatAOnAirBytes } from './format-a';
import { PORTABLE_KERNELS, type WmbusKernels } from './kernels';
import { BlocksResult, FrameFormat, PhyOptions } from './types';

export { DLL_HEADER_BYTES } from './format-a';
/** Smallest L: C, M and A with nothing after them. */
export const MIN_L_FIELD = DLL_HEADER_BYTES - 1;
const MAX_L_FIELD = 0xff;
/** Format B: blocks 1 and 2 together (10 + 118 bytes including the CRC). */
const FORMAT_B_FIRST_PART_BYTES = 128;
/** Largest data length (L included) a format-B frame can carry: L = 255 and two CRCs. */
const FORMAT_B_MAX_DATA_BYTES = MAX_L_FIELD + 1 - 2 * CRC_BYTES;

/** The longest frame on air (format A, L = 255): a buffer this size holds any decoded chip stream. */
export const MAX_ON_AIR_BYTES = formatAOnAirBytes(MAX_L_FIELD + 1);

/** Bytes on air (L included, CRCs included) announced by an L-field; -1 when L is not valid for the format. */
export function onAirLength(lField: number, format: FrameFormat): number {
  if (format === 'A') {
    if (lField < MIN_L_FIELD || lField > MAX_L_FIELD) return -1;
    return formatAOnAirBytes(lField + 1);
  }
  const total = lField + 1;
  // One CRC needs at least block 1 + CRC; a block 3 needs room for its CRC.
  if (total < DLL_HEADER_BYTES + CRC_BYTES || total === FORMAT_B_FIRST_PART_BYTES + 1 || lField > MAX_L_FIELD) {
    return -1;
  }
  return total;
}

/** A native copy (TypedArray `set`, a memcpy in XS) instead of a byte loop. */
function copy(src: Uint8Array, from: number, count: number, dst: Uint8Array, to: number): void {
  dst.set(src.subarray(from, from + count), to);
}

/** Whether the CRC of `bytes[start, end)` equals the two bytes stored (high byte first) at `end`. */
function blockOk(k: WmbusKernels, bytes: Uint8Array, start: number, end: number): boolean {
  return k.crc16(bytes, start, end) === ((bytes[end] << 8) | bytes[end + 1]);
}

function stripFormatA(onAir: Uint8Array, k: WmbusKernels): BlocksResult {
  const frame = new Uint8Array(onAir[0] + 1);
  return k.stripBlocksA(onAir, frame) ? { ok: true, frame } : { ok: false, error: 'crc' };
}

function stripFormatB(onAir: Uint8Array, total: number, adaptL: boolean, k: WmbusKernels): BlocksResult {
  let frame: Uint8Array;
  if (total <= FORMAT_B_FIRST_PART_BYTES) {
    const dataBytes = total - CRC_BYTES;
    if (!blockOk(k, onAir, 0, dataBytes)) return { ok: false, error: 'crc' };
    frame = onAir.slice(0, dataBytes);
  } else {
    const firstData = FORMAT_B_FIRST_PART_BYTES - CRC_BYTES;
    const thirdData = total - FORMAT_B_FIRST_PART_BYTES - CRC_BYTES;
    if (!blockOk(k, onAir, 0, firstData)) return { ok: false, error: 'crc' };
    if (!blockOk(k, onAir, FORMAT_B_FIRST_PART_BYTES, FORMAT_B_FIRST_PART_BYTES + thirdData)) {
      return { ok: false, error: 'crc' };
    }
    frame = new Uint8Array(firstData + thirdData);
    copy(onAir, 0, firstData, frame, 0);
    copy(onAir, FORMAT_B_FIRST_PART_BYTES, thirdData, frame, firstData);
  }
  // WebdynEasy §4.2.2.2: stored frames carry no CRCs, so by default L is given its format-A meaning.
  if (adaptL) frame[0] = frame.length - 1;
  return { ok: true, frame };
}

/**
 * Checks every block CRC of the frame at the start of `onAir` (which may run on past the frame) and
 * returns the frame without CRCs (a new array; `onAir` is only read). `length` when L is invalid or `onAir` ends early, `crc` on a bad block.
 */
export function stripBlocks(onAir: Uint8Array, format: FrameFormat, options?: PhyOptions): BlocksResult {
  if (onAir.length === 0) return { ok: false, error: 'length' };
  const total = onAirLength(onAir[0], format);
  if (total < 0 || onAir.length < total) return { ok: false, error: 'length' };
  const k = options?.kernels ?? PORTABLE_KERNELS;
  if (format === 'A') return stripFormatA(onAir, k);
  return stripFormatB(onAir, total, options?.bFormatLFieldAdaptation !== false, k);
}

/**
 * Adds the block CRCs to a frame whose L-field has the format-A meaning (`frame[0] === frame.length - 1`).
 * For format B the L-field is rewritten to count the CRCs. Undefined when the frame cannot be sent in
 * that format (too short, L inconsistent, or longer than format B allows).
 */
export function addBlocks(frame: Uint8Array, format: FrameFormat): Uint8Array | undefined {
  const dataBytes = frame.length;
  if (dataBytes < DLL_HEADER_BYTES || dataBytes > MAX_L_FIELD + 1 || frame[0] !== dataBytes - 1) return undefined;
  if (format === 'A') {
    const out = new Uint8Array(onAirLength(frame[0], 'A'));
    copy(frame, 0, DLL_HEADER_BYTES, out, 0);
    writeCrc16(out, 0, DLL_HEADER_BYTES);
    let pos = DLL_HEADER_BYTES + CRC_BYTES;
    for (let o = DLL_HEADER_BYTES; o < dataBytes; o += FORMAT_A_BLOCK_BYTES) {
      const n = Math.min(FORMAT_A_BLOCK_BYTES, dataBytes - o);
      copy(frame, o, n, out, pos);
      writeCrc16(out, pos, pos + n);
      pos += n + CRC_BYTES;
    }
    return out;
  }
  if (dataBytes > FORMAT_B_MAX_DATA_BYTES) return undefined;
  const firstData = FORMAT_B_FIRST_PART_BYTES - CRC_BYTES;
  if (dataBytes <= firstData) {
    const out = new Uint8Array(dataBytes + CRC_BYTES);
    copy(frame, 0, dataBytes, out, 0);
    out[0] = out.length - 1;
    writeCrc16(out, 0, dataBytes);
    return out;
  }
  const thirdData = dataBytes - firstData;
  const out = new Uint8Array(dataBytes + 2 * CRC_BYTES);
  copy(frame, 0, firstData, out, 0);
  out[0] = out.length - 1;
  writeCrc16(out, 0, firstData);
  copy(frame, firstData, thirdData, out, FORMAT_B_FIRST_PART_BYTES);
  writeCrc16(out, FORMAT_B_FIRST_PART_BYTES, FORMAT_B_FIRST_PART_BYTES + thirdData);
  return out;
}
