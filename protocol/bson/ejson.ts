import { BsonBinary, BsonDocument, BsonDouble, BsonValue } from './types';
import { BSON_MAX_DEPTH, INT32_MAX, INT32_MIN, INT64_MAX, INT64_MIN, isInt32Number, isSupportedBinarySubtype } from './format';
import { isPlainObject, setProperty } from './document';
import { base64Decode, base64Encode } from '../text/base64';

/**
 * The JSON notation the manual uses for BSON files (§4.2.1.2, §5.3, §5.6.6):
 *  - binary   `{"$binary": "<base64>", "$type": "80"}` (hex subtype; "0", "00", "80" accepted;
 *             the canonical `{"$binary": {"base64": …, "subType": …}}` form is accepted too)
 *  - int64    `{"$numberLong": "<decimal>"}`
 *  - double   a JSON number when non-integral, else `{"$numberDouble": "<decimal>|NaN|Infinity|-Infinity|-0"}`
 *  - int32    an integral JSON number in int32 range (`{"$numberInt": "…"}` accepted)
 * A plain JSON number that is integral and in int32 range reads as int32, any other as double.
 */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export type EjsonResult<T> = { ok: true; value: T } | { ok: false; error: string };

const BINARY = '$binary';
const TYPE = '$type';
const LONG = '$numberLong';
const DOUBLE = '$numberDouble';
const INT = '$numberInt';
const CANONICAL_BASE64 = 'base64';
const CANONICAL_SUBTYPE = 'subType';
const WRAPPER_KEYS: readonly string[] = [BINARY, LONG, DOUBLE, INT];

// A RegExp made at module load is preloaded, and SDK 8.2.3 XS corrupts the heap executing one
// (docs/conventions.md, "Preloading"): the literal stays inside the function, compiled when it runs.
function isSubtype(text: string): boolean {
  return /^[0-9a-fA-F]{1,2}$/.test(text);
}

function isInteger(text: string): boolean {
  return /^-?[0-9]+$/.test(text);
}

function isDecimal(text: string): boolean {
  return /^-?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(text);
}
const SPECIAL_DOUBLES: Readonly<Record<string, number>> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

function hex2(value: number): string {
  return (value < 0x10 ? '0' : '') + value.toString(16);
}

function doubleToJson(value: number): JsonValue {
  if (Number.isFinite(value) && !Number.isInteger(value)) return value;
  return { [DOUBLE]: Object.is(value, -0) ? '-0' : String(value) };
}

/** A BSON value as a JSON-ready tree in the manual's notation. Throws TypeError outside the BsonValue model. */
export function toExtendedJson(value: BsonValue): JsonValue {
  switch (typeof value) {
    case 'number':
      return isInt32Number(value) ? value : doubleToJson(value);
    case 'bigint':
      return { [LONG]: value.toString() };
    case 'string':
    case 'boolean':
      return value;
    case 'object':
      if (value === null) return null;
      if (value instanceof BsonBinary) return { [BINARY]: base64Encode(value.bytes), [TYPE]: hex2(value.subtype) };
      if (value instanceof BsonDouble) return doubleToJson(value.value);
      if (Array.isArray(value)) return value.map(toExtendedJson);
      if (isPlainObject(value)) {
        const out: { [key: string]: JsonValue } = {};
        for (const key of Object.keys(value)) setProperty(out, key, toExtendedJson(value[key]));
        return out;
      }
  }
  throw new TypeError(`not a BSON value: ${String(value)}`);
}

/** A BSON value as extended JSON text, `indent` spaces per level (2 as the manual prints). */
export function stringifyExtendedJson(value: BsonValue, indent = 2): string {
  return JSON.stringify(toExtendedJson(value), null, indent);
}

class EjsonFailure {
  constructor(readonly message: string) {}
}

function failAt(path: string, message: string): never {
  throw new EjsonFailure(`${path === '' ? '(top)' : path}: ${message}`);
}

function joinPath(parent: string, key: string): string {
  return parent === '' ? key : `${parent}.${key}`;
}

function parseSubtype(text: unknown, path: string): number {
  if (typeof text !== 'string' || !isSubtype(text)) failAt(path, `$type must be 1 or 2 hex digits, got ${JSON.stringify(text)}`);
  const subtype = parseInt(text, 16);
  if (!isSupportedBinarySubtype(subtype)) failAt(path, `binary subtype 0x${hex2(subtype)} is not 00 or 80`);
  return subtype;
}

