import { AES128_KEY_BYTES, AES_BLOCK_BYTES, BlockCipher } from './types';

/**
 * Portable AES-128 (FIPS-197) with 32-bit T-tables: the default BlockCipher on host and device.
 * State words are big-endian columns (row 0 in the top byte), as in FIPS-197 §3.5.
 */
const ROUNDS = 10;
const SCHEDULE_WORDS = 4 * (ROUNDS + 1);
/** FIPS-197 §4.2.1: reduction of x^8 in GF(2^8). */
const REDUCTION = 0x1b;
/** FIPS-197 §5.1.1: the affine constant of SubBytes. */
const AFFINE_CONSTANT = 0x63;
const GENERATOR = 3;

function xtime(b: number): number {
  return ((b << 1) ^ (b & 0x80 ? REDUCTION : 0)) & 0xff;
}

function gmul(a: number, b: number): number {
  let product = 0;
  for (; b > 0; b >>= 1, a = xtime(a)) if (b & 1) product ^= a;
  return product;
}

function rotl8(b: number, n: number): number {
  return ((b << n) | (b >> (8 - n))) & 0xff;
}

function ror32(w: number, n: number): number {
  return ((w >>> n) | (w << (32 - n))) >>> 0;
}

interface Tables {
  sbox: Uint8Array;
  inv: Uint8Array;
  te: Uint32Array[];
  td: Uint32Array[];
}

/** Built once from the field arithmetic (FIPS-197 §5.1.1, §5.1.3, §5.3.3) rather than typed in. */
const T: Tables = (() => {
  const exp = new Uint8Array(256);
  const log = new Uint8Array(256);
  for (let i = 0, x = 1; i < 255; i++, x = gmul(x, GENERATOR)) {
    exp[i] = x;
    log[x] = i;
  }
  const sbox = new Uint8Array(256);
  const inv = new Uint8Array(256);
  for (let a = 0; a < 256; a++) {
    const b = a === 0 ? 0 : exp[(255 - log[a]) % 255];
    const s = b ^ rotl8(b, 1) ^ rotl8(b, 2) ^ rotl8(b, 3) ^ rotl8(b, 4) ^ AFFINE_CONSTANT;
    sbox[a] = s;
    inv[s] = a;
  }
  const te = [0, 1, 2, 3].map(() => new Uint32Array(256));
  const td = [0, 1, 2, 3].map(() => new Uint32Array(256));
  for (let x = 0; x < 256; x++) {
    const s = sbox[x];
    const e = ((gmul(s, 2) << 24) | (s << 16) | (s << 8) | gmul(s, 3)) >>> 0;
    const si = inv[x];
    const d = ((gmul(si, 14) << 24) | (gmul(si, 9) << 16) | (gmul(si, 13) << 8) | gmul(si, 11)) >>> 0;
    for (let k = 0; k < 4; k++) {
      te[k][x] = ror32(e, 8 * k);
      td[k][x] = ror32(d, 8 * k);
    }
  }
  return { sbox, inv, te, td };
})();

const SBOX = T.sbox;
const INV_SBOX = T.inv;
const [TE0, TE1, TE2, TE3] = T.te;
const [TD0, TD1, TD2, TD3] = T.td;

function subWord(w: number): number {
  const s = SBOX;
  return ((s[w >>> 24] << 24) | (s[(w >>> 16) & 0xff] << 16) | (s[(w >>> 8) & 0xff] << 8) | s[w & 0xff]) >>> 0;
}

/** FIPS-197 §5.2 KeyExpansion for Nk = 4: 44 words. */
export function expandKey128(key: Uint8Array): Uint32Array {
  if (key.length !== AES128_KEY_BYTES) throw new RangeError(`AES-128 key must be ${AES128_KEY_BYTES} bytes, got ${key.length}`);
  const w = new Uint32Array(SCHEDULE_WORDS);
  for (let i = 0; i < 4; i++) w[i] = ((key[4 * i] << 24) | (key[4 * i + 1] << 16) | (key[4 * i + 2] << 8) | key[4 * i + 3]) >>> 0;
  let rcon = 1;
  for (let i = 4; i < SCHEDULE_WORDS; i++) {
    let temp = w[i - 1];
    if (i % 4 === 0) {
      temp = (subWord(((temp << 8) | (temp >>> 24)) >>> 0) ^ (rcon << 24)) >>> 0;
      rcon = xtime(rcon);
    }
    w[i] = (w[i - 4] ^ temp) >>> 0;
  }
  return w;
}

