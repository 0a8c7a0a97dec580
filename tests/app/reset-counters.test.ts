/**
 * A RESET in the middle of a listening window (§2.4.4.2: a short press restarts the box): the
 * frames the window stored are in the frame store, and the supervision counters count them
 * (§5.7 WmBus CptRecFrames) although the window never reached its end, where counters are saved.
 */
import { createPopulation } from '../../sim/radio/population';
import { deviceCounters } from '../../sim/run';
import { createRandom } from '../../sim/world/random';
import { FrameStore } from '../../tasks/store/frame-store';
import { HOUR, MINUTE, installInRun, T0, testSite } from '../support/device';

const WINDOW_START = T0 + 3 * HOUR;
const WINDOW_SECONDS = 300;
/** The RESET falls halfway through the window. */
const RESET_AT = WINDOW_START + (WINDOW_SECONDS / 2) * 1000;

function site() {
  const air = createPopulation({ meters: 40, linkModes: { T1: 1 }, intervalMs: { min: 10_000, max: 20_000 }, distanceM: { min: 5, max: 30 } }, createRandom(5));
  return testSite({
    air,
    preset: { config: { radio: { mode: 2, duration: WINDOW_SECONDS }, scheduleRadio: [{ cron: '0 3 * * *', data: WINDOW_SECONDS }], monitoringPeriod: 0 } },
  });
}

test('frames stored before a RESET mid-window are counted as recorded and heard after the reboot', async () => {
  const s = site();
  await installInRun(s);
  await s.world.runUntil(RESET_AT);
  const beforeWindow = deviceCounters(s.device)!.radio;
  s.device.pressReset(false);
  await s.world.runUntil(RESET_AT + MINUTE);

  const stored = FrameStore.open(s.flash).stats().records;
  expect(stored).toBeGreaterThan(0);
  const after = deviceCounters(s.device)!.radio;
  expect(after.recorded - beforeWindow.recorded).toBe(stored);
  expect(after.frames - beforeWindow.frames).toBeGreaterThanOrEqual(stored);
});

test('a reboot without a cut window counts nothing twice', async () => {
  const s = site();
  await installInRun(s);
  await s.world.runUntil(WINDOW_START + (WINDOW_SECONDS + 60) * 1000);
  const whole = deviceCounters(s.device)!.radio;
  const stored = FrameStore.open(s.flash).stats().records;
  expect(whole.recorded).toBe(stored);
  s.device.pressReset(false);
  await s.world.runUntil(WINDOW_START + (WINDOW_SECONDS + 120) * 1000);
  expect(deviceCounters(s.device)!.radio.recorded).toBe(stored);
});
