import { BsonBinary, BsonDocument, BsonDouble, BsonValue } from './types';
import { BSON_MAX_DEPTH, ELEMENT, MIN_DOCUMENT_LENGTH, isInt32Number, isSupportedBinarySubtype } from './format';
import { isUtf8, utf8Decode } from '../text/utf8';
import { setProperty } from './document';

export type BsonDecodeResult = { ok: true; value: BsonDocument } | { ok: false; error: string };

/** Internal: aborts a decode; converted into `{ ok: false }` at the public boundary. */
class DecodeFailure {
  constructor(readonly message: string) {}
}

const INT64_BITS = 64;

function fail(message: string): never {
  throw new DecodeFailure(message);
}

const hasOwn = (doc: object, key: string): boolean => Object.prototype.hasOwnProperty.call(doc, key);

class Reader {
  readonly view: DataView;

  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Checks that `count` bytes starting at `offset` lie before `end`. */
  need(offset: number, count: number, end: number, what: string): void {
    if (offset + count > end) fail(`${what} at offset ${offset} needs ${count} bytes, ${Math.max(0, end - offset)} left`);
  }

  int32(offset: number): number {
    return this.view.getInt32(offset, true);
  }

  text(start: number, end: number, what: string): string {
    if (!isUtf8(this.bytes, start, end)) fail(`${what} at offset ${start} is not well-formed UTF-8`);
    return utf8Decode(this.bytes, start, end);
  }

  /** A NUL-terminated key starting at `start`, which must end before `end`; returns the key and the next offset. */
  cstring(start: number, end: number): [string, number] {
    const bytes = this.bytes;
    let nul = start;
    while (nul < end && bytes[nul] !== 0) nul++;
    if (nul >= end) fail(`key at offset ${start} has no NUL terminator inside its document`);
    return [this.text(start, nul, 'key'), nul + 1];
  }

  /**
   * A document or array whose length prefix is at `start` and which must fit before `limit`.
   * Returns the container; its end is `start` + its length prefix.
   */
  container(start: number, limit: number, depth: number, isArray: boolean): BsonDocument | BsonValue[] {
    const kind = isArray ? 'array' : 'document';
    if (depth > BSON_MAX_DEPTH) fail(`${kind} at offset ${start} nests deeper than ${BSON_MAX_DEPTH}`);
    this.need(start, 4, limit, `${kind} length`);
    const length = this.int32(start);
    if (length < MIN_DOCUMENT_LENGTH) fail(`${kind} length ${length} at offset ${start} is below ${MIN_DOCUMENT_LENGTH}`);
    if (length > limit - start) fail(`${kind} length ${length} at offset ${start} exceeds the ${limit - start} bytes available`);
    const end = start + length - 1;
    if (this.bytes[end] !== 0) fail(`${kind} at offset ${start} lacks its 0x00 terminator at offset ${end}`);
    const doc: BsonDocument = {};
    const items: BsonValue[] = [];
    let pos = start + 4;
    while (pos < end) {
      const typeAt = pos;
      const type = this.bytes[pos];
      if (type === 0) fail(`0x00 at offset ${pos} ends the ${kind} before its declared end ${end}`);
      const [key, valueAt] = this.cstring(pos + 1, end);
      if (isArray) {
        if (key !== String(items.length)) fail(`array key "${key}" at offset ${typeAt + 1} is not the index ${items.length}`);
      } else if (hasOwn(doc, key)) {
        fail(`duplicate key "${key}" at offset ${typeAt + 1}`);
      }
      const [value, next] = this.element(type, typeAt, valueAt, end, depth);
      if (isArray) items.push(value);
      else setProperty(doc, key, value);
      pos = next;
    }
    return isArray ? items : doc;
  }

