import { buildAlarmDocument } from '../../protocol/files/alarm';
import { SimSettings } from '../../sim/drivers/settings';
import type { SettingValue } from '../../drivers/settings/types';
import { AlarmLatches, BATTERY_HYSTERESIS_PERCENT, TEMPERATURE_HYSTERESIS_C } from '../../tasks/alarms';

/** tasks/alarms.ts: §4.2.4 alarms latched on their threshold crossing, released past a margin (docs/alarms.md). */
function latches(map = new Map<string, SettingValue>()): AlarmLatches {
  return new AlarmLatches(new SimSettings(map));
}

test('a temperature above the maximum raises the alarm once while it stays hot', () => {
  const l = latches();
  expect([l.update('temperature', 40.1, 40), l.update('temperature', 45, 40), l.update('temperature', 41, 40)]).toEqual(['raised', 'none', 'none']);
});

test('a temperature alarm clears only at the maximum minus the margin', () => {
  const l = latches();
  l.update('temperature', 41, 40);
  expect(l.update('temperature', 40 - TEMPERATURE_HYSTERESIS_C + 0.1, 40)).toBe('none');
  expect(l.update('temperature', 40 - TEMPERATURE_HYSTERESIS_C, 40)).toBe('cleared');
  expect(l.active('temperature')).toBe(false);
});

test('a battery alarm clears only at the threshold plus the margin', () => {
  const l = latches();
  expect(l.update('battery', 9, 10)).toBe('raised');
  expect(l.update('battery', 10 + BATTERY_HYSTERESIS_PERCENT - 1, 10)).toBe('none');
  expect(l.update('battery', 10 + BATTERY_HYSTERESIS_PERCENT, 10)).toBe('cleared');
});

test('a clock drift of timeGap either way raises, and the first synchronisation under it clears', () => {
  const l = latches();
  expect([l.update('ntp', -30, 30), l.update('ntp', 31, 30), l.update('ntp', 29, 30)]).toEqual(['raised', 'none', 'cleared']);
});

test('an alarm the configuration disables is released without a report', () => {
  const l = latches();
  l.update('temperature', 45, 40);
  expect(l.update('temperature', 45, null)).toBe('none');
  expect(l.active('temperature')).toBe(false);
});

test('the latches are read back from the settings', () => {
  const map = new Map<string, SettingValue>();
  latches(map).update('battery', 5, 10);
  expect(latches(map).update('battery', 5, 10)).toBe('none');
});

test('an alarm file is the §5.4 document; a cleared report adds alarm.cleared', () => {
  const header = { uid: 'WE_1234', source: 'alarm' as const, timeSec: 1560068897 };
  expect(buildAlarmDocument(header, { type: 'battery', value: 9 })).toEqual({ uid: 'WE_1234', source: 'alarm', TS: 1560068897, alarm: { type: 'battery', value: 9 } });
  expect(buildAlarmDocument(header, { type: 'battery', value: 12, cleared: true }).alarm).toEqual({ type: 'battery', value: 12, cleared: true });
});
