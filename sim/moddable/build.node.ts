import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { REPO, manifestPath } from '../../tests/build/device-manifest';
import { HOST_NAME, HOST_TYPES, hostManifestPath, hostManifestText } from './manifest.node';

/**
 * Builds the Moddable host program of the simulator: `mcconfig -p x-cli-lin` on
 * sim/moddable/manifest.json, then the generated makefile (the SDK's TypeScript step with this
 * repository's tsc, xsc, xsl with the preload list, cc). The program is cached outside the
 * repository ($WMBUS_CACHE or ~/.cache/wmbus-moddable, `host/`) under a hash of everything it is
 * made of, so only a change rebuilds it, and then only what the change touches.
 */
const run = promisify(execFile);

/** The SDK's makefile asks for unlimited jobs; two is what the CI machine has. */
const MAKE_JOBS = '2';
const LOG_TAIL_LINES = 40;
const KEY_HEX = 16;

export interface HostBinary {
  readonly path: string;
  /** The build's log (mcconfig, tsc, xsc, xsl, cc), kept beside the program. */
  readonly log: string;
  /** Milliseconds this call spent building; 0 when the cached program was current. */
  readonly buildMs: number;
  /** xsl's "not frozen" warnings: preloaded objects left mutable (each one a copy in RAM when written). */
  readonly notFrozen: number;
}

const TOOLS_HINT =
  'The Moddable SDK host tools (mcconfig, xsc, xsl, …) are needed: `eval "$(.ci/moddable-tools)"` builds them into ' +
  '~/.cache/wmbus-moddable and prints MODDABLE and PATH (see ../shared/moddable/README.md, "Build the host tools").';

/** Builds the SDK host tools into the cache (once per machine) and prints their environment. */
const TOOLS_SCRIPT = path.join(REPO, '.ci', 'moddable-tools');
const EXPORT_MODDABLE = /^export MODDABLE=(\S+)/m;

function toolsIn(moddable: string): { moddable: string; bin: string } {
  const bin = path.join(moddable, 'build', 'bin', 'lin', 'release');
  const missing = ['mcconfig', 'xsc', 'xsl'].filter((t) => !fs.existsSync(path.join(bin, t)));
  if (missing.length > 0) throw new Error(`MODDABLE=${moddable} has no ${missing.join(', ')} in ${bin}. ${TOOLS_HINT}`);
  return { moddable, bin };
}

/**
 * $MODDABLE and its tools' folder. Without $MODDABLE, `.ci/moddable-tools` builds the tools from
 * ../shared/moddable/ (minutes, once per machine) so that `npm test` works on a fresh machine as
 * `.ci/run` does; its `%q`-quoted MODDABLE is a plain path (the cache), never quoted.
 */
export async function moddableTools(): Promise<{ moddable: string; bin: string }> {
  const moddable = process.env.MODDABLE;
  if (moddable !== undefined && moddable !== '') return toolsIn(moddable);
  if (!fs.existsSync(TOOLS_SCRIPT)) throw new Error(`MODDABLE is not set. ${TOOLS_HINT}`);
  const { stdout } = await run(TOOLS_SCRIPT, [], { cwd: REPO, maxBuffer: 16 * 1024 * 1024 });
  const found = EXPORT_MODDABLE.exec(stdout);
  if (found === null) throw new Error(`.ci/moddable-tools printed no MODDABLE. ${TOOLS_HINT}`);
  return toolsIn(found[1]);
}

export function hostCacheDir(): string {
  return path.join(process.env.WMBUS_CACHE ?? path.join(os.homedir(), '.cache', 'wmbus-moddable'), 'host');
}

/** The files the program is made of, besides the SDK: the manifests and every source its module map names. */
function inputFiles(manifestText: string): string[] {
  const modules = Object.values((JSON.parse(manifestText) as { modules: Record<string, string> }).modules);
  const sources = modules.flatMap((m) => {
    const base = path.join(REPO, m.replace('$(WMBUS)/', ''));
    return ['.ts', '.js', '.c'].map((ext) => base + ext).filter((f) => fs.existsSync(f));
  });
  return [hostManifestPath(), manifestPath(), ...HOST_TYPES.map((t) => path.join(REPO, t + '.d.ts')), ...sources, __filename];
}

function sdkKey(moddable: string): string {
  const hash = createHash('sha256').update(fs.realpathSync(moddable));
  hash.update(fs.readFileSync(path.join(moddable, 'tools', 'VERSION')));
  hash.update(fs.readFileSync(path.join(REPO, 'node_modules', 'typescript', 'package.json')));
  return hash.digest('hex').slice(0, KEY_HEX);
}

function inputKey(manifestText: string, sdk: string): string {
  const hash = createHash('sha256').update(sdk);
  for (const file of inputFiles(manifestText)) hash.update(path.relative(REPO, file)).update('\0').update(fs.readFileSync(file));
  return hash.digest('hex').slice(0, KEY_HEX);
}

