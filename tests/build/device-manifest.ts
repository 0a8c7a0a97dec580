/**
 * The module map and preload list of manifest.json, derived from the source tree. Moddable's
 * manifest wildcards do not recurse and its preload wildcards do not match TypeScript modules, so
 * both are spelled out; `npx tsx tests/build/device-manifest.ts` rewrites them after files are
 * added. Each module keeps its repository path as its specifier because the compiled JavaScript
 * keeps relative imports, which XS resolves against the importing module's specifier.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const REPO = path.resolve(__dirname, '..', '..');

/** Source trees compiled into the device image (sim/energy: the energy ledger is the board's PowerSink). */
export const FIRMWARE_TREES = ['protocol', 'tasks', 'drivers', 'boards/esp32-reference', 'sim/energy'] as const;

/** Modules outside those trees: the entry point, the `board` alias and the native bindings. */
export const ROOT_MODULES: Readonly<Record<string, string>> = {
  board: './moddable-board',
  esp32_power: './native/esp32_power',
  esp32_ota: './native/esp32_ota',
  wmbus_kernels: './native/wmbus_kernels',
};

/** SDK modules the firmware imports whose manifests may not preload them. */
const SDK_PRELOADS = ['preference'];

function isFirmwareSource(name: string): boolean {
  return name.endsWith('.ts') && !name.endsWith('.d.ts') && !name.endsWith('.node.ts');
}

function walk(dir: string, out: string[]): void {
  const abs = path.join(REPO, dir);
  if (!fs.existsSync(abs)) return;
  const entries = fs.readdirSync(abs, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
  if (entries.some((e) => e.isFile() && isFirmwareSource(e.name))) out.push(dir);
  for (const e of entries) if (e.isDirectory()) walk(dir + '/' + e.name, out);
}

/** Every directory of the firmware trees that holds a TypeScript module. */
export function firmwareDirectories(): string[] {
  const out: string[] = [];
  for (const tree of FIRMWARE_TREES) walk(tree, out);
  return out;
}

/** Every firmware module specifier (repository path without the extension). */
export function firmwareModules(): string[] {
  const out: string[] = [];
  for (const dir of firmwareDirectories()) {
    for (const name of fs.readdirSync(path.join(REPO, dir)).sort()) {
      if (isFirmwareSource(name)) out.push(dir + '/' + name.slice(0, -'.ts'.length));
    }
  }
  return out;
}

export function expectedModules(): Record<string, string | string[]> {
  const modules: Record<string, string | string[]> = { '*': ['./main'], ...ROOT_MODULES };
  for (const dir of firmwareDirectories()) modules[dir + '/*'] = './' + dir + '/*';
  return modules;
}

export function expectedPreload(): string[] {
  return [...SDK_PRELOADS, ...Object.keys(ROOT_MODULES), 'main', ...firmwareModules()];
}

export function manifestPath(): string {
  return path.join(REPO, 'manifest.json');
}

if (require.main === module) {
  const manifest = JSON.parse(fs.readFileSync(manifestPath(), 'utf8')) as Record<string, unknown>;
  manifest.modules = expectedModules();
  manifest.preload = expectedPreload();
  fs.writeFileSync(manifestPath(), JSON.stringify(manifest, null, 2) + '\n');
  process.stdout.write(`manifest.json: ${firmwareDirectories().length} directories, ${firmwareModules().length} modules\n`);
}
