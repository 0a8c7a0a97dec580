/**
 * BSON 1.1 encoder/decoder against real byte vectors, the npm `bson` package as an independent
 * implementation (both directions), and malformed, truncated and fuzzed input.
 */
import { deserialize, serialize, Binary, Double, Long } from 'bson';
import { encodeBson, BsonEncodeError } from '../../protocol/bson/encode';
import { decodeBson } from '../../protocol/bson/decode';
import { BSON_MAX_DEPTH } from '../../protocol/bson/format';
import { BsonBinary, BsonDocument, BsonDouble, BsonValue, BSON_BINARY_USER } from '../../protocol/bson/types';
import { dataDocument, fromHexString, hex, int, MANUAL_DOC_HEX, randomBytes, randomDocument, rng } from './fixtures';

const bytes = (h: string): Uint8Array => fromHexString(h);

/** A top-level document around `body` (hex of its elements) with a correct length and terminator. */
function d(body: string): string {
  const length = body.replace(/\s/g, '').length / 2 + 5;
  return hex(Uint8Array.of(length & 0xff, length >> 8, 0, 0)) + body + '00';
}

function decodeOk(data: Uint8Array): BsonDocument {
  const r = decodeBson(data);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

function decodeError(data: Uint8Array): string {
  const r = decodeBson(data);
  if (r.ok) throw new Error('decoded: ' + JSON.stringify(Object.keys(r.value)));
  return r.error;
}

function nested(levels: number): BsonDocument {
  let doc: BsonDocument = { leaf: 1 };
  for (let i = 1; i < levels; i++) doc = { n: doc };
  return doc;
}

describe('encoding', () => {
  test('the empty document is 05 00 00 00 00', () => {
    expect(hex(encodeBson({}))).toBe('0500000000');
  });

  test('§5.1.1.4: the configuration example encodes to the 80 bytes its header announces', () => {
    const doc = { Config: { Remote: { NTP: ['ntp.google.com', ''] } }, CRC: 0 };
    expect(hex(encodeBson(doc))).toBe(hex(bytes(MANUAL_DOC_HEX)));
    expect(encodeBson(doc).length).toBe(0x50);
  });

  test.each<[string, BsonValue, number]>([
    ['int32', 7, 0x10],
    ['int32 minimum', -2147483648, 0x10],
    ['double for a non-integral number', 1.5, 0x01],
    ['double for an integral number beyond int32', 2 ** 31, 0x01],
    ['double for -0', -0, 0x01],
    ['double for BsonDouble even when integral', new BsonDouble(3), 0x01],
    ['int64 for bigint', 5n, 0x12],
    ['string', 'é', 0x02],
    ['boolean', true, 0x08],
    ['null', null, 0x0a],
    ['binary', new BsonBinary(Uint8Array.of(1, 2), BSON_BINARY_USER), 0x05],
    ['array', [1], 0x04],
    ['document', { a: 1 }, 0x03],
  ])('%s is element type %i', (_name, value, type) => {
    expect(encodeBson({ v: value })[4]).toBe(type);
  });

  test('binary subtype 0x80 is written after the length (§4.2.1.2 key)', () => {
    const key = fromHexString('4400AAF78378049CAB13EE4E350E281B');
    expect(hex(encodeBson({ key: new BsonBinary(key, BSON_BINARY_USER) }))).toBe('1f000000056b65790010000000804400aaf78378049cab13ee4e350e281b00');
  });

  test.each<[string, unknown]>([
    ['undefined', undefined],
    ['a function', () => 1],
    ['a symbol', Symbol('s')],
    ['a Date', new Date(0)],
    ['a raw Uint8Array', new Uint8Array(1)],
    ['a Map', new Map()],
    ['int64 overflow', 2n ** 63n],
    ['int64 underflow', -(2n ** 63n) - 1n],
    ['binary subtype 0x04', new BsonBinary(new Uint8Array(16), 4)],
    ['a lone high surrogate', 'a\ud800b'],
    ['a lone low surrogate', '\udc00'],
  ])('refuses %s with BsonEncodeError', (_name, value) => {
    expect(() => encodeBson({ v: value as BsonValue })).toThrow(BsonEncodeError);
  });

  test('refuses NUL in a key, and names the path', () => {
    expect(() => encodeBson({ a: { 'b\u0000c': 1 } })).toThrow(/key "b\\u0000c" contains NUL/);
    expect(() => encodeBson({ a: { b: [1, undefined as unknown as BsonValue] } })).toThrow(/^a\.b\.1: /);
  });

  test(`nesting: ${BSON_MAX_DEPTH} levels encode, ${BSON_MAX_DEPTH + 1} throw`, () => {
    expect(() => encodeBson(nested(BSON_MAX_DEPTH))).not.toThrow();
    expect(() => encodeBson(nested(BSON_MAX_DEPTH + 1))).toThrow(BsonEncodeError);
  });

  test('a key named __proto__ is data, both ways', () => {
    const doc = JSON.parse('{"__proto__": 5, "a": 1}') as BsonDocument;
    const encoded = encodeBson(doc);
    expect(hex(encoded)).toBe(hex(serialize(doc)));
    const back = decodeOk(encoded);
    expect(Object.keys(back)).toEqual(['__proto__', 'a']);
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
  });

  test('a 300-record data document (§5.3) matches the npm bson serialisation', () => {
    const doc = dataDocument(300);
    const theirs = {
      ...doc,
      data: (doc.data as BsonDocument[]).map((d) => ({ ...d, F: new Binary((d.F as BsonBinary).bytes, BSON_BINARY_USER) })),
    };
    expect(hex(encodeBson(doc))).toBe(hex(serialize(theirs)));
  });
});

describe('against the npm bson package', () => {
  const N = 600;

  test(`${N} random documents: our bytes equal bson.serialize`, () => {
    const r = rng(1);
    for (let i = 0; i < N; i++) {
      const [ours, theirs] = randomDocument(r);
      expect(hex(encodeBson(ours))).toBe(hex(serialize(theirs)));
    }
  });

  test(`${N} random documents: we decode bson.serialize output to the canonical values`, () => {
    const r = rng(2);
    for (let i = 0; i < N; i++) {
      const [ours, theirs] = randomDocument(r);
      expect(decodeOk(serialize(theirs))).toStrictEqual(ours);
    }
  });

  test(`${N} random documents: bson.deserialize reads our bytes back to the same bytes`, () => {
    const r = rng(3);
    for (let i = 0; i < N; i++) {
      const [ours] = randomDocument(r);
      const encoded = encodeBson(ours);
      const again = serialize(deserialize(encoded, { promoteValues: false, useBigInt64: false }));
      expect(hex(again)).toBe(hex(encoded));
    }
  });

  test('value mapping of single elements', () => {
    const theirs = deserialize(encodeBson({ i: 1, d: new BsonDouble(2), x: 2.5, l: 3n, b: new BsonBinary(Uint8Array.of(9), 0) }), {
      promoteValues: false,
    });
    expect(theirs.i.valueOf()).toBe(1);
    expect(theirs.d).toBeInstanceOf(Double);
    expect(theirs.x.valueOf()).toBe(2.5);
    expect(theirs.l).toBeInstanceOf(Long);
    expect(theirs.b).toBeInstanceOf(Binary);
  });
});

describe('decoding', () => {
  test('round trip keeps types: integral doubles come back as BsonDouble, int64 as bigint', () => {
    const doc: BsonDocument = { a: new BsonDouble(4), b: 4, c: 4n, d: 4.5, e: [true, null, 'x'], f: { g: -0 } };
    expect(decodeOk(encodeBson(doc))).toStrictEqual(doc);
  });

  test('binary bytes are plain Uint8Array copies even when the input is a Node Buffer', () => {
    const input = Buffer.from(encodeBson({ b: new BsonBinary(Uint8Array.of(1, 2, 3)) }));
    const value = decodeOk(input).b as BsonBinary;
    input.fill(0);
    expect(value.bytes).toStrictEqual(Uint8Array.of(1, 2, 3));
  });

  test('binary bytes are copied out of the input buffer', () => {
    const encoded = encodeBson({ b: new BsonBinary(Uint8Array.of(1, 2, 3)) });
    const value = decodeOk(encoded).b as BsonBinary;
    encoded.fill(0);
    expect(Array.from(value.bytes)).toEqual([1, 2, 3]);
  });

  test('a view into a larger buffer decodes', () => {
    const encoded = encodeBson({ a: 1 });
    const big = new Uint8Array(encoded.length + 8);
    big.set(encoded, 3);
    expect(decodeOk(big.subarray(3, 3 + encoded.length))).toEqual({ a: 1 });
  });

  const valid = (): Uint8Array => encodeBson({ s: 'hi', n: 1 });

  test.each<[string, string, RegExp]>([
    ['fewer than 4 bytes', '0500', /needs 4 bytes, 2 left/],
    ['length below 5', '04000000', /document length 4 at offset 0 is below 5/],
    ['length larger than the input', '0600000000', /does not match the 5 bytes/],
    ['trailing bytes after the document', '050000000000', /does not match the 6 bytes/],
    ['missing terminator', '0500000001', /lacks its 0x00 terminator at offset 4/],
    ['terminator before the end', d('00 0a6100'), /0x00 at offset 4 ends the document before its declared end/],
    ['unknown element type 0x07 (ObjectId)', d('07 6f696400 000000000000000000000000'), /unsupported element type 0x07 at offset 4/],
    ['unknown element type 0x09 (UTC datetime)', d('09 6400 0000000000000000'), /unsupported element type 0x09 at offset 4/],
    ['unknown element type 0x13 (decimal128)', d('13 6400 00000000000000000000000000000000'), /unsupported element type 0x13 at offset 4/],
    ['key without NUL', d('10 6162'), /key at offset 5 has no NUL terminator/],
    ['key that is not UTF-8', d('10 ff00 01000000'), /key at offset 5 is not well-formed UTF-8/],
    ['key with an overlong encoding', d('10 c0af00 01000000'), /key at offset 5 is not well-formed UTF-8/],
    ['string that is not UTF-8', d('02 7300 03000000 61c000'), /string at offset 11 is not well-formed UTF-8/],
    ['string holding a UTF-8 surrogate', d('02 7300 04000000 eda08000'), /string at offset 11 is not well-formed UTF-8/],
    ['string length 0', d('02 7300 00000000'), /string length 0 at offset 7 is below 1/],
    ['string length past the document', d('02 7300 10000000 6100'), /string length 16 at offset 7 exceeds/],
    ['string without its NUL', d('02 7300 02000000 6162'), /string at offset 7 lacks its 0x00 terminator at offset 12/],
    ['boolean byte 2', d('08 6200 02'), /boolean byte 0x02 at offset 7/],
    ['binary subtype 0x04', d('05 6200 01000000 04 01'), /binary subtype 0x04 at offset 11 is not 0x00 or 0x80/],
    ['binary subtype 0x02', d('05 6200 01000000 02 01'), /binary subtype 0x02 at offset 11/],
    ['negative binary length', d('05 6200 ffffffff 00 01'), /binary length -1 at offset 7 is negative/],
    ['binary length past the document', d('05 6200 09000000 00 01'), /binary length 9 at offset 7 exceeds the 1 bytes left/],
    ['embedded document longer than its parent', d('03 6400 10000000 00'), /document length 16 at offset 7 exceeds the 5 bytes available/],
    ['embedded document length below 5', d('03 6400 04000000 00'), /document length 4 at offset 7 is below 5/],
    ['embedded document ending on its parent terminator', d('03 6400 06000000 00'), /document length 6 at offset 7 exceeds the 5 bytes/],
    ['int32 cut short', d('10 6100 0100'), /int32 at offset 7 needs 4 bytes, 2 left/],
    ['int64 cut short', d('12 6100 01000000'), /int64 at offset 7 needs 8 bytes, 4 left/],
    ['double cut short', d('01 6100 00000000'), /double at offset 7 needs 8 bytes/],
    ['array key out of sequence', d('04 6100 0c000000 10 3100 01000000 00'), /array key "1" at offset 12 is not the index 0/],
    ['array key that is not a number', d('04 6100 0c000000 10 7800 01000000 00'), /array key "x" at offset 12 is not the index 0/],
  ])('rejects %s', (_name, h, message) => {
    expect(decodeError(bytes(h))).toMatch(message);
  });

  test('rejects duplicate keys with their offset', () => {
    expect(decodeError(bytes('13000000' + '106100' + '01000000' + '106100' + '02000000' + '00'))).toBe('duplicate key "a" at offset 12');
  });

  test(`nesting: ${BSON_MAX_DEPTH} levels decode, ${BSON_MAX_DEPTH + 1} are refused`, () => {
    expect(decodeBson(encodeBson(nested(BSON_MAX_DEPTH))).ok).toBe(true);
    // Hand-build one level more than the encoder allows.
    let inner = encodeBson(nested(BSON_MAX_DEPTH));
    const key = Uint8Array.of(0x03, 0x6e, 0x00);
    const outer = new Uint8Array(4 + key.length + inner.length + 1);
    new DataView(outer.buffer).setInt32(0, outer.length, true);
    outer.set(key, 4);
    outer.set(inner, 4 + key.length);
    inner = outer;
    expect(decodeError(inner)).toMatch(/nests deeper than 16/);
  });

  test('every truncation of a valid file is refused without throwing', () => {
    const full = encodeBson(dataDocument(5));
    for (let n = 0; n < full.length; n++) expect(decodeBson(full.subarray(0, n)).ok).toBe(false);
  });

  test('never throws on non-Uint8Array input', () => {
    expect(decodeBson(undefined as unknown as Uint8Array).ok).toBe(false);
    expect(decodeBson([5, 0, 0, 0, 0] as unknown as Uint8Array).ok).toBe(false);
  });

  test('valid() control decodes', () => {
    expect(decodeOk(valid())).toEqual({ s: 'hi', n: 1 });
  });
});

describe('fuzzing (seeded)', () => {
  const ROUNDS = 5000;

  test(`${ROUNDS} mutated documents never throw; whatever decodes re-encodes to an equal value`, () => {
    const r = rng(42);
    const seeds = Array.from({ length: 40 }, () => encodeBson(randomDocument(r)[0]));
    seeds.push(encodeBson(dataDocument(3)), bytes(MANUAL_DOC_HEX));
    let accepted = 0;
    for (let i = 0; i < ROUNDS; i++) {
      const input = mutate(r, seeds[int(r, 0, seeds.length - 1)]);
      let result: ReturnType<typeof decodeBson> | undefined;
      expect(() => (result = decodeBson(input))).not.toThrow();
      if (result?.ok) {
        accepted++;
        const again = decodeBson(encodeBson(result.value));
        expect(again.ok && again.value).toStrictEqual(result.value);
      } else {
        expect(result?.error).toMatch(/offset \d+|does not match|not a Uint8Array/);
      }
    }
    expect(accepted).toBeGreaterThan(0);
  });

  test(`${ROUNDS} random byte strings with a plausible length header never throw`, () => {
    const r = rng(7);
    for (let i = 0; i < ROUNDS; i++) {
      const input = randomBytes(r, int(r, 0, 64));
      if (input.length >= 4 && r() < 0.7) new DataView(input.buffer).setInt32(0, input.length, true);
      expect(() => decodeBson(input)).not.toThrow();
    }
  });
});

function mutate(r: () => number, source: Uint8Array): Uint8Array {
  const out = source.slice();
  const kind = int(r, 0, 5);
  if (out.length === 0) return out;
  const at = int(r, 0, out.length - 1);
  switch (kind) {
    case 0:
      out[at] ^= 1 << int(r, 0, 7);
      return out;
    case 1:
      out[at] = int(r, 0, 255);
      return out;
    case 2:
      out[at] = [0, 1, 0x7f, 0x80, 0xff, 0x10, 0x05][int(r, 0, 6)];
      return out;
    case 3:
      return out.subarray(0, at);
    case 4: {
      // Grow or shrink a length-looking int32 while keeping the top header consistent.
      const view = new DataView(out.buffer);
      if (at + 4 <= out.length) view.setInt32(at, view.getInt32(at, true) + int(r, -3, 3), true);
      return out;
    }
    default: {
      const grown = new Uint8Array(out.length + 1);
      grown.set(out.subarray(0, at));
      grown[at] = int(r, 0, 255);
      grown.set(out.subarray(at), at + 1);
      new DataView(grown.buffer).setInt32(0, grown.length, true);
      return grown;
    }
  }
}