function countNotFrozen(log: string): number {
  return log.split('\n').filter((l) => l.includes('not frozen')).length;
}

function tail(text: string): string {
  return text.split('\n').filter((l) => l.length > 0).slice(-LOG_TAIL_LINES).join('\n');
}

const LOCK_POLL_MS = 1000;
const LOCK_STALE_MS = 60 * 60_000;

/** Runs `body` holding `lock` (a directory), so two runs never build in the same folder at once. */
async function withLock<T>(lock: string, body: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch (e: unknown) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const held = fs.statSync(lock, { throwIfNoEntry: false });
      if (held !== undefined && Date.now() - held.mtimeMs > LOCK_STALE_MS) fs.rmSync(lock, { recursive: true, force: true });
      else if (held !== undefined) await new Promise((r) => setTimeout(r, LOCK_POLL_MS));
    }
  }
  try {
    return await body();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * mcconfig and make in one build folder per SDK, kept between builds so a change rebuilds only
 * what depends on it. A failed build removes the folder: tsc writes its JavaScript even on type
 * errors and make would go on past them the next time (../shared/moddable/README.md).
 */
async function build(binary: string, log: string, tools: { moddable: string; bin: string }, work: string): Promise<void> {
  const env = { ...process.env, MODDABLE: tools.moddable, PATH: `${tools.bin}${path.delimiter}${process.env.PATH ?? ''}` };
  const tmp = path.join(work, 'tmp', 'lin', 'release', HOST_NAME);
  let output = '';
  try {
    fs.mkdirSync(work, { recursive: true });
    const configured = await run('mcconfig', ['-o', work, '-p', 'x-cli-lin', hostManifestPath()], { env, maxBuffer: 64 * 1024 * 1024 });
    output += configured.stdout + configured.stderr;
    // xsl every time, so that every log has its "not frozen" warnings (a few seconds).
    fs.rmSync(path.join(tmp, 'mc.xs.c'), { force: true });
    const made = await run('make', [`-j${MAKE_JOBS}`], { cwd: tmp, env, maxBuffer: 64 * 1024 * 1024 });
    output += made.stdout + made.stderr;
    fs.writeFileSync(log, output);
    const staged = `${binary}.${process.pid}`;
    fs.copyFileSync(path.join(work, 'bin', 'lin', 'release', HOST_NAME), staged);
    fs.chmodSync(staged, 0o755);
    fs.renameSync(staged, binary);
  } catch (e: unknown) {
    const failed = e as { stdout?: string; stderr?: string; message: string };
    output += (failed.stdout ?? '') + (failed.stderr ?? '');
    fs.writeFileSync(log + '.failed', output);
    fs.rmSync(work, { recursive: true, force: true });
    throw new Error(`Moddable host build failed (${log}.failed):\n${tail(output) || failed.message}`);
  }
}

/** Programs kept in the cache: the newest few (3.5 MB each), for going back and forth between branches. */
const KEEP_PROGRAMS = 4;

function pruneCache(cache: string): void {
  const programs = fs
    .readdirSync(cache)
    .filter((f) => f.startsWith(`${HOST_NAME}-`) && !f.includes('.'))
    .map((f) => ({ file: path.join(cache, f), mtime: fs.statSync(path.join(cache, f)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
  for (const old of programs.slice(KEEP_PROGRAMS)) {
    for (const f of [old.file, old.file + '.log']) fs.rmSync(f, { force: true });
  }
}

/** The host program for the current sources, built first when the cache has none. */
export async function moddableHostBinary(): Promise<HostBinary> {
  const tools = await moddableTools();
  const manifestText = fs.readFileSync(hostManifestPath(), 'utf8');
  const cache = hostCacheDir();
  fs.mkdirSync(cache, { recursive: true });
  const sdk = sdkKey(tools.moddable);
  const binary = path.join(cache, `${HOST_NAME}-${inputKey(manifestText, sdk)}`);
  const log = binary + '.log';
  let buildMs = 0;
  const work = path.join(cache, `work-${sdk}`);
  if (!fs.existsSync(binary)) {
    await withLock(work + '.lock', async () => {
      if (fs.existsSync(binary)) return;
      // Checked before a build only: a cached program was built from these very sources, checked then.
      if (manifestText !== hostManifestText()) {
        throw new Error('sim/moddable/manifest.json is not what the import graph gives: run `npx tsx sim/moddable/manifest.node.ts`');
      }
      const started = Date.now();
      await build(binary, log, tools, work);
      buildMs = Date.now() - started;
      pruneCache(cache);
    });
  }
  return { path: binary, log, buildMs, notFrozen: countNotFrozen(fs.readFileSync(log, 'utf8')) };
}

if (require.main === module) {
  moddableHostBinary().then(
    (b) => {
      process.stdout.write(`${b.path}\n${b.buildMs > 0 ? `built in ${(b.buildMs / 1000).toFixed(1)} s` : 'cached'}, ${b.notFrozen} "not frozen" warnings (${b.log})\n`);
    },
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
