/** Seeded randomness and random BSON documents built twice: in our value model and for the npm `bson` oracle. */
import { Binary, Double } from 'bson';
import { BsonBinary, BsonDocument, BsonDouble, BsonValue, BSON_BINARY_GENERIC, BSON_BINARY_USER } from '../../protocol/bson/types';

/** mulberry32: small, deterministic, good enough to drive fuzzing. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Rng = () => number;

export const int = (r: Rng, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
export const pick = <T>(r: Rng, items: readonly T[]): T => items[int(r, 0, items.length - 1)];

export function randomBytes(r: Rng, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = int(r, 0, 255);
  return out;
}

const TEXT_PIECES = ['a', 'Z', '0', ' ', 'é', 'ü', '€', '漢', '😀', '\u0000', '\n', '"', '\\', '$', '.', 'ntp.google.com'];

export function randomString(r: Rng, max: number, allowNul = true): string {
  let s = '';
  const n = int(r, 0, max);
  for (let i = 0; i < n; i++) {
    const piece = pick(r, TEXT_PIECES);
    if (piece === '\u0000' && !allowNul) continue;
    s += piece;
  }
  return s;
}

/** Keys start with a letter: integer-like keys would be reordered by JavaScript objects. */
function randomKey(r: Rng): string {
  return pick(r, ['k', 'T', 'R', 'F', 'crcMode', 'é', '$x']) + randomString(r, 4, false);
}

export type Pair = [ours: BsonValue, theirs: unknown];

/** One random value in its canonical decoded form, and the same value for `bson.serialize`. */
export function randomValue(r: Rng, depth: number): Pair {
  const kinds = depth > 4 ? 9 : 11;
  switch (int(r, 0, kinds - 1)) {
    case 0: {
      const v = pick(r, [0, 1, -1, 2147483647, -2147483648, int(r, -1000, 1000), int(r, -2147483648, 2147483647)]);
      return [v, v];
    }
    case 1: {
      const v = pick(r, [1.5, -0.25, Math.PI, 1e-300, 6.02e23, 2 ** 31, -(2 ** 31) - 1, 2 ** 53, 1e21, -0, NaN, Infinity, -Infinity, (r() - 0.5) * 1e6]);
      return [v, new Double(v)];
    }
    case 2: {
      const v = pick(r, [0, 1, -5, 2147483647, int(r, -100000, 100000)]);
      return [new BsonDouble(v), new Double(v)];
    }
    case 3: {
      const v = pick(r, [0n, 1n, -1n, 2n ** 63n - 1n, -(2n ** 63n), 15600645887n, BigInt(int(r, -1e9, 1e9)) * 1000003n]);
      return [v, v];
    }
    case 4: {
      const v = randomString(r, 12);
      return [v, v];
    }
    case 5: {
      const v = r() < 0.5;
      return [v, v];
    }
    case 6:
      return [null, null];
    case 7:
    case 8: {
      const bytes = randomBytes(r, int(r, 0, 40));
      const subtype = r() < 0.5 ? BSON_BINARY_GENERIC : BSON_BINARY_USER;
      return [new BsonBinary(bytes, subtype), new Binary(bytes, subtype)];
    }
    case 9: {
      const items = Array.from({ length: int(r, 0, 5) }, () => randomValue(r, depth + 1));
      return [items.map((p) => p[0]), items.map((p) => p[1])];
    }
    default:
      return randomDocument(r, depth + 1);
  }
}

export function randomDocument(r: Rng, depth = 1): [BsonDocument, Record<string, unknown>] {
  const ours: BsonDocument = {};
  const theirs: Record<string, unknown> = {};
  const n = int(r, 0, 6);
  for (let i = 0; i < n; i++) {
    const key = randomKey(r);
    if (key in ours) continue;
    const [a, b] = randomValue(r, depth);
    ours[key] = a;
    theirs[key] = b;
  }
  return [ours, theirs];
}

export const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
export const fromHexString = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/[\s:]/g, ''), 'hex'));

/** The §5.1.1.4 document with its CRC field still 0: the 80 bytes its length header announces. */
export const MANUAL_DOC_HEX =
  '50000000 03 436f6e66696700 3a000000 03 52656d6f746500 2d000000 04 4e545000 23000000' +
  ' 02 3000 0f000000 6e74702e676f6f676c652e636f6d00 02 3100 01000000 00 00 00 00 10 43524300 00000000 00';

/** A data file shaped like §5.3 with `records` frames. */
export function dataDocument(records: number): BsonDocument {
  const r = rng(53);
  return {
    uid: 'WE_1234',
    source: 'schedule',
    TS: 1560068897,
    frameCount: records,
    data: Array.from({ length: records }, (_, i) => ({
      T: 1560066602 + i * 60,
      R: int(r, 120, 220),
      F: new BsonBinary(randomBytes(r, int(r, 20, 60)), BSON_BINARY_USER),
    })),
  };
}
