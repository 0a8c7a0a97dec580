/**
 * sim/moddable/manifest.json, the Moddable host build of the simulator (x-cli-lin), generated:
 * the module map and preload list from the import graph of sim/moddable/main.ts exactly as the
 * device's are from main.ts (tests/build/device-manifest.ts), with `board` mapped to the simulator
 * board; the TypeScript step and the creation (but the heaps, `HOST_HEAPS`) copied from the
 * device's manifest.json so the firmware is compiled and preloaded the same way. `npx tsx sim/moddable/manifest.node.ts`
 * rewrites it; tests/build/host-manifest.test.ts fails when the file is not what this writes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO, manifestLists, manifestPath, type ManifestLists } from '../../tests/build/device-manifest';
import { moduleGraph, type GraphOptions } from '../../tests/build/module-graph';

export const HOST_ALIASES: Readonly<Record<string, string>> = {
  board: 'boards/sim/board',
  host_bridge: 'sim/moddable/host_bridge',
};

export const HOST_ENTRY = 'sim/moddable/main';

export const HOST_GRAPH: GraphOptions = { entries: [HOST_ENTRY], aliases: HOST_ALIASES };

/** C the program links that no module imports: its `main` (x-cli-lin leaves that to the app). */
export const HOST_PROGRAM = 'sim/moddable/xs_main';

/** The program mcconfig builds (its `NAME`; else it would be named after this folder). */
export const HOST_NAME = 'wmbus-sim';

/** How the host manifest names the repository root (its `build.WMBUS`, two folders up). */
const ROOT = '$(WMBUS)/';

/**
 * The heaps of the host machine: the device's own sizes would hold the firmware, but this machine
 * also holds the simulated world (300 meters, the modem emulator, the fakes' flash and files).
 * With the device's 512-slot and 16 KB growth steps the collector runs all the time (the default
 * site takes 17-22 s instead of 2.7 s inside XS). The rest of the creation is the device's.
 */
export const HOST_HEAPS = {
  chunk: { initial: 4 * 1024 * 1024, incremental: 1024 * 1024 },
  heap: { initial: 256 * 1024, incremental: 64 * 1024 },
} as const;

/** The TypeScript typings of the host build's native module, in place of the device's. */
export const HOST_TYPES: readonly string[] = ['sim/moddable/typings'];

export function hostManifestPath(): string {
  return path.join(REPO, 'sim', 'moddable', 'manifest.json');
}

interface DeviceManifest {
  creation: Record<string, unknown>;
  typescript: { compiler: string; tsconfig: { compilerOptions: Record<string, unknown> } };
}

export function hostManifestLists(): ManifestLists {
  const lists = manifestLists(moduleGraph(HOST_GRAPH), HOST_GRAPH, [], ROOT);
  return { modules: { ...lists.modules, [HOST_PROGRAM]: ROOT + HOST_PROGRAM }, preload: lists.preload };
}

/** The whole host manifest, from the import graph and the device manifest. */
export function hostManifest(): Record<string, unknown> {
  const device = JSON.parse(fs.readFileSync(manifestPath(), 'utf8')) as DeviceManifest;
  const { modules, preload } = hostManifestLists();
  return {
    build: { WMBUS: './../..', NAME: HOST_NAME },
    creation: { ...device.creation, ...HOST_HEAPS, main: HOST_ENTRY },
    modules,
    preload,
    typescript: {
      compiler: device.typescript.compiler,
      tsconfig: { compilerOptions: { ...device.typescript.tsconfig.compilerOptions, types: HOST_TYPES.map((t) => ROOT + t) } },
    },
    platforms: {
      'x-cli-lin': {},
      '...': { error: 'the simulator host build is for x-cli-lin only (sim/moddable/run.node.ts builds it)' },
    },
  };
}

export function hostManifestText(): string {
  return JSON.stringify(hostManifest(), null, 2) + '\n';
}

if (require.main === module) {
  const text = hostManifestText();
  const file = hostManifestPath();
  const changed = !fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== text;
  if (changed) fs.writeFileSync(file, text);
  process.stdout.write(`sim/moddable/manifest.json: ${hostManifestLists().preload.length} preloaded modules${changed ? ' (rewritten)' : ' (unchanged)'}\n`);
}
