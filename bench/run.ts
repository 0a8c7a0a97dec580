import { benchFiles } from './files';
import { benchSimulatedYear } from './sim-year.node';
import { benchStore } from './store';
import { benchUpload } from './upload';
import type { BenchResult } from './types';
import { benchDecode } from './wmbus-decode';
import { benchXsFirmware } from './xs-firmware.node';
import { benchXsRadio } from './xs-radio.node';

/**
 * `npm run bench`: every figure as `name value unit`, one per line. Timings vary with the machine;
 * XS compute units and byte counts do not. The recorded figures live in docs/benchmarks.md.
 */
const BENCHES: readonly { readonly name: string; readonly run: () => Promise<BenchResult[]> }[] = [
  { name: 'wM-Bus decode (Node)', run: benchDecode },
  { name: 'receive path (XS)', run: benchXsRadio },
  { name: 'firmware install (XS)', run: benchXsFirmware },
  { name: 'frame store', run: benchStore },
  { name: 'files', run: benchFiles },
  { name: 'upload session', run: benchUpload },
  { name: 'simulated year', run: benchSimulatedYear },
];

async function main(): Promise<void> {
  for (const b of BENCHES) {
    process.stdout.write(`# ${b.name}\n`);
    for (const r of await b.run()) {
      const value = Number.isInteger(r.value) ? String(r.value) : r.value.toFixed(3);
      process.stdout.write(`${r.name} ${value} ${r.unit}\n`);
    }
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exitCode = 1;
});
