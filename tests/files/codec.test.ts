/**
 * Whole files (§5.1.1.4 CRC trailer, §4.2.1.2 AES-128-CBC with the fixed IV and `.aes` names),
 * checked against Node's crypto as an independent AES and against corrupted input.
 */
import { createCipheriv, createDecipheriv } from 'crypto';
import { decodeFile, encodeFile, fileName, FileEncodeError } from '../../protocol/files/codec';
import { decodeBson } from '../../protocol/bson/decode';
import { encodeBson, BsonEncodeError } from '../../protocol/bson/encode';
import { parseExtendedJson } from '../../protocol/bson/ejson';
import { FILE_IV } from '../../protocol/crypto/cbc';
import { sealCrcTrailer } from '../../protocol/files/trailer';
import { BsonBinary, BsonDocument } from '../../protocol/bson/types';
import { dataDocument, fromHexString, hex, int, MANUAL_DOC_HEX, randomBytes, rng } from './fixtures';

const KEY = fromHexString('44:00:AA:F7:83:78:04:9C:AB:13:EE:4E:35:0E:28:1B');
const OTHER_KEY = fromHexString('000102030405060708090a0b0c0d0e0f');
const CONFIG: BsonDocument = { config: { name: 'WebdynEasy', logLevel: 2, remote: { ntp: ['ntp.google.com', ''] } } };

function nodeEncrypt(plain: Uint8Array, key: Uint8Array): Uint8Array {
  const c = createCipheriv('aes-128-cbc', key, Uint8Array.from(FILE_IV));
  return new Uint8Array(Buffer.concat([c.update(plain), c.final()]));
}

function nodeDecrypt(data: Uint8Array, key: Uint8Array): Uint8Array {
  const d = createDecipheriv('aes-128-cbc', key, Uint8Array.from(FILE_IV));
  return new Uint8Array(Buffer.concat([d.update(data), d.final()]));
}

describe('encodeFile', () => {
  test('§5.1.1.4: the manual example with field CRC gives the manual bytes and CRC A3 7B 0C 2A', () => {
    const doc = { Config: { Remote: { NTP: ['ntp.google.com', ''] } } };
    const out = encodeFile(doc, { encryption: false, crcField: 'CRC' });
    const expected = fromHexString(MANUAL_DOC_HEX);
    expected.set([0xa3, 0x7b, 0x0c, 0x2a], 75);
    expect(hex(out)).toBe(hex(expected));
  });

  test('the crc field is added last, and moved last when the document already has one', () => {
    const out = encodeFile({ crc: 123, a: 1, b: 'x' }, { encryption: false });
    const decoded = decodeBson(out);
    expect(decoded.ok && Object.keys(decoded.value)).toEqual(['a', 'b', 'crc']);
  });

  test('the input document is not modified', () => {
    const doc: BsonDocument = { crc: 5, a: 1 };
    encodeFile(doc, { encryption: false });
    expect(doc).toEqual({ crc: 5, a: 1 });
  });

  test('the trailer is written whatever crcMode says', () => {
    for (const crcMode of [0, 1, 2] as const) {
      const out = encodeFile(CONFIG, { encryption: false, crcMode });
      expect(decodeFile(out, { encrypted: false, crcMode: 2 }).ok).toBe(true);
    }
  });

  test('§4.2.1.2: encryption is AES-128-CBC, fixed IV, PKCS#5 — Node decrypts it to the plain file', () => {
    const plain = encodeFile(CONFIG, { encryption: false });
    const encrypted = encodeFile(CONFIG, { encryption: true, key: KEY });
    expect(encrypted.length).toBe((Math.floor(plain.length / 16) + 1) * 16);
    expect(hex(nodeDecrypt(encrypted, KEY))).toBe(hex(plain));
    expect(hex(encrypted)).toBe(hex(nodeEncrypt(plain, KEY)));
  });

  test('encryption without a 16-byte key throws FileEncodeError', () => {
    expect(() => encodeFile(CONFIG, { encryption: true })).toThrow(FileEncodeError);
    expect(() => encodeFile(CONFIG, { encryption: true, key: new Uint8Array(15) })).toThrow(FileEncodeError);
  });

  test('a value outside the BSON model throws BsonEncodeError', () => {
    expect(() => encodeFile({ a: undefined as unknown as null }, { encryption: false })).toThrow(BsonEncodeError);
  });
});

