import { BsonBinary, BsonDocument, BsonDouble, BsonValue } from '../bson/types';

/**
 * Encoded size of a BSON value computed from its shape, without encoding it (bsonspec.org 1.1
 * layout), so file splitting can budget bytes record by record.
 */

const LENGTH_BYTES = 4;
const TYPE_BYTES = 1;
const TERMINATOR_BYTES = 1;
const INT32_BYTES = 4;
const EIGHT_BYTE_VALUE = 8;
const BINARY_SUBTYPE_BYTES = 1;
const BOOLEAN_BYTES = 1;
const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;
const HIGH_SURROGATE_MIN = 0xd800;
const LOW_SURROGATE_MIN = 0xdc00;
const SURROGATE_END = 0xe000;

/** UTF-8 byte count of `text` (a surrogate pair is one 4-byte sequence). */
export function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= HIGH_SURROGATE_MIN && c < LOW_SURROGATE_MIN && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= LOW_SURROGATE_MIN && low < SURROGATE_END) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

/** Whether a number is written as int32 (the BSON value model of protocol/bson/types.ts). */
function isInt32(value: number): boolean {
  return Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX && !Object.is(value, -0);
}

/** Bytes of the value part of an element (after type byte and key). */
export function bsonValueSize(value: BsonValue): number {
  switch (typeof value) {
    case 'number':
      return isInt32(value) ? INT32_BYTES : EIGHT_BYTE_VALUE;
    case 'bigint':
      return EIGHT_BYTE_VALUE;
    case 'string':
      return LENGTH_BYTES + utf8Length(value) + TERMINATOR_BYTES;
    case 'boolean':
      return BOOLEAN_BYTES;
    default:
      if (value === null) return 0;
      if (value instanceof BsonBinary) return LENGTH_BYTES + BINARY_SUBTYPE_BYTES + value.bytes.length;
      if (value instanceof BsonDouble) return EIGHT_BYTE_VALUE;
      if (Array.isArray(value)) return bsonArraySize(value);
      return bsonDocumentSize(value);
  }
}

/** Bytes of one element: type byte, key as a C string, value. */
export function bsonElementSize(key: string, value: BsonValue): number {
  return TYPE_BYTES + utf8Length(key) + TERMINATOR_BYTES + bsonValueSize(value);
}

/** Bytes of the element holding `value` at position `index` of an array (the key is the decimal index). */
export function bsonArrayElementSize(index: number, value: BsonValue): number {
  return TYPE_BYTES + String(index).length + TERMINATOR_BYTES + bsonValueSize(value);
}

export function bsonDocumentSize(doc: BsonDocument): number {
  let n = LENGTH_BYTES + TERMINATOR_BYTES;
  for (const key of Object.keys(doc)) n += bsonElementSize(key, doc[key]);
  return n;
}

export function bsonArraySize(values: readonly BsonValue[]): number {
  let n = LENGTH_BYTES + TERMINATOR_BYTES;
  for (let i = 0; i < values.length; i++) n += bsonArrayElementSize(i, values[i]);
  return n;
}
