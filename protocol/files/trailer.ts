import { crc32 } from './crc32';
import { ELEMENT, MIN_DOCUMENT_LENGTH } from '../bson/format';
import { utf8Encode } from '../text/utf8';

/**
 * The CRC trailer of the manual's files (§5.1.1.4): an int32 field that is always the last element
 * of the top-level document; the CRC-32 of the whole file, computed with that field's 4 bytes
 * zeroed, is stored there little-endian. Device files name it `crc`; the manual's worked example
 * spells it `CRC`, hence the field name parameter (matched case-sensitively).
 */
export const CRC_FIELD = 'crc';

/** `security.crcMode` (§4.2.1.2): 0 no check, 1 check unless the stored CRC is 0 (default), 2 always check. */
export type CrcMode = 0 | 1 | 2;
export const CRC_MODE_NONE: CrcMode = 0;
export const CRC_MODE_PARTIAL: CrcMode = 1;
export const CRC_MODE_FULL: CrcMode = 2;
export const DEFAULT_CRC_MODE: CrcMode = CRC_MODE_PARTIAL;

/** The stored value that, in mode 1, means "not computed" (§4.2.1.2). */
export const CRC_ABSENT = 0;

const CRC_BYTES = 4;
const ZERO_CRC = new Uint8Array(CRC_BYTES);

export type TrailerLocation = { ok: true; offset: number } | { ok: false; error: string };

/**
 * Finds the 4 CRC bytes by walking the top-level elements (sizes only, bounds-checked): the last
 * element must be an int32 named `field`. Returns the offset of its value. Never throws.
 */
export function locateCrcTrailer(bson: Uint8Array, field = CRC_FIELD): TrailerLocation {
  const n = bson.length;
  if (n < MIN_DOCUMENT_LENGTH) return { ok: false, error: `file of ${n} bytes is too short for a document` };
  const view = new DataView(bson.buffer, bson.byteOffset, bson.byteLength);
  if (view.getInt32(0, true) !== n) return { ok: false, error: `document length ${view.getInt32(0, true)} does not match the ${n} bytes given` };
  const end = n - 1;
  if (bson[end] !== 0) return { ok: false, error: `document lacks its 0x00 terminator at offset ${end}` };
  let pos = 4;
  let last = -1;
  while (pos < end) {
    last = pos;
    let p = pos + 1;
    while (p < end && bson[p] !== 0) p++;
    if (p >= end) return { ok: false, error: `key at offset ${pos + 1} has no NUL terminator` };
    const size = valueSize(bson[pos], view, p + 1, end);
    if (size < 0) return { ok: false, error: `element at offset ${pos} is malformed or runs past the document` };
    pos = p + 1 + size;
  }
  if (last < 0) return { ok: false, error: `no "${field}" field: the document is empty` };
  const name = utf8Encode(field);
  const valueAt = end - CRC_BYTES;
  const nameAt = valueAt - name.length - 1;
  const isTrailer =
    bson[last] === ELEMENT.int32 && last + 1 === nameAt && bson[valueAt - 1] === 0 && name.every((b, i) => bson[nameAt + i] === b);
  if (!isTrailer) return { ok: false, error: `the last field is not an int32 named "${field}"` };
  return { ok: true, offset: valueAt };
}

/** Byte size of a value of element `type` at `at` (ending by `end`), or -1 when malformed. */
function valueSize(type: number, view: DataView, at: number, end: number): number {
  const room = end - at;
  const lengthPrefix = (): number => (room >= 4 ? view.getInt32(at, true) : -1);
  let size: number;
  switch (type) {
    case ELEMENT.double:
    case ELEMENT.int64:
      size = 8;
      break;
    case ELEMENT.int32:
      size = 4;
      break;
    case ELEMENT.boolean:
      size = 1;
      break;
    case ELEMENT.null:
      size = 0;
      break;
    case ELEMENT.string: {
      const length = lengthPrefix();
      size = length < 1 ? -1 : 4 + length;
      break;
    }
    case ELEMENT.document:
    case ELEMENT.array: {
      const length = lengthPrefix();
      size = length < MIN_DOCUMENT_LENGTH ? -1 : length;
      break;
    }
    case ELEMENT.binary: {
      const length = lengthPrefix();
      size = length < 0 ? -1 : 5 + length;
      break;
    }
    default:
      size = -1;
  }
  return size >= 0 && size <= room ? size : -1;
}

/** CRC-32 of the file with the 4 bytes at `offset` taken as zero, without copying it. */
export function trailerCrc(bson: Uint8Array, offset: number): number {
  let crc = crc32(bson.subarray(0, offset));
  crc = crc32(ZERO_CRC, crc);
  return crc32(bson.subarray(offset + CRC_BYTES), crc);
}

function readUint32(bson: Uint8Array, offset: number): number {
  return new DataView(bson.buffer, bson.byteOffset + offset, CRC_BYTES).getUint32(0, true);
}

/**
 * Writes the CRC into the trailer of a BSON document that ends with an int32 `field` (a copy is
 * returned; the input is untouched).
 */
export function sealCrcTrailer(bson: Uint8Array, field = CRC_FIELD): { ok: true; bytes: Uint8Array; crc: number } | { ok: false; error: string } {
  const at = locateCrcTrailer(bson, field);
  if (!at.ok) return at;
  const out = new Uint8Array(bson);
  const crc = trailerCrc(out, at.offset);
  new DataView(out.buffer, out.byteOffset + at.offset, CRC_BYTES).setUint32(0, crc, true);
  return { ok: true, bytes: out, crc };
}

/** Outcome of the trailer check; `stored`/`computed` are unsigned 32-bit values. */
export type CrcCheck =
  | { status: 'ok'; stored: number }
  | { status: 'absent' } /* stored 0 and mode 1: not checked */
  | { status: 'unchecked'; stored?: number } /* mode 0 */
  | { status: 'mismatch'; stored: number; computed: number }
  | { status: 'missing'; error: string } /* no well-formed trailer */;

/** Checks the trailer per `mode` (§4.2.1.2). Never throws. */
export function checkCrcTrailer(bson: Uint8Array, mode: CrcMode = DEFAULT_CRC_MODE, field = CRC_FIELD): CrcCheck {
  const at = locateCrcTrailer(bson, field);
  if (mode === CRC_MODE_NONE) return at.ok ? { status: 'unchecked', stored: readUint32(bson, at.offset) } : { status: 'unchecked' };
  if (!at.ok) return { status: 'missing', error: at.error };
  const stored = readUint32(bson, at.offset);
  if (mode === CRC_MODE_PARTIAL && stored === CRC_ABSENT) return { status: 'absent' };
  const computed = trailerCrc(bson, at.offset);
  return computed === stored ? { status: 'ok', stored } : { status: 'mismatch', stored, computed };
}

/** Whether a check result lets the file be read. */
export function crcAccepted(check: CrcCheck): boolean {
  return check.status === 'ok' || check.status === 'absent' || check.status === 'unchecked';
}
