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
const MONITORING_MINUTES = 15;
const LONG_WINDOW_SECONDS = 3600;
/** The RESET falls halfway through the window. */
const RESET_AT = WINDOW_START + (WINDOW_SECONDS / 2) * 1000;

/** `intervalMs`: the meters' send interval; long ones spread each meter's first telegram over a long window. */
function site(monitoringPeriod = 0, windowSeconds = WINDOW_SECONDS, intervalMs = { min: 10_000, max: 20_000 }) {
  const air = createPopulation({ meters: 40, linkModes: { T1: 1 }, intervalMs, distanceM: { min: 5, max: 30 } }, createRandom(5));
  return testSite({
    air,
    preset: { config: { radio: { mode: 2, duration: windowSeconds }, scheduleRadio: [{ cron: '0 3 * * *', data: windowSeconds }], monitoringPeriod } },
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

test('counters saved mid-window (monitoring readings, every 15 minutes) and then a RESET count each stored frame once', async () => {
  const s = site(MONITORING_MINUTES, LONG_WINDOW_SECONDS, { min: 20 * MINUTE, max: 55 * MINUTE });
  await installInRun(s);
  await s.world.runUntil(WINDOW_START - MINUTE);
  const beforeWindow = deviceCounters(s.device)!.radio;
  // Past two readings inside the window, each of which saved the counters.
  await s.world.runUntil(WINDOW_START + 40 * MINUTE);
  const midWindow = deviceCounters(s.device)!.radio;
  expect(midWindow.recorded).toBeGreaterThan(beforeWindow.recorded);
  s.device.pressReset(false);
  await s.world.runUntil(WINDOW_START + 41 * MINUTE);

  const stored = FrameStore.open(s.flash).stats().records;
  expect(stored).toBeGreaterThan(midWindow.recorded - beforeWindow.recorded);
  expect(deviceCounters(s.device)!.radio.recorded - beforeWindow.recorded).toBe(stored);
});
