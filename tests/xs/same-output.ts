import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';

const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
const run = promisify(execFile);

async function output(script: string, argv: readonly string[]): Promise<string> {
  const { stdout } = await run(TSX, ['--tsconfig', 'tsconfig.host.json', script, ...argv], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

/**
 * Runs `npm start` (sim/cli/main.node.ts) and an XS runner `script` with the same options and
 * `--json`, side by side in child processes as a user would type them; expects the same bytes on
 * stdout, and a run that did something (radio windows, stored frames).
 */
export async function expectOutputOfNpmStart(script: string, argv: readonly string[], options: { compareOut?: boolean } = {}): Promise<void> {
  const dirs = options.compareOut === true ? [fs.mkdtempSync(path.join(os.tmpdir(), 'out-node-')), fs.mkdtempSync(path.join(os.tmpdir(), 'out-xs-'))] : [];
  const out = (i: number): string[] => (dirs.length > 0 ? ['--out', dirs[i]] : []);
  try {
    const [node, xs] = await Promise.all([output('sim/cli/main.node.ts', [...argv, '--json', ...out(0)]), output(script, [...argv, '--json', ...out(1)])]);
    expect(xs).toBe(node);
    // --out writes the same tree: the device's files, settings and log, the server's files, the summary, the key list.
    if (dirs.length > 0) expect(tree(dirs[1])).toEqual(tree(dirs[0]));
    expectWork(node);
  } finally {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  }
}

/** Every file under `root`, by relative path, as hex. */
function tree(root: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else files[path.relative(root, full)] = fs.readFileSync(full).toString('hex');
    }
  };
  walk(root);
  return files;
}

function expectWork(node: string): void {
  const summary = JSON.parse(node.trim().split('\n').pop() as string) as { windows: number; framesStored: number };
  expect(summary.windows).toBeGreaterThan(0);
  expect(summary.framesStored).toBeGreaterThan(0);
}
