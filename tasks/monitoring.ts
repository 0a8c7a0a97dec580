import type { Board } from './board';
import type { BatteryReading } from '../drivers/gauge/types';
import { temperatureBin } from '../protocol/files/supervision';
import { AlarmLatches } from './alarms';
import type { ConfigStore } from './config-store';
import type { Counters } from './counters';
import { KEY } from './settings-keys';
import type { Task } from './types';

const MS_PER_MINUTE = 60_000;
const DECI = 10;
const PERCENT = 100;
const MONITOR_PRIORITY = 30;

/** A change of an alarm the monitoring found (§4.2.4): it became active, or it cleared (docs/alarms.md). */
export interface MonitorAlarm {
  readonly kind: 'temperature' | 'battery';
  readonly value: number;
  readonly threshold: number;
  readonly cleared: boolean;
  /** The margin past the threshold it had to go back by (tasks/alarms.ts). */
  readonly hysteresis: number;
}

export interface MonitorSink {
  /**
   * A latched alarm changed state (tasks/alarms.ts): once when it becomes active, once when it
   * clears, never while it stays either way. The application writes the alarm file.
   */
  alarm(alarm: MonitorAlarm, atMs: number): void;
}

/** The last reading and whether a temperature alarm holds the schedules (§3.1.2.3). */
export interface MonitorState {
  readonly last: BatteryReading | undefined;
  readonly temperatureAlarm: boolean;
}

interface Persisted {
  next: number;
  lastVoltage?: number;
  lastTemp?: number;
  lastUsed?: number;
}

/**
 * Periodic battery and temperature monitoring (primary spec §4.2.5.2, §4.2.4): a reading every
 * `monitoringPeriod` minutes (and whenever a schedule runs, through `measure`), the §5.7 temperature
 * histogram, and the temperature / battery alarms.
 */
export class MonitoringTask implements Task {
  readonly name = 'monitoring';
  readonly priority = MONITOR_PRIORITY;
  private readonly state: Persisted;
  private readonly latches: AlarmLatches;

  constructor(
    private readonly board: Board,
    private readonly config: ConfigStore,
    private readonly counters: Counters,
    private readonly sink: MonitorSink,
  ) {
    this.state = this.load();
    this.latches = new AlarmLatches(board.settings);
    if (this.periodMs() === 0) this.state.next = Infinity;
    else if (!Number.isFinite(this.state.next)) this.state.next = this.board.clock.now();
  }

  get status(): MonitorState {
    const s = this.state;
    return {
      last: s.lastVoltage === undefined ? undefined : { voltageMv: s.lastVoltage, temperatureDeciC: s.lastTemp ?? 0, chargeUsedMah: s.lastUsed ?? 0 },
      temperatureAlarm: this.latches.active('temperature'),
    };
  }

  nextWake(): number {
    return this.state.next;
  }

  busy(): boolean {
    return false;
  }

  step(now: number): void {
    if (now < this.state.next) return;
    this.measure(now);
    const period = this.periodMs();
    this.state.next = period === 0 ? Infinity : now + period;
    this.save();
  }

  suspend(): void {
    this.save();
  }

  /** One acquisition: histogram, thresholds. Also called when a schedule triggers (§4.2.4). */
  measure(now: number): BatteryReading {
    const r = this.board.gauge.read();
    const s = this.state;
    s.lastVoltage = r.voltageMv;
    s.lastTemp = r.temperatureDeciC;
    s.lastUsed = r.chargeUsedMah;
    const celsius = r.temperatureDeciC / DECI;
    this.counters.value.histogram[temperatureBin(celsius)]++;
    const alarms = this.config.current.alarms;
    this.check('temperature', celsius, Math.round(celsius), alarms.temperature, now);
    const remaining = this.remainingPercent(r);
    this.check('battery', remaining, remaining, alarms.battery, now);
    this.counters.save();
    return r;
  }

  /** Feeds one reading to its latch; the sink hears only a change of state. */
  private check(kind: MonitorAlarm['kind'], measured: number, reported: number, threshold: number | null, now: number): void {
    const change = this.latches.update(kind, measured, threshold);
    if (change === 'none') return;
    this.sink.alarm({ kind, value: reported, threshold: threshold ?? 0, cleared: change === 'cleared', hysteresis: this.latches.hysteresis(kind) }, now);
  }

  remainingPercent(r: BatteryReading): number {
    const capacity = this.board.gauge.capacityMah;
    return Math.max(0, Math.round((PERCENT * (capacity - r.chargeUsedMah)) / capacity));
  }

  private periodMs(): number {
    return (this.config.current.monitoringPeriod ?? 0) * MS_PER_MINUTE;
  }

  private load(): Persisted {
    const raw = this.board.settings.get(KEY.monitorState);
    if (typeof raw === 'string') {
      try {
        // An earlier image kept its temperature flag here (`tempAlarm`); the latches have their own key now.
        const { next, lastVoltage, lastTemp, lastUsed } = JSON.parse(raw) as Persisted;
        if (typeof next === 'number') return { next, lastVoltage, lastTemp, lastUsed };
      } catch {
        // Unreadable: start a fresh period.
      }
    }
    return { next: NaN };
  }

  private save(): void {
    const s = this.state;
    this.board.settings.set(KEY.monitorState, JSON.stringify({ ...s, next: Number.isFinite(s.next) ? s.next : null }));
  }
}
