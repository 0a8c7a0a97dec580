import { Aes128 } from './aes128';
import { AES128_KEY_BYTES, AES_BLOCK_BYTES, BlockCipher } from './types';
import { freezeTable } from '../freeze';

/** The fixed IV of the manual's file encryption (§4.2.1.2). */
export const FILE_IV: readonly number[] = freezeTable([
  0xc0, 0x50, 0x3e, 0xcd, 0xe3, 0xdb, 0x6b, 0x2e, 0x52, 0xf5, 0x9b, 0x95, 0xb6, 0xf1, 0x9b, 0x58,
]);

/** Module-local copy: hot loops read it per byte, and a CommonJS build turns imports into getters. */
const BLOCK = AES_BLOCK_BYTES;

export type CbcResult = { ok: true; bytes: Uint8Array } | { ok: false; error: string };

export interface CbcOptions {
  /** Defaults to FILE_IV. */
  iv?: Uint8Array;
  /** Defaults to the portable Aes128; the device may pass its native AES. */
  cipher?: BlockCipher;
}

function checkParameters(key: Uint8Array, iv: Uint8Array): string | undefined {
  if (!(key instanceof Uint8Array) || key.length !== AES128_KEY_BYTES) return `key must be ${AES128_KEY_BYTES} bytes, got ${key?.length}`;
  if (iv.length !== AES_BLOCK_BYTES) return `IV must be ${AES_BLOCK_BYTES} bytes, got ${iv.length}`;
  return undefined;
}

/** AES-128-CBC with PKCS#5/#7 padding (always 1..16 bytes added). */
export function aesCbcEncrypt(plain: Uint8Array, key: Uint8Array, options: CbcOptions = {}): CbcResult {
  const iv = options.iv ?? Uint8Array.from(FILE_IV);
  const problem = checkParameters(key, iv);
  if (problem !== undefined) return { ok: false, error: problem };
  const cipher = options.cipher ?? new Aes128();
  const pad = BLOCK - (plain.length % BLOCK);
  const out = new Uint8Array(plain.length + pad);
  out.set(plain);
  out.fill(pad, plain.length);
  const block = new Uint8Array(iv);
  for (let at = 0; at < out.length; at += BLOCK) {
    for (let i = 0; i < BLOCK; i++) block[i] ^= out[at + i];
    cipher.encryptBlock(key, block, block);
    out.set(block, at);
  }
  return { ok: true, bytes: out };
}

/** Inverse of aesCbcEncrypt. A wrong key almost always shows as bad padding. Never throws. */
export function aesCbcDecrypt(data: Uint8Array, key: Uint8Array, options: CbcOptions = {}): CbcResult {
  const iv = options.iv ?? Uint8Array.from(FILE_IV);
  const problem = checkParameters(key, iv);
  if (problem !== undefined) return { ok: false, error: problem };
  if (data.length === 0 || data.length % BLOCK !== 0) {
    return { ok: false, error: `ciphertext length ${data.length} is not a positive multiple of ${BLOCK}` };
  }
  const cipher = options.cipher ?? new Aes128();
  const out = new Uint8Array(data.length);
  const previous = new Uint8Array(iv);
  const block = new Uint8Array(BLOCK);
  try {
    for (let at = 0; at < data.length; at += BLOCK) {
      const chunk = data.subarray(at, at + BLOCK);
      cipher.decryptBlock(key, chunk, block);
      for (let i = 0; i < BLOCK; i++) out[at + i] = block[i] ^ previous[i];
      previous.set(chunk);
    }
  } catch (e) {
    return { ok: false, error: `block cipher failed: ${e instanceof Error ? e.message : String(e)}` };
  }
  const pad = out[out.length - 1];
  let valid = pad >= 1 && pad <= BLOCK;
  for (let i = 1; valid && i <= pad; i++) valid = out[out.length - i] === pad;
  if (!valid) return { ok: false, error: 'bad PKCS#5 padding (wrong key or corrupted file)' };
  return { ok: true, bytes: out.slice(0, out.length - pad) };
}
