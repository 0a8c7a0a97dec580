import type { Clock, TimerId } from '../../protocol/ports/clock';

/** The Moddable `timer` module as the clock uses it (one-shot timers). */
export interface TimerModule {
  set(callback: () => void, delayMs: number): unknown;
  clear(id: unknown): void;
}

/** The RTC-backed system time (native/esp32_power.c: gettimeofday / settimeofday). */
export interface RtcModule {
  rtcNow(): number;
  rtcSet(utcMs: number): void;
}

/**
 * Moddable timers take a C int of milliseconds and count from when they were set, not against
 * the RTC; long waits are cut into hourly hops and checked against the RTC when they fire.
 */
const MAX_TIMER_MS = 3_600_000;

interface Pending {
  readonly atMs: number;
  readonly callback: () => void;
  handle: unknown;
}

/** UTC time from the ESP32 RTC (kept through deep sleep) and absolute one-shot timers. */
export class Esp32Clock implements Clock {
  private readonly pending = new Map<TimerId, Pending>();
  private nextId = 1;

  constructor(private readonly timer: TimerModule, private readonly rtc: RtcModule) {}

  now(): number {
    return this.rtc.rtcNow();
  }

  /** Sets the RTC and re-arms every timer: their delays were computed against the old time. */
  set(utcMs: number): void {
    this.rtc.rtcSet(utcMs);
    for (const [id, p] of this.pending) this.arm(id, p);
  }

  setTimer(atMs: number, callback: () => void): TimerId {
    const id = this.nextId++;
    const p: Pending = { atMs, callback, handle: undefined };
    this.pending.set(id, p);
    this.arm(id, p);
    return id;
  }

  clearTimer(id: TimerId): void {
    const p = this.pending.get(id);
    if (p === undefined) return;
    if (p.handle !== undefined) this.timer.clear(p.handle);
    this.pending.delete(id);
  }

  private arm(id: TimerId, p: Pending): void {
    if (p.handle !== undefined) this.timer.clear(p.handle);
    const delay = Math.min(Math.max(0, p.atMs - this.now()), MAX_TIMER_MS);
    p.handle = this.timer.set(() => this.fire(id), delay);
  }

  private fire(id: TimerId): void {
    const p = this.pending.get(id);
    if (p === undefined) return;
    p.handle = undefined;
    if (this.now() < p.atMs) {
      this.arm(id, p);
      return;
    }
    this.pending.delete(id);
    p.callback();
  }
}
