/**
 * AES-128 in counter mode (NIST SP 800-38A §6.5) for the simulated meters' encrypted ELL (EN 13757-4
 * §13.2.12). The counter block is incremented as one 128-bit big-endian number, which for the ELL's IV
 * steps the block counter BC, its last byte. Encryption and decryption are the same operation.
 * Host-side simulator code: it stays out of the device image.
 */
import { Aes128 } from '../../protocol/crypto/aes128';
import { AES_BLOCK_BYTES, BlockCipher } from '../../protocol/crypto/types';

/** XORs `data` with the key stream starting at counter block `iv` (16 bytes); returns a new array. */
export function aesCtr(key: Uint8Array, iv: Uint8Array, data: Uint8Array, cipher: BlockCipher = new Aes128()): Uint8Array {
  if (iv.length !== AES_BLOCK_BYTES) throw new RangeError(`CTR counter block must be ${AES_BLOCK_BYTES} bytes, got ${iv.length}`);
  const out = new Uint8Array(data.length);
  const counter = new Uint8Array(iv);
  const stream = new Uint8Array(AES_BLOCK_BYTES);
  for (let at = 0; at < data.length; at += AES_BLOCK_BYTES) {
    cipher.encryptBlock(key, counter, stream);
    const n = Math.min(AES_BLOCK_BYTES, data.length - at);
    for (let i = 0; i < n; i++) out[at + i] = data[at + i] ^ stream[i];
    for (let i = AES_BLOCK_BYTES - 1; i >= 0; i--) {
      counter[i] = (counter[i] + 1) & 0xff;
      if (counter[i] !== 0) break;
    }
  }
  return out;
}
