import type { Settings } from '../drivers/settings/types';
import type { AlarmType } from '../protocol/files/alarm';
import { freezeTable } from '../protocol/freeze';

/**
 * Margins an alarm must go back past its §4.2.4 threshold by before it is reported cleared
 * (docs/alarms.md). Without one a value sitting at the threshold would raise and clear at every
 * reading.
 *  - battery: +2 %. The level is whole percent of a coulomb count; load and temperature move a
 *    reading by about a percent, so a pack at the threshold never reads 2 % above it again unless
 *    it was replaced or recharged.
 *  - temperature: −2 °C. The gauge's sensor reads to 0.1 °C and a basement moves a few °C a day;
 *    2 °C below the maximum means the heat has really gone, and keeps one hot afternoon one alarm.
 *  - ntp (timeGap): none. Each NTP synchronisation measures the drift since the previous one, a
 *    new sample that does not wobble around the threshold: the alarm clears at the first
 *    synchronisation whose drift is under `timeGap`.
 */
export const BATTERY_HYSTERESIS_PERCENT = 2;
export const TEMPERATURE_HYSTERESIS_C = 2;
export const DRIFT_HYSTERESIS_S = 0;

/** Settings key of the latches (NVS key, at most 15 characters). */
export const ALARM_STATE_KEY = 'alarms';

/** What one reading did to an alarm: it became active, went back past threshold and margin, or neither. */
export type AlarmTransition = 'raised' | 'cleared' | 'none';

/**
 * Which side of its threshold an alarm is on (§4.2.4): a battery level below it, a temperature
 * above it, a drift (either way) of at least it (`inclusive`, as the session has always tested it).
 */
interface AlarmRule {
  readonly low: boolean;
  readonly inclusive: boolean;
  readonly hysteresis: number;
}

const RULES: Readonly<Record<AlarmType, AlarmRule>> = freezeTable({
  battery: { low: true, inclusive: false, hysteresis: BATTERY_HYSTERESIS_PERCENT },
  temperature: { low: false, inclusive: false, hysteresis: TEMPERATURE_HYSTERESIS_C },
  ntp: { low: false, inclusive: true, hysteresis: DRIFT_HYSTERESIS_S },
});

function past(rule: AlarmRule, value: number, limit: number): boolean {
  if (rule.low) return value < limit;
  return rule.inclusive ? value >= limit : value > limit;
}

type Latched = Record<AlarmType, boolean>;

/**
 * The alarm latches (§4.2.4, issue 13): an alarm is raised once when its value crosses the
 * threshold, stays quiet while it remains past it, and is cleared once the value is back past
 * threshold and margin. Read from and written to the settings at every use (no copy in RAM), so a
 * deep sleep or a reboot does not raise an alarm again, and the monitoring (battery, temperature)
 * and the upload session (ntp) can each hold an instance on the same key. An alarm the
 * configuration disables (threshold null or 0) is released without a report: nothing was measured
 * back to normal.
 */
export class AlarmLatches {
  constructor(private readonly settings: Settings) {}

  active(type: AlarmType): boolean {
    return this.load()[type];
  }

  /**
   * One reading of `type` against `threshold` (null or 0: the alarm is off). Battery: active below
   * the threshold (§4.2.4 "remaining battery level … before an alarm"); temperature: above it;
   * ntp: a drift of at least `threshold` seconds either way.
   */
  update(type: AlarmType, value: number, threshold: number | null): AlarmTransition {
    const rule = RULES[type];
    const limit = threshold ?? 0;
    const latched = this.load();
    if (limit <= 0) {
      if (latched[type]) this.save(latched, type, false);
      return 'none';
    }
    const v = type === 'ntp' ? Math.abs(value) : value;
    if (!latched[type]) {
      if (!past(rule, v, limit)) return 'none';
      this.save(latched, type, true);
      return 'raised';
    }
    // Released only once the value is no longer past the threshold moved back by the margin.
    const release = rule.low ? limit + rule.hysteresis : limit - rule.hysteresis;
    if (past(rule, v, release)) return 'none';
    this.save(latched, type, false);
    return 'cleared';
  }

  /** The margin `update` clears `type` at (for the console and the docs). */
  hysteresis(type: AlarmType): number {
    return RULES[type].hysteresis;
  }

  private save(latched: Latched, type: AlarmType, on: boolean): void {
    latched[type] = on;
    this.settings.set(ALARM_STATE_KEY, JSON.stringify(latched));
  }

  private load(): Latched {
    const out: Latched = { battery: false, temperature: false, ntp: false };
    const raw = this.settings.get(ALARM_STATE_KEY);
    if (typeof raw !== 'string') return out;
    try {
      const p = JSON.parse(raw) as Partial<Latched>;
      out.battery = p.battery === true;
      out.temperature = p.temperature === true;
      out.ntp = p.ntp === true;
    } catch {
      // Unreadable: every alarm starts released; one still past its threshold is raised once more.
    }
    return out;
  }
}
