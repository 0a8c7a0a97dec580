import { execFile } from 'child_process';
import * as path from 'path';
import { promisify } from 'util';

/**
 * The same firmware, fakes and world bundled into one script and run inside the real XS engine
 * (npm @agoric/xsnap) must print exactly what the Node run prints: the firmware relies on nothing
 * V8 has and XS lacks, and the simulation is deterministic. Both run as the commands a user types
 * (`npm start`, `npm run xs`), in child processes.
 */
const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
const run = promisify(execFile);

async function output(script: string, argv: readonly string[]): Promise<string> {
  const { stdout } = await run(TSX, ['--tsconfig', 'tsconfig.host.json', script, ...argv], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

describe('XS conformance: npm run xs prints what npm start prints', () => {
  test.each([[[] as string[]], [['--seed', '7']], [['--seed', '42', '--days', '2']]])('options %j', async (argv) => {
    const [node, xs] = await Promise.all([output('sim/cli/main.node.ts', [...argv, '--json']), output('sim/xs/run.node.ts', [...argv, '--json'])]);
    expect(xs).toBe(node);
    const summary = JSON.parse(node.trim().split('\n').pop() as string) as { windows: number; framesStored: number };
    expect(summary.windows).toBeGreaterThan(0);
    expect(summary.framesStored).toBeGreaterThan(0);
  }, 300_000);
});
