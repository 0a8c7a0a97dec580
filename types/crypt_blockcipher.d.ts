/**
 * Moddable's `crypt` BlockCipher (modules/crypt/digest/crypt.js). The SDK's own typings declare only
 * `Digest` for this module; this ambient declaration merges with them in the device build (listed in
 * manifest.json `typescript.types`) and stands alone for the repository's type check.
 */
declare module 'crypt' {
  /** modules/crypt/digest: `encrypt`/`decrypt` one block; the result buffer is filled and returned. */
  export class BlockCipher {
    constructor(cipher: 'AES' | 'DES' | 'TDES', key: ArrayBuffer);
    encrypt(data: ArrayBuffer, result?: ArrayBuffer): ArrayBuffer;
    decrypt(data: ArrayBuffer, result?: ArrayBuffer): ArrayBuffer;
    readonly keySize: number;
    readonly blockSize: number;
  }
}
