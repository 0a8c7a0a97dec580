/**
 * The manual's JSON notation for BSON files (§4.2.1.2, §5.3, §5.6.6) both ways, cross-checked with
 * the npm bson package's canonical Extended JSON as an independent writer.
 */
import { EJSON, serialize } from 'bson';
import { encodeBson } from '../../protocol/bson/encode';
import { decodeBson } from '../../protocol/bson/decode';
import { fromExtendedJson, parseExtendedJson, parseJson, stringifyExtendedJson, toExtendedJson } from '../../protocol/bson/ejson';
import { BsonBinary, BsonDocument, BsonDouble, BsonValue, BSON_BINARY_GENERIC, BSON_BINARY_USER } from '../../protocol/bson/types';
import { hex, randomDocument, rng } from './fixtures';

function parsed(text: string): BsonDocument {
  const r = parseExtendedJson(text);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

function parseError(text: string): string {
  const r = parseExtendedJson(text);
  if (r.ok) throw new Error('parsed');
  return r.error;
}

const MANUAL_SECURITY_EXAMPLE = `{
  "config":
  {
    "security":
    {
      "crcMode": 1,
      "encryption": true,
      "key": {"$type": "80", "$binary":
"RACq94N4BJyrE+5ONQ4oGw==" }
    }
  },
  "crc": 0
}`;

describe('the manual examples', () => {
  test('§4.2.1.2: the key is binary subtype 0x80 with bytes 44 00 AA F7 …', () => {
    const doc = parsed(MANUAL_SECURITY_EXAMPLE);
    const security = (doc.config as BsonDocument).security as BsonDocument;
    expect(security.crcMode).toBe(1);
    expect(security.encryption).toBe(true);
    const key = security.key as BsonBinary;
    expect(key).toBeInstanceOf(BsonBinary);
    expect(key.subtype).toBe(BSON_BINARY_USER);
    expect(hex(key.bytes)).toBe('4400aaf78378049cab13ee4e350e281b');
    expect(doc.crc).toBe(0);
    expect(Object.keys(doc)).toEqual(['config', 'crc']);
  });

  test('§4.2.1.2: printed back with $binary then $type, 2-space indent', () => {
    const text = stringifyExtendedJson(parsed(MANUAL_SECURITY_EXAMPLE));
    expect(text).toContain('"key": {\n        "$binary": "RACq94N4BJyrE+5ONQ4oGw==",\n        "$type": "80"\n      }');
    expect(text.startsWith('{\n  "config": {\n    "security": {\n      "crcMode": 1,')).toBe(true);
  });

  test('§5.3: a frame F with $type first; a timestamp beyond int32 (15600645887) becomes a double', () => {
    const doc = parsed(`{ "uid": "WE_1234", "TS": 1560068897, "data": [
      { "T": 15600645887, "R": 178, "F": { "$type": "80", "$binary": "fAviGIskafDwA4E0UkO26w==" } } ], "crc": 0 }`);
    const record = (doc.data as BsonDocument[])[0];
    expect(record.T).toBe(15600645887);
    expect(encodeBson({ T: record.T })[4]).toBe(0x01);
    expect(encodeBson({ TS: doc.TS })[4]).toBe(0x10);
    expect((record.F as BsonBinary).bytes.length).toBe(16);
  });

  test('§5.6.6: subtype "00" ids parse; the manual whitelist as printed (trailing comma, glued base64) does not', () => {
    expect((parsed('{"id": {"$binary": "FIZEsRQABBE=", "$type": "00"}}').id as BsonBinary).subtype).toBe(BSON_BINARY_GENERIC);
    expect(parseError('{"wlFilter": [ {"id": {"$binary": "FIZEsRQABBE=", "$type": "00"}}, ], "crc": 0}')).toMatch(/expected a value but found '\]'/);
    expect(parseError('{"id": {"$binary": "FIZEsRQABBE=MExBKpkgwAE=", "$type": "00"}}')).toMatch(/^id: \$binary is not canonical base64/);
  });

  test('§5.6.6: a null wlFilter is null', () => {
    expect(parsed('{"wlFilter": null, "crc": 0}')).toStrictEqual({ wlFilter: null, crc: 0 });
  });
});

describe('notation', () => {
  test.each<[string, BsonValue]>([
    ['{"$binary": "AQI=", "$type": "0"}', new BsonBinary(Uint8Array.of(1, 2), 0)],
    ['{"$binary": "AQI=", "$type": "00"}', new BsonBinary(Uint8Array.of(1, 2), 0)],
    ['{"$type": "80", "$binary": ""}', new BsonBinary(new Uint8Array(0), 0x80)],
    ['{"$binary": {"base64": "AQI=", "subType": "80"}}', new BsonBinary(Uint8Array.of(1, 2), 0x80)],
    ['{"$numberLong": "-9223372036854775808"}', -(2n ** 63n)],
    ['{"$numberLong": "15600645887"}', 15600645887n],
    ['{"$numberDouble": "5"}', new BsonDouble(5)],
    ['{"$numberDouble": "-0"}', new BsonDouble(-0)],
    ['{"$numberDouble": "1.5e3"}', new BsonDouble(1500)],
    ['{"$numberDouble": "NaN"}', new BsonDouble(NaN)],
    ['{"$numberDouble": "-Infinity"}', new BsonDouble(-Infinity)],
    ['{"$numberInt": "-7"}', -7],
    ['7', 7],
    ['2147483647', 2147483647],
    ['2147483648', 2147483648],
    ['1.25', 1.25],
    ['-0.5e-3', -0.0005],
    ['"é\\u00e9\\ud83d\\ude00"', 'éé😀'],
  ])('%s', (json, value) => {
    expect(parsed(`{"v": ${json}}`).v).toStrictEqual(value);
  });

  test.each<[BsonValue, string]>([
    [new BsonBinary(Uint8Array.of(0xff), 0x80), '{"$binary":"/w==","$type":"80"}'],
    [new BsonBinary(Uint8Array.of(0xff), 0), '{"$binary":"/w==","$type":"00"}'],
    [5n, '{"$numberLong":"5"}'],
    [new BsonDouble(5), '{"$numberDouble":"5"}'],
    [2 ** 31, '{"$numberDouble":"2147483648"}'],
    [-0, '{"$numberDouble":"-0"}'],
    [NaN, '{"$numberDouble":"NaN"}'],
    [Infinity, '{"$numberDouble":"Infinity"}'],
    [new BsonDouble(0.1), '0.1'],
    [3, '3'],
    [null, 'null'],
  ])('writes %p as %s', (value, json) => {
    expect(JSON.stringify(toExtendedJson(value))).toBe(json);
  });

  test('bytes survive JSON: every random document stringifies and parses back to the same BSON', () => {
    const r = rng(11);
    for (let i = 0; i < 500; i++) {
      const [doc] = randomDocument(r);
      const encoded = encodeBson(doc);
      expect(hex(encodeBson(parsed(stringifyExtendedJson(doc))))).toBe(hex(encoded));
    }
  });

  test('the npm bson canonical Extended JSON reads to the bytes bson.serialize writes', () => {
    const r = rng(12);
    for (let i = 0; i < 500; i++) {
      const [, theirs] = randomDocument(r);
      const text = EJSON.stringify(theirs, { relaxed: false });
      expect(hex(encodeBson(parsed(text)))).toBe(hex(serialize(theirs)));
    }
  });

  test('decode then stringify then parse is the identity on values', () => {
    const r = rng(13);
    for (let i = 0; i < 300; i++) {
      const [doc] = randomDocument(r);
      const decoded = decodeBson(encodeBson(doc));
      if (!decoded.ok) throw new Error(decoded.error);
      expect(hex(encodeBson(parsed(stringifyExtendedJson(decoded.value))))).toBe(hex(encodeBson(doc)));
    }
  });

  test('a key named __proto__ stays a key', () => {
    const doc = parsed('{"__proto__": {"a": 1}}');
    expect(Object.keys(doc)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(doc)).toBe(Object.prototype);
    expect(stringifyExtendedJson(doc, 0)).toBe('{"__proto__":{"a":1}}');
  });

  test('fromExtendedJson accepts JSON.parse output', () => {
    const r = fromExtendedJson(JSON.parse('{"k": {"$binary": "RACq94N4BJyrE+5ONQ4oGw==", "$type": "80"}}'));
    expect(r.ok && (r.value as BsonDocument).k).toBeInstanceOf(BsonBinary);
  });
});

describe('errors say what and where', () => {
  test.each<[string, string, RegExp]>([
    ['duplicate keys', '{"a": 1, "a": 2}', /JSON line 1 column 10: duplicate key "a"/],
    ['a trailing comma', '{"a": 1,}', /expected a string key but found '}'/],
    ['single quotes', "{'a': 1}", /expected a string key/],
    ['a comment', '{"a": 1 // x\n}', /expected '}' but found '\/'/],
    ['an unterminated string', '{"a": "x', /line 1 column 7: unterminated string/],
    ['a raw newline in a string', '{"a": "x\ny"}', /control character/],
    ['a bad escape', '{"a": "\\x"}', /bad escape/],
    ['a lone surrogate escape', '{"a": "\\ud800"}', /lone UTF-16 surrogate/],
    ['leading zeros', '{"a": 01}', /expected '}' but found '1'/],
    ['a number beyond double range', '{"a": 1e999}', /outside the double range/],
    ['text after the value', '{} x', /unexpected text after the JSON value/],
    ['a top-level array', '[1]', /top level must be a JSON object/],
    ['an empty text', '', /expected a value but the text ended/],
    ['an unknown subtype', '{"k": {"$binary": "AA==", "$type": "04"}}', /^k: binary subtype 0x04 is not 00 or 80/],
    ['a numeric $type', '{"k": {"$binary": "AA==", "$type": 128}}', /^k: \$type must be 1 or 2 hex digits/],
    ['a $binary without $type', '{"k": {"$binary": "AA=="}}', /^k: \$binary needs a base64 string and a \$type/],
    ['extra keys beside $binary', '{"k": {"$binary": "AA==", "$type": "00", "x": 1}}', /^k: \$binary needs/],
    ['URL-safe base64', '{"k": {"$binary": "-_8=", "$type": "00"}}', /^k: \$binary is not canonical base64/],
    ['$numberLong out of range', '{"a": {"b": {"$numberLong": "9223372036854775808"}}}', /^a\.b: \$numberLong "9223372036854775808" is outside int64/],
    ['$numberLong not an integer', '{"n": {"$numberLong": "1.5"}}', /is not a decimal integer/],
    ['$numberLong as a number', '{"n": {"$numberLong": 5}}', /must be the only key and hold a string/],
    ['$numberDouble garbage', '{"n": {"$numberDouble": "abc"}}', /"abc" is not a number/],
    ['$numberInt out of range', '{"n": {"$numberInt": "2147483648"}}', /is not an int32/],
    ['an array path', '{"a": [1, {"$numberLong": "x"}]}', /^a\.1: /],
  ])('%s', (_name, text, message) => {
    expect(parseError(text)).toMatch(message);
  });

  test('nesting beyond 16 documents is refused; 16 with a wrapper leaf is fine', () => {
    const deep = (levels: number, leaf: string): string => '{"n": '.repeat(levels - 1) + `{"leaf": ${leaf}}` + '}'.repeat(levels - 1);
    expect(parseExtendedJson(deep(16, '{"$numberLong": "1"}')).ok).toBe(true);
    expect(parseError(deep(17, '1'))).toMatch(/nesting deeper than 16/);
    expect(parseError('['.repeat(100000))).toMatch(/nesting deeper than 17/);
  });

  test('parseJson never throws on mutated text', () => {
    const r = rng(99);
    const base = MANUAL_SECURITY_EXAMPLE;
    const alphabet = '{}[]":,\\ u0123456789e.-+$abtrunlfsRQ=';
    for (let i = 0; i < 3000; i++) {
      const chars = base.split('');
      const n = 1 + Math.floor(r() * 3);
      for (let k = 0; k < n; k++) {
        const at = Math.floor(r() * chars.length);
        const op = Math.floor(r() * 3);
        const c = alphabet[Math.floor(r() * alphabet.length)];
        if (op === 0) chars[at] = c;
        else if (op === 1) chars.splice(at, 1);
        else chars.splice(at, 0, c);
      }
      const text = chars.join('');
      expect(() => parseJson(text)).not.toThrow();
      expect(() => parseExtendedJson(text)).not.toThrow();
    }
  });
});
