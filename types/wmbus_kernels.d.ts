/**
 * native/wmbus_kernels.js + native/wmbus_kernels.c: the receive path's byte loops in C. The
 * module satisfies `WmbusKernels` (protocol/wmbus/kernels.ts, which states the contract); a
 * manifest lists it as `wmbus_kernels` and adds this file to mcconfig's TypeScript `types`.
 */
declare module 'wmbus_kernels' {
  /** EN 13757-4 CRC-16 of `bytes[start, end)`; RangeError when the range is not inside `bytes`. */
  export function crc16(bytes: Uint8Array, start: number, end: number): number;
  /** 3-of-6 chips from byte `chipOffset` → `out[0, count)`; false on a bad code word or short chips/out. */
  export function decode3of6(chips: Uint8Array, out: Uint8Array, count: number, chipOffset: number): boolean;
  /** Manchester chips from byte `chipOffset` → `out[0, count)`; false on a bad chip pair or short chips/out. */
  export function decodeManchester(chips: Uint8Array, out: Uint8Array, count: number, chipOffset: number): boolean;
  /** Format A: every block CRC of the frame at the start of `onAir` checked, its data copied into `frame` (length L + 1). */
  export function stripBlocksA(onAir: Uint8Array, frame: Uint8Array): boolean;
  /** CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF) of `bytes[start, end)`, the frame store's record CRC. */
  export function crc16Ccitt(bytes: Uint8Array, start: number, end: number): number;
  /** Filter identity of a CRC-free frame into `out` (`filterIdentityCode`): an IDENTITY_* code; RangeError when `out` holds fewer than 8 bytes. */
  export function filterIdentity(frame: Uint8Array, out: Uint8Array, flags: number): number;
  /** KeyTable slot search (`probeKeyTable`): the matching slot, else the empty slot ending the probe run; RangeError on arrays that do not fit. */
  export const probeKeys: import('../protocol/collections/key-table').KeyProbe;
  /** Every function above in one frozen object (the board's default import; see the .js). */
  const api: Omit<typeof import('wmbus_kernels'), 'default'>;
  export default api;
}
