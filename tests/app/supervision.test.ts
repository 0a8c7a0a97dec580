import { deviceCounters } from '../../sim/run';
import { HOUR, installInRun, T0, testSite } from '../support/device';

/** §5.7 supervision figures the application keeps: uptime in RUN and in standby (battery: tests/energy/battery-estimate.test.ts). */

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
