/** AES block and AES-128 key sizes in bytes (FIPS-197). */
export const AES_BLOCK_BYTES = 16;
export const AES128_KEY_BYTES = 16;

/**
 * A 16-byte block cipher keyed per call, so a hardware or native implementation (Moddable's
 * `crypt` Cipher("AES") on the ESP32) can stand in for the portable `Aes128`. Implementations may
 * cache the key schedule of the last key seen. `input` and `output` are exactly one block each and
 * may be the same array. Sizes are the caller's contract: a wrong key or block length throws RangeError.
 */
export interface BlockCipher {
  readonly blockBytes: number;
  encryptBlock(key: Uint8Array, input: Uint8Array, output: Uint8Array): void;
  decryptBlock(key: Uint8Array, input: Uint8Array, output: Uint8Array): void;
}

/** The digests the firmware needs: SHA-256 for the image payload, SHA-512 inside Ed25519 (RFC 8032). */
export type HashAlgorithm = 'SHA-256' | 'SHA-512';

/**
 * An incremental FIPS 180-4 digest, so a native implementation (Moddable's `crypt` Digest on the
 * ESP32) can stand in for the portable `Sha256`/`Sha512`. `update` takes the message in pieces of
 * any size (the bytes are read during the call only); `digest` ends the message and may be called
 * once; `update` after it throws.
 */
export interface Hash {
  update(data: Uint8Array): this;
  digest(): Uint8Array;
}

/** A fresh hash of `algorithm` per message. */
export type HashFactory = (algorithm: HashAlgorithm) => Hash;
