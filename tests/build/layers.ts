/**
 * The layer rule of the firmware: a module may import its own layer and the layers below it,
 * never one above, and no firmware module imports the host-only folders. Layers, bottom to top:
 * protocol/ < drivers/ < tasks/ < boards/ < the application entry (main.ts, moddable-board.ts).
 * Imports are read with `ts.preProcessFile`, so type-only imports and `export … from` count too.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

export const REPO = path.resolve(__dirname, '..', '..');

/** The firmware layers, bottom first; each lists the repository paths it owns. */
export const LAYERS = [
  { name: 'protocol', roots: ['protocol'] },
  { name: 'drivers', roots: ['drivers'] },
  { name: 'tasks', roots: ['tasks'] },
  { name: 'boards', roots: ['boards'] },
  { name: 'entry', roots: ['main.ts', 'moddable-board.ts'] },
] as const;

export type LayerName = (typeof LAYERS)[number]['name'];

/** Folders for the host only (simulator, tests, benchmarks, CLI): they may import anything, firmware may not import them. */
export const HOST_FOLDERS = ['sim', 'tests', 'bench', 'bin'] as const;

/** Bare specifiers that name repository modules: the build maps `board` to the board module (entry layer). */
const ALIASES: Readonly<Record<string, LayerName>> = { board: 'entry' };

export interface Violation {
  /** Repository path of the importing file. */
  readonly file: string;
  readonly specifier: string;
  /** Why the import breaks the rule. */
  readonly reason: string;
}

function toRepoPath(file: string): string {
  return path.relative(REPO, file).split(path.sep).join('/');
}

/** The firmware layer a repository path belongs to, or undefined outside the firmware layers. */
export function layerOf(repoPath: string): LayerName | undefined {
  const layer = LAYERS.find((l) => l.roots.some((root) => repoPath === root || repoPath.startsWith(root + '/')));
  return layer?.name;
}

function rank(layer: LayerName): number {
  return LAYERS.findIndex((l) => l.name === layer);
}

function hostFolderOf(repoPath: string): string | undefined {
  return HOST_FOLDERS.find((folder) => repoPath === folder || repoPath.startsWith(folder + '/'));
}

/** Every specifier a module's source imports or re-exports, type-only ones and `import()` included. */
export function importSpecifiers(source: string): string[] {
  return ts.preProcessFile(source, true, false).importedFiles.map((f) => f.fileName);
}

/** The rule's verdict on one module, given its repository path and its source text. */
export function layerViolations(repoPath: string, source: string): Violation[] {
  const own = layerOf(repoPath);
  if (own === undefined) return [];
  const violations: Violation[] = [];
  for (const specifier of importSpecifiers(source)) {
    const relative = specifier.startsWith('./') || specifier.startsWith('../');
    const target = relative ? path.posix.normalize(path.posix.join(path.posix.dirname(repoPath), specifier)) : undefined;
    const host = target === undefined ? undefined : hostFolderOf(target);
    if (host !== undefined) {
      violations.push({ file: repoPath, specifier, reason: `firmware (${own}) imports the host-only ${host}/` });
      continue;
    }
    const targetLayer = target === undefined ? ALIASES[specifier] : layerOf(target);
    if (targetLayer !== undefined && rank(targetLayer) > rank(own)) {
      violations.push({ file: repoPath, specifier, reason: `${own} imports ${targetLayer}, a layer above it` });
    }
  }
  return violations;
}

function tsFilesUnder(entry: string): string[] {
  const full = path.join(REPO, entry);
  if (!fs.existsSync(full)) return [];
  if (fs.statSync(full).isFile()) return full.endsWith('.ts') ? [full] : [];
  return fs.readdirSync(full).flatMap((name) => tsFilesUnder(path.join(entry, name)));
}

/** Repository paths of every TypeScript file in one layer. */
export function layerFiles(layer: LayerName): string[] {
  const roots = LAYERS[rank(layer)].roots;
  return roots.flatMap(tsFilesUnder).map(toRepoPath).sort();
}

/** The rule's verdict on every file of one layer as it is on disk. */
export function violationsInLayer(layer: LayerName): Violation[] {
  return layerFiles(layer).flatMap((file) => layerViolations(file, fs.readFileSync(path.join(REPO, file), 'utf8')));
}
