import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import type { BenchResult } from './types';

const ROOT = path.resolve(__dirname, '..');
const run = promisify(execFile);

interface Summary {
  framesHeard: number;
  totalMahPerDay: number;
  projectedYears: number;
  modemSessions: number;
}

/** Wall time of `npm start -- --days 365` (the default site for a year), measured as a user runs it. */
export async function benchSimulatedYear(): Promise<BenchResult[]> {
  const t0 = performance.now();
  const { stdout } = await run(path.join(ROOT, 'node_modules/.bin/tsx'), ['--tsconfig', 'tsconfig.host.json', 'sim/cli/main.node.ts', '--days', '365', '--json'], {
    cwd: ROOT,
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = (performance.now() - t0) / 1000;
  const summary = JSON.parse(stdout.trim().split('\n').pop() as string) as Summary;
  return [
    { name: 'sim.year.wall', value: Math.round(seconds * 10) / 10, unit: 's' },
    { name: 'sim.year.frames_heard', value: summary.framesHeard, unit: 'frames' },
    { name: 'sim.year.modem_sessions', value: summary.modemSessions, unit: 'sessions' },
    { name: 'sim.year.pack', value: summary.totalMahPerDay, unit: 'mAh/day' },
    { name: 'sim.year.battery_life', value: summary.projectedYears, unit: 'years' },
  ];
}