/** FIPS-197 §5.3.5 equivalent inverse cipher schedule: rounds reversed, InvMixColumns on the inner ones. */
function inverseSchedule(w: Uint32Array): Uint32Array {
  const d = new Uint32Array(SCHEDULE_WORDS);
  const s = SBOX;
  for (let r = 0; r <= ROUNDS; r++) {
    for (let j = 0; j < 4; j++) {
      const k = w[4 * (ROUNDS - r) + j];
      d[4 * r + j] =
        r === 0 || r === ROUNDS
          ? k
          : (TD0[s[k >>> 24]] ^ TD1[s[(k >>> 16) & 0xff]] ^ TD2[s[(k >>> 8) & 0xff]] ^ TD3[s[k & 0xff]]) >>> 0;
    }
  }
  return d;
}

function readWord(b: Uint8Array, i: number): number {
  return ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
}

function writeWord(b: Uint8Array, i: number, w: number): void {
  b[i] = w >>> 24;
  b[i + 1] = w >>> 16;
  b[i + 2] = w >>> 8;
  b[i + 3] = w;
}

function checkBlock(input: Uint8Array, output: Uint8Array): void {
  if (input.length !== AES_BLOCK_BYTES || output.length !== AES_BLOCK_BYTES) {
    throw new RangeError(`AES blocks are ${AES_BLOCK_BYTES} bytes, got ${input.length} → ${output.length}`);
  }
}

/** Encrypts one block with an expanded schedule (FIPS-197 §5.1). */
export function encryptBlockWith(w: Uint32Array, input: Uint8Array, output: Uint8Array): void {
  const s = SBOX;
  let s0 = readWord(input, 0) ^ w[0];
  let s1 = readWord(input, 4) ^ w[1];
  let s2 = readWord(input, 8) ^ w[2];
  let s3 = readWord(input, 12) ^ w[3];
  let k = 4;
  for (let r = 1; r < ROUNDS; r++, k += 4) {
    const t0 = TE0[s0 >>> 24] ^ TE1[(s1 >>> 16) & 0xff] ^ TE2[(s2 >>> 8) & 0xff] ^ TE3[s3 & 0xff] ^ w[k];
    const t1 = TE0[s1 >>> 24] ^ TE1[(s2 >>> 16) & 0xff] ^ TE2[(s3 >>> 8) & 0xff] ^ TE3[s0 & 0xff] ^ w[k + 1];
    const t2 = TE0[s2 >>> 24] ^ TE1[(s3 >>> 16) & 0xff] ^ TE2[(s0 >>> 8) & 0xff] ^ TE3[s1 & 0xff] ^ w[k + 2];
    const t3 = TE0[s3 >>> 24] ^ TE1[(s0 >>> 16) & 0xff] ^ TE2[(s1 >>> 8) & 0xff] ^ TE3[s2 & 0xff] ^ w[k + 3];
    s0 = t0;
    s1 = t1;
    s2 = t2;
    s3 = t3;
  }
  // Last round: SubBytes and ShiftRows without MixColumns.
  writeWord(output, 0, ((s[s0 >>> 24] << 24) | (s[(s1 >>> 16) & 0xff] << 16) | (s[(s2 >>> 8) & 0xff] << 8) | s[s3 & 0xff]) ^ w[k]);
  writeWord(output, 4, ((s[s1 >>> 24] << 24) | (s[(s2 >>> 16) & 0xff] << 16) | (s[(s3 >>> 8) & 0xff] << 8) | s[s0 & 0xff]) ^ w[k + 1]);
  writeWord(output, 8, ((s[s2 >>> 24] << 24) | (s[(s3 >>> 16) & 0xff] << 16) | (s[(s0 >>> 8) & 0xff] << 8) | s[s1 & 0xff]) ^ w[k + 2]);
  writeWord(output, 12, ((s[s3 >>> 24] << 24) | (s[(s0 >>> 16) & 0xff] << 16) | (s[(s1 >>> 8) & 0xff] << 8) | s[s2 & 0xff]) ^ w[k + 3]);
}

