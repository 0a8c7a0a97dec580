import type { BsonDocument } from '../../protocol/bson/types';
import { windowPlan } from '../../tasks/radio/task';
import { defaultConfig } from '../../protocol/config/defaults';
import { applyConfigFile } from '../../protocol/config/apply';
import { deviceCounters } from '../../sim/run';
import { meterFrame, scriptedAir, type ScriptedTelegram } from '../support/air';
import { HOUR, installInRun, MINUTE, T0, testSite, type TestSite } from '../support/device';

/** The wM-Bus task on the simulated box: schedule, windows, rules and counters (§3.1.2.1, §4.2.5.1.1). */
const SECOND = 1000;
/** Windows start at 03:00; the box is put in RUN at 00:01. */
const WINDOW = T0 + 3 * HOUR;

async function runSite(config: BsonDocument['config'], telegrams: ScriptedTelegram[], untilMs = WINDOW + HOUR): Promise<TestSite> {
  const site = testSite({ preset: { config: { monitoringPeriod: 0, ...(config as object) } } as BsonDocument, air: scriptedAir(telegrams) });
  await installInRun(site);
  await site.world.runUntil(untilMs);
  return site;
}

function every(periodMs: number, fromMs: number, toMs: number, make: (at: number) => ScriptedTelegram): ScriptedTelegram[] {
  const out: ScriptedTelegram[] = [];
  for (let t = fromMs; t < toMs; t += periodMs) out.push(make(t));
  return out;
}

const windowLines = (site: TestSite): string[] => site.lines.filter((l) => l.startsWith('radio window'));

describe('window plan of a trigger (§4.2.5.1.1)', () => {
  const config = (doc: object) => {
    const r = applyConfigFile(defaultConfig(), { config: doc } as BsonDocument);
    if (!r.ok) throw new Error(r.reason);
    return r.config;
  };

  test('a trigger with data listens that many seconds in the configured mode', () => {
    expect(windowPlan(config({ radio: { mode: 1 }, scheduleRadio: [{ cron: '0 3 * * *', data: 120 }] }), 0)).toEqual([{ mode: 1, durationMs: 120_000 }]);
  });

  test('a trigger without data uses radio.duration', () => {
    expect(windowPlan(config({ radio: { duration: 90 }, scheduleRadio: [{ cron: '0 3 * * *' }] }), 0)).toEqual([{ mode: 2, durationMs: 90_000 }]);
  });

  test('multi-listening: one window per mode, with the durations of the data array', () => {
    const c = config({ radio: { mode: [0, 2], duration: [60, 60] }, scheduleRadio: [{ cron: '*/30 * * * *', data: [30, 60] }] });
    expect(windowPlan(c, 0)).toEqual([{ mode: 0, durationMs: 30_000 }, { mode: 2, durationMs: 60_000 }]);
  });

  test('multi-listening with a single data value uses radio.duration of each mode, as the manual example does', () => {
    const c = config({ radio: { mode: [0, 2], duration: [45, 75] }, scheduleRadio: [{ cron: '15 23 * * *', data: 120 }] });
    expect(windowPlan(c, 0)).toEqual([{ mode: 0, durationMs: 45_000 }, { mode: 2, durationMs: 75_000 }]);
  });
});

