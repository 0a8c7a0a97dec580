/**
 * Seeded PRNG for the simulator: xoshiro128** (Blackman & Vigna) seeded through a SplitMix32-style
 * mixer. Only 32-bit integer operations (Math.imul, shifts) and exact double arithmetic are used, so a
 * seed gives the same sequence under Node and XS.
 */
import type { SimRandom } from './types';

const GOLDEN_GAMMA = 0x9e3779b9;
const TWO_POW_32 = 4294967296;
/** Irwin–Hall: the sum of 12 uniforms minus 6 has mean 0 and variance 1. */
const IRWIN_HALL_TERMS = 12;

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** Murmur3 finaliser: a bijective 32-bit mix. */
function fmix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A 32-bit seed derived from a seed and labels (e.g. meter index, transmission number). */
export function deriveSeed(seed: number, ...labels: number[]): number {
  let h = fmix32((seed >>> 0) ^ GOLDEN_GAMMA);
  for (const label of labels) h = fmix32((h + Math.imul((label >>> 0) ^ GOLDEN_GAMMA, 0x27d4eb2d)) >>> 0);
  return h;
}

export class SeededRandom implements SimRandom {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: number) {
    let x = seed >>> 0;
    const words: number[] = [];
    for (let i = 0; i < 4; i++) {
      x = (x + GOLDEN_GAMMA) >>> 0;
      words.push(fmix32(x));
    }
    // The all-zero state is the one state xoshiro cannot leave.
    if ((words[0] | words[1] | words[2] | words[3]) === 0) words[0] = 1;
    [this.s0, this.s1, this.s2, this.s3] = words;
  }

  /** Uniform 32-bit unsigned integer. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 = (this.s2 ^ this.s0) >>> 0;
    this.s3 = (this.s3 ^ this.s1) >>> 0;
    this.s1 = (this.s1 ^ this.s2) >>> 0;
    this.s0 = (this.s0 ^ this.s3) >>> 0;
    this.s2 = (this.s2 ^ t) >>> 0;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  next(): number {
    return this.nextU32() / TWO_POW_32;
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** Irwin–Hall approximation (no Math.log/cos, whose last bits differ between engines); tails end at ±6 sd. */
  gaussian(mean: number, sd: number): number {
    let sum = 0;
    for (let i = 0; i < IRWIN_HALL_TERMS; i++) sum += this.next();
    return mean + sd * (sum - IRWIN_HALL_TERMS / 2);
  }
}

export function createRandom(seed: number): SeededRandom {
  return new SeededRandom(seed);
}
