import { BsonBinary, BsonDocument, BsonDouble, BsonValue } from './types';
import { isPlainObject } from './document';
import { BSON_MAX_DEPTH, ELEMENT, INT64_MAX, INT64_MIN, isInt32Number, isSupportedBinarySubtype } from './format';

/**
 * Thrown by `encodeBson` for values outside the BSON value model (undefined, functions, class
 * instances, NUL in a key, lone surrogates, int64 overflow, unsupported binary subtype, nesting
 * deeper than BSON_MAX_DEPTH). Encoding input is the firmware's own data, so this is a programming
 * error rather than bad input; decoders never throw.
 */
export class BsonEncodeError extends Error {
  override readonly name = 'BsonEncodeError';
}

const INITIAL_CAPACITY = 256;
const LENGTH_PLACEHOLDER = 0;
const HIGH_SURROGATE_MIN = 0xd800;
const LOW_SURROGATE_MIN = 0xdc00;
const SURROGATE_END = 0xe000;
/** Worst case UTF-8 bytes per UTF-16 code unit (a surrogate pair is 2 units for 4 bytes). */
const MAX_UTF8_PER_UNIT = 3;

class Writer {
  bytes = new Uint8Array(INITIAL_CAPACITY);
  view = new DataView(this.bytes.buffer);
  pos = 0;

  reserve(count: number): void {
    const needed = this.pos + count;
    if (needed <= this.bytes.length) return;
    let capacity = this.bytes.length * 2;
    while (capacity < needed) capacity *= 2;
    const grown = new Uint8Array(capacity);
    grown.set(this.bytes.subarray(0, this.pos));
    this.bytes = grown;
    this.view = new DataView(grown.buffer);
  }

  byte(value: number): void {
    this.reserve(1);
    this.bytes[this.pos++] = value;
  }

  int32(value: number): void {
    this.reserve(4);
    this.view.setInt32(this.pos, value, true);
    this.pos += 4;
  }

  int32At(offset: number, value: number): void {
    this.view.setInt32(offset, value, true);
  }

  float64(value: number): void {
    this.reserve(8);
    this.view.setFloat64(this.pos, value, true);
    this.pos += 8;
  }

  int64(value: bigint): void {
    this.reserve(8);
    this.view.setBigInt64(this.pos, value, true);
    this.pos += 8;
  }

  raw(data: Uint8Array): void {
    this.reserve(data.length);
    this.bytes.set(data, this.pos);
    this.pos += data.length;
  }

  /** RFC 3629 UTF-8 of `text`; a lone surrogate has no UTF-8 form and is refused. */
  utf8(text: string, isKey: boolean): void {
    this.reserve(text.length * MAX_UTF8_PER_UNIT);
    const out = this.bytes;
    let p = this.pos;
    for (let i = 0; i < text.length; i++) {
      let cp = text.charCodeAt(i);
      if (cp < 0x80) {
        if (cp === 0 && isKey) throw new BsonEncodeError(`key ${JSON.stringify(text)} contains NUL`);
        out[p++] = cp;
      } else if (cp < 0x800) {
        out[p++] = 0xc0 | (cp >> 6);
        out[p++] = 0x80 | (cp & 0x3f);
      } else if (cp < HIGH_SURROGATE_MIN || cp >= SURROGATE_END) {
        out[p++] = 0xe0 | (cp >> 12);
        out[p++] = 0x80 | ((cp >> 6) & 0x3f);
        out[p++] = 0x80 | (cp & 0x3f);
      } else {
        const low = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
        if (cp >= LOW_SURROGATE_MIN || low < LOW_SURROGATE_MIN || low >= SURROGATE_END) {
          throw new BsonEncodeError(`lone surrogate at index ${i} of ${isKey ? 'key' : 'string'}`);
        }
        cp = 0x10000 + ((cp - HIGH_SURROGATE_MIN) << 10) + (low - LOW_SURROGATE_MIN);
        i++;
        out[p++] = 0xf0 | (cp >> 18);
        out[p++] = 0x80 | ((cp >> 12) & 0x3f);
        out[p++] = 0x80 | ((cp >> 6) & 0x3f);
        out[p++] = 0x80 | (cp & 0x3f);
      }
    }
    this.pos = p;
  }

