/**
 * AES-128 against FIPS-197 (Appendix A.1 key expansion, Appendix B and C.1 vectors) and
 * AES-128-CBC with PKCS#5 against Node's OpenSSL.
 */
import { createCipheriv, createDecipheriv } from 'crypto';
import { Aes128, expandKey128 } from '../../protocol/crypto/aes128';
import { aesCbcDecrypt, aesCbcEncrypt, FILE_IV } from '../../protocol/crypto/cbc';
import { BlockCipher } from '../../protocol/crypto/types';
import { fromHexString, hex, int, randomBytes, rng } from '../files/fixtures';

const FIPS_KEY = fromHexString('2b7e151628aed2a6abf7158809cf4f3c');
const MANUAL_KEY = fromHexString('44:00:AA:F7:83:78:04:9C:AB:13:EE:4E:35:0E:28:1B');

function encryptBlock(key: Uint8Array, input: Uint8Array): Uint8Array {
  const out = new Uint8Array(16);
  new Aes128().encryptBlock(key, input, out);
  return out;
}

function decryptBlock(key: Uint8Array, input: Uint8Array): Uint8Array {
  const out = new Uint8Array(16);
  new Aes128().decryptBlock(key, input, out);
  return out;
}

function nodeCbc(plain: Uint8Array, key: Uint8Array, iv: Uint8Array): Uint8Array {
  const c = createCipheriv('aes-128-cbc', key, iv);
  return new Uint8Array(Buffer.concat([c.update(plain), c.final()]));
}

function ok(r: ReturnType<typeof aesCbcEncrypt>): Uint8Array {
  if (!r.ok) throw new Error(r.error);
  return r.bytes;
}

describe('FIPS-197', () => {
  test('Appendix A.1: key expansion of 2b7e1516… (first, w[4..7], and last round key)', () => {
    const w = Array.from(expandKey128(FIPS_KEY), (x) => x.toString(16).padStart(8, '0'));
    expect(w.slice(0, 4)).toEqual(['2b7e1516', '28aed2a6', 'abf71588', '09cf4f3c']);
    expect(w.slice(4, 8)).toEqual(['a0fafe17', '88542cb1', '23a33939', '2a6c7605']);
    expect(w.slice(40, 44)).toEqual(['d014f9a8', 'c9ee2589', 'e13f0cc8', 'b6630ca6']);
  });

  test('Appendix B: 3243f6a8885a308d313198a2e0370734 → 3925841d02dc09fbdc118597196a0b32', () => {
    const input = fromHexString('3243f6a8885a308d313198a2e0370734');
    expect(hex(encryptBlock(FIPS_KEY, input))).toBe('3925841d02dc09fbdc118597196a0b32');
  });

  test('Appendix C.1: 00112233…eeff under 00010203…0f → 69c4e0d86a7b0430d8cdb78070b4c55a, and back', () => {
    const key = fromHexString('000102030405060708090a0b0c0d0e0f');
    const plain = fromHexString('00112233445566778899aabbccddeeff');
    const cipher = fromHexString('69c4e0d86a7b0430d8cdb78070b4c55a');
    expect(hex(encryptBlock(key, plain))).toBe(hex(cipher));
    expect(hex(decryptBlock(key, cipher))).toBe(hex(plain));
  });

  test('500 random keys and blocks agree with Node aes-128-ecb, and decrypt back', () => {
    const r = rng(197);
    const aes = new Aes128();
    for (let i = 0; i < 500; i++) {
      const key = randomBytes(r, 16);
      const block = randomBytes(r, 16);
      const c = createCipheriv('aes-128-ecb', key, null).setAutoPadding(false);
      const expected = new Uint8Array(c.update(block));
      const out = new Uint8Array(16);
      aes.encryptBlock(key, block, out);
      expect(hex(out)).toBe(hex(expected));
      aes.decryptBlock(key, out, out);
      expect(hex(out)).toBe(hex(block));
    }
  });

  test('a key changed in place after use is noticed (the schedule cache compares bytes)', () => {
    const aes = new Aes128();
    const key = FIPS_KEY.slice();
    const out = new Uint8Array(16);
    aes.encryptBlock(key, new Uint8Array(16), out);
    const first = hex(out);
    key[0] ^= 1;
    aes.encryptBlock(key, new Uint8Array(16), out);
    expect(hex(out)).not.toBe(first);
  });

  test('wrong key or block sizes throw RangeError (the BlockCipher contract)', () => {
    const aes = new Aes128();
    expect(() => aes.encryptBlock(new Uint8Array(15), new Uint8Array(16), new Uint8Array(16))).toThrow(RangeError);
    expect(() => aes.encryptBlock(FIPS_KEY, new Uint8Array(15), new Uint8Array(16))).toThrow(RangeError);
  });
});

