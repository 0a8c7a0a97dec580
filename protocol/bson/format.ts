import { BSON_BINARY_GENERIC, BSON_BINARY_USER } from './types';
import { freezeTable } from '../freeze';

/** BSON 1.1 (bsonspec.org) element type codes and the limits this firmware enforces. */
export const ELEMENT = freezeTable({
  double: 0x01,
  string: 0x02,
  document: 0x03,
  array: 0x04,
  binary: 0x05,
  boolean: 0x08,
  null: 0x0a,
  int32: 0x10,
  int64: 0x12,
} as const);

/** Nesting depth counted in documents and arrays, the top-level document being depth 1. */
export const BSON_MAX_DEPTH = 16;

/** int32 length + terminating 0x00: the smallest well-formed document. */
export const MIN_DOCUMENT_LENGTH = 5;

export const INT32_MIN = -0x80000000;
export const INT32_MAX = 0x7fffffff;
export const INT64_MIN = -(1n << 63n);
export const INT64_MAX = (1n << 63n) - 1n;

/** Whether a plain number is written as int32 (integral, in range, and not -0 which only a double keeps). */
export function isInt32Number(value: number): boolean {
  return Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX && !Object.is(value, -0);
}

/** Binary subtypes the device files use: 0x00 for frames and ids, 0x80 for keys (manual §4.2.1.2). */
export function isSupportedBinarySubtype(subtype: number): boolean {
  return subtype === BSON_BINARY_GENERIC || subtype === BSON_BINARY_USER;
}
