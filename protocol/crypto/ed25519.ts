import { portableHash } from './hash';
import type { Hash, HashFactory } from './types';
import { freezeTable } from '../freeze';

/**
 * Ed25519 signature verification (RFC 8032 §5.1.7), for firmware image signatures. Verify only:
 * the device never signs. BigInt field arithmetic, extended twisted Edwards coordinates (§5.1.4).
 * The check is the cofactorless one, `encode([S]B - [k]A) == R` with S < L and canonical encodings,
 * which accepts exactly what OpenSSL (Node's crypto.verify) accepts for honestly made signatures.
 */
export const ED25519_PUBLIC_KEY_BYTES = 32;
export const ED25519_SIGNATURE_BYTES = 64;
const POINT_BYTES = 32;

/** §5.1: p = 2^255 - 19. */
const P = (1n << 255n) - 19n;
/** §5.1: the order of the base point, L = 2^252 + 27742317777372353535851937790883648493. */
const L = (1n << 252n) + 27742317777372353535851937790883648493n;
/** §5.1: d = -121665 / 121666 mod p. */
const D = 37095705934669439343138083508754565189542113879843219016388785533085940283555n;
const D2 = (2n * D) % P;
/** sqrt(-1) mod p = 2^((p-1)/4), used by the square root in point decoding (§5.1.3 step 3). */
const SQRT_M1 = 19681161376707505956807079304988542015446066515923890162744021073123829784752n;
/** §5.1: the base point B, y = 4/5 and x positive (even). */
const BASE_X = 15112221349535400772501151409588531511454012693041857206046113283949847762202n;
const BASE_Y = 46316835694926478169428394003475163141307993866256225615783033603165251855960n;
const SIGN_BIT = 0x80;
const Y_MASK = 0x7f;

/** Extended coordinates: x = X/Z, y = Y/Z, x*y = T/Z. */
interface Point {
  X: bigint;
  Y: bigint;
  Z: bigint;
  T: bigint;
}

function mod(a: bigint, m = P): bigint {
  const r = a % m;
  return r < 0n ? r + m : r;
}

function modPow(base: bigint, exponent: bigint): bigint {
  let result = 1n;
  let b = mod(base);
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % P;
    b = (b * b) % P;
  }
  return result;
}

function inverse(a: bigint): bigint {
  return modPow(a, P - 2n);
}

const IDENTITY: Point = freezeTable({ X: 0n, Y: 1n, Z: 1n, T: 0n });
const BASE: Point = freezeTable({ X: BASE_X, Y: BASE_Y, Z: 1n, T: (BASE_X * BASE_Y) % P });

/** §5.1.4 addition (a = -1). */
function add(p: Point, q: Point): Point {
  const a = ((p.Y - p.X) * (q.Y - q.X)) % P;
  const b = ((p.Y + p.X) * (q.Y + q.X)) % P;
  const c = (((p.T * D2) % P) * q.T) % P;
  const d = (2n * p.Z * q.Z) % P;
  const e = b - a;
  const f = d - c;
  const g = d + c;
  const h = b + a;
  return { X: mod(e * f), Y: mod(g * h), T: mod(e * h), Z: mod(f * g) };
}

/** §5.1.4 doubling. */
function double(p: Point): Point {
  const a = (p.X * p.X) % P;
  const b = (p.Y * p.Y) % P;
  const c = (2n * p.Z * p.Z) % P;
  const h = a + b;
  const s = (p.X + p.Y) % P;
  const e = h - s * s;
  const g = a - b;
  const f = c + g;
  return { X: mod(e * f), Y: mod(g * h), T: mod(e * h), Z: mod(f * g) };
}

function negate(p: Point): Point {
  return { X: mod(-p.X), Y: p.Y, Z: p.Z, T: mod(-p.T) };
}

/** [a]P + [b]Q by one shared double-and-add pass (Straus). */
function doubleScalarMultiply(a: bigint, p: Point, b: bigint, q: Point): Point {
  const both = add(p, q);
  let r = IDENTITY;
  const bits = Math.max(a.toString(2).length, b.toString(2).length);
  for (let i = BigInt(bits - 1); i >= 0n; i--) {
    r = double(r);
    const ai = (a >> i) & 1n;
    const bi = (b >> i) & 1n;
    if (ai && bi) r = add(r, both);
    else if (ai) r = add(r, p);
    else if (bi) r = add(r, q);
  }
  return r;
}