describe('decodeFile', () => {
  test('plain round trip returns the document without its trailer, and the CRC status', () => {
    const r = decodeFile(encodeFile(CONFIG, { encryption: false }), { encrypted: false, crcMode: 1 });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.doc).toStrictEqual(CONFIG);
    expect(r.crc.status).toBe('ok');
  });

  test('encrypted round trip with the manual key', () => {
    const doc = dataDocument(20);
    const r = decodeFile(encodeFile(doc, { encryption: true, key: KEY }), { encrypted: true, key: KEY, crcMode: 2 });
    expect(r.ok && r.doc).toStrictEqual(doc);
  });

  test('a file Node encrypted decodes', () => {
    const plain = encodeFile(CONFIG, { encryption: false });
    const r = decodeFile(nodeEncrypt(plain, KEY), { encrypted: true, key: KEY });
    expect(r.ok && r.doc).toStrictEqual(CONFIG);
  });

  test('§4.2.1.2 example document: the key inside the file round-trips encrypted under itself', () => {
    const parsed = parseExtendedJson(`{ "config": { "security": { "crcMode": 1, "encryption": true,
      "key": {"$type": "80", "$binary": "RACq94N4BJyrE+5ONQ4oGw==" } } }, "crc": 0 }`);
    if (!parsed.ok) throw new Error(parsed.error);
    const security = (parsed.value.config as BsonDocument).security as BsonDocument;
    const key = (security.key as BsonBinary).bytes;
    const r = decodeFile(encodeFile(parsed.value, { encryption: true, key }), { encrypted: true, key: KEY });
    expect(r.ok && r.doc).toStrictEqual({ config: parsed.value.config });
  });

  test('the wrong key is a decrypt error (bad padding)', () => {
    const encrypted = encodeFile(CONFIG, { encryption: true, key: KEY });
    const r = decodeFile(encrypted, { encrypted: true, key: OTHER_KEY });
    expect(r).toEqual({ ok: false, error: 'decrypt', detail: 'bad PKCS#5 padding (wrong key or corrupted file)' });
  });

  test('a missing or short key is a key error', () => {
    const encrypted = encodeFile(CONFIG, { encryption: true, key: KEY });
    expect(decodeFile(encrypted, { encrypted: true })).toEqual({ ok: false, error: 'key', detail: 'an encrypted file needs a 16-byte key' });
    expect(decodeFile(encrypted, { encrypted: true, key: KEY.subarray(0, 8) })).toMatchObject({ ok: false, error: 'key' });
  });

  test('a truncated encrypted file is a decrypt error', () => {
    const encrypted = encodeFile(CONFIG, { encryption: true, key: KEY });
    const r = decodeFile(encrypted.subarray(0, encrypted.length - 3), { encrypted: true, key: KEY });
    expect(r.ok || r.error).toBe('decrypt');
  });

  test('a flipped bit in a plain file is a CRC error in modes 1 and 2 with both values', () => {
    const file = encodeFile(CONFIG, { encryption: false });
    file[30] ^= 0x04;
    for (const crcMode of [1, 2] as const) {
      const r = decodeFile(file, { encrypted: false, crcMode });
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.error).toBe('crc');
      expect(r.detail).toMatch(/^CRC mismatch: computed 0x[0-9A-F]{8}, stored 0x[0-9A-F]{8}$/);
    }
  });

  test('mode 0 reads a file whose CRC is wrong', () => {
    const file = encodeFile({ a: 'abc' }, { encryption: false });
    file[file.length - 2] ^= 0xff;
    const r = decodeFile(file, { encrypted: false, crcMode: 0 });
    expect(r.ok && r.doc).toStrictEqual({ a: 'abc' });
  });

  test('mode 0 reads a file with no trailer at all and leaves its fields alone', () => {
    const r = decodeFile(encodeBson({ crc: 1, a: 2 }), { encrypted: false, crcMode: 0 });
    expect(r.ok && r.doc).toStrictEqual({ crc: 1, a: 2 });
  });

  test('mode 1 accepts a CRC of 0 ("absent"), mode 2 refuses it', () => {
    const zero = encodeBson({ a: 1, crc: 0 });
    const one = decodeFile(zero, { encrypted: false, crcMode: 1 });
    expect(one.ok && one.crc).toEqual({ status: 'absent' });
    expect(one.ok && one.doc).toStrictEqual({ a: 1 });
    const two = decodeFile(zero, { encrypted: false, crcMode: 2 });
    expect(two.ok || two.error).toBe('crc');
  });

  test('the default crcMode is 1', () => {
    const r = decodeFile(encodeBson({ a: 1, crc: 0 }), { encrypted: false });
    expect(r.ok && r.crc.status).toBe('absent');
  });

  test('a CRC-valid file that is not valid BSON is a bson error', () => {
    // A duplicate key: structurally walkable, so the trailer is found and sealed, but refused by the decoder.
    const body = fromHexString('1b000000 106100 01000000 106100 02000000 10637263 00 00000000 00');
    new DataView(body.buffer).setInt32(0, body.length, true);
    const withCrc = sealCrcTrailer(body);
    if (!withCrc.ok) throw new Error(withCrc.error);
    const r = decodeFile(withCrc.bytes, { encrypted: false, crcMode: 2 });
    expect(r.ok || r.error).toBe('bson');
    expect(r.ok || r.detail).toMatch(/duplicate key "a" at offset 12/);
  });
});

