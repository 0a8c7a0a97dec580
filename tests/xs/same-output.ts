import { execFile } from 'child_process';
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
export async function expectOutputOfNpmStart(script: string, argv: readonly string[]): Promise<void> {
  const [node, xs] = await Promise.all([output('sim/cli/main.node.ts', [...argv, '--json']), output(script, [...argv, '--json'])]);
  expect(xs).toBe(node);
  const summary = JSON.parse(node.trim().split('\n').pop() as string) as { windows: number; framesStored: number };
  expect(summary.windows).toBeGreaterThan(0);
  expect(summary.framesStored).toBeGreaterThan(0);
}
