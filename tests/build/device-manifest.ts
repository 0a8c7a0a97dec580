/**
 * The module map and preload list of manifest.json, generated from the firmware's import graph
 * (`module-graph.ts`): exactly the modules the device imports at run time, each under its
 * repository path so the relative imports tsc leaves in the JavaScript resolve the same way on
 * XS, every one preloaded. `npx tsx tests/build/device-manifest.ts` rewrites them;
 * `tests/build/manifest.test.ts` fails when manifest.json is not what this writes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO, moduleGraph, type GraphOptions, type ModuleGraph } from './module-graph';

export { REPO };

/** Bare specifiers the build maps to repository files: the board and the native bindings. */
export const DEVICE_ALIASES: Readonly<Record<string, string>> = {
  board: 'moddable-board',
  esp32_power: 'native/esp32_power',
  esp32_ota: 'native/esp32_ota',
  wmbus_kernels: 'native/wmbus_kernels',
};

export const DEVICE_GRAPH: GraphOptions = { entries: ['main'], aliases: DEVICE_ALIASES };

/** SDK modules the firmware imports whose own manifests do not preload them. */
export const SDK_PRELOADS: readonly string[] = ['preference'];

export interface ManifestLists {
  readonly modules: Record<string, string | string[]>;
  readonly preload: string[];
}

/** The specifier a module has on XS: its alias when it has one, else its repository path. */
function specifierOf(modulePath: string, aliases: Readonly<Record<string, string>>): string {
  const alias = Object.keys(aliases).find((a) => aliases[a] === modulePath);
  return alias ?? modulePath;
}

/**
 * `modules` and `preload` for a graph: `*` holds the entries at the repository root (Moddable names
 * them after their file), every other module, a nested entry too, is mapped under its specifier.
 * `root` is how the manifest names the repository root: `./` beside it, `$(WMBUS)/` elsewhere.
 */
export function manifestLists(graph: ModuleGraph, options: GraphOptions, sdkPreloads: readonly string[], root = './'): ManifestLists {
  const atRoot = options.entries.filter((e) => !e.includes('/'));
  const modules: Record<string, string | string[]> = atRoot.length > 0 ? { '*': atRoot.map((e) => root + e) } : {};
  const specifiers: string[] = [];
  for (const m of graph.modules) {
    const specifier = specifierOf(m, options.aliases);
    specifiers.push(specifier);
    if (!atRoot.includes(m)) modules[specifier] = root + m;
  }
  return { modules, preload: [...sdkPreloads, ...specifiers] };
}

export function deviceManifestLists(): ManifestLists {
  return manifestLists(moduleGraph(DEVICE_GRAPH), DEVICE_GRAPH, SDK_PRELOADS);
}

export function manifestPath(): string {
  return path.join(REPO, 'manifest.json');
}

/** Rewrites the lists of a manifest file in place; returns whether anything changed. */
export function writeManifestLists(file: string, lists: ManifestLists): boolean {
  const before = fs.readFileSync(file, 'utf8');
  const manifest = JSON.parse(before) as Record<string, unknown>;
  manifest.modules = lists.modules;
  manifest.preload = lists.preload;
  const after = JSON.stringify(manifest, null, 2) + '\n';
  if (after !== before) fs.writeFileSync(file, after);
  return after !== before;
}

if (require.main === module) {
  const lists = deviceManifestLists();
  const changed = writeManifestLists(manifestPath(), lists);
  process.stdout.write(`manifest.json: ${lists.preload.length} preloaded modules${changed ? ' (rewritten)' : ' (unchanged)'}\n`);
}