  /** The value of element `type` at `at`, which must end before `end`; returns it and the next offset. */
  element(type: number, typeAt: number, at: number, end: number, depth: number): [BsonValue, number] {
    switch (type) {
      case ELEMENT.double: {
        this.need(at, 8, end, 'double');
        const value = this.view.getFloat64(at, true);
        // An integral double keeps its BSON type through a BsonDouble; other numbers re-encode as doubles anyway.
        return [isInt32Number(value) ? new BsonDouble(value) : value, at + 8];
      }
      case ELEMENT.string: {
        this.need(at, 4, end, 'string length');
        const length = this.int32(at);
        if (length < 1) fail(`string length ${length} at offset ${at} is below 1`);
        if (length > end - at - 4) fail(`string length ${length} at offset ${at} exceeds the ${end - at - 4} bytes left in its document`);
        const stop = at + 4 + length - 1;
        if (this.bytes[stop] !== 0) fail(`string at offset ${at} lacks its 0x00 terminator at offset ${stop}`);
        return [this.text(at + 4, stop, 'string'), stop + 1];
      }
      case ELEMENT.document:
      case ELEMENT.array: {
        const value = this.container(at, end, depth + 1, type === ELEMENT.array);
        return [value, at + this.int32(at)];
      }
      case ELEMENT.binary: {
        this.need(at, 5, end, 'binary header');
        const length = this.int32(at);
        const subtype = this.bytes[at + 4];
        if (length < 0) fail(`binary length ${length} at offset ${at} is negative`);
        if (length > end - at - 5) fail(`binary length ${length} at offset ${at} exceeds the ${end - at - 5} bytes left in its document`);
        if (!isSupportedBinarySubtype(subtype)) fail(`binary subtype 0x${hex2(subtype)} at offset ${at + 4} is not 0x00 or 0x80`);
        return [new BsonBinary(copy(this.bytes, at + 5, at + 5 + length), subtype), at + 5 + length];
      }
      case ELEMENT.boolean: {
        this.need(at, 1, end, 'boolean');
        const b = this.bytes[at];
        if (b > 1) fail(`boolean byte 0x${hex2(b)} at offset ${at} is not 0x00 or 0x01`);
        return [b === 1, at + 1];
      }
      case ELEMENT.null:
        return [null, at];
      case ELEMENT.int32:
        this.need(at, 4, end, 'int32');
        return [this.int32(at), at + 4];
      case ELEMENT.int64:
        this.need(at, 8, end, 'int64');
        // Read unsigned and sign-extend: XS's getBigInt64 turns 0x8000000000000000 into a "-0" BigInt.
        return [BigInt.asIntN(INT64_BITS, this.view.getBigUint64(at, true)), at + 8];
      default:
        return fail(`unsupported element type 0x${hex2(type)} at offset ${typeAt}`);
    }
  }
}

/** A fresh Uint8Array: `slice` on a Node Buffer would share memory with the input. */
function copy(bytes: Uint8Array, start: number, end: number): Uint8Array {
  return new Uint8Array(bytes.subarray(start, end));
}

function hex2(value: number): string {
  return (value < 0x10 ? '0' : '') + value.toString(16);
}

/**
 * Parses one BSON document that must span `bytes` exactly. Never throws: malformed input gives
 * `{ ok: false, error }` naming the fault and its byte offset.
 */
export function decodeBson(bytes: Uint8Array): BsonDecodeResult {
  try {
    if (!(bytes instanceof Uint8Array)) return { ok: false, error: 'input is not a Uint8Array' };
    const reader = new Reader(bytes);
    if (bytes.length < 4) fail(`document length at offset 0 needs 4 bytes, ${bytes.length} left`);
    const length = reader.int32(0);
    if (length !== bytes.length) fail(`document length ${length} at offset 0 does not match the ${bytes.length} bytes given`);
    return { ok: true, value: reader.container(0, bytes.length, 1, false) as BsonDocument };
  } catch (e) {
    if (e instanceof DecodeFailure) return { ok: false, error: e.message };
    return { ok: false, error: `internal decoder error: ${e instanceof Error ? e.message : String(e)}` };
  }
}