test('§4.2.1.2: fileName appends .aes when encryption is on, once', () => {
  expect(fileName('123456-config.bson', true)).toBe('123456-config.bson.aes');
  expect(fileName('123456-config.bson', false)).toBe('123456-config.bson');
  expect(fileName('123456-config.bson.aes', true)).toBe('123456-config.bson.aes');
});

describe('fuzzing (seeded)', () => {
  const ROUNDS = 3000;

  test(`${ROUNDS} corrupted plain and encrypted files never throw and never pass as a different document`, () => {
    const r = rng(2024);
    const doc = dataDocument(4);
    const plain = encodeFile(doc, { encryption: false });
    const encrypted = encodeFile(doc, { encryption: true, key: KEY });
    for (let i = 0; i < ROUNDS; i++) {
      const encryptedCase = i % 2 === 1;
      const input = (encryptedCase ? encrypted : plain).slice();
      const flips = int(r, 1, 3);
      for (let k = 0; k < flips; k++) input[int(r, 0, input.length - 1)] ^= 1 << int(r, 0, 7);
      const cut = r() < 0.2 ? int(r, 0, input.length) : input.length;
      const crcMode = int(r, 1, 2) as 1 | 2;
      let result: ReturnType<typeof decodeFile> | undefined;
      expect(() => (result = decodeFile(input.subarray(0, cut), { encrypted: encryptedCase, key: KEY, crcMode }))).not.toThrow();
      // Plain: CRC-32 catches every error of up to 3 bits in a file this small. Encrypted: a changed
      // block garbles 16 bytes, caught by the padding or the CRC. A truncation loses the trailer.
      expect(result?.ok).toBe(false);
    }
  });

  test(`${ROUNDS} random inputs in every mode never throw`, () => {
    const r = rng(77);
    for (let i = 0; i < ROUNDS; i++) {
      const input = randomBytes(r, int(r, 0, 100));
      if (input.length >= 4 && r() < 0.5) new DataView(input.buffer).setInt32(0, input.length, true);
      for (const crcMode of [0, 1, 2] as const) {
        expect(() => decodeFile(input, { encrypted: r() < 0.3, key: KEY, crcMode })).not.toThrow();
      }
    }
  });
});