/** Decrypts one block with an inverse schedule from `inverseSchedule` (FIPS-197 §5.3.5). */
function decryptBlockWith(d: Uint32Array, input: Uint8Array, output: Uint8Array): void {
  const si = INV_SBOX;
  let s0 = readWord(input, 0) ^ d[0];
  let s1 = readWord(input, 4) ^ d[1];
  let s2 = readWord(input, 8) ^ d[2];
  let s3 = readWord(input, 12) ^ d[3];
  let k = 4;
  for (let r = 1; r < ROUNDS; r++, k += 4) {
    const t0 = TD0[s0 >>> 24] ^ TD1[(s3 >>> 16) & 0xff] ^ TD2[(s2 >>> 8) & 0xff] ^ TD3[s1 & 0xff] ^ d[k];
    const t1 = TD0[s1 >>> 24] ^ TD1[(s0 >>> 16) & 0xff] ^ TD2[(s3 >>> 8) & 0xff] ^ TD3[s2 & 0xff] ^ d[k + 1];
    const t2 = TD0[s2 >>> 24] ^ TD1[(s1 >>> 16) & 0xff] ^ TD2[(s0 >>> 8) & 0xff] ^ TD3[s3 & 0xff] ^ d[k + 2];
    const t3 = TD0[s3 >>> 24] ^ TD1[(s2 >>> 16) & 0xff] ^ TD2[(s1 >>> 8) & 0xff] ^ TD3[s0 & 0xff] ^ d[k + 3];
    s0 = t0;
    s1 = t1;
    s2 = t2;
    s3 = t3;
  }
  writeWord(output, 0, ((si[s0 >>> 24] << 24) | (si[(s3 >>> 16) & 0xff] << 16) | (si[(s2 >>> 8) & 0xff] << 8) | si[s1 & 0xff]) ^ d[k]);
  writeWord(output, 4, ((si[s1 >>> 24] << 24) | (si[(s0 >>> 16) & 0xff] << 16) | (si[(s3 >>> 8) & 0xff] << 8) | si[s2 & 0xff]) ^ d[k + 1]);
  writeWord(output, 8, ((si[s2 >>> 24] << 24) | (si[(s1 >>> 16) & 0xff] << 16) | (si[(s0 >>> 8) & 0xff] << 8) | si[s3 & 0xff]) ^ d[k + 2]);
  writeWord(output, 12, ((si[s3 >>> 24] << 24) | (si[(s2 >>> 16) & 0xff] << 16) | (si[(s1 >>> 8) & 0xff] << 8) | si[s0 & 0xff]) ^ d[k + 3]);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The portable BlockCipher: keeps the schedules of the last key it was given. */
export class Aes128 implements BlockCipher {
  readonly blockBytes = AES_BLOCK_BYTES;
  private key: Uint8Array = new Uint8Array(0);
  private schedule: Uint32Array = new Uint32Array(0);
  private inverse: Uint32Array | undefined;

  private scheduleFor(key: Uint8Array): Uint32Array {
    if (!sameBytes(key, this.key)) {
      this.schedule = expandKey128(key);
      this.key = new Uint8Array(key);
      this.inverse = undefined;
    }
    return this.schedule;
  }

  encryptBlock(key: Uint8Array, input: Uint8Array, output: Uint8Array): void {
    checkBlock(input, output);
    encryptBlockWith(this.scheduleFor(key), input, output);
  }

  decryptBlock(key: Uint8Array, input: Uint8Array, output: Uint8Array): void {
    checkBlock(input, output);
    const schedule = this.scheduleFor(key);
    this.inverse ??= inverseSchedule(schedule);
    decryptBlockWith(this.inverse, input, output);
  }
}
