/**
 * The JavaScript values a BSON document decodes to and encodes from.
 *  - double ↔ `BsonDouble` (a number written as 0x01 even when integral) or a non-integral / out-of-int32 number
 *  - int32 ↔ an integral `number` in int32 range
 *  - int64 ↔ `bigint`
 *  - string, boolean, null, array, embedded document as themselves
 *  - binary ↔ `BsonBinary` (subtype 0x00 generic, 0x80 user-defined as the manual uses for keys)
 */
export type BsonValue =
  | number
  | bigint
  | string
  | boolean
  | null
  | BsonBinary
  | BsonDouble
  | BsonValue[]
  | BsonDocument;

export interface BsonDocument {
  [key: string]: BsonValue;
}

export const BSON_BINARY_GENERIC = 0x00;
export const BSON_BINARY_USER = 0x80;

export class BsonBinary {
  constructor(readonly bytes: Uint8Array, readonly subtype: number = BSON_BINARY_GENERIC) {}
}

/** Forces a number to be written as a BSON double (0x01) even when it is integral. */
export class BsonDouble {
  constructor(readonly value: number) {}
}
