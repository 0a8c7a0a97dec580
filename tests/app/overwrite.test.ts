/**
 * The frame store is circular (primary spec, characteristics: 1.5 MB of flash for data, circular): when the
 * server has not taken the frames before the store is full, the oldest are overwritten. That loss
 * is logged (framesOverwritten) and counted in the supervision file (counters.framesLost), not
 * only told on the console.
 */
import { SimClock } from '../../sim/drivers/clock';
import { SimFiles } from '../../sim/drivers/files';
import { createPopulation } from '../../sim/radio/population';
import { deviceCounters } from '../../sim/run';
import { createRandom } from '../../sim/world/random';
import { benchSupervision } from '../support/supervision';
import { zeroCounters } from '../../tasks/counters';
import { EventLog } from '../../tasks/log/event-log';
import { EVENTS } from '../../tasks/log/events';
import { FrameStore } from '../../tasks/store/frame-store';
import { HOUR, installInRun, T0, testSite } from '../support/device';

const WINDOW_SECONDS = 300;
/** Windows of about 1000 frames each: the 256 KB test store holds about three. */
const WINDOWS = 5;

test('frames the full store overwrites before any upload are logged and counted as lost', async () => {
  const air = createPopulation({ meters: 1000, linkModes: { T1: 1 }, intervalMs: { min: 20_000, max: 40_000 }, distanceM: { min: 5, max: 30 } }, createRandom(9));
  const site = testSite({
    air,
    preset: { config: { radio: { mode: 2, duration: WINDOW_SECONDS }, scheduleRadio: [{ cron: '0 * * * *', data: WINDOW_SECONDS }], scheduleFTP: [], monitoringPeriod: 0 } },
  });
  await installInRun(site);
  await site.world.runUntil(T0 + WINDOWS * HOUR + WINDOW_SECONDS * 1000 + 60_000);

  const stats = FrameStore.open(site.flash).stats();
  expect(stats.overwrittenPending).toBeGreaterThan(0);
  const radio = deviceCounters(site.device)!.radio;
  expect(radio.overwrittenPending).toBe(stats.overwrittenPending);
  expect(radio.recorded - stats.records).toBe(stats.overwrittenPending);

  const log = new EventLog(new SimFiles(site.device.files, 256 * 1024), new SimClock(site.world, site.device.rtc));
  const lost = log
    .entries()
    .filter((e) => e.code === EVENTS.framesOverwritten.code)
    .map((e) => Number(/, (\d+) not uploaded/.exec(e.data ?? '')?.[1]));
  expect(lost.reduce((a, b) => a + b, 0)).toBe(stats.overwrittenPending);
});

test('the supervision file carries them as counters.framesLost and counters.filesDropped, after §5.7 fault', () => {
  const counters = zeroCounters();
  counters.radio.overwrittenPending = 412;
  counters.modem.filesDropped = 2;
  const section = benchSupervision(counters, T0 / 1000).counters as Record<string, number>;
  expect(Object.keys(section).slice(-3)).toEqual(['fault', 'framesLost', 'filesDropped']);
  expect(section).toMatchObject({ framesLost: 412, filesDropped: 2 });
});
