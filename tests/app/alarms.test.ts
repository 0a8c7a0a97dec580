import type { BsonDocument } from '../../protocol/bson/types';
import { decodeFile } from '../../protocol/files/codec';
import { EnergyLedger, type EnergyReport } from '../../drivers/power/ledger';
import { SimDevice } from '../../sim/device';
import { SimFlash } from '../../sim/drivers/flash';
import { SimModemPort } from '../../sim/drivers/modem-port';
import { SimSettings } from '../../sim/drivers/settings';
import { SimWorld } from '../../sim/world/world';
import { deviceCounters } from '../../sim/run';
import { ConfigStore } from '../../tasks/config-store';
import { KEY } from '../../tasks/settings-keys';
import { HOUR, installInRun, NO_METERS, T0, type TestSite } from '../support/device';

/**
 * Issue 13 item 5, §4.2.4 on the simulated device: the battery alarm is latched on its threshold
 * crossing, cleared at threshold + BATTERY_HYSTERESIS_PERCENT, and starts at most one session.
 */
const DAY = 24 * HOUR;
const CAPACITY_MAH = 14_000;
const THRESHOLD = 20;

/** Battery level (%) the gauge reads at each instant of the run. */
type Level = (ms: number) => number;

/** The pack charge a level needs: the gauge's `chargeUsedMah` is the ledger's pack total. */
class DrainLedger extends EnergyLedger {
  constructor(private readonly world: SimWorld, private readonly level: Level) {
    super(world);
  }

  override snapshot(): EnergyReport {
    const s = super.snapshot();
    return { ...s, totalPackMah: (CAPACITY_MAH * (100 - this.level(this.world.now()))) / 100 };
  }
}

function site(level: Level, alarms: BsonDocument = {}): TestSite {
  const world = new SimWorld(T0);
  const ledger = new DrainLedger(world, level);
  const flash = new SimFlash({ size: 64 * 4096, power: ledger });
  const lines: string[] = [];
  const device = new SimDevice({
    identity: { uid: 'WE_TEST', sn: 'SN_TEST', hardwareVersion: '11' },
    world,
    ledger,
    air: NO_METERS,
    frameFlash: flash,
    modem: new SimModemPort(world),
    filesCapacity: 256 * 1024,
    batteryCapacityMah: CAPACITY_MAH,
    rtcErrorMs: 0,
    rtcDriftPpm: 0,
    temperatureDeciC: () => 150,
    console: (line) => lines.push(line),
  });
  const store = new ConfigStore(new SimSettings(device.settings), () => ({ version: 0, timestamp: 0, uid: 'WE_TEST', sn: 'SN_TEST' }));
  const preset = { config: { monitoringPeriod: 60, alarms: { battery: THRESHOLD, ...alarms } } };
  const r = store.setFactoryPreset(preset);
  if (!r.ok) throw new Error(`${r.field}: ${r.reason}`);
  return { world, ledger, device, flash, lines };
}

/** From `from` % at T0 to `to` % at T0 + `days`, linearly. */
function drain(from: number, to: number, days: number): Level {
  return (ms) => from + (to - from) * Math.min(1, Math.max(0, (ms - T0) / (days * DAY)));
}

/** The `alarm` element of every alarm file waiting in the outbox (no modem answers: none leaves). */
function alarmFiles(s: TestSite): BsonDocument[] {
  const out: BsonDocument[] = [];
  for (const [name, bytes] of s.device.files) {
    if (!name.startsWith('out-') || !name.endsWith('-alarm.bson')) continue;
    const d = decodeFile(bytes, { encrypted: false });
    if (!d.ok) throw new Error(`${name}: ${d.error}`);
    out.push(d.doc.alarm as BsonDocument);
  }
  return out;
}

test('a battery draining below its threshold over two days gives exactly one alarm file', async () => {
  const s = site(drain(23, 15, 2));
  await installInRun(s);
  await s.world.runUntil(T0 + 2 * DAY);

  expect(alarmFiles(s)).toEqual([{ type: 'battery', value: THRESHOLD - 1 }]);
});

test('a battery back at threshold + 2 % gives one cleared report', async () => {
  // 21 % → 17 % over the first day, then a fresh pack reads 23 %.
  const s = site((ms) => (ms < T0 + DAY ? drain(21, 17, 1)(ms) : 23));
  await installInRun(s);
  await s.world.runUntil(T0 + 2 * DAY);

  expect(alarmFiles(s)).toEqual([
    { type: 'battery', value: THRESHOLD - 1 },
    { type: 'battery', value: 23, cleared: true },
  ]);
});

test('a battery level wandering around its threshold inside the margin gives no file after the first', async () => {
  // 19, 20, 21, 20, 19 … % hour by hour: never 22 % (threshold + 2), so never cleared and never raised again.
  const wander = [19, 20, 21, 20];
  const s = site((ms) => (ms < T0 + 2 * HOUR ? 25 : wander[Math.floor((ms - T0) / HOUR) % wander.length]));
  await installInRun(s);
  await s.world.runUntil(T0 + 2 * DAY);

  expect(alarmFiles(s)).toEqual([{ type: 'battery', value: 19 }]);
});

test('a reboot keeps the latch: the alarm is not raised again', async () => {
  const s = site(() => 12);
  await installInRun(s);
  await s.world.runUntil(T0 + 3 * HOUR);
  expect(alarmFiles(s)).toHaveLength(1);
  const boots = s.device.stats.boots;
  s.device.pressReset(false);
  await s.world.runUntil(T0 + DAY);

  expect(s.device.stats.boots).toBeGreaterThan(boots);
  expect(alarmFiles(s)).toEqual([{ type: 'battery', value: 12 }]);
});

test('with oneAlarmPerDay false a nearly empty pack starts one alarm session, not one an hour', async () => {
  const s = site(() => 3, { oneAlarmPerDay: false });
  await installInRun(s);
  await s.world.runUntil(T0 + 2 * HOUR);
  const first = JSON.parse(s.device.settings.get(KEY.modemState) as string) as { lastAlarmSession: number | null };
  expect(first.lastAlarmSession).not.toBeNull();
  await s.world.runUntil(T0 + 2 * DAY);

  const last = JSON.parse(s.device.settings.get(KEY.modemState) as string) as { lastAlarmSession: number | null };
  expect(last.lastAlarmSession).toBe(first.lastAlarmSession);
  // The one alarm session fails (no server configured); what follows is the task's retry policy,
  // at most the FAILURE_BUDGET_AFTER sessions before its failure budget. Hourly alarms would be 48.
  expect(deviceCounters(s.device)!.modem.sessions).toBeLessThanOrEqual(3);
});
