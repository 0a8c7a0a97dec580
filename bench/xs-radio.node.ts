import { utf8Decode } from '../protocol/text/utf8';
import { bundleForXs } from '../sim/xs/bundle.node';
import { startXs } from '../sim/xs/xsnap.node';
import type { BenchResult } from './types';

const METERS = 2000;
const DECODE_COUNT = 4000;
const HEAP_SAMPLES = 8;

interface Reply {
  ms: number;
  ok?: number;
  recorded?: number;
  allHeard?: boolean;
}

/** Bytes of an XS heap snapshot: every live slot and chunk, after a collection. */
async function snapshotBytes(worker: { makeSnapshotStream(): AsyncIterable<Uint8Array> }): Promise<number> {
  let n = 0;
  for await (const chunk of worker.makeSnapshotStream()) n += chunk.length;
  return n;
}

/**
 * The receive path inside the real XS engine: frames/s, compute-meter units per frame, and the heap
 * a 2000-frame window with a 2000-ID white list adds (heap snapshots during the window minus the
 * snapshot before it).
 */
export async function benchXsRadio(): Promise<BenchResult[]> {
  const replies: Reply[] = [];
  const worker = (await startXs('radio-bench', async (request) => {
    replies.push(JSON.parse(utf8Decode(request)) as Reply);
    return new Uint8Array(0);
  })) as unknown as {
    evaluate(code: string): Promise<{ meterUsage: { compute: number } }>;
    makeSnapshotStream(): AsyncIterable<Uint8Array>;
    close(): Promise<void>;
  };
  try {
    await worker.evaluate(await bundleForXs('bench/xs/radio-entry.ts'));
    const results: BenchResult[] = [];
    for (const kind of ['T1', 'C1A'] as const) {
      const empty = await worker.evaluate(`bench.decode('${kind}', 0)`);
      const full = await worker.evaluate(`bench.decode('${kind}', ${DECODE_COUNT})`);
      const r = replies[replies.length - 1];
      const name = kind === 'T1' ? 't1' : 'c1';
      results.push({ name: `xs.decode.${name}`, value: Math.round((DECODE_COUNT / r.ms) * 1000), unit: 'frames/s' });
      results.push({ name: `xs.decode.${name}.compute`, value: Math.round((full.meterUsage.compute - empty.meterUsage.compute) / DECODE_COUNT), unit: 'units/frame' });
    }
    const before = await snapshotBytes(worker);
    await worker.evaluate('bench.openWindow()');
    let peak = await snapshotBytes(worker);
    let compute = 0;
    let ms = 0;
    const step = METERS / HEAP_SAMPLES;
    for (let from = 0; from < METERS; from += step) {
      const u = await worker.evaluate(`bench.feed('T1', ${from}, ${from + step})`);
      compute += u.meterUsage.compute;
      ms += replies[replies.length - 1].ms;
      peak = Math.max(peak, await snapshotBytes(worker));
    }
    const last = replies[replies.length - 1];
    if (last.recorded !== METERS || last.allHeard !== true) throw new Error(`window recorded ${last.recorded} of ${METERS}`);
    await worker.evaluate('bench.closeWindow()');
    results.push({ name: 'xs.window.frames_per_s', value: Math.round((METERS / ms) * 1000), unit: 'frames/s' });
    results.push({ name: 'xs.window.compute', value: Math.round(compute / METERS), unit: 'units/frame' });
    results.push({ name: 'xs.window.heap_peak', value: Math.round((peak - before) / 1024), unit: 'KB' });
    return results;
  } finally {
    await worker.close();
  }
}
