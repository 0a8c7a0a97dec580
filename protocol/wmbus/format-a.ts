/**
 * EN 13757-4 format A: block 1 is L, C, M, A (10 bytes) + CRC; the rest follows in blocks of 16
 * bytes + CRC, the last one shorter. The layout and the portable block-stripping kernel live here,
 * apart from blocks.ts, so kernels.ts can use them without an import cycle.
 */
import { crc16 } from './crc16';

export const CRC_BYTES = 2;
/** L, C, M (2), A (6): block 1. */
export const DLL_HEADER_BYTES = 10;
export const FORMAT_A_BLOCK_BYTES = 16;

export function formatABlockCount(dataBytes: number): number {
  return 1 + Math.ceil((dataBytes - DLL_HEADER_BYTES) / FORMAT_A_BLOCK_BYTES);
}

/** Bytes on air of a format-A frame of `dataBytes` bytes (L included): the data and a CRC per block. */
export function formatAOnAirBytes(dataBytes: number): number {
  return dataBytes + CRC_BYTES * formatABlockCount(dataBytes);
}

/**
 * The portable `WmbusKernels.stripBlocksA`: checks each block CRC of the format-A frame at the
 * start of `onAir` and copies the blocks' data into `frame`, whose length (L + 1) sets the layout.
 * False at the first bad CRC; RangeError when `frame` is shorter than block 1 or `onAir` than the frame on air.
 */
export function stripBlocksA(onAir: Uint8Array, frame: Uint8Array): boolean {
  const dataBytes = frame.length;
  if (dataBytes < DLL_HEADER_BYTES || formatAOnAirBytes(dataBytes) > onAir.length) {
    throw new RangeError('stripBlocksA: frame or on-air bytes too short');
  }
  let pos = 0;
  let o = 0;
  let n = DLL_HEADER_BYTES;
  while (o < dataBytes) {
    const end = pos + n;
    if (crc16(onAir, pos, end) !== ((onAir[end] << 8) | onAir[end + 1])) return false;
    frame.set(onAir.subarray(pos, end), o);
    o += n;
    pos = end + CRC_BYTES;
    n = dataBytes - o < FORMAT_A_BLOCK_BYTES ? dataBytes - o : FORMAT_A_BLOCK_BYTES;
  }
  return true;
}