describe('listening windows on the simulated box', () => {
  test('the manual example: a 20-byte frame every 8 s and a 45-byte frame every 60 s give 2 records in a 2-minute window', async () => {
    const telegrams = [
      ...every(8 * SECOND, WINDOW + 500, WINDOW + 3 * MINUTE, (at) => ({ atMs: at, frame: meterFrame(12345678, 20), mode: 'T1' })),
      ...every(60 * SECOND, WINDOW + 4500, WINDOW + 3 * MINUTE, (at) => ({ atMs: at, frame: meterFrame(12345678, 45), mode: 'T1' })),
    ];
    const site = await runSite({ scheduleRadio: [{ cron: '0 3 * * *', data: 120 }] }, telegrams);
    const c = deviceCounters(site.device)!.radio;
    expect(c.recorded).toBe(2);
    expect(c.duplicates).toBe(c.frames - 2);
    expect(windowLines(site)).toEqual([expect.stringMatching(/^radio window T1\+C1 120 s, \d+ heard, 2 recorded$/)]);
  });

  test('the window closes early once every white-listed meter has been recorded', async () => {
    const telegrams = [1, 2, 3].map((n, i) => ({ atMs: WINDOW + (10 + 10 * i) * SECOND, frame: meterFrame(n), mode: 'T1' as const }));
    const site = testSite({ preset: { config: { monitoringPeriod: 0, scheduleRadio: [{ cron: '0 3 * * *', data: 600 }] } }, air: scriptedAir(telegrams) });
    site.device.settings.set('wl', concatIdentities([1, 2, 3]));
    await installInRun(site);
    await site.world.runUntil(WINDOW + HOUR);
    expect(windowLines(site)).toEqual(['radio window T1+C1 30 s, 3 heard, 3 recorded, closed early']);
  });

  test('a frame whose CRC fails is counted and never stored', async () => {
    const site = await runSite({ scheduleRadio: [{ cron: '0 3 * * *', data: 60 }] }, [
      { atMs: WINDOW + 5 * SECOND, frame: meterFrame(1), mode: 'C1A', corrupt: true },
      { atMs: WINDOW + 6 * SECOND, frame: meterFrame(2), mode: 'C1B' },
    ]);
    const c = deviceCounters(site.device)!.radio;
    expect(c.crcErrors).toBe(1);
    expect(c.recorded).toBe(1);
  });

  test('mode 1 (T1) records T1 frames and drops C1 frames heard on the same channel', async () => {
    const site = await runSite({ radio: { mode: 1 }, scheduleRadio: [{ cron: '0 3 * * *', data: 60 }] }, [
      { atMs: WINDOW + 5 * SECOND, frame: meterFrame(1), mode: 'T1' },
      { atMs: WINDOW + 6 * SECOND, frame: meterFrame(2), mode: 'C1A' },
    ]);
    const c = deviceCounters(site.device)!.radio;
    expect(c.recorded).toBe(1);
    expect(c.filtered).toBe(1);
  });

  test('mode 0 (S1) listens on 868.3 MHz: S1 meters are heard, T1 meters are not', async () => {
    const site = await runSite({ radio: { mode: 0 }, scheduleRadio: [{ cron: '0 3 * * *', data: 60 }] }, [
      { atMs: WINDOW + 5 * SECOND, frame: meterFrame(1), mode: 'S1' },
      { atMs: WINDOW + 9 * SECOND, frame: meterFrame(2), mode: 'T1' },
    ]);
    const c = deviceCounters(site.device)!.radio;
    expect(c.frames).toBe(1);
    expect(c.recorded).toBe(1);
    expect(windowLines(site)[0]).toMatch(/^radio window S1 60 s/);
  });

  test('multi-listening runs the windows in sequence, one per mode', async () => {
    const site = await runSite({ radio: { mode: [0, 2], duration: [60, 60] }, scheduleRadio: [{ cron: '0 3 * * *', data: [30, 45] }] }, []);
    expect(windowLines(site)).toEqual(['radio window S1 30 s, 0 heard, 0 recorded', 'radio window T1+C1 45 s, 0 heard, 0 recorded']);
  });

  test('when two triggers fall in the same minute only the first one in the file runs', async () => {
    const site = await runSite({ scheduleRadio: [{ cron: '0 3 * * *', data: 40 }, { cron: '0 * * * *', data: 90 }] }, []);
    const at3 = windowLines(site);
    expect(at3).toContain('radio window T1+C1 40 s, 0 heard, 0 recorded');
    // 01:00 and 02:00; 03:00 is the first trigger's; the run ends as the 04:00 window opens.
    expect(at3.filter((l) => l.includes(' 90 s')).length).toBe(2);
  });

  test('the transceiver is asleep after the window and the box back in deep sleep', async () => {
    const site = await runSite({ scheduleRadio: [{ cron: '0 3 * * *', data: 60 }] }, []);
    expect(site.ledger.stateOf('radio')).toBe('sleep');
    expect(site.ledger.snapshot().components.radio.stateMs.rx).toBe(60_000);
    expect(site.device.awake).toBe(false);
  });

  test('listening seconds and windows are counted for supervision', async () => {
    // RUN from 00:01: windows at 02:00, 04:00, … 10:00 have ended by 11:00.
    const site = await runSite({ scheduleRadio: [{ cron: '0 */2 * * *', data: 30 }] }, [], T0 + 11 * HOUR);
    const c = deviceCounters(site.device)!.radio;
    expect(c.windows).toBe(5);
    expect(c.listeningSeconds).toBe(150);
  });
});

function concatIdentities(ids: number[]): Uint8Array {
  const out = new Uint8Array(ids.length * 8);
  ids.forEach((n, i) => out.set(meterFrame(n).subarray(2, 10), i * 8));
  return out;
}
