import * as fs from 'node:fs';
import * as path from 'node:path';
import { KEY_LIST_FILE, keyListText } from '../radio/key-list';
import { sitePopulation } from '../radio/site-population';
import type { SimRun } from '../run';
import type { Scenario } from '../scenario';
import { outTree } from './out-tree';

/** Everything the device wrote, laid out for a person: its files, its settings, its USB drive, the summary (sim/cli/out-tree.ts). */
export function writeOutDir(outDir: string, run: SimRun, scenario: Scenario): void {
  writeOutTree(outDir, outTree(run));
  writeKeyList(outDir, scenario);
}

/** Writes `--out`'s device entries under `outDir`, replacing an earlier run's `device/`. */
export function writeOutTree(outDir: string, tree: readonly (readonly [string, Uint8Array])[]): void {
  fs.rmSync(path.join(outDir, 'device'), { recursive: true, force: true });
  fs.mkdirSync(path.join(outDir, 'device', 'files'), { recursive: true });
  for (const [rel, bytes] of tree) {
    const file = path.join(outDir, ...rel.split('/'));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, bytes);
  }
}

/** The meters' AES keys for a head-end decoder (sim/radio/key-list.ts); `npm run xs` writes the same file. */
export function writeKeyList(outDir: string, scenario: Scenario): void {
  fs.writeFileSync(path.join(outDir, KEY_LIST_FILE), keyListText(sitePopulation(scenario).meters));
}
