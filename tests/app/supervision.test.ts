import { monthsLeft } from '../../tasks/modem/supervision';
import { deviceCounters } from '../../sim/run';
import { HOUR, installInRun, T0, testSite } from '../support/device';

/** §5.7 supervision figures the application keeps: uptime in RUN and in standby, battery months left. */
const DAY_S = 86_400;
const MONTH_S = 30.44 * DAY_S;

describe('battery months left (§5.7 remainTime)', () => {
  test('is null before a month of use', () => {
    expect(monthsLeft(13_000, 20, 1_700_000_000, 1_700_000_000 + 20 * DAY_S)).toBeNull();
  });

  test('divides what is left by the average monthly draw since power-on', () => {
    // 60 mAh over two months: 30 mAh a month; 13 940 mAh left → 465 months.
    expect(monthsLeft(13_940, 60, 1_700_000_000, 1_700_000_000 + 2 * MONTH_S)).toBe(465);
  });

  test('is null when nothing has been drawn', () => {
    expect(monthsLeft(14_000, 0, 1_700_000_000, 1_700_000_000 + 3 * MONTH_S)).toBeNull();
  });
});

describe('uptime counters (§5.7 uptime.run / uptime.lowPower)', () => {
  test('a day in RUN mode is booked as standby time and time awake, adding up to the day', async () => {
    const site = testSite({ preset: { config: { scheduleRadio: [{ cron: '0 3 * * *', data: 60 }], monitoringPeriod: 0 } } });
    await installInRun(site);
    await site.world.runUntil(T0 + 24 * HOUR + 3 * HOUR + 5 * 60_000);
    const u = deviceCounters(site.device)!.uptime;
    expect(u.run).toBeGreaterThanOrEqual(60);
    expect(u.lowPower).toBeGreaterThan(23 * 3600);
    // Everything since the first deep sleep is either standby or RUN time: at most the 27 h 05 min simulated.
    expect(u.run + u.lowPower).toBeLessThanOrEqual(27 * 3600 + 5 * 60);
    expect(u.run + u.lowPower).toBeGreaterThan(27 * 3600 - 15 * 60);
  });
});