describe('§4.2.1.2 AES-128-CBC, fixed IV, PKCS#5', () => {
  test('the IV is C0 50 3E CD E3 DB 6B 2E 52 F5 9B 95 B6 F1 9B 58', () => {
    expect(hex(Uint8Array.from(FILE_IV))).toBe('c0503ecde3db6b2e52f59b95b6f19b58');
  });

  test('a vector computed with Node: 37 bytes under the manual key', () => {
    const plain = Uint8Array.from({ length: 37 }, (_, i) => i);
    const expected = nodeCbc(plain, MANUAL_KEY, Uint8Array.from(FILE_IV));
    expect(hex(ok(aesCbcEncrypt(plain, MANUAL_KEY)))).toBe(hex(expected));
  });

  test('every length 0..100 matches Node and decrypts back', () => {
    const r = rng(5);
    for (let n = 0; n <= 100; n++) {
      const plain = randomBytes(r, n);
      const key = randomBytes(r, 16);
      const encrypted = ok(aesCbcEncrypt(plain, key));
      expect(hex(encrypted)).toBe(hex(nodeCbc(plain, key, Uint8Array.from(FILE_IV))));
      expect(hex(ok(aesCbcDecrypt(encrypted, key)))).toBe(hex(plain));
    }
  });

  test('padding: 16 bytes of plain text gain a whole block of 0x10', () => {
    const encrypted = ok(aesCbcEncrypt(new Uint8Array(16), MANUAL_KEY));
    expect(encrypted.length).toBe(32);
    const raw = createCipheriv('aes-128-cbc', MANUAL_KEY, Uint8Array.from(FILE_IV)).setAutoPadding(false);
    const padded = new Uint8Array(32);
    padded.fill(16, 16);
    expect(hex(encrypted)).toBe(hex(new Uint8Array(raw.update(padded))));
  });

  test('another IV can be given', () => {
    const iv = new Uint8Array(16).fill(7);
    const plain = Uint8Array.of(1, 2, 3);
    expect(hex(ok(aesCbcEncrypt(plain, MANUAL_KEY, { iv })))).toBe(hex(nodeCbc(plain, MANUAL_KEY, iv)));
  });

  test('the wrong key gives a bad padding error, not an exception', () => {
    const encrypted = ok(aesCbcEncrypt(new TextEncoder().encode('config'), MANUAL_KEY));
    expect(aesCbcDecrypt(encrypted, FIPS_KEY)).toEqual({ ok: false, error: 'bad PKCS#5 padding (wrong key or corrupted file)' });
  });

  test.each<[string, Uint8Array, Uint8Array, RegExp]>([
    ['an empty ciphertext', new Uint8Array(0), MANUAL_KEY, /not a positive multiple of 16/],
    ['a ciphertext of 17 bytes', new Uint8Array(17), MANUAL_KEY, /ciphertext length 17/],
    ['a 24-byte key', new Uint8Array(16), new Uint8Array(24), /key must be 16 bytes, got 24/],
  ])('refuses %s', (_name, data, key, message) => {
    const r = aesCbcDecrypt(data, key);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(message);
  });

  test('padding bytes that disagree are refused', () => {
    const raw = createCipheriv('aes-128-cbc', MANUAL_KEY, Uint8Array.from(FILE_IV)).setAutoPadding(false);
    const block = new Uint8Array(16);
    block.set([3, 2, 3], 13);
    expect(aesCbcDecrypt(new Uint8Array(raw.update(block)), MANUAL_KEY).ok).toBe(false);
  });

  test('2000 random ciphertexts never throw', () => {
    const r = rng(6);
    for (let i = 0; i < 2000; i++) {
      const data = randomBytes(r, 16 * int(r, 0, 4) + (r() < 0.2 ? 1 : 0));
      expect(() => aesCbcDecrypt(data, MANUAL_KEY)).not.toThrow();
    }
  });

  test('a BlockCipher from elsewhere plugs in (here Node ECB, as the device would plug its native AES)', () => {
    const nodeAes: BlockCipher = {
      blockBytes: 16,
      encryptBlock(key, input, output) {
        output.set(createCipheriv('aes-128-ecb', key, null).setAutoPadding(false).update(input));
      },
      decryptBlock(key, input, output) {
        output.set(createDecipheriv('aes-128-ecb', key, null).setAutoPadding(false).update(input));
      },
    };
    const plain = new TextEncoder().encode('{"crc":0} over a native cipher');
    const encrypted = ok(aesCbcEncrypt(plain, MANUAL_KEY, { cipher: nodeAes }));
    expect(hex(encrypted)).toBe(hex(ok(aesCbcEncrypt(plain, MANUAL_KEY))));
    expect(new TextDecoder().decode(ok(aesCbcDecrypt(encrypted, MANUAL_KEY, { cipher: nodeAes })))).toBe('{"crc":0} over a native cipher');
  });
});
