import { beepsSince, HOUR, installInRun, MINUTE, T0, testSite } from '../support/device';

/**
 * §4.2.1.1 `local.testCount` and `local.timeout`: the magnet's diagnosis action (a double pass in
 * RUN, `local.magnet` 1) runs testCount sequences of a window and a session in a row, with the
 * result beep only for one; with one sequence, `timeout` bounds the whole action. This bench box
 * has no modem behind its UART, so every session fails (at power-on).
 */
function site(local: Record<string, number>) {
  return testSite({
    preset: { config: { radio: { duration: 120 }, scheduleRadio: [{ cron: '0 3 * * *', data: 60 }], monitoringPeriod: 0, local: { magnet: 1, ...local } } },
  });
}

/** Installs the box (its own install action is the diagnosis too), then a double pass at 01:00. */
async function diagnoseAt(s: ReturnType<typeof site>, atMs: number): Promise<void> {
  await installInRun(s);
  await s.world.runUntil(atMs);
  s.device.magnetPass();
  await s.world.runUntil(atMs + 3000);
  s.device.magnetPass();
}

const windowsSince = (lines: readonly string[], from: number): string[] => lines.slice(from).filter((l) => l.startsWith('radio window'));
const sessionsSince = (lines: readonly string[], from: number): string[] => lines.slice(from).filter((l) => l.startsWith('modem session'));

test('testCount 3: three windows of radio.duration, each followed by its session, and no result beep', async () => {
  const s = site({ testCount: 3 });
  await s.world.runUntil(T0);
  await diagnoseAt(s, T0 + HOUR);
  const from = s.lines.length;
  await s.world.runUntil(T0 + HOUR + 30 * MINUTE);
  expect(windowsSince(s.lines, from).map((l) => l.split(',')[0])).toEqual(['radio window T1+C1 120 s', 'radio window T1+C1 120 s', 'radio window T1+C1 120 s']);
  expect(sessionsSince(s.lines, from)).toHaveLength(3);
  // The first pass's status (3 long: never connected) and the action's long beep; no result after.
  expect(beepsSince(s, T0 + HOUR)).toBe('LLLL');
});

test('testCount 1: one sequence, then the result beep (3 long: the session failed)', async () => {
  const s = site({ testCount: 1 });
  await diagnoseAt(s, T0 + HOUR);
  const from = s.lines.length;
  await s.world.runUntil(T0 + HOUR + 30 * MINUTE);
  expect(windowsSince(s.lines, from)).toHaveLength(1);
  expect(sessionsSince(s.lines, from)).toHaveLength(1);
  expect(beepsSince(s, T0 + HOUR)).toBe('LLLLLLL');
});

test('timeout 60 s: the window gets half of it instead of radio.duration, the session the rest', async () => {
  const s = site({ testCount: 1, timeout: 60 });
  await diagnoseAt(s, T0 + HOUR);
  const from = s.lines.length;
  await s.world.runUntil(T0 + HOUR + 30 * MINUTE);
  expect(windowsSince(s.lines, from).map((l) => l.split(',')[0])).toEqual(['radio window T1+C1 30 s']);
  expect(sessionsSince(s.lines, from)).toHaveLength(1);
});

test('timeout is ignored when testCount is above 1', async () => {
  const s = site({ testCount: 2, timeout: 60 });
  await diagnoseAt(s, T0 + HOUR);
  const from = s.lines.length;
  await s.world.runUntil(T0 + HOUR + 30 * MINUTE);
  expect(windowsSince(s.lines, from).map((l) => l.split(',')[0])).toEqual(['radio window T1+C1 120 s', 'radio window T1+C1 120 s']);
});
