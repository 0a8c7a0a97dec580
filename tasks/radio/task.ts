import type { Board } from '../board';
import type { RadioPhy, RadioReceiveHandlers } from '../../drivers/radio/types';
import type { Config, RadioMode } from '../../protocol/config/types';
import { TriggerSchedule, type NextTrigger } from '../../protocol/cron/schedule';
import { packetLength } from '../../protocol/wmbus/phy';
import type { ConfigStore } from '../config-store';
import type { Counters } from '../counters';
import { KEY } from '../settings-keys';
import type { Task, TaskHost } from '../types';
import type { WhitelistStore } from '../whitelist-store';
import { SuppressionTable, WindowFilter, whitelistTable } from './filter';
import { IDENTITY_BYTES } from '../../protocol/wmbus/identity';
import { ReceivePath, type FrameSink } from './receive';
import { freezeTable } from '../../protocol/freeze';

const MS_PER_SECOND = 1000;
const MS_PER_MINUTE = 60_000;
export const RADIO_PRIORITY = 0;

/** §4.2.2 `mode`: 0 S1, 1 T1, 2 T1+C1. T1 and C1 share one receiver setting. */
const PHY_OF_MODE: Readonly<Record<RadioMode, RadioPhy>> = freezeTable({ 0: 'S1', 1: 'T1C1', 2: 'T1C1' });
const MODE_NAME: Readonly<Record<RadioMode, string>> = freezeTable({ 0: 'S1', 1: 'T1', 2: 'T1+C1' });

/** One listening window of a trigger: a mode and a duration. */
export interface WindowPlan {
  readonly mode: RadioMode;
  readonly durationMs: number;
}

export type { FrameSink } from './receive';

export interface RadioHooks {
  /** The schedule ran: the monitoring takes a reading (§4.2.4). */
  onTrigger(now: number): void;
  /** Schedules are held while a temperature alarm is active (§3.1.2.3). */
  held(): boolean;
  /** A window finished (for logs and the simulator's progress). */
  onWindowEnd(summary: WindowSummary): void;
}

export interface WindowSummary {
  readonly mode: string;
  readonly startedMs: number;
  readonly endedMs: number;
  readonly heard: number;
  readonly recorded: number;
  readonly closedEarly: boolean;
}

interface Persisted {
  /** Start of the last trigger minute handled (UTC ms). */
  last: number;
  /** Frame bytes the last window recorded: how much flash to erase ahead of the next one. */
  lastBytes?: number;
}

/** Flash erased ahead of a window at least (a 4 KB sector takes ≈ 45 ms to erase, far too long mid-window). */
const MIN_PREPARE_BYTES = 16 * 1024;
/** Margin over the last window's bytes, per cent. */
const PREPARE_MARGIN_PERCENT = 125;
const PERCENT = 100;

/** Identities back to back, as the white list is packed, for `whitelistTable`. */
function packIdentities(ids: readonly Uint8Array[]): Uint8Array {
  const packed = new Uint8Array(ids.length * IDENTITY_BYTES);
  for (let i = 0; i < ids.length; i++) packed.set(ids[i], i * IDENTITY_BYTES);
  return packed;
}

/** Windows of one trigger: one per configured mode, with the trigger's or the radio's durations (§4.2.5.1.1). */
export function windowPlan(config: Config, triggerIndex: number): WindowPlan[] {
  const modes = Array.isArray(config.radio.mode) ? config.radio.mode : [config.radio.mode];
  const data = config.scheduleRadio[triggerIndex]?.data;
  const fallback = config.radio.duration;
  return modes.map((mode, i) => {
    let seconds: number;
    if (Array.isArray(data)) seconds = data[i] ?? data[data.length - 1];
    else if (typeof data === 'number' && modes.length === 1) seconds = data;
    else seconds = Array.isArray(fallback) ? (fallback[i] ?? fallback[fallback.length - 1]) : fallback;
    return { mode, durationMs: seconds * MS_PER_SECOND };
  });
}

