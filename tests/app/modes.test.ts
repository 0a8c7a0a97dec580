import { SimFiles } from '../../sim/drivers/files';
import { EventLog } from '../../tasks/log/event-log';
import { EVENTS } from '../../tasks/log/events';
import { KEY } from '../../tasks/settings-keys';
import { beepsSince, HOUR, installInRun, MINUTE, T0, testSite } from '../support/device';

/** §3.1.1: the installer's dialogue with the box, and the operating mode across reboots. */
const PRESET = { config: { scheduleRadio: [{ cron: '0 3 * * *', data: 60 }], monitoringPeriod: 60 } };

describe('operating modes (§3.1.1)', () => {
  test('a box without configuration starts in FACTORY SETTINGS and sleeps until a magnet', async () => {
    const site = testSite();
    site.device.powerOn();
    await site.world.runUntil(T0 + 24 * HOUR);
    expect(site.lines[0]).toMatch(/mode factorySettings/);
    expect(site.device.stats.boots).toBe(1);
    expect(site.device.awake).toBe(false);
    expect(site.world.nextEventTime()).toBeUndefined();
  });

  test('in FACTORY SETTINGS a magnet pass answers one short beep and opens BLE for configuration', async () => {
    const site = testSite();
    site.device.powerOn();
    await site.world.runUntil(T0 + HOUR);
    site.device.magnetPass();
    await site.world.runUntil(T0 + HOUR + 1000);
    expect(beepsSince(site, T0 + HOUR)).toBe('S');
    expect(site.device.instance?.ble.enabled).toBe(true);
  });

  test('a box with a factory pre-configuration starts in STORAGE: one pass, two short beeps', async () => {
    const site = testSite({ preset: PRESET });
    site.device.powerOn();
    await site.world.runUntil(T0 + HOUR);
    site.device.magnetPass();
    await site.world.runUntil(T0 + HOUR + 5000);
    expect(site.lines.filter((l) => l.includes('mode storage')).length).toBe(2);
    expect(beepsSince(site, T0 + HOUR)).toBe('SS');
  });

  test('two passes within 10 s switch STORAGE to RUN: three long beeps then one long beep', async () => {
    const site = testSite({ preset: PRESET });
    site.device.powerOn();
    await site.world.runUntil(T0 + HOUR);
    site.device.magnetPass();
    await site.world.runUntil(T0 + HOUR + 4000);
    site.device.magnetPass();
    await site.world.runUntil(T0 + HOUR + 20_000);
    expect(beepsSince(site, T0 + HOUR + 4000)).toBe('LLLL');
  });

  test('two passes more than 10 s apart are two status requests, not a mode change', async () => {
    const site = testSite({ preset: PRESET });
    site.device.powerOn();
    await site.world.runUntil(T0 + HOUR);
    site.device.magnetPass();
    await site.world.runUntil(T0 + HOUR + 12_000);
    site.device.magnetPass();
    await site.world.runUntil(T0 + 2 * HOUR);
    expect(beepsSince(site, T0 + HOUR)).toBe('SSSS');
    expect(site.lines.every((l) => !l.includes('mode run'))).toBe(true);
  });

  test('RUN mode persists across deep sleeps: the next timer wake boots in RUN and runs the schedule', async () => {
    const site = testSite({ preset: PRESET });
    site.device.powerOn();
    await site.world.runUntil(T0 + HOUR);
    site.device.magnetPass();
    await site.world.runUntil(T0 + HOUR + 3000);
    site.device.magnetPass();
    await site.world.runUntil(T0 + 5 * HOUR);
    const runBoots = site.lines.filter((l) => /boot: timer, mode run/.test(l));
    expect(runBoots.length).toBeGreaterThanOrEqual(2);
    expect(site.lines.some((l) => l.startsWith('radio window T1+C1 60 s'))).toBe(true);
    expect(site.device.stats.deepSleeps).toBeGreaterThanOrEqual(2);
  });

  test('RUN mode persists across a restart with the RESET button', async () => {
    const site = testSite({ preset: PRESET });
    await installInRun(site);
    await site.world.runUntil(T0 + HOUR);
    site.device.pressReset(false);
    await site.world.runUntil(T0 + HOUR + 1000);
    expect(site.lines).toContain('boot: reset, mode run');
  });

  test('magnet held while RESET is pressed restores the factory pre-configuration: one long beep, STORAGE', async () => {
    const site = testSite({ preset: PRESET });
    await installInRun(site);
    await site.world.runUntil(T0 + HOUR);
    site.device.pressReset(true);
    await site.world.runUntil(T0 + HOUR + 3000);
    expect(beepsSince(site, T0 + HOUR)).toBe('L');
    site.device.pressReset(false);
    await site.world.runUntil(T0 + HOUR + 5000);
    expect(site.lines[site.lines.length - 1]).toBe('boot: reset, mode storage');
  });

  test('the factory reset by magnet and RESET is logged and dated as the last configuration change', async () => {
    const site = testSite({ preset: PRESET });
    await installInRun(site);
    await site.world.runUntil(T0 + HOUR);
    site.device.pressReset(true);
    await site.world.runUntil(T0 + HOUR + 3000);
    const log = new EventLog(new SimFiles(site.device.files, Number.MAX_SAFE_INTEGER), site.device.clock());
    expect(log.entries().filter((e) => e.code === EVENTS.factoryReset.code).map((e) => e.data)).toEqual(['magnet and RESET']);
    const counters = JSON.parse(site.device.settings.get(KEY.counters) as string) as { lastConfig: number };
    expect(counters.lastConfig).toBeGreaterThanOrEqual(Math.floor((T0 + HOUR) / 1000));
  });

  test('in RUN mode a box that has never connected answers three long beeps, not three short', async () => {
    const site = testSite({ preset: { config: { ...PRESET.config, mode: 'run' } } });
    site.device.powerOn();
    await site.world.runUntil(T0 + HOUR);
    site.device.magnetPass();
    await site.world.runUntil(T0 + HOUR + 5000);
    expect(beepsSince(site, T0 + HOUR)).toBe('LLL');
  });

  test('in RUN mode a pass answers three short beeps when the last connection succeeded', async () => {
    const site = testSite({ preset: { config: { ...PRESET.config, mode: 'run' } } });
    const lastCnxOk = Math.floor(T0 / 1000) - 3600;
    site.device.settings.set(KEY.counters, JSON.stringify({ modem: { lastCnxOk, lastCnxKo: lastCnxOk - 86_400 } }));
    site.device.powerOn();
    await site.world.runUntil(T0 + HOUR);
    site.device.magnetPass();
    await site.world.runUntil(T0 + HOUR + 5000);
    expect(beepsSince(site, T0 + HOUR)).toBe('SSS');
  });

  test('in RUN mode a pass answers three long beeps when the last connection failed', async () => {
    // The install's magnet action (BLE + modem) tries a session; this site has no FTP server configured.
    const site = testSite({ preset: PRESET });
    await installInRun(site);
    await site.world.runUntil(T0 + HOUR);
    site.device.magnetPass();
    await site.world.runUntil(T0 + HOUR + 5000);
    expect(beepsSince(site, T0 + HOUR)).toBe('LLL');
  });
});

describe('deep sleep is a reboot', () => {
  test('a window trigger is not run twice when the box reboots within its minute', async () => {
    const site = testSite({ preset: { config: { scheduleRadio: [{ cron: '* * * * *', data: 30 }], monitoringPeriod: 0 } } });
    await installInRun(site);
    await site.world.runUntil(T0 + 10 * MINUTE);
    const windows = site.lines.filter((l) => l.startsWith('radio window')).length;
    // One window per minute from the first full minute in RUN, never two in the same minute.
    expect(windows).toBeGreaterThanOrEqual(7);
    expect(windows).toBeLessThanOrEqual(9);
  });

  test('between schedules the MCU is in deep sleep, not light sleep', async () => {
    const site = testSite({ preset: PRESET });
    await installInRun(site);
    await site.world.runUntil(T0 + 24 * HOUR);
    const mcu = site.ledger.snapshot().components.mcu.stateMs;
    expect(mcu['deep-sleep']).toBeGreaterThan(23 * HOUR);
  });
});
