/**
 * The modules a Moddable build must compile, found the way XS will find them: start at the entry
 * modules, compile each TypeScript file the way the SDK's step does (imports used only as types
 * disappear), and follow every import left in the JavaScript. Relative imports resolve against
 * the repository path, bare specifiers through the build's aliases (`board`, the native modules);
 * any other bare specifier is the SDK's (`embedded:io/digital`, `timer`, `preference`, …).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

export const REPO = path.resolve(__dirname, '..', '..');

export interface GraphOptions {
  /** Repository paths of the entry modules, without extension (`main`). */
  readonly entries: readonly string[];
  /** Bare specifier → repository path without extension (`board` → `moddable-board`). */
  readonly aliases: Readonly<Record<string, string>>;
}

export interface ModuleGraph {
  /** Repository paths (without extension) of every module reached, sorted. */
  readonly modules: readonly string[];
  /** Bare specifiers left to the SDK's own manifests, sorted. */
  readonly external: readonly string[];
  /** For each module, the modules and externals its compiled JavaScript imports. */
  readonly imports: ReadonlyMap<string, readonly string[]>;
}

const SOURCE_EXTENSIONS = ['.ts', '.js'] as const;

/** The file behind a module path: TypeScript first, then JavaScript (the native modules' `.js`). */
export function sourceFile(modulePath: string): string {
  for (const ext of SOURCE_EXTENSIONS) {
    const file = path.join(REPO, modulePath + ext);
    if (fs.existsSync(file)) return file;
  }
  throw new Error(`module-graph: no source for ${modulePath} (.ts or .js)`);
}

/** The specifiers the module's JavaScript imports at run time (after type-only imports are elided). */
export function runtimeImports(file: string): string[] {
  const source = fs.readFileSync(file, 'utf8');
  const js = file.endsWith('.ts')
    ? ts.transpileModule(source, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ES2022, isolatedModules: true } }).outputText
    : source;
  return ts.preProcessFile(js, true, true).importedFiles.map((f) => f.fileName);
}

function isRelative(specifier: string): boolean {
  return specifier.startsWith('./') || specifier.startsWith('../');
}

export function moduleGraph(options: GraphOptions): ModuleGraph {
  const seen = new Set<string>();
  const external = new Set<string>();
  const imports = new Map<string, string[]>();
  const pending = [...options.entries];
  while (pending.length > 0) {
    const modulePath = pending.pop() as string;
    if (seen.has(modulePath)) continue;
    seen.add(modulePath);
    const resolved: string[] = [];
    for (const specifier of runtimeImports(sourceFile(modulePath))) {
      let target: string;
      if (isRelative(specifier)) target = path.posix.normalize(path.posix.join(path.posix.dirname(modulePath), specifier));
      else if (specifier in options.aliases) target = options.aliases[specifier];
      else {
        external.add(specifier);
        resolved.push(specifier);
        continue;
      }
      if (target.startsWith('..')) throw new Error(`module-graph: ${modulePath} imports ${specifier}, outside the repository`);
      // XS names a module by its specifier: reached both ways, an aliased module would be two modules (or one missing).
      const alias = isRelative(specifier) ? Object.keys(options.aliases).find((a) => options.aliases[a] === target) : undefined;
      if (alias !== undefined) throw new Error(`module-graph: ${modulePath} imports ${specifier} by path; the build names it '${alias}': import '${alias}'`);
      resolved.push(target);
      pending.push(target);
    }
    imports.set(modulePath, resolved);
  }
  return { modules: [...seen].sort(), external: [...external].sort(), imports };
}
