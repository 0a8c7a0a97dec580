/**
 * AES-CMAC (RFC 4493) over the portable AES-128, for the simulated meters' OMS security mode 7 (key
 * derivation and the AFL MAC, OMS Vol. 2 §9.2). Host-side simulator code: it stays out of the device image.
 */
import { Aes128 } from '../../protocol/crypto/aes128';
import { AES_BLOCK_BYTES, BlockCipher } from '../../protocol/crypto/types';

/** RFC 4493 §2.3: R_128, the constant folded in when the doubled subkey overflows. */
const RB = 0x87;
const MSB = 0x80;
/** RFC 4493 §2.4: padding is one 1 bit then zeros. */
const PAD_FIRST = 0x80;

/** Doubling in GF(2^128): shift left one bit, folding R_128 in when the top bit falls off. */
function double(block: Uint8Array): Uint8Array {
  const out = new Uint8Array(AES_BLOCK_BYTES);
  for (let i = 0; i < AES_BLOCK_BYTES; i++) {
    out[i] = ((block[i] << 1) | (i + 1 < AES_BLOCK_BYTES ? block[i + 1] >> 7 : 0)) & 0xff;
  }
  if ((block[0] & MSB) !== 0) out[AES_BLOCK_BYTES - 1] ^= RB;
  return out;
}

/** The 16-byte CMAC of `message` under a 16-byte key; truncate the result for shorter MACs. */
export function aesCmac(key: Uint8Array, message: Uint8Array, cipher: BlockCipher = new Aes128()): Uint8Array {
  const l = new Uint8Array(AES_BLOCK_BYTES);
  cipher.encryptBlock(key, l, l);
  const k1 = double(l);
  const blocks = Math.max(1, Math.ceil(message.length / AES_BLOCK_BYTES));
  const lastStart = (blocks - 1) * AES_BLOCK_BYTES;
  const complete = message.length > 0 && message.length % AES_BLOCK_BYTES === 0;
  // RFC 4493 §2.4 step 4: a complete last block is masked with K1, a padded one with K2.
  const subkey = complete ? k1 : double(k1);
  const last = new Uint8Array(AES_BLOCK_BYTES);
  last.set(message.subarray(lastStart));
  if (!complete) last[message.length - lastStart] = PAD_FIRST;
  const x = new Uint8Array(AES_BLOCK_BYTES);
  for (let at = 0; at < lastStart; at += AES_BLOCK_BYTES) {
    for (let i = 0; i < AES_BLOCK_BYTES; i++) x[i] ^= message[at + i];
    cipher.encryptBlock(key, x, x);
  }
  for (let i = 0; i < AES_BLOCK_BYTES; i++) x[i] ^= last[i] ^ subkey[i];
  cipher.encryptBlock(key, x, x);
  return x;
}
