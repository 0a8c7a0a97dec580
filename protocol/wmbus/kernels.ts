/**
 * The byte loops of the receive path, behind one interface so a board can supply native versions:
 * XS interprets every iteration of a TypeScript byte loop (tens of bytecodes per byte), while the
 * ESP32 board's C kernels (native/wmbus_kernels.c) take a few cycles per byte. Decoders take the
 * kernels through their options and fall back to the portable TypeScript ones below.
 *
 * Contract shared by both implementations (tests/wmbus/kernels.test.ts holds them to it):
 * integer arguments; a range outside the buffer throws RangeError from `crc16`; the decoders return
 * false, writing nothing useful, when a chip group is not a code word or the chips or `out` are too short.
 * `filterIdentity` walks the headers of each frame heard; `probeKeys` is the hot half of the
 * recording rules (white list and dedup lookups, tasks/radio/filter.ts).
 */
import { crc16Ccitt } from '../checksum/crc16-ccitt';
import { probeKeyTable, type KeyProbe } from '../collections/key-table';
import { crc16 } from './crc16';
import { filterIdentityCode } from './header';
import { stripBlocksA } from './format-a';
import { decodeManchester } from './manchester';
import { decode3of6 } from './three-of-six';

export interface WmbusKernels {
  /** EN 13757-4 CRC-16 (final XOR applied) of `bytes[start, end)`. */
  crc16(bytes: Uint8Array, start: number, end: number): number;
  /** EN 13757-4 §9.2 "3 out of 6": `count` bytes from the chips starting at byte `chipOffset` into `out[0, count)`. */
  decode3of6(chips: Uint8Array, out: Uint8Array, count: number, chipOffset: number): boolean;
  /** EN 13757-4 mode S Manchester: `count` bytes from the chips starting at byte `chipOffset` into `out[0, count)`. */
  decodeManchester(chips: Uint8Array, out: Uint8Array, count: number, chipOffset: number): boolean;
  /**
   * EN 13757-4 format A: checks every block CRC of the frame at the start of `onAir` and copies
   * the data, CRCs removed, into `frame` (its length, L + 1, sets the block layout). One call per
   * frame instead of a CRC call and a copy per block. False at the first bad CRC; RangeError when
   * `frame` is shorter than block 1 or `onAir` shorter than the frame on air.
   */
  stripBlocksA(onAir: Uint8Array, frame: Uint8Array): boolean;
  /** CRC-16/CCITT-FALSE of `bytes[start, end)`: the frame store's record check, in the same native module. */
  crc16Ccitt(bytes: Uint8Array, start: number, end: number): number;
  /**
   * The filter identity of a CRC-free frame into `out[0, 8)` (protocol/wmbus/header.ts
   * `filterIdentityCode`): `flags` are IDENTITY_DLL_ONLY / IDENTITY_ELL_PLAINTEXT, the result an
   * IDENTITY_* code. RangeError when `out` holds fewer than 8 bytes.
   */
  filterIdentity(frame: Uint8Array, out: Uint8Array, flags: number): number;
  /**
   * A `KeyTable` slot search (protocol/collections/key-table.ts, `probeKeyTable`): hashes the first
   * `hashBytes` bytes of the key at `key[keyOffset]` and walks the probe run of `slots` (length `mask` + 1, a power of
   * two) comparing keys of `keys`; returns the matching slot or the empty slot ending the run.
   * The native one throws RangeError where the portable one's reads would leave its arrays: `key`
   * shorter than `keyOffset + width`, a slot beyond `keys`, a `slots` that is not `mask` + 1 16- or 32-bit
   * entries, no empty slot.
   */
  probeKeys: KeyProbe;
}

/** The TypeScript kernels: what the simulator and the host tools run, and the reference for native ones. */
export const PORTABLE_KERNELS: WmbusKernels = Object.freeze({
  crc16,
  decode3of6,
  decodeManchester,
  stripBlocksA,
  crc16Ccitt,
  filterIdentity: filterIdentityCode,
  probeKeys: probeKeyTable,
});
