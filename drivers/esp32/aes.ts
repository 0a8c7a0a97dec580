import { AES128_KEY_BYTES, AES_BLOCK_BYTES, type BlockCipher } from '../../protocol/crypto/types';

/**
 * The part of Moddable's `crypt` BlockCipher used here (modules/crypt/digest/crypt.js). The native
 * side reads the key, the data and the result as ArrayBuffers, so only ArrayBuffers are passed.
 */
export interface ModdableBlockCipher {
  encrypt(data: ArrayBuffer, result: ArrayBuffer): ArrayBuffer;
  decrypt(data: ArrayBuffer, result: ArrayBuffer): ArrayBuffer;
}

/** `new BlockCipher("AES", key)`: the key schedule is built natively from a 16, 24 or 32-byte key. */
export interface ModdableBlockCipherClass {
  new (cipher: 'AES', key: ArrayBuffer): ModdableBlockCipher;
}

function checkSizes(key: Uint8Array, input: Uint8Array, output: Uint8Array): void {
  if (key.length !== AES128_KEY_BYTES) throw new RangeError(`AES-128 key must be ${AES128_KEY_BYTES} bytes, got ${key.length}`);
  if (input.length !== AES_BLOCK_BYTES || output.length !== AES_BLOCK_BYTES) {
    throw new RangeError(`AES blocks are ${AES_BLOCK_BYTES} bytes, got ${input.length} in and ${output.length} out`);
  }
}

/**
 * AES-128 on one block through the SDK's native `crypt` module instead of the portable TypeScript
 * rounds. The interface passes the key with every block, so the native cipher of the last key is
 * kept and rebuilt only when the key changes. Blocks travel through two scratch ArrayBuffers, which
 * also makes `input` and `output` being the same array harmless.
 */
export class Esp32Aes implements BlockCipher {
  readonly blockBytes = AES_BLOCK_BYTES;
  private readonly Cipher: ModdableBlockCipherClass;
  private readonly inBuffer = new ArrayBuffer(AES_BLOCK_BYTES);
  private readonly outBuffer = new ArrayBuffer(AES_BLOCK_BYTES);
  private readonly inBytes = new Uint8Array(this.inBuffer);
  private readonly outBytes = new Uint8Array(this.outBuffer);
  private readonly cachedKey = new Uint8Array(AES128_KEY_BYTES);
  private cipher: ModdableBlockCipher | undefined;

  constructor(Cipher: ModdableBlockCipherClass) {
    this.Cipher = Cipher;
  }

  encryptBlock(key: Uint8Array, input: Uint8Array, output: Uint8Array): void {
    checkSizes(key, input, output);
    const cipher = this.cipherFor(key);
    this.inBytes.set(input);
    cipher.encrypt(this.inBuffer, this.outBuffer);
    output.set(this.outBytes);
  }

  decryptBlock(key: Uint8Array, input: Uint8Array, output: Uint8Array): void {
    checkSizes(key, input, output);
    const cipher = this.cipherFor(key);
    this.inBytes.set(input);
    cipher.decrypt(this.inBuffer, this.outBuffer);
    output.set(this.outBytes);
  }

  private cipherFor(key: Uint8Array): ModdableBlockCipher {
    if (this.cipher !== undefined && this.sameKey(key)) return this.cipher;
    // Forget the old key first: a constructor that throws must not leave it paired with a new key.
    this.cipher = undefined;
    const copy = new Uint8Array(AES128_KEY_BYTES);
    copy.set(key);
    const cipher = new this.Cipher('AES', copy.buffer);
    this.cachedKey.set(key);
    this.cipher = cipher;
    return cipher;
  }

  private sameKey(key: Uint8Array): boolean {
    for (let i = 0; i < AES128_KEY_BYTES; i++) if (this.cachedKey[i] !== key[i]) return false;
    return true;
  }
}
