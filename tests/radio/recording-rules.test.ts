import { BsonBinary, type BsonDocument } from '../../protocol/bson/types';
import { applyConfigFile } from '../../protocol/config/apply';
import { defaultConfig } from '../../protocol/config/defaults';
import { IDENTITY_BYTES, idBytesFromText, makeIdentity } from '../../protocol/wmbus/identity';
import { MAX_SUPPRESSED_METERS, SuppressionTable, whitelistTable, WindowFilter, type RecordingRules } from '../../tasks/radio/filter';
import { deviceCounters } from '../../sim/run';
import { meterFrame, scriptedAir, type ScriptedTelegram } from '../support/air';
import { HOUR, installInRun, MINUTE, T0, testSite, type TestSite } from '../support/device';

/**
 * Recording rules taken from peer manuals: a black list (STG gateways' "Black List"), a minimum
 * RSSI (Lansen's "Min install RSSI") and Lansen's suppression timer; all off by default.
 */
const SEN = 0x4cae;
const WATER = 0x07;
const SECOND = 1000;
/** Windows start at 03:00; the box is put in RUN at 00:01. */
const WINDOW = T0 + 3 * HOUR;

function id(number: string, version = 0x68): Uint8Array {
  return makeIdentity(SEN, idBytesFromText(number) as Uint8Array, version, WATER);
}

function packed(ids: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(ids.length * IDENTITY_BYTES);
  ids.forEach((l, i) => out.set(l, i * IDENTITY_BYTES));
  return out;
}

function rules(over: Partial<RecordingRules> = {}): RecordingRules {
  return { manufFilter: [], mediumFilter: [], whitelist: whitelistTable(new Uint8Array(0)), mask: {}, ...over };
}

/** The identity of `meterFrame(n)`: SEN, id n, version 0x68, water. */
function frameIdentity(n: number): Uint8Array {
  return id(String(n).padStart(8, '0'));
}

async function runSite(config: BsonDocument['config'], telegrams: ScriptedTelegram[], untilMs = WINDOW + HOUR): Promise<TestSite> {
  const site = testSite({ preset: { config: { monitoringPeriod: 0, ...(config as object) } } as BsonDocument, air: scriptedAir(telegrams) });
  await installInRun(site);
  await site.world.runUntil(untilMs);
  return site;
}

describe('black list', () => {
  test('a black-listed meter is never recorded; the others are', () => {
    const f = new WindowFilter(rules({ blacklist: whitelistTable(packed([id('33225544')])) }));
    expect(f.judge(id('33225544'), 25)).toBe('blacklist');
    expect(f.judge(id('33225545'), 25)).toBe('record');
  });

  test('the black list compares the version byte unless skipVersionField is on', () => {
    const blacklist = whitelistTable(packed([id('33225544', 0x68)]));
    expect(new WindowFilter(rules({ blacklist })).judge(id('33225544', 0x69), 25)).toBe('record');
    expect(new WindowFilter(rules({ blacklist, mask: { skipVersionField: true } })).judge(id('33225544', 0x69), 25)).toBe('blacklist');
  });

  test('radio.blackList from a configuration file keeps the listed meter out, counted as filtered', async () => {
    const site = await runSite({ radio: { blackList: new BsonBinary(frameIdentity(1)) }, scheduleRadio: [{ cron: '0 3 * * *', data: 60 }] }, [
      { atMs: WINDOW + 5 * SECOND, frame: meterFrame(1), mode: 'T1' },
      { atMs: WINDOW + 6 * SECOND, frame: meterFrame(2), mode: 'T1' },
    ]);
    const c = deviceCounters(site.device)!.radio;
    expect(c.recorded).toBe(1);
    expect(c.filtered).toBe(1);
  });

  test('a black-list entry that is not 8 bytes rejects the file and keeps the configuration', () => {
    const current = defaultConfig();
    const applied = applyConfigFile(current, { config: { radio: { blackList: [new BsonBinary(new Uint8Array(7))], suppression: 5 } } });
    expect(applied).toEqual({ ok: false, field: 'config.radio.blackList[0]', reason: '7 bytes, expected 8' });
    expect(current.radio.blackList).toEqual([]);
    expect(current.radio.suppression).toBe(0);
  });
});

describe('minimum RSSI', () => {
  test('a frame heard below radio.minRssi is not recorded; one at the minimum is', () => {
    const f = new WindowFilter(rules({ minRssiDbm: -90 }));
    expect(f.judge(id('33225544'), 25, -91)).toBe('rssi');
    expect(f.judge(id('33225544'), 25, -90)).toBe('record');
  });

  test('on the box, a weak meter is counted as filtered and a strong one recorded', async () => {
    const site = await runSite({ radio: { minRssi: -90 }, scheduleRadio: [{ cron: '0 3 * * *', data: 60 }] }, [
      { atMs: WINDOW + 5 * SECOND, frame: meterFrame(1), mode: 'T1', rssiDbm: -101 },
      { atMs: WINDOW + 6 * SECOND, frame: meterFrame(2), mode: 'T1', rssiDbm: -75 },
    ]);
    const c = deviceCounters(site.device)!.radio;
    expect(c.recorded).toBe(1);
    expect(c.filtered).toBe(1);
  });

  test('radio.minRssi above -20 dBm is refused', () => {
    const applied = applyConfigFile(defaultConfig(), { config: { radio: { minRssi: -10 } } });
    expect(applied.ok).toBe(false);
  });
});

