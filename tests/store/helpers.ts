import type { SimRandom } from '../../sim/world/types';
import type { FrameRecord } from '../../tasks/store/types';

/** Deterministic SimRandom (mulberry32). */
export function seededRandom(seed: number): SimRandom {
  let s = seed >>> 0;
  const next = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    gaussian: (mean, sd) => mean + sd * Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()),
  };
}

/**
 * Frame lengths (bytes, DLL CRCs removed) at every 1/32 quantile of the 352 telegrams of
 * /work/shared/corpus/wmbus-telegrams.json: 13 to 230 bytes, mean 76.
 */
export const CORPUS_FRAME_LENGTHS: readonly number[] = [
  13, 27, 29, 34, 38, 43, 46, 47, 47, 48, 53, 55, 58, 60, 63, 66, 68, 74, 76, 79, 79, 84, 85, 89, 95, 95, 103,
  111, 119, 133, 151, 165, 230,
];

/** A plausible frame: L, C=0x44 (SND_NR), M, A (id, version, type), CI 0x7A, then payload bytes. */
export function makeFrame(random: SimRandom, length: number): Uint8Array {
  const f = new Uint8Array(length);
  for (let i = 0; i < length; i++) f[i] = random.int(0, 255);
  f[0] = (length - 1) & 0xff;
  if (length > 1) f[1] = 0x44;
  if (length > 3) f.set([0x2d, 0x2c], 2);
  if (length > 10) f[10] = 0x7a;
  return f;
}

export function realisticRecord(random: SimRandom, time: number): FrameRecord {
  const length = CORPUS_FRAME_LENGTHS[random.int(0, CORPUS_FRAME_LENGTHS.length - 1)];
  return { time, rssi: random.int(-110, -40), frame: makeFrame(random, length) };
}

export function sameRecord(a: FrameRecord, b: FrameRecord): boolean {
  if (a.time !== b.time || a.rssi !== b.rssi || a.frame.length !== b.frame.length) return false;
  for (let i = 0; i < a.frame.length; i++) if (a.frame[i] !== b.frame[i]) return false;
  return true;
}
