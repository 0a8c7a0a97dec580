/** What the installer hears, in the simulator's output: each pattern in `--trace`, all of them in the summary. */
import { runScenarioOnNode } from '../../sim/cli/main.node';
import { DEFAULT_SCENARIO } from '../../sim/scenario';
import { formatSummary } from '../../sim/summary';

test('the default site\'s installation: STORAGE\'s two short beeps, then three long and one long for RUN (§3.1.1)', async () => {
  const { run } = await runScenarioOnNode(DEFAULT_SCENARIO, {}, () => undefined);
  expect(run.summary.beeps).toEqual(['SS', 'LLLL']);
  expect(formatSummary(run.summary)).toContain('  beeps heard            2: SS LLLL');
}, 60_000);

test('--trace prints each pattern when it has sounded, stamped with the device clock', async () => {
  const lines: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array): boolean => {
    lines.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  try {
    await runScenarioOnNode(DEFAULT_SCENARIO, { trace: true }, () => undefined);
  } finally {
    process.stderr.write = write;
  }
  const beeps = lines.filter((l) => / buzzer [SL]+\n$/.test(l));
  expect(beeps.map((l) => l.trim().split(' ').slice(1).join(' '))).toEqual(['buzzer SS', 'buzzer LLLL']);
  expect(beeps.every((l) => /^2026-01-05T00:1\d:\d\d\.\d{3}Z /.test(l))).toBe(true);
}, 60_000);
