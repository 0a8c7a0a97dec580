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
