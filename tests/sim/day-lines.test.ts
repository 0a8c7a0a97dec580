/** The simulator's progress lines show each day's own figures, and they add up to the run's summary. */
import { runScenarioOnNode } from '../../sim/cli/main.node';
import { DEFAULT_SCENARIO } from '../../sim/scenario';

const DAY_LINE = /^day (\d+) \d{4}-\d\d-\d\d: windows (\d+), frames heard (\d+), recorded (\d+), sessions (\d+) \(ok (\d+)\), frames uploaded (\d+)$/;

test('three days of the default site: one window a day, and the days sum to the summary', async () => {
  const { run, lines } = await runScenarioOnNode({ ...DEFAULT_SCENARIO, days: 3 }, {}, () => undefined);
  const days = lines.filter((l) => l.startsWith('day ')).map((l) => (DAY_LINE.exec(l) ?? []).slice(1).map(Number));
  expect(days.map((d) => d[0])).toEqual([1, 2, 3]);
  expect(days.map((d) => d[1])).toEqual([1, 1, 1]);
  const sum = (i: number): number => days.reduce((n, d) => n + d[i], 0);
  expect(sum(2)).toBe(run.summary.framesHeard);
  expect(sum(3)).toBe(run.summary.framesStored);
  expect(sum(4)).toBe(run.summary.modemSessions);
  expect(sum(6)).toBe(run.summary.framesUploaded);
  // Days after the first upload about a day of frames each, not the run so far.
  expect(days[2][6]).toBeLessThan(run.summary.framesUploaded / 2);
}, 60_000);