  result(): Uint8Array {
    return this.bytes.slice(0, this.pos);
  }
}

function writeContainer(w: Writer, container: BsonDocument | BsonValue[], depth: number, path: string): void {
  if (depth > BSON_MAX_DEPTH) throw new BsonEncodeError(`${path}: nesting deeper than ${BSON_MAX_DEPTH}`);
  const start = w.pos;
  w.int32(LENGTH_PLACEHOLDER);
  if (Array.isArray(container)) {
    for (let i = 0; i < container.length; i++) writeElement(w, String(i), container[i], depth, path);
  } else {
    for (const key of Object.keys(container)) writeElement(w, key, container[key], depth, path);
  }
  w.byte(0);
  w.int32At(start, w.pos - start);
}

function joinPath(parent: string, key: string): string {
  return parent === '' ? key : `${parent}.${key}`;
}

function writeElement(w: Writer, key: string, value: BsonValue, depth: number, parent: string): void {
  const typeAt = w.pos;
  w.byte(0);
  w.utf8(key, true);
  w.byte(0);
  let type: number;
  switch (typeof value) {
    case 'number':
      if (isInt32Number(value)) {
        type = ELEMENT.int32;
        w.int32(value);
      } else {
        type = ELEMENT.double;
        w.float64(value);
      }
      break;
    case 'bigint':
      if (value < INT64_MIN || value > INT64_MAX) throw new BsonEncodeError(`${joinPath(parent, key)}: ${value} is outside int64`);
      type = ELEMENT.int64;
      w.int64(value);
      break;
    case 'string': {
      type = ELEMENT.string;
      const lengthAt = w.pos;
      w.int32(LENGTH_PLACEHOLDER);
      w.utf8(value, false);
      w.byte(0);
      w.int32At(lengthAt, w.pos - lengthAt - 4);
      break;
    }
    case 'boolean':
      type = ELEMENT.boolean;
      w.byte(value ? 1 : 0);
      break;
    case 'object':
      if (value === null) {
        type = ELEMENT.null;
      } else if (value instanceof BsonBinary) {
        if (!isSupportedBinarySubtype(value.subtype)) {
          throw new BsonEncodeError(`${joinPath(parent, key)}: binary subtype ${value.subtype} is not 0x00 or 0x80`);
        }
        if (!(value.bytes instanceof Uint8Array)) throw new BsonEncodeError(`${joinPath(parent, key)}: binary bytes must be a Uint8Array`);
        type = ELEMENT.binary;
        w.int32(value.bytes.length);
        w.byte(value.subtype);
        w.raw(value.bytes);
      } else if (value instanceof BsonDouble) {
        type = ELEMENT.double;
        w.float64(value.value);
      } else if (Array.isArray(value)) {
        type = ELEMENT.array;
        writeContainer(w, value, depth + 1, joinPath(parent, key));
      } else if (isPlainObject(value)) {
        type = ELEMENT.document;
        writeContainer(w, value, depth + 1, joinPath(parent, key));
      } else {
        throw new BsonEncodeError(`${joinPath(parent, key)}: unsupported object ${describe(value)}`);
      }
      break;
    default:
      throw new BsonEncodeError(`${joinPath(parent, key)}: unsupported value of type ${typeof value}`);
  }
  w.bytes[typeAt] = type;
}

function describe(value: object): string {
  const ctor = (value as { constructor?: { name?: unknown } }).constructor;
  return typeof ctor?.name === 'string' ? ctor.name : 'object';
}

/** Serialises a document to BSON 1.1 bytes (keys in the object's own enumeration order). Throws BsonEncodeError. */
export function encodeBson(doc: BsonDocument): Uint8Array {
  if (!isPlainObject(doc)) throw new BsonEncodeError('top level must be a plain document');
  const w = new Writer();
  writeContainer(w, doc, 1, '');
  return w.result();
}
