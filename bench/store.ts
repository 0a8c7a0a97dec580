/**
 * Frame store on the simulated W25Q flash (docs/frame-store.md): host append and upload rates,
 * flash bytes and chip time per record, and what a boot reads on a full 1.5 MB partition.
 * Byte and read counts and the simulated chip times are exact; the rates depend on the machine.
 */
import { SimFlash } from '../sim/drivers/flash';
import { FrameStore } from '../tasks/store/frame-store';
import type { FrameRecord } from '../tasks/store/types';
import { realisticRecord, seededRandom } from '../tests/store/helpers';
import type { BenchResult } from './types';

const SECTOR = 4096;
/** 1.5 MB: the partition the firmware reserves for frames. */
const PARTITION = 384 * SECTOR;
/** One busy listening window (§3.1.2.1). */
const WINDOW_FRAMES = 2000;
const T0 = 1_700_000_000;
const UPLOAD_BATCH = 500;
const MIN_SECONDS = 0.5;

function frames(n: number, seed: number): FrameRecord[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, (_, i) => realisticRecord(random, T0 + i));
}

export async function benchStore(): Promise<BenchResult[]> {
  const flash = new SimFlash({ size: PARTITION });
  const store = FrameStore.open(flash);
  const window = frames(WINDOW_FRAMES, 1);
  const frameBytes = window.reduce((s, f) => s + f.frame.length, 0);

  // Fill the ring once so every window below also drops (and erases) the oldest sectors.
  const filler = frames(WINDOW_FRAMES, 2);
  while (store.stats().overwritten === 0) for (const f of filler) store.append(f);

  flash.resetCounters();
  let appended = 0;
  const start = performance.now();
  let appendSeconds = 0;
  do {
    for (const f of window) store.append(f);
    appended += window.length;
    appendSeconds = (performance.now() - start) / 1000;
  } while (appendSeconds < MIN_SECONDS);
  const c = { ...flash.counters };

  flash.resetCounters();
  const prepared = store.prepare(frameBytes + window.length * 10 + 2 * SECTOR);
  const prepareMs = flash.counters.busyMs;
  flash.resetCounters();
  for (const f of window) store.append(f);
  const preparedErases = flash.counters.erases;

  flash.resetCounters();
  const uploadStart = performance.now();
  let uploaded = 0;
  for (;;) {
    const batch = store.pending(UPLOAD_BATCH);
    if (batch.records.length === 0) break;
    store.commitUpload(batch.cursor);
    uploaded += batch.records.length;
  }
  const uploadSeconds = (performance.now() - uploadStart) / 1000;
  const uploadReadBytes = flash.counters.bytesRead;

  flash.resetCounters();
  const boot = FrameStore.open(flash);
  const bootCounters = { ...flash.counters };

  return [
    { name: 'store.append.rate', value: appended / appendSeconds, unit: 'records/s' },
    { name: 'store.append.flash_bytes_per_record', value: c.bytesProgrammed / appended, unit: 'B' },
    { name: 'store.append.write_amplification', value: (c.bytesProgrammed * window.length) / (frameBytes * appended), unit: 'x' },
    { name: 'store.append.chip_ms_per_record', value: c.busyMs / appended, unit: 'ms' },
    { name: 'store.append.erases_per_1000_records', value: (1000 * c.erases) / appended, unit: 'erases' },
    { name: 'store.window.prepare_erases', value: prepared, unit: 'erases' },
    { name: 'store.window.prepare_chip_ms', value: prepareMs, unit: 'ms' },
    { name: 'store.window.erases_after_prepare', value: preparedErases, unit: 'erases' },
    { name: 'store.upload.rate', value: uploaded / uploadSeconds, unit: 'records/s' },
    { name: 'store.upload.flash_read_per_record', value: uploadReadBytes / uploaded, unit: 'B' },
    { name: 'store.boot.reads', value: bootCounters.reads, unit: 'reads' },
    { name: 'store.boot.bytes_read', value: bootCounters.bytesRead, unit: 'B' },
    { name: 'store.boot.chip_ms', value: bootCounters.busyMs, unit: 'ms' },
    { name: 'store.boot.records_found', value: boot.stats().records, unit: 'records' },
  ];
}
