/** The device's AES (Moddable's native `crypt` BlockCipher) behind the file codec, on a Node-backed fake. */
import { createCipheriv, createDecipheriv } from 'crypto';
import { Esp32Aes, type ModdableBlockCipher } from '../../drivers/esp32/aes';
import { parseExtendedJson } from '../../protocol/bson/ejson';
import type { BsonBinary, BsonDocument } from '../../protocol/bson/types';
import { decodeFile, encodeFile } from '../../protocol/files/codec';
import { dataDocument, fromHexString, hex, randomBytes, rng } from '../files/fixtures';

const BLOCK = 16;

function bytesOf(value: unknown, what: string): Buffer {
  // The native side reads every buffer with xsmcToArrayBuffer: anything else is an error there.
  if (!(value instanceof ArrayBuffer)) throw new TypeError(`${what}: not an ArrayBuffer`);
  return Buffer.from(new Uint8Array(value));
}

/** `new BlockCipher("AES", key)` of modules/crypt: one block per call into the caller's result buffer. */
class FakeBlockCipher implements ModdableBlockCipher {
  static created: Buffer[] = [];
  private readonly key: Buffer;

  constructor(cipher: 'AES', key: ArrayBuffer) {
    if (cipher !== 'AES') throw new Error('unsupported cipher');
    this.key = bytesOf(key, 'key');
    if (this.key.length !== BLOCK) throw new Error('bad key size');
    FakeBlockCipher.created.push(this.key);
  }

  encrypt(data: ArrayBuffer, result: ArrayBuffer): ArrayBuffer {
    const e = createCipheriv('aes-128-ecb', this.key, null).setAutoPadding(false);
    return this.into(e.update(bytesOf(data, 'data')), result);
  }

  decrypt(data: ArrayBuffer, result: ArrayBuffer): ArrayBuffer {
    const d = createDecipheriv('aes-128-ecb', this.key, null).setAutoPadding(false);
    return this.into(d.update(bytesOf(data, 'data')), result);
  }

  private into(out: Buffer, result: ArrayBuffer): ArrayBuffer {
    bytesOf(result, 'result');
    new Uint8Array(result).set(out.subarray(0, BLOCK));
    return result;
  }
}

/** The manual's §4.2.1.2 example key. */
const MANUAL_KEY = new Uint8Array(Buffer.from('RACq94N4BJyrE+5ONQ4oGw==', 'base64'));

beforeEach(() => {
  FakeBlockCipher.created = [];
});

describe('Esp32Aes on one block', () => {
  test('FIPS-197 appendix C.1: AES-128 encrypts and decrypts the reference block', () => {
    const aes = new Esp32Aes(FakeBlockCipher);
    const key = fromHexString('000102030405060708090a0b0c0d0e0f');
    const out = new Uint8Array(BLOCK);
    aes.encryptBlock(key, fromHexString('00112233445566778899aabbccddeeff'), out);
    expect(hex(out)).toBe('69c4e0d86a7b0430d8cdb78070b4c55a');
    aes.decryptBlock(key, out, out);
    expect(hex(out)).toBe('00112233445566778899aabbccddeeff');
  });

  test('one native cipher per key: rebuilt only when the key changes', () => {
    const aes = new Esp32Aes(FakeBlockCipher);
    const other = MANUAL_KEY.map((b) => b ^ 0xff);
    const block = new Uint8Array(BLOCK);
    aes.encryptBlock(MANUAL_KEY, block, block);
    aes.decryptBlock(MANUAL_KEY, block, block);
    aes.encryptBlock(MANUAL_KEY.slice(), block, block);
    expect(FakeBlockCipher.created).toHaveLength(1);
    aes.encryptBlock(other, block, block);
    aes.encryptBlock(MANUAL_KEY, block, block);
    expect(FakeBlockCipher.created.map((k) => k.toString('base64'))).toEqual([
      'RACq94N4BJyrE+5ONQ4oGw==',
      Buffer.from(other).toString('base64'),
      'RACq94N4BJyrE+5ONQ4oGw==',
    ]);
  });

  test('the native cipher keeps its own copy of the key', () => {
    const aes = new Esp32Aes(FakeBlockCipher);
    const key = MANUAL_KEY.slice();
    const block = new Uint8Array(BLOCK);
    aes.encryptBlock(key, block, block);
    key[0] ^= 1;
    aes.encryptBlock(key, block, block);
    expect(FakeBlockCipher.created).toHaveLength(2);
    expect(FakeBlockCipher.created[0].toString('base64')).toBe('RACq94N4BJyrE+5ONQ4oGw==');
  });

  test('a wrong key or block length is a RangeError, as for the portable AES', () => {
    const aes = new Esp32Aes(FakeBlockCipher);
    const block = new Uint8Array(BLOCK);
    expect(() => aes.encryptBlock(MANUAL_KEY.subarray(0, 8), block, block)).toThrow(RangeError);
    expect(() => aes.decryptBlock(MANUAL_KEY, block.subarray(0, 15), block)).toThrow(RangeError);
    expect(FakeBlockCipher.created).toHaveLength(0);
  });
});

describe('file codec with the native AES (§4.2.1.2)', () => {
  test('the manual example document encrypted under its own key: same bytes as the portable AES, both decode', () => {
    const parsed = parseExtendedJson(`{ "config": { "security": { "crcMode": 1, "encryption": true,
      "key": {"$type": "80", "$binary": "RACq94N4BJyrE+5ONQ4oGw==" } } }, "crc": 0 }`);
    if (!parsed.ok) throw new Error(parsed.error);
    const key = (((parsed.value.config as BsonDocument).security as BsonDocument).key as BsonBinary).bytes;
    expect(hex(key)).toBe(hex(MANUAL_KEY));

    const cipher = new Esp32Aes(FakeBlockCipher);
    const native = encodeFile(parsed.value, { encryption: true, key, cipher });
    const portable = encodeFile(parsed.value, { encryption: true, key });
    expect(hex(native)).toBe(hex(portable));

    const byNative = decodeFile(portable, { encrypted: true, key, cipher });
    const byPortable = decodeFile(native, { encrypted: true, key });
    expect(byNative.ok && byNative.doc).toStrictEqual({ config: parsed.value.config });
    expect(byPortable.ok && byPortable.doc).toStrictEqual({ config: parsed.value.config });
  });

  test('data files of many sizes: identical ciphertext to the portable AES and a round trip', () => {
    const r = rng(0xae5);
    const cipher = new Esp32Aes(FakeBlockCipher);
    for (let records = 0; records < 40; records++) {
      const key = randomBytes(r, BLOCK);
      const doc = dataDocument(records);
      const native = encodeFile(doc, { encryption: true, key, cipher });
      expect(hex(native)).toBe(hex(encodeFile(doc, { encryption: true, key })));
      const back = decodeFile(native, { encrypted: true, key, cipher });
      expect(back.ok && back.doc).toStrictEqual(doc);
    }
  });

  test('the wrong key is a decrypt error, not an exception', () => {
    const cipher = new Esp32Aes(FakeBlockCipher);
    const doc = { config: { security: { encryption: true } } };
    const bytes = encodeFile(doc, { encryption: true, key: MANUAL_KEY, cipher });
    const r = decodeFile(bytes, { encrypted: true, key: MANUAL_KEY.map((b) => b ^ 1), cipher });
    expect(r).toMatchObject({ ok: false, error: 'decrypt' });
  });
});
