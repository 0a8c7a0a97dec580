/**
 * Ed25519 verification (RFC 8032 §5.1.7) against the §7.1 test vectors and against Node's
 * crypto.sign/verify with freshly generated keys.
 */
import { createPrivateKey, generateKeyPairSync, KeyObject, sign, verify } from 'crypto';
import { ed25519Verify, Ed25519Verifier, ED25519_CONSTANTS } from '../../protocol/crypto/ed25519';
import { fromHexString, hex, int, randomBytes, rng } from '../files/fixtures';
import { RFC8032_VECTORS } from './rfc8032-vectors';
import { portableHash } from '../../protocol/crypto/hash';
import { Sha256 } from '../../protocol/crypto/sha256';
import { Sha512 } from '../../protocol/crypto/sha512';
import type { HashFactory } from '../../protocol/crypto/types';
import { nodeHashes } from '../fixtures/node-hashes';

/** PKCS#8 prefix of a raw Ed25519 seed (RFC 8410), so Node can load the RFC secret keys. */
const PKCS8_ED25519_PREFIX = '302e020100300506032b657004220420';

function rawPublicKey(key: KeyObject): Uint8Array {
  const der = key.export({ format: 'der', type: 'spki' });
  return new Uint8Array(der.subarray(der.length - 32));
}

describe('RFC 8032 §7.1', () => {
  test.each(RFC8032_VECTORS.map((v) => [v.name, v] as const))('%s verifies', (_name, v) => {
    expect(ed25519Verify(fromHexString(v.publicKey), fromHexString(v.message), fromHexString(v.signature))).toBe(true);
  });

  test.each(RFC8032_VECTORS.map((v) => [v.name, v] as const))('%s as transcribed: Node derives the same key and signature', (_name, v) => {
    const secret = createPrivateKey({ key: Buffer.from(PKCS8_ED25519_PREFIX + v.secretKey, 'hex'), format: 'der', type: 'pkcs8' });
    expect(hex(new Uint8Array(sign(null, fromHexString(v.message), secret)))).toBe(v.signature);
  });

  test('TEST 1024 has a 1023-byte message', () => {
    expect(fromHexString(RFC8032_VECTORS[3].message).length).toBe(1023);
  });

  test.each(RFC8032_VECTORS.map((v) => [v.name, v] as const))('%s with any single bit flipped in the signature fails', (_name, v) => {
    const pk = fromHexString(v.publicKey);
    const msg = fromHexString(v.message);
    const sig = fromHexString(v.signature);
    for (let bit = 0; bit < 512; bit += 7) {
      const bad = sig.slice();
      bad[bit >> 3] ^= 1 << (bit & 7);
      expect(ed25519Verify(pk, msg, bad)).toBe(false);
    }
  });

  test('TEST 2 fails for another message or another key', () => {
    const [t1, t2] = RFC8032_VECTORS;
    expect(ed25519Verify(fromHexString(t2.publicKey), Uint8Array.of(0x73), fromHexString(t2.signature))).toBe(false);
    expect(ed25519Verify(fromHexString(t1.publicKey), fromHexString(t2.message), fromHexString(t2.signature))).toBe(false);
  });
});

describe('against Node crypto', () => {
  test('60 generated keys and random messages: we accept what Node signs, and agree with Node on tampering', () => {
    const r = rng(25519);
    for (let i = 0; i < 60; i++) {
      const { publicKey, privateKey } = generateKeyPairSync('ed25519');
      const pk = rawPublicKey(publicKey);
      const msg = randomBytes(r, int(r, 0, 300));
      const sig = new Uint8Array(sign(null, msg, privateKey));
      expect(ed25519Verify(pk, msg, sig)).toBe(true);
      const tamperedMsg = msg.length > 0 ? msg.slice() : Uint8Array.of(0);
      tamperedMsg[int(r, 0, tamperedMsg.length - 1)] ^= 1 << int(r, 0, 7);
      expect(ed25519Verify(pk, tamperedMsg, sig)).toBe(verify(null, tamperedMsg, publicKey, sig));
      const tamperedSig = sig.slice();
      tamperedSig[int(r, 0, 63)] ^= 1 << int(r, 0, 7);
      expect(ed25519Verify(pk, msg, tamperedSig)).toBe(verify(null, msg, publicKey, tamperedSig));
    }
  });

  test('streaming a 100 kB image in chunks gives the same answer', () => {
    const r = rng(8);
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const image = randomBytes(r, 100000);
    const sig = new Uint8Array(sign(null, image, privateKey));
    const v = new Ed25519Verifier(rawPublicKey(publicKey), sig);
    for (let at = 0; at < image.length; at += 4096) v.update(image.subarray(at, at + 4096));
    expect(v.verify()).toBe(true);
    expect(v.verify()).toBe(true);
    expect(() => v.update(image)).toThrow();
  });
});

