/**
 * Issue 13 item 9: a seed decides every byte a run prints and writes, however loaded the machine
 * is. The simulator waits for each reply the local servers owe (sim/servers/replies-owed.ts), never
 * for a real-time budget, so runs of the same seed while two busy loops take both cores of the CI
 * machine must give the same bytes as each other.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runOnNode } from '../../sim/cli/main.node';

const MQTT_SITE = path.resolve(__dirname, '../../sim/scenarios/mqtt-site.json');
const RUNS = 3;
const HOGS = 2;
/** Six runs of a few real seconds each, slower under the hogs. */
const TEST_TIMEOUT_MS = 120_000;
const BUSY_LOOP = 'for (;;) {}';

interface RunBytes {
  readonly stdout: string;
  /** The files of `--out` (the server's files, the MQTT recording, the logs), by path. */
  readonly files: Record<string, string>;
}

function readTree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      const file = path.relative(root, full);
      // Every file: the box's configuration names its servers at their well-known ports, never the run's free ones.
      if (entry.isDirectory()) walk(full);
      else out[file] = fs.readFileSync(full).toString('hex');
    }
  };
  walk(root);
  return out;
}

async function run(args: readonly string[]): Promise<RunBytes> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'determinism-'));
  try {
    const { lines } = await runOnNode([...args, '--out', dir], () => undefined);
    return { stdout: lines.join('\n'), files: readTree(dir) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

let hogs: ChildProcess[] = [];

beforeAll(() => {
  hogs = Array.from({ length: HOGS }, () => spawn(process.execPath, ['-e', BUSY_LOOP], { stdio: 'ignore' }));
});

afterAll(() => {
  for (const h of hogs) h.kill();
});

test.each([
  ['the default site, two days with an upload a day', ['--days', '2']],
  ['the MQTT site (sim/scenarios/mqtt-site.json)', ['--scenario', MQTT_SITE]],
])(
  '%s: runs of the same seed under two CPU hogs print and write the same bytes',
  async (_name, args) => {
    const first = await run(args);
    expect(first.stdout).toContain('frames uploaded');
    expect(Object.keys(first.files)).toContain('summary.json');
    for (let i = 1; i < RUNS; i++) {
      const again = await run(args);
      expect(again.stdout).toBe(first.stdout);
      expect(again.files).toEqual(first.files);
    }
  },
  TEST_TIMEOUT_MS,
);