function littleEndian(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]);
  return n;
}

/** §5.1.2 encoding: y little-endian with the low bit of x in bit 255. */
function encodePoint(p: Point): Uint8Array {
  const zInv = inverse(p.Z);
  const x = (p.X * zInv) % P;
  let y = (p.Y * zInv) % P;
  const out = new Uint8Array(POINT_BYTES);
  for (let i = 0; i < POINT_BYTES; i++, y >>= 8n) out[i] = Number(y & 0xffn);
  if (x & 1n) out[POINT_BYTES - 1] |= SIGN_BIT;
  return out;
}

/** §5.1.3 decoding; undefined when the bytes are not a canonical curve point. */
function decodePoint(bytes: Uint8Array): Point | undefined {
  const top = bytes[POINT_BYTES - 1];
  const xSign = (top & SIGN_BIT) !== 0;
  const yBytes = new Uint8Array(bytes);
  yBytes[POINT_BYTES - 1] = top & Y_MASK;
  const y = littleEndian(yBytes);
  if (y >= P) return undefined;
  const yy = (y * y) % P;
  const u = mod(yy - 1n);
  const v = mod(D * yy + 1n);
  const v3 = (((v * v) % P) * v) % P;
  const v7 = (((v3 * v3) % P) * v) % P;
  let x = (((u * v3) % P) * modPow((u * v7) % P, (P - 5n) / 8n)) % P;
  const vxx = (((x * x) % P) * v) % P;
  if (vxx !== u) {
    if (vxx !== mod(-u)) return undefined;
    x = (x * SQRT_M1) % P;
  }
  if (x === 0n && xSign) return undefined;
  if (((x & 1n) === 1n) !== xSign) x = P - x;
  return { X: x, Y: y, Z: 1n, T: (x * y) % P };
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

/**
 * Streaming verifier: pure Ed25519 hashes R || A || M, so a large image can be fed in chunks.
 * `verify()` answers once (later calls repeat the answer); `update` after `verify` throws.
 * `hashes` supplies the SHA-512 (a native one on the device); the portable one by default.
 */
export class Ed25519Verifier {
  private readonly hash: Hash;
  private readonly point: Point | undefined;
  private readonly r: Uint8Array;
  private readonly s: bigint;
  private result: boolean | undefined;

  constructor(publicKey: Uint8Array, signature: Uint8Array, hashes: HashFactory = portableHash) {
    this.hash = hashes('SHA-512');
    const shaped =
      publicKey instanceof Uint8Array &&
      signature instanceof Uint8Array &&
      publicKey.length === ED25519_PUBLIC_KEY_BYTES &&
      signature.length === ED25519_SIGNATURE_BYTES;
    this.r = shaped ? new Uint8Array(signature.subarray(0, POINT_BYTES)) : new Uint8Array(POINT_BYTES);
    this.s = shaped ? littleEndian(signature.subarray(POINT_BYTES)) : L;
    this.point = shaped ? decodePoint(publicKey) : undefined;
    if (shaped) this.hash.update(this.r).update(publicKey);
  }

  update(chunk: Uint8Array): this {
    if (this.result !== undefined) throw new Error('Ed25519Verifier: update after verify');
    this.hash.update(chunk);
    return this;
  }

  verify(): boolean {
    if (this.result !== undefined) return this.result;
    this.result = false;
    // §5.1.7 step 1: S must be below L; A must decode.
    if (this.point === undefined || this.s >= L) return false;
    const k = mod(littleEndian(this.hash.digest()), L);
    const check = doubleScalarMultiply(this.s, BASE, k, negate(this.point));
    this.result = equalBytes(encodePoint(check), this.r);
    return this.result;
  }
}

/** Whether `signature` is a valid Ed25519 signature of `message` under `publicKey`. Never throws. */
export function ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array, hashes: HashFactory = portableHash): boolean {
  try {
    return new Ed25519Verifier(publicKey, signature, hashes).update(message).verify();
  } catch {
    return false;
  }
}

/** Curve constants, exported for the tests that re-derive them. */
export const ED25519_CONSTANTS = freezeTable({ P, L, D, SQRT_M1, BASE_X, BASE_Y } as const);