/**
 * The wM-Bus task (primary spec §3.1.2.1, §4.2.5.1.1): on each `scheduleRadio` trigger it listens
 * for the planned windows, decodes what the transceiver delivers, applies the recording rules and
 * appends the survivors to the frame store. Decoding runs in the driver's packet callback.
 */
export class RadioTask implements Task {
  readonly name = 'radio';
  readonly priority = RADIO_PRIORITY;
  private readonly schedule = new TriggerSchedule();
  private readonly state: Persisted;
  private plan: WindowPlan[] = [];
  private windowEnd = Infinity;
  private receive: ReceivePath | undefined;
  private windowStart = 0;
  private closedEarly = false;
  private waitingForSlot = false;
  /** `radio.suppression`'s per-meter times: kept from window to window, in RAM only (see SuppressionTable). */
  private suppression: SuppressionTable | undefined;

  constructor(
    private readonly board: Board,
    private readonly host: TaskHost,
    private readonly config: ConfigStore,
    private readonly whitelist: WhitelistStore,
    private readonly counters: Counters,
    private readonly sink: FrameSink,
    private readonly hooks: RadioHooks,
  ) {
    this.state = this.load();
  }

  /** A window is open or queued. */
  get active(): boolean {
    return this.plan.length > 0 || this.receive !== undefined;
  }

  nextWake(): number {
    if (this.receive !== undefined) return this.windowEnd;
    if (this.plan.length > 0) return this.waitingForSlot ? Infinity : this.board.clock.now();
    return this.nextTrigger().at;
  }

  busy(): boolean {
    return this.active;
  }

  step(now: number): void {
    if (this.receive !== undefined) {
      if (now >= this.windowEnd || this.closedEarly) this.endWindow(now);
      return;
    }
    if (this.plan.length === 0) {
      const due = this.nextTrigger();
      if (due.at > now) return;
      this.state.last = Math.floor(now / MS_PER_MINUTE) * MS_PER_MINUTE;
      this.save();
      if (this.hooks.held()) return;
      this.counters.value.wake.radio++;
      this.hooks.onTrigger(now);
      this.plan = windowPlan(this.config.current, due.index);
    }
    this.startNextWindow(now);
  }

  /**
   * A magnet "diagnosis" or a command asks for one window now (radio.duration, every configured
   * mode). `untilMs`: the windows are cut to end by then (a magnet action's `local.timeout`).
   */
  requestWindow(untilMs = Infinity): void {
    if (this.active) return;
    let left = untilMs - this.board.clock.now();
    this.plan = windowPlan(this.config.current, -1)
      .map((w) => {
        const durationMs = Math.max(0, Math.min(w.durationMs, left));
        left -= durationMs;
        return { mode: w.mode, durationMs };
      })
      .filter((w) => w.durationMs > 0);
    if (this.plan.length > 0) this.host.wake(this);
  }

  suspend(): void {
    this.save();
  }

  /** The earliest trigger after the last handled minute; the first in file order wins a shared minute (§4.2.5.1). */
  private nextTrigger(): NextTrigger {
    return this.schedule.next(this.config.current.scheduleRadio, this.state.last);
  }

  private startNextWindow(now: number): void {
    if (!this.host.acquire(this)) {
      this.waitingForSlot = true;
      return;
    }
    this.waitingForSlot = false;
    const w = this.plan.shift() as WindowPlan;
    const cfg = this.config.current.radio;
    const mask = { skipVersionField: cfg.skipVersionField, skipMediumField: cfg.skipMediumField };
    const wl = whitelistTable(this.whitelist.blob(), this.board.wmbusKernels);
    const filter = new WindowFilter({
      manufFilter: cfg.manufFilter,
      mediumFilter: cfg.mediumFilter,
      whitelist: wl,
      mask,
      kernels: this.board.wmbusKernels,
      blacklist: cfg.blackList.length > 0 ? whitelistTable(packIdentities(cfg.blackList), this.board.wmbusKernels) : undefined,
      minRssiDbm: cfg.minRssi === null || cfg.minRssi === 0 ? undefined : cfg.minRssi,
      suppression: this.suppressionFor(cfg.suppression, now),
    });
    const phy = PHY_OF_MODE[w.mode];
    const settings = {
      phy,
      t1Only: w.mode === 1,
      bFormatLFieldAdaptation: cfg.BFormatLFieldAdaptation,
      longHeader: cfg.longHeader,
      kernels: this.board.wmbusKernels,
    };
    this.receive = new ReceivePath(settings, filter, this.sink, this.counters.value.radio);
    this.windowStart = now;
    this.windowEnd = now + w.durationMs;
    this.closedEarly = false;
    this.currentMode = w.mode;
    this.counters.value.radio.windows++;
    // Erasing takes the CPU for tens of ms per sector: do it before listening, not between packets.
    this.sink.prepare?.(Math.max(MIN_PREPARE_BYTES, Math.round(((this.state.lastBytes ?? 0) * PREPARE_MARGIN_PERCENT) / PERCENT)));
    this.board.radio.startReceive(phy, this.handlers(phy));
  }

