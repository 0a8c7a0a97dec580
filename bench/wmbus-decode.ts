/**
 * wM-Bus receive-path throughput under Node: chip stream → CRC-checked frame (decodePhy), for T1 (3 out
 * of 6) and C1 (NRZ, format A and B), plus header parsing. The streams are the 20 built-in real frames.
 */
import { performance } from 'node:perf_hooks';
import { encodeStream } from '../protocol/wmbus/encode';
import { parseHeader } from '../protocol/wmbus/header';
import { decodePhy } from '../protocol/wmbus/phy';
import type { LinkMode, WmbusPhy } from '../protocol/wmbus/types';
import { meterFrames } from '../sim/radio/meter-frames';
import type { BenchResult } from './types';


const RUN_MS = 400;
const WARMUP_MS = 100;

function rate(streams: readonly Uint8Array[], phy: WmbusPhy): number {
  let sink = 0;
  const loop = (ms: number): number => {
    let n = 0;
    const start = performance.now();
    let now = start;
    while (now - start < ms) {
      for (const s of streams) {
        const r = decodePhy(s, phy);
        if (r.ok) sink += r.frame.length;
        n++;
      }
      now = performance.now();
    }
    return n / ((now - start) / 1000);
  };
  loop(WARMUP_MS);
  const result = loop(RUN_MS);
  if (sink === 0) throw new Error('benchmark streams did not decode');
  return result;
}

function streamsFor(mode: LinkMode): Uint8Array[] {
  return meterFrames().map((f) => encodeStream(f, mode) as Uint8Array);
}

export async function benchDecode(): Promise<BenchResult[]> {
  const frames = meterFrames();
  const results: BenchResult[] = [
    { name: 'wmbus.decode.t1', value: rate(streamsFor('T1'), 'T1C1'), unit: 'frames/s' },
    { name: 'wmbus.decode.c1a', value: rate(streamsFor('C1A'), 'T1C1'), unit: 'frames/s' },
    { name: 'wmbus.decode.c1b', value: rate(streamsFor('C1B'), 'T1C1'), unit: 'frames/s' },
    { name: 'wmbus.decode.s1', value: rate(streamsFor('S1'), 'S1'), unit: 'frames/s' },
  ];
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < RUN_MS) {
    for (const f of frames) if (parseHeader(f).ok) n++;
    now = performance.now();
  }
  results.push({ name: 'wmbus.header.parse', value: n / ((now - start) / 1000), unit: 'frames/s' });
  const bytes = frames.reduce((s, f) => s + f.length, 0) / frames.length;
  results.push({ name: 'wmbus.bench.mean_frame_bytes', value: bytes, unit: 'bytes' });
  return results;
}
