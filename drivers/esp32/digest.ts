import type { Hash, HashAlgorithm, HashFactory } from '../../protocol/crypto/types';
import { freezeTable } from '../../protocol/freeze';

/**
 * The part of Moddable's `crypt` Digest used here (modules/crypt/digest/crypt.js, modCrypt.c). The
 * native side also takes strings, which would be hashed up to their first NUL, so only ArrayBuffers
 * are passed; `close` ends the message and returns the digest in a new ArrayBuffer.
 */
export interface ModdableDigest {
  write(data: ArrayBuffer): void;
  close(): ArrayBuffer;
}

/** `new Digest("SHA256")`: the SDK's names for the algorithms, without the dash. */
export interface ModdableDigestClass {
  new (type: 'SHA256' | 'SHA512'): ModdableDigest;
}

const SDK_NAMES: Readonly<Record<HashAlgorithm, 'SHA256' | 'SHA512'>> = freezeTable({ 'SHA-256': 'SHA256', 'SHA-512': 'SHA512' });

/**
 * One message through a native Digest. A view that covers its whole buffer is handed over as it is;
 * any other view (a payload slice of a received chunk) is copied into an ArrayBuffer of its own
 * length, since `write` takes a buffer whole and has no offset or length.
 */
class Esp32Hash implements Hash {
  private finished = false;

  constructor(
    private readonly native: ModdableDigest,
    private readonly algorithm: HashAlgorithm,
  ) {}

  update(data: Uint8Array): this {
    if (this.finished) throw new Error(`${this.algorithm}: update after digest`);
    if (data.length === 0) return this;
    const whole = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength && data.buffer instanceof ArrayBuffer;
    this.native.write(whole ? (data.buffer as ArrayBuffer) : (data.slice().buffer as ArrayBuffer));
    return this;
  }

  digest(): Uint8Array {
    if (this.finished) throw new Error(`${this.algorithm}: digest called twice`);
    this.finished = true;
    return new Uint8Array(this.native.close());
  }
}

/**
 * SHA-256 and SHA-512 in C through the SDK's `crypt` module instead of the portable TypeScript
 * rounds (protocol/crypto/sha256.ts, sha512.ts), which cost the firmware install most of its CPU
 * time in XS (docs/benchmarks.md, "Firmware install (XS)"). One native Digest per message.
 */
export function esp32Hashes(Digest: ModdableDigestClass): HashFactory {
  return (algorithm: HashAlgorithm): Hash => new Esp32Hash(new Digest(SDK_NAMES[algorithm]), algorithm);
}