describe('suppression timer', () => {
  test('after a meter is recorded its frames of any size are suppressed until the timer runs out', () => {
    const table = new SuppressionTable(15);
    const f = new WindowFilter(rules({ suppression: table }));
    expect(f.judge(id('33225544'), 25, 0, T0)).toBe('record');
    expect(f.judge(id('33225544'), 45, 0, T0 + 14 * MINUTE)).toBe('suppressed');
    expect(f.judge(id('33225545'), 25, 0, T0 + 14 * MINUTE)).toBe('record');
  });

  test('the timer holds across windows: a second window before it runs out records nothing of the meter', () => {
    const table = new SuppressionTable(15);
    expect(new WindowFilter(rules({ suppression: table })).judge(id('33225544'), 25, 0, T0)).toBe('record');
    expect(new WindowFilter(rules({ suppression: table })).judge(id('33225544'), 25, 0, T0 + 10 * MINUTE)).toBe('suppressed');
    expect(new WindowFilter(rules({ suppression: table })).judge(id('33225544'), 25, 0, T0 + 15 * MINUTE)).toBe('record');
  });

  test('on the box, two hourly windows inside a 90-minute timer record the meter once, the repeat counted as a duplicate', async () => {
    const site = await runSite({ radio: { suppression: 90 }, scheduleRadio: [{ cron: '0 3,4 * * *', data: 60 }] }, [
      { atMs: WINDOW + 5 * SECOND, frame: meterFrame(1), mode: 'T1' },
      { atMs: WINDOW + HOUR + 5 * SECOND, frame: meterFrame(1), mode: 'T1' },
    ], WINDOW + 2 * HOUR);
    const c = deviceCounters(site.device)!.radio;
    expect(c.windows).toBe(2);
    expect(c.recorded).toBe(1);
    expect(c.duplicates).toBe(1);
  });

  test('the saved timers survive a reboot: a table built from them suppresses, and leaves out timers that ran out', () => {
    const before = new SuppressionTable(15);
    before.admit(id('33225544'), T0);
    before.admit(id('33225545'), T0 + 10 * MINUTE);
    const saved = before.save(T0 + 20 * MINUTE);
    expect(saved.length).toBe(10);
    const after = new SuppressionTable(15, undefined, saved);
    expect(after.size).toBe(1);
    expect(after.admit(id('33225545'), T0 + 24 * MINUTE)).toBe(false);
    expect(after.admit(id('33225544'), T0 + 24 * MINUTE)).toBe(true);
  });

  test('with the table full, a meter it does not hold is recorded every time', () => {
    const table = new SuppressionTable(60);
    for (let n = 0; n < MAX_SUPPRESSED_METERS; n++) table.admit(id(String(10_000_000 + n)), T0);
    expect(table.size).toBe(MAX_SUPPRESSED_METERS);
    expect(table.admit(id('99999999'), T0 + MINUTE)).toBe(true);
    expect(table.admit(id('99999999'), T0 + 2 * MINUTE)).toBe(true);
    expect(table.admit(id('10000000'), T0 + 2 * MINUTE)).toBe(false);
  });

  test('a full table is swept of the meters whose timer ran out at the next window start', () => {
    const table = new SuppressionTable(60);
    for (let n = 0; n < MAX_SUPPRESSED_METERS; n++) table.admit(id(String(10_000_000 + n)), n < 10 ? T0 + HOUR : T0);
    table.sweep(T0 + 90 * MINUTE);
    expect(table.size).toBe(10);
  });

  test('a white-listed meter the timer suppresses still counts as heard, so the window closes early', () => {
    const table = new SuppressionTable(60);
    const whitelist = whitelistTable(packed([id('33225544')]));
    expect(new WindowFilter(rules({ whitelist, suppression: table })).judge(id('33225544'), 25, 0, T0)).toBe('record');
    const next = new WindowFilter(rules({ whitelist, suppression: table }));
    expect(next.judge(id('33225544'), 25, 0, T0 + 30 * MINUTE)).toBe('suppressed');
    expect(next.allWhitelistedHeard()).toBe(true);
  });
});

describe('defaults', () => {
  test('the default configuration has no black list, no minimum RSSI and no suppression', () => {
    const { blackList, minRssi, suppression } = defaultConfig().radio;
    expect({ blackList, minRssi, suppression }).toEqual({ blackList: [], minRssi: null, suppression: 0 });
  });

  test('with the defaults a weak, repeated meter is recorded in every window as before', async () => {
    const site = await runSite({ scheduleRadio: [{ cron: '0 3,4 * * *', data: 60 }] }, [
      { atMs: WINDOW + 5 * SECOND, frame: meterFrame(1), mode: 'T1', rssiDbm: -100 },
      { atMs: WINDOW + HOUR + 5 * SECOND, frame: meterFrame(1), mode: 'T1', rssiDbm: -100 },
    ], WINDOW + 2 * HOUR);
    const c = deviceCounters(site.device)!.radio;
    expect(c.recorded).toBe(2);
    expect(c.filtered).toBe(0);
  });
});