  private currentMode: RadioMode = 2;

  /**
   * The suppression table for `minutes` (0: none): the one of the last window, or after a boot the
   * timers saved at the last window end. Turning the timer off forgets them.
   */
  private suppressionFor(minutes: number, now: number): SuppressionTable | undefined {
    const settings = this.board.settings;
    if (minutes === 0) {
      this.suppression = undefined;
      if (settings.get(KEY.radioSuppression) !== undefined) settings.delete(KEY.radioSuppression);
      return undefined;
    }
    if (this.suppression === undefined) {
      const saved = settings.get(KEY.radioSuppression);
      this.suppression = new SuppressionTable(minutes, this.board.wmbusKernels?.probeKeys, saved instanceof Uint8Array ? saved : undefined);
    } else {
      this.suppression.minutes = minutes;
      this.suppression.sweep(now);
    }
    return this.suppression;
  }

  private handlers(phy: RadioPhy): RadioReceiveHandlers {
    const c = this.counters.value.radio;
    return {
      packetLength: (head) => packetLength(head, phy),
      onSync: () => {
        c.preambles++;
        c.syncs++;
      },
      onError: (kind) => {
        if (kind === 'overrun') c.overruns++;
        else c.timeouts++;
      },
      onPacket: (chips, rssiDbm, atMs) => {
        const receive = this.receive;
        if (receive === undefined || !receive.onPacket(chips, rssiDbm, atMs)) return;
        if (receive.filter.allWhitelistedHeard()) {
          this.closedEarly = true;
          this.host.wake(this);
        }
      },
    };
  }

  private endWindow(now: number): void {
    this.board.radio.sleep();
    const c = this.counters.value.radio;
    const seconds = Math.round((now - this.windowStart) / MS_PER_SECOND);
    c.listeningSeconds += seconds;
    this.counters.value.uptime.radio += seconds;
    const receive = this.receive as ReceivePath;
    this.receive = undefined;
    this.windowEnd = Infinity;
    this.state.lastBytes = receive.recordedBytes;
    this.save();
    // The box deep-sleeps (a reboot) before the next window: the running timers go to the settings store.
    if (this.suppression !== undefined) this.board.settings.set(KEY.radioSuppression, this.suppression.save(now));
    this.counters.save();
    this.hooks.onWindowEnd({
      mode: MODE_NAME[this.currentMode],
      startedMs: this.windowStart,
      endedMs: now,
      heard: receive.heard,
      recorded: receive.recorded,
      closedEarly: this.closedEarly,
    });
    if (this.plan.length > 0) this.startNextWindow(now);
    else this.host.release(this);
  }

  private load(): Persisted {
    const raw = this.board.settings.get(KEY.radioState);
    if (typeof raw === 'string') {
      try {
        const p = JSON.parse(raw) as Persisted;
        if (typeof p.last === 'number') return p;
      } catch {
        // Unreadable: treat as a first boot.
      }
    }
    // First boot: a trigger of the current minute still runs.
    return { last: Math.floor(this.board.clock.now() / MS_PER_MINUTE) * MS_PER_MINUTE - MS_PER_MINUTE };
  }

  private save(): void {
    this.board.settings.set(KEY.radioState, JSON.stringify(this.state));
  }
}
