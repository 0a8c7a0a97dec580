import { utf8Decode } from '../protocol/text/utf8';
import { bundleForXs } from '../sim/xs/bundle.node';
import { startXsWithKernels } from '../sim/xs/wmbus-xsnap.node';
import { startXs } from '../sim/xs/xsnap.node';
import { FRAME_RECORD_OVERHEAD } from '../tasks/store/frame-store';
import type { BenchResult } from './types';

const METERS = 2000;
const DECODE_COUNT = 4000;
const HEAP_SAMPLES = 8;

/**
 * The windows measured: on the simulator's flash (for comparison), on the ESP32 driver over a
 * fresh partition, and as on the device: the store prepared at window open (the radio task's
 * `prepare`) and flash writes that are one native call (`StubWritePartition`).
 */
const WINDOWS: readonly { flash: 'sim' | 'device' | 'device-stub'; suffix: string; prepareBytes: boolean }[] = [
  { flash: 'sim', suffix: '.simflash', prepareBytes: false },
  { flash: 'device', suffix: '', prepareBytes: false },
  { flash: 'device-stub', suffix: '.prepared.stub_write', prepareBytes: true },
];

interface Reply {
  ms: number;
  kernels?: string;
  ok?: number;
  count?: number;
  recorded?: number;
  allHeard?: boolean;
  bytes?: number;
}

interface Worker {
  evaluate(code: string): Promise<{ meterUsage: { compute: number } }>;
  makeSnapshotStream(): AsyncIterable<Uint8Array>;
  close(): Promise<void>;
}

/** Bytes of an XS heap snapshot: every live slot and chunk, after a collection. */
async function snapshotBytes(worker: Worker): Promise<number> {
  let n = 0;
  for await (const chunk of worker.makeSnapshotStream()) n += chunk.length;
  return n;
}

/**
 * The receive path inside the real XS engine: frames/s, compute-meter units per frame for each
 * stage (decode, filter identity, recording rules, frame-store append) and for the whole path, and
 * the heap a 2000-frame window with a 2000-ID white list adds (heap snapshots during the window
 * minus the snapshot before it).
 *
 * Each stage runs over the 2000 meters in one `evaluate`, on the previous stage's output, and its
 * units are that evaluate's compute less an empty evaluate's. XS's meter counts one unit per
 * bytecode and, for native TypedArray copies (`set`, `copyWithin`), two units per byte.
 *
 * Everything is measured twice: with the portable TypeScript kernels (names `xs.*`), and in a
 * worker with the ESP32 firmware's C kernels linked in (`xs.native.*`), where the meter counts
 * the JavaScript around the kernels but not the C loops.
 */
export async function benchXsRadio(): Promise<BenchResult[]> {
  return [...(await measure('xs', startXs)), ...(await measure('xs.native', startXsWithKernels))];
}

async function measure(prefix: string, start: typeof startXs): Promise<BenchResult[]> {
  const replies: Reply[] = [];
  const worker = (await start('radio-bench', async (request) => {
    replies.push(JSON.parse(utf8Decode(request)) as Reply);
    return new Uint8Array(0);
  })) as unknown as Worker;
  const compute = async (code: string): Promise<number> => (await worker.evaluate(code)).meterUsage.compute;
  const last = (): Reply => replies[replies.length - 1];
  try {
    await worker.evaluate(await bundleForXs('bench/xs/radio-entry.ts'));
    const results: BenchResult[] = [];
    const perFrame = (name: string, units: number, frames: number): void => {
      results.push({ name: `${prefix}.${name}`, value: Math.round(units / frames), unit: 'units/frame' });
    };
    const base = await compute('bench.noop()');
    const expected = prefix === 'xs' ? 'portable' : 'native';
    if (last().kernels !== expected) throw new Error(`${prefix}: the worker runs the ${last().kernels} kernels`);
    for (const kind of ['T1', 'C1A'] as const) {
      const empty = await compute(`bench.decode('${kind}', 0)`);
      const full = await compute(`bench.decode('${kind}', ${DECODE_COUNT})`);
      const name = kind === 'T1' ? 't1' : 'c1';
      results.push({ name: `${prefix}.decode.${name}`, value: Math.round((DECODE_COUNT / last().ms) * 1000), unit: 'frames/s' });
      perFrame(`decode.${name}.compute`, full - empty, DECODE_COUNT);
    }

    await worker.evaluate('bench.prepareStages()');
    const stage = async (name: string, code: string): Promise<void> => {
      const units = (await compute(code)) - base;
      if (last().count !== METERS) throw new Error(`stage ${name}: ${last().count} of ${METERS} frames`);
      perFrame(`stage.${name}`, units, METERS);
    };
    await stage('decode.c1a', `bench.stageDecode('C1A', ${METERS})`);
    await stage('decode.t1', `bench.stageDecode('T1', ${METERS})`);
    await stage('identity', `bench.stageIdentity(${METERS})`);
    await worker.evaluate('bench.newFilter()');
    await stage('filter', `bench.stageFilter(${METERS})`);
    await worker.evaluate(`bench.newStore('device')`);
    await stage('store.device', `bench.stageStore(${METERS})`);
    await stage('store.record_crc', `bench.stageRecordCrc(${METERS})`);
    await worker.evaluate(`bench.newStore('device', true)`);
    await stage('store.device.prepared', `bench.stageStore(${METERS})`);
    await worker.evaluate(`bench.newStore('device', true, true)`);
    await stage('store.device.prepared.stub_write', `bench.stageStore(${METERS})`);
    await worker.evaluate(`bench.newStore('sim')`);
    await stage('store.simflash', `bench.stageStore(${METERS})`);

    await worker.evaluate('bench.meanFrameBytes()');
    const windowBytes = Math.ceil(METERS * ((last().bytes ?? 0) + FRAME_RECORD_OVERHEAD));
    for (const { flash, suffix, prepareBytes } of WINDOWS) {
      await worker.evaluate(`bench.prepareWindow('${flash}')`);
      const before = await snapshotBytes(worker);
      const open = (await compute(`bench.openWindow(${prepareBytes ? windowBytes : 0})`)) - base;
      let peak = await snapshotBytes(worker);
      let units = 0;
      let ms = 0;
      const step = METERS / HEAP_SAMPLES;
      for (let from = 0; from < METERS; from += step) {
        units += (await compute(`bench.feed('T1', ${from}, ${from + step})`)) - base;
        ms += last().ms;
        peak = Math.max(peak, await snapshotBytes(worker));
      }
      if (last().recorded !== METERS || last().allHeard !== true) throw new Error(`window recorded ${last().recorded} of ${METERS}`);
      // Every meter heard again: each frame is now a repeat the window does not store.
      const repeats = (await compute(`bench.feed('T1', 0, ${METERS})`)) - base;
      if (last().recorded !== METERS) throw new Error(`window stored ${(last().recorded ?? 0) - METERS} repeats`);
      await worker.evaluate('bench.closeWindow()');
      results.push({ name: `${prefix}.window${suffix}.open.compute`, value: open, unit: 'units' });
      results.push({ name: `${prefix}.window${suffix}.frames_per_s`, value: Math.round((METERS / ms) * 1000), unit: 'frames/s' });
      perFrame(`window${suffix}.compute`, units, METERS);
      perFrame(`window${suffix}.repeat.compute`, repeats, METERS);
      results.push({ name: `${prefix}.window${suffix}.heap_peak`, value: Math.round((peak - before) / 1024), unit: 'KB' });
    }
    return results;
  } finally {
    await worker.close();
  }
}
