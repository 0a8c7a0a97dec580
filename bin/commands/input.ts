/** Reading the operator's input files: JSON text held to UTF-8, and a first look at files meant to be BSON. */
import { readFileSync } from 'fs';
import { MIN_DOCUMENT_LENGTH } from '../../protocol/bson/format';

/** RFC 8259 §8.1: JSON text is UTF-8; a parser may skip a leading byte order mark. */
const UTF8_BOM = [0xef, 0xbb, 0xbf] as const;
const INT32_BYTES = 4;
const PRINTABLE_FIRST = 0x20;
const PRINTABLE_LAST = 0x7e;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
/** How many leading bytes of a non-BSON file the message shows, and how many say whether it is text. */
const SHOWN_BYTES = 8;
const TEXT_SNIFF_BYTES = 64;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const SPACE = 0x20;

export type ReadResult<T> = { ok: true; value: T } | { ok: false; error: string };

/** The message of a thrown value; fs errors made in another realm (jest's VM) are not `instanceof Error` here. */
export function errorMessage(e: unknown): string {
  if (typeof e === 'object' && e !== null && 'message' in e && typeof e.message === 'string') return e.message;
  return String(e);
}

function hex2(b: number): string {
  return '0x' + b.toString(16).toUpperCase().padStart(2, '0');
}

/**
 * Offset of the first byte at which `bytes` stops being well-formed UTF-8 (RFC 3629 §4: no
 * overlong forms, no surrogates, nothing above U+10FFFF), or -1 when it is all well-formed.
 */
export function invalidUtf8Offset(bytes: Uint8Array, start = 0): number {
  let i = start;
  while (i < bytes.length) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    let len: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) len = 2;
    else if (b >= 0xe0 && b <= 0xef) {
      len = 3;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      len = 4;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return i;
    // The second byte carries the range limits of its lead byte; the others are plain continuations.
    for (let k = 1; k < len; k++) {
      const c = bytes[i + k];
      if (c === undefined) return i;
      const min = k === 1 ? lo : 0x80;
      const max = k === 1 ? hi : 0xbf;
      if (c < min || c > max) return i;
    }
    i += len;
  }
  return -1;
}

/** The text of a JSON file: a leading UTF-8 BOM skipped, anything that is not UTF-8 refused with its offset. */
export function jsonText(bytes: Uint8Array, path: string): ReadResult<string> {
  const start = UTF8_BOM.every((b, i) => bytes[i] === b) ? UTF8_BOM.length : 0;
  const bad = invalidUtf8Offset(bytes, start);
  if (bad >= 0) {
    return { ok: false, error: `${path} is not UTF-8 text: byte ${hex2(bytes[bad])} at offset ${bad} (save the JSON as UTF-8)` };
  }
  return { ok: true, value: Buffer.from(bytes.subarray(start)).toString('utf8') };
}

/** Reads a JSON file through jsonText. */
export function readJsonText(path: string): ReadResult<string> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch (e) {
    return { ok: false, error: `cannot read ${path}: ${errorMessage(e)}` };
  }
  return jsonText(bytes, path);
}

function looksLikeText(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, TEXT_SNIFF_BYTES);
  return head.length > 0 && head.every((b) => (b >= PRINTABLE_FIRST && b <= PRINTABLE_LAST) || b === TAB || b === LF || b === CR || b >= 0x80);
}

/**
 * Why `bytes` cannot be a BSON document (bsonspec.org: an int32 total length, the elements, a
 * 0x00), or undefined when its frame looks right. Checked before the CRC so that a text file is
 * not reported as "document length 1819043176".
 */
export function notBsonReason(bytes: Uint8Array): string | undefined {
  if (bytes.length === 0) return 'the file is empty';
  const declared = bytes.length >= INT32_BYTES ? new DataView(bytes.buffer, bytes.byteOffset, INT32_BYTES).getInt32(0, true) : undefined;
  if (bytes.length >= MIN_DOCUMENT_LENGTH && declared === bytes.length && bytes[bytes.length - 1] === 0) return undefined;
  let i = UTF8_BOM.every((b, k) => bytes[k] === b) ? UTF8_BOM.length : 0;
  while (bytes[i] === SPACE || bytes[i] === TAB || bytes[i] === LF || bytes[i] === CR) i++;
  if (bytes[i] === OPEN_BRACE || bytes[i] === OPEN_BRACKET) return 'it holds JSON text (json2bson turns JSON into BSON)';
  if (looksLikeText(bytes)) {
    const shown = Buffer.from(bytes.subarray(0, SHOWN_BYTES)).toString('latin1');
    return `it holds text (it starts with ${JSON.stringify(shown)})`;
  }
  const shown = Array.from(bytes.subarray(0, SHOWN_BYTES), hex2).join(' ');
  return `a BSON file starts with its own length (${bytes.length} bytes here) and ends with 0x00; this one starts with ${shown}`;
}