describe('malformed input is false, never an exception', () => {
  const v = RFC8032_VECTORS[1];
  const pk = fromHexString(v.publicKey);
  const msg = fromHexString(v.message);
  const sig = fromHexString(v.signature);
  const { P, L } = ED25519_CONSTANTS;

  const littleEndian32 = (n: bigint): Uint8Array => Uint8Array.from({ length: 32 }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn));

  test.each<[string, Uint8Array, Uint8Array]>([
    ['a 31-byte public key', pk.subarray(0, 31), sig],
    ['a 63-byte signature', pk, sig.subarray(0, 63)],
    ['a 65-byte signature', pk, Uint8Array.from([...sig, 0])],
    ['a non-canonical public key (y = p)', littleEndian32(P), sig],
    ['a public key that is not on the curve (y = 2)', littleEndian32(2n), sig],
  ])('%s', (_name, key, signature) => {
    expect(ed25519Verify(key, msg, signature)).toBe(false);
  });

  test('S + L (malleated signature, S ≥ L) is refused', () => {
    const s = BigInt('0x' + hex(sig.slice(32).reverse()));
    const malleated = sig.slice();
    malleated.set(littleEndian32(s + L), 32);
    expect(ed25519Verify(pk, msg, malleated)).toBe(false);
  });

  test('non-Uint8Array arguments', () => {
    expect(ed25519Verify(undefined as unknown as Uint8Array, msg, sig)).toBe(false);
    expect(ed25519Verify(pk, msg, 'sig' as unknown as Uint8Array)).toBe(false);
  });

  test('2000 random signatures and keys never throw', () => {
    const r = rng(9);
    for (let i = 0; i < 2000; i++) {
      expect(() => ed25519Verify(randomBytes(r, 32), randomBytes(r, 8), randomBytes(r, 64))).not.toThrow();
    }
  });

  test('the caller’s key and signature bytes are not modified', () => {
    const key = pk.slice();
    key[31] |= 0x80;
    const before = hex(key);
    ed25519Verify(key, msg, sig);
    expect(hex(key)).toBe(before);
  });
});

describe('curve constants (RFC 8032 §5.1)', () => {
  const { P, L, D, SQRT_M1, BASE_X, BASE_Y } = ED25519_CONSTANTS;
  const mod = (a: bigint): bigint => ((a % P) + P) % P;

  test('d · 121666 ≡ -121665 (mod p)', () => {
    expect(mod(D * 121666n)).toBe(mod(-121665n));
  });

  test('sqrt(-1)² ≡ -1 (mod p)', () => {
    expect(mod(SQRT_M1 * SQRT_M1)).toBe(P - 1n);
  });

  test('B has y = 4/5, even x, and lies on -x² + y² = 1 + d x² y²', () => {
    expect(mod(BASE_Y * 5n)).toBe(4n);
    expect(BASE_X % 2n).toBe(0n);
    const x2 = mod(BASE_X * BASE_X);
    const y2 = mod(BASE_Y * BASE_Y);
    expect(mod(y2 - x2)).toBe(mod(1n + D * x2 * y2));
  });

  test('L = 2^252 + 27742317777372353535851937790883648493', () => {
    expect(L).toBe(2n ** 252n + 27742317777372353535851937790883648493n);
  });
});

describe('the SHA-512 comes from the hash factory given', () => {
  const v = RFC8032_VECTORS[2];
  const [publicKey, message, signature] = [fromHexString(v.publicKey), fromHexString(v.message), fromHexString(v.signature)];

  test('R || A || M go through the injected SHA-512, and the answer is the same', () => {
    const { hashes, bytes } = nodeHashes();
    expect(ed25519Verify(publicKey, message, signature, hashes)).toBe(true);
    expect(bytes).toEqual({ 'SHA-256': 0, 'SHA-512': 32 + 32 + message.length });
  });

  test('a factory that throws makes verification false, never an exception', () => {
    const failing: HashFactory = () => {
      throw new Error('no digest');
    };
    expect(ed25519Verify(publicKey, message, signature, failing)).toBe(false);
  });

  test('the default factory is the portable TypeScript SHA-256 and SHA-512', () => {
    expect(portableHash('SHA-256')).toBeInstanceOf(Sha256);
    expect(portableHash('SHA-512')).toBeInstanceOf(Sha512);
  });
});