function parseBinary(json: { [key: string]: unknown }, keys: string[], path: string): BsonBinary {
  const payload = json[BINARY];
  let text: unknown;
  let subtypeText: unknown;
  if (typeof payload === 'string' && keys.length === 2 && keys.includes(TYPE)) {
    text = payload;
    subtypeText = json[TYPE];
  } else if (keys.length === 1 && isPlainObject(payload)) {
    const inner = Object.keys(payload);
    if (inner.length !== 2 || !inner.includes(CANONICAL_BASE64) || !inner.includes(CANONICAL_SUBTYPE)) {
      failAt(path, '$binary object needs exactly "base64" and "subType"');
    }
    text = payload[CANONICAL_BASE64];
    subtypeText = payload[CANONICAL_SUBTYPE];
  } else {
    failAt(path, '$binary needs a base64 string and a $type, and nothing else');
  }
  const subtype = parseSubtype(subtypeText, path);
  const bytes = typeof text === 'string' ? base64Decode(text) : undefined;
  if (bytes === undefined) failAt(path, `$binary is not canonical base64: ${JSON.stringify(text)}`);
  return new BsonBinary(bytes, subtype);
}

function parseWrapper(key: string, json: { [key: string]: unknown }, keys: string[], path: string): BsonValue {
  if (key === BINARY) return parseBinary(json, keys, path);
  const text = json[key];
  if (keys.length !== 1 || typeof text !== 'string') failAt(path, `${key} must be the only key and hold a string`);
  if (key === LONG) {
    if (!isInteger(text)) failAt(path, `${key} "${text}" is not a decimal integer`);
    const value = BigInt(text);
    if (value < INT64_MIN || value > INT64_MAX) failAt(path, `${key} "${text}" is outside int64`);
    return value;
  }
  if (key === INT) {
    const value = isInteger(text) ? Number(text) : NaN;
    if (!(value >= INT32_MIN && value <= INT32_MAX)) failAt(path, `${key} "${text}" is not an int32`);
    return value === 0 ? 0 : value;
  }
  const special = Object.prototype.hasOwnProperty.call(SPECIAL_DOUBLES, text) ? SPECIAL_DOUBLES[text] : undefined;
  if (special !== undefined) return new BsonDouble(special);
  if (!isDecimal(text)) failAt(path, `${key} "${text}" is not a number`);
  return new BsonDouble(Number(text));
}

function convert(json: unknown, path: string, depth: number): BsonValue {
  switch (typeof json) {
    case 'number':
      if (!Number.isFinite(json)) failAt(path, 'non-finite number (use $numberDouble)');
      return json;
    case 'string':
    case 'boolean':
      return json;
    case 'object': {
      if (json === null) return null;
      // depth counts the containers around this value; the value itself would be at depth + 1.
      const tooDeep = depth >= BSON_MAX_DEPTH;
      if (Array.isArray(json)) {
        if (tooDeep) failAt(path, `nesting deeper than ${BSON_MAX_DEPTH}`);
        return json.map((item, i) => convert(item, joinPath(path, String(i)), depth + 1));
      }
      if (!isPlainObject(json)) break;
      const obj = json as { [key: string]: unknown };
      const keys = Object.keys(obj);
      const wrapper = WRAPPER_KEYS.find((k) => keys.includes(k));
      if (wrapper !== undefined) return parseWrapper(wrapper, obj, keys, path);
      if (tooDeep) failAt(path, `nesting deeper than ${BSON_MAX_DEPTH}`);
      const doc: BsonDocument = {};
      for (const key of keys) setProperty(doc, key, convert(obj[key], joinPath(path, key), depth + 1));
      return doc;
    }
  }
  return failAt(path, `not a JSON value (${typeof json})`);
}

/**
 * A JSON tree (as JSON.parse or parseJson returns) in the manual's notation → BSON value.
 * Never throws; errors name the path (`config.security.key: …`).
 */
