/** The device's SHA-256/SHA-512 (Moddable's native `crypt` Digest) behind the image checks, on a Node-backed fake. */
import { createHash, type Hash as NodeHash } from 'crypto';
import { esp32Hashes, type ModdableDigest } from '../../drivers/esp32/digest';
import { ed25519Verify } from '../../protocol/crypto/ed25519';
import { portableHash } from '../../protocol/crypto/hash';
import type { HashAlgorithm } from '../../protocol/crypto/types';
import { buildImage, bytesSource, verifyImage } from '../../protocol/firmware/image';
import { FIRMWARE_PUBLIC_KEY } from '../../tasks/firmware/keys';
import { signWithTestKey } from '../fixtures/firmware-test-key';
import { fromHexString, hex, randomBytes, rng } from '../files/fixtures';
import { RFC8032_VECTORS } from '../crypto/rfc8032-vectors';

const ALGORITHMS: readonly HashAlgorithm[] = ['SHA-256', 'SHA-512'];
const BLOCK_BYTES: Readonly<Record<HashAlgorithm, number>> = { 'SHA-256': 64, 'SHA-512': 128 };
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

/**
 * `new Digest("SHA256" | "SHA512")` of modules/crypt, hashing with Node's OpenSSL. Like the native
 * side it refuses an unknown name; unlike it, it refuses strings too (the driver passes only
 * ArrayBuffers) and a write after `close` (modCrypt.c would hash into a finished context).
 */
class FakeDigest implements ModdableDigest {
  static created: string[] = [];
  /** Every buffer written, as passed. */
  static writes: ArrayBuffer[] = [];
  private readonly node: NodeHash;
  private closed = false;

  constructor(type: 'SHA256' | 'SHA512') {
    if (type !== 'SHA256' && type !== 'SHA512') throw new Error('crypt: unsupported digest');
    FakeDigest.created.push(type);
    this.node = createHash(type === 'SHA256' ? 'sha256' : 'sha512');
  }

  write(data: ArrayBuffer): void {
    if (!(data instanceof ArrayBuffer)) throw new TypeError('write: not an ArrayBuffer');
    if (this.closed) throw new Error('write after close');
    FakeDigest.writes.push(data);
    this.node.update(new Uint8Array(data));
  }

  close(): ArrayBuffer {
    if (this.closed) throw new Error('close twice');
    this.closed = true;
    const out = this.node.digest();
    return new Uint8Array(out).buffer;
  }
}

const hashes = esp32Hashes(FakeDigest);

beforeEach(() => {
  FakeDigest.created = [];
  FakeDigest.writes = [];
});

describe('Esp32 digests (Moddable crypt Digest)', () => {
  test('FIPS 180-4 examples: SHA-256 and SHA-512 of "abc"', () => {
    expect(hex(hashes('SHA-256').update(text('abc')).digest())).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hex(hashes('SHA-512').update(text('abc')).digest())).toBe(
      'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
    );
  });

  test('the SDK is asked for its own names, one native Digest per message', () => {
    hashes('SHA-256');
    hashes('SHA-512');
    expect(FakeDigest.created).toEqual(['SHA256', 'SHA512']);
  });

  test.each(ALGORITHMS)('%s agrees byte for byte with the portable one, for lengths around the block size fed in uneven pieces', (algorithm) => {
    const r = rng(algorithm.length);
    const block = BLOCK_BYTES[algorithm];
    for (const n of [0, 1, block - 9, block - 1, block, block + 1, 2 * block + 17, 1000, 4096]) {
      const data = randomBytes(r, n);
      const native = hashes(algorithm);
      const portable = portableHash(algorithm);
      for (let at = 0; at < n; ) {
        const step = 1 + Math.floor(r() * block * 1.5);
        native.update(data.subarray(at, at + step));
        portable.update(data.subarray(at, at + step));
        at += step;
      }
      expect(hex(native.digest())).toBe(hex(portable.digest()));
    }
  });

  test('a view into a larger buffer hashes only its own bytes; a whole buffer is passed as it is', () => {
    const backing = Uint8Array.from({ length: 100 }, (_, i) => i);
    const view = backing.subarray(10, 30);
    const h = hashes('SHA-256');
    h.update(view);
    h.update(backing);
    expect(FakeDigest.writes.map((b) => b.byteLength)).toEqual([20, 100]);
    expect(FakeDigest.writes[0]).not.toBe(backing.buffer);
    expect(FakeDigest.writes[1]).toBe(backing.buffer);
    expect(hex(h.digest())).toBe(createHash('sha256').update(view).update(backing).digest('hex'));
  });

  test('an empty piece is not written', () => {
    const h = hashes('SHA-512');
    h.update(new Uint8Array(0)).update(new Uint8Array(8).subarray(4, 4));
    expect(FakeDigest.writes).toEqual([]);
    expect(hex(h.digest())).toBe(createHash('sha512').digest('hex'));
  });

  test('update after digest and a second digest throw, as with the portable hashes', () => {
    const h = hashes('SHA-256');
    h.update(text('abc')).digest();
    expect(() => h.update(text('d'))).toThrow('SHA-256: update after digest');
    expect(() => h.digest()).toThrow('SHA-256: digest called twice');
  });

  test('RFC 8032 §7.1 vectors verify with SHA-512 from the native digest', () => {
    for (const v of RFC8032_VECTORS) {
      expect(ed25519Verify(fromHexString(v.publicKey), fromHexString(v.message), fromHexString(v.signature), hashes)).toBe(true);
    }
    expect(FakeDigest.created.every((name) => name === 'SHA512')).toBe(true);
  });

  test('a signed image passes every check with the native digests, and a flipped payload bit fails integrity', () => {
    const payload = Uint8Array.from({ length: 5000 }, (_, i) => (i * 13 + 1) & 0xff);
    const image = buildImage({ boardId: 'wmbus-esp32-v1', version: '3.0.0', versionNumber: 300 }, payload, signWithTestKey);
    const options = { boardId: 'wmbus-esp32-v1', publicKey: FIRMWARE_PUBLIC_KEY, maxPayloadBytes: 64 * 1024, hashes };
    expect(verifyImage(bytesSource(image), options)).toMatchObject({ ok: true, header: { version: '3.0.0', versionNumber: 300 } });
    expect(FakeDigest.created).toEqual(['SHA256', 'SHA512']);
    const bad = image.slice();
    bad[100] ^= 0x01;
    expect(verifyImage(bytesSource(bad), options)).toMatchObject({ ok: false, check: 'integrity' });
  });
});
