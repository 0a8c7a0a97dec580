import type { Board } from '../../boards/types';
import type { RadioPhy, RadioReceiveHandlers } from '../../drivers/radio/types';
import { SortedKeys } from '../../protocol/collections/sorted-keys';
import type { Config, RadioMode } from '../../protocol/config/types';
import { nextCronMatch, parseCron, type Cron } from '../../protocol/cron/cron';
import { parseHeader } from '../../protocol/wmbus/header';
import { IDENTITY_BYTES } from '../../protocol/wmbus/identity';
import { decodePhy, errorClass, packetLength } from '../../protocol/wmbus/phy';
import type { ConfigStore } from '../config-store';
import type { Counters } from '../counters';
import { KEY } from '../settings-keys';
import type { FrameRecord } from '../store/types';
import type { Task, TaskHost } from '../types';
import type { WhitelistStore } from '../whitelist-store';
import { WindowFilter } from './filter';

const MS_PER_SECOND = 1000;
const MS_PER_MINUTE = 60_000;
export const RADIO_PRIORITY = 0;

/** §4.2.2 `mode`: 0 S1, 1 T1, 2 T1+C1. T1 and C1 share one receiver setting. */
const PHY_OF_MODE: Readonly<Record<RadioMode, RadioPhy>> = { 0: 'S1', 1: 'T1C1', 2: 'T1C1' };
const MODE_NAME: Readonly<Record<RadioMode, string>> = { 0: 'S1', 1: 'T1', 2: 'T1+C1' };

/** One listening window of a trigger: a mode and a duration. */
export interface WindowPlan {
  readonly mode: RadioMode;
  readonly durationMs: number;
}

/** Where recorded frames go (the circular flash store). */
export interface FrameSink {
  append(record: FrameRecord): void;
}

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
  private readonly triggers: (Cron | undefined)[];
  private readonly state: Persisted;
  private plan: WindowPlan[] = [];
  private windowEnd = Infinity;
  private filter: WindowFilter | undefined;
  private windowStart = 0;
  private heard = 0;
  private recorded = 0;
  private closedEarly = false;
  private waitingForSlot = false;

  constructor(
    private readonly board: Board,
    private readonly host: TaskHost,
    private readonly config: ConfigStore,
    private readonly whitelist: WhitelistStore,
    private readonly counters: Counters,
    private readonly sink: FrameSink,
    private readonly hooks: RadioHooks,
  ) {
    this.triggers = config.current.scheduleRadio.map((t) => {
      const p = parseCron(t.cron);
      return p.ok ? p.cron : undefined;
    });
    this.state = this.load();
  }

  /** A window is open or queued. */
  get active(): boolean {
    return this.plan.length > 0 || this.filter !== undefined;
  }

  nextWake(): number {
    if (this.filter !== undefined) return this.windowEnd;
    if (this.plan.length > 0) return this.waitingForSlot ? Infinity : this.board.clock.now();
    return this.nextTrigger().at;
  }

  busy(): boolean {
    return this.active;
  }

  step(now: number): void {
    if (this.filter !== undefined) {
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

  /** A magnet "diagnosis" or a command asks for one window now (radio.duration, every configured mode). */
  requestWindow(): void {
    if (this.active) return;
    this.plan = windowPlan(this.config.current, -1);
    this.host.wake(this);
  }

  suspend(): void {
    this.save();
  }

  /** The earliest trigger after the last handled minute; the first in file order wins a shared minute (§4.2.5.1). */
  private nextTrigger(): { at: number; index: number } {
    let best = { at: Infinity, index: -1 };
    this.triggers.forEach((c, index) => {
      if (c === undefined) return;
      const at = nextCronMatch(c, this.state.last);
      if (at < best.at) best = { at, index };
    });
    return best;
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
    const wl = new SortedKeys(IDENTITY_BYTES, Math.max(1, this.whitelist.size));
    for (let i = 0; i < this.whitelist.size; i++) wl.add(this.whitelist.at(i));
    this.filter = new WindowFilter({ manufFilter: cfg.manufFilter, mediumFilter: cfg.mediumFilter, whitelist: wl, mask });
    this.windowStart = now;
    this.windowEnd = now + w.durationMs;
    this.heard = 0;
    this.recorded = 0;
    this.closedEarly = false;
    this.currentMode = w.mode;
    this.counters.value.radio.windows++;
    this.board.radio.startReceive(PHY_OF_MODE[w.mode], this.handlers(w.mode));
  }

  private currentMode: RadioMode = 2;

  private handlers(mode: RadioMode): RadioReceiveHandlers {
    const phy = PHY_OF_MODE[mode];
    const c = this.counters.value.radio;
    const cfg = this.config.current.radio;
    const phyOptions = { bFormatLFieldAdaptation: cfg.BFormatLFieldAdaptation };
    const headerOptions = { longHeader: cfg.longHeader };
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
        const filter = this.filter;
        if (filter === undefined) return;
        const decoded = decodePhy(chips, phy, phyOptions);
        if (!decoded.ok) {
          const cls = errorClass(decoded.error);
          if (cls === 'crc') c.crcErrors++;
          else if (cls === 'length') c.lengthErrors++;
          else c.decodeErrors++;
          return;
        }
        c.frames++;
        this.heard++;
        // Mode 1 (T1 only): C1 frames heard on the shared receiver setting are not wanted.
        if (mode === 1 && decoded.mode !== 'T1') {
          c.filtered++;
          return;
        }
        const header = parseHeader(decoded.frame, headerOptions);
        if (!header.ok) {
          c.decodeErrors++;
          return;
        }
        const verdict = filter.judge(header.header.identity, decoded.frame.length);
        if (verdict === 'duplicate') {
          c.duplicates++;
          return;
        }
        if (verdict !== 'record') {
          c.filtered++;
          return;
        }
        this.sink.append({ time: Math.floor(atMs / MS_PER_SECOND), rssi: Math.round(rssiDbm), frame: decoded.frame });
        c.recorded++;
        this.recorded++;
        if (filter.allWhitelistedHeard()) {
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
    this.filter = undefined;
    this.windowEnd = Infinity;
    this.counters.save();
    this.hooks.onWindowEnd({
      mode: MODE_NAME[this.currentMode],
      startedMs: this.windowStart,
      endedMs: now,
      heard: this.heard,
      recorded: this.recorded,
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