export function fromExtendedJson(json: unknown): EjsonResult<BsonValue> {
  try {
    return { ok: true, value: convert(json, '', 0) };
  } catch (e) {
    if (e instanceof EjsonFailure) return { ok: false, error: e.message };
    return { ok: false, error: `internal error: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** Extended JSON text whose top level is an object → BSON document. Never throws. */
export function parseExtendedJson(text: string): EjsonResult<BsonDocument> {
  const parsed = parseJson(text);
  if (!parsed.ok) return parsed;
  if (!isPlainObject(parsed.value)) return { ok: false, error: 'top level must be a JSON object' };
  const converted = fromExtendedJson(parsed.value);
  return converted.ok ? { ok: true, value: converted.value as BsonDocument } : converted;
}

/** JSON nests one level more than BSON: a wrapper object such as `{"$binary": …}` is a leaf value. */
const JSON_MAX_DEPTH = BSON_MAX_DEPTH + 1;

class JsonParser {
  pos = 0;
  readonly numberPattern = new RegExp(NUMBER_SOURCE, 'y');

  constructor(readonly text: string) {}

  fail(message: string, at = this.pos): never {
    let line = 1;
    let column = 1;
    for (let i = 0; i < at && i < this.text.length; i++) {
      if (this.text.charCodeAt(i) === 0x0a) {
        line++;
        column = 1;
      } else {
        column++;
      }
    }
    throw new EjsonFailure(`JSON line ${line} column ${column}: ${message}`);
  }

  skipSpace(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
      this.pos++;
    }
  }

  expect(ch: string): void {
    if (this.text[this.pos] !== ch) this.fail(`expected '${ch}'${this.found()}`);
    this.pos++;
  }

  found(): string {
    return this.pos >= this.text.length ? ' but the text ended' : ` but found '${this.text[this.pos]}'`;
  }

  value(depth: number): unknown {
    this.skipSpace();
    const c = this.text[this.pos];
    if (c === '{') return this.object(depth + 1);
    if (c === '[') return this.array(depth + 1);
    if (c === '"') return this.string();
    if (c === '-' || (c >= '0' && c <= '9')) return this.number();
    for (const [word, value] of LITERALS) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return value;
      }
    }
    return this.fail(`expected a value${this.found()}`);
  }

  object(depth: number): Record<string, unknown> {
    if (depth > JSON_MAX_DEPTH) this.fail(`nesting deeper than ${JSON_MAX_DEPTH}`);
    this.pos++;
    const out: Record<string, unknown> = {};
    this.skipSpace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipSpace();
      const keyAt = this.pos;
      if (this.text[this.pos] !== '"') this.fail(`expected a string key${this.found()}`);
      const key = this.string();
      if (Object.prototype.hasOwnProperty.call(out, key)) this.fail(`duplicate key ${JSON.stringify(key)}`, keyAt);
      this.skipSpace();
      this.expect(':');
      setProperty(out, key, this.value(depth));
      this.skipSpace();
      if (this.text[this.pos] === ',') {
        this.pos++;
        continue;
      }
      this.expect('}');
      return out;
    }
  }

  array(depth: number): unknown[] {
    if (depth > JSON_MAX_DEPTH) this.fail(`nesting deeper than ${JSON_MAX_DEPTH}`);
    this.pos++;
    const out: unknown[] = [];
    this.skipSpace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.value(depth));
      this.skipSpace();
      if (this.text[this.pos] === ',') {
        this.pos++;
        continue;
      }
      this.expect(']');
      return out;
    }
  }

  number(): number {
    this.numberPattern.lastIndex = this.pos;
    const match = this.numberPattern.exec(this.text);
    if (match === null) this.fail('malformed number');
    const value = Number(match[0]);
    if (!Number.isFinite(value)) this.fail(`number ${match[0]} is outside the double range`);
    this.pos += match[0].length;
    return value;
  }

  string(): string {
    const t = this.text;
    const start = this.pos;
    this.pos++;
    let out = '';
    let chunk = this.pos;
    for (;;) {
      if (this.pos >= t.length) this.fail('unterminated string', start);
      const c = t.charCodeAt(this.pos);
      if (c === 0x22) break;
      if (c < 0x20) this.fail('control character in string');
      if (c !== 0x5c) {
        this.pos++;
        continue;
      }
      out += t.slice(chunk, this.pos);
      const e = t[this.pos + 1];
      if (e === 'u') {
        const hex = t.slice(this.pos + 2, this.pos + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('bad \\u escape');
        out += String.fromCharCode(parseInt(hex, 16));
        this.pos += 6;
      } else {
        const decoded = e === undefined ? undefined : ESCAPES[e];
        if (decoded === undefined) this.fail(`bad escape '\\${e ?? ''}'`);
        out += decoded;
        this.pos += 2;
      }
      chunk = this.pos;
    }
    out += t.slice(chunk, this.pos);
    this.pos++;
    if (hasLoneSurrogate(out)) this.fail('string holds a lone UTF-16 surrogate, which UTF-8 cannot carry', start);
    return out;
  }
}

const LITERALS: ReadonlyArray<readonly [string, unknown]> = [['true', true], ['false', false], ['null', null]];
const ESCAPES: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
/** Sticky: matches only at lastIndex. Recreated per parser so no regex state is shared between parses. */
const NUMBER_SOURCE = '-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?';
const HIGH_SURROGATE_MIN = 0xd800;
const HIGH_SURROGATE_MAX = 0xdbff;
const LOW_SURROGATE_MIN = 0xdc00;
const LOW_SURROGATE_MAX = 0xdfff;

function hasLoneSurrogate(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < HIGH_SURROGATE_MIN || c > LOW_SURROGATE_MAX) continue;
    const next = text.charCodeAt(i + 1);
    if (c > HIGH_SURROGATE_MAX || !(next >= LOW_SURROGATE_MIN && next <= LOW_SURROGATE_MAX)) return true;
    i++;
  }
  return false;
}

/** Strict RFC 8259 JSON (no trailing commas, no comments, duplicate keys refused). Never throws. */
export function parseJson(text: string): EjsonResult<unknown> {
  try {
    const parser = new JsonParser(text);
    const value = parser.value(0);
    parser.skipSpace();
    if (parser.pos !== text.length) parser.fail('unexpected text after the JSON value');
    return { ok: true, value };
  } catch (e) {
    if (e instanceof EjsonFailure) return { ok: false, error: e.message };
    return { ok: false, error: `internal error: ${e instanceof Error ? e.message : String(e)}` };
  }
}
