import type { Clock, TimerId } from '../../../drivers/clock/types';

/** Virtual `Clock` advanced by hand, for timeout tests that must not wait. */
export class ManualClock implements Clock {
  private nextId = 1;
  private readonly timers = new Map<TimerId, { at: number; callback: () => void }>();

  constructor(private time = 1_700_000_000_000) {}

  now(): number {
    return this.time;
  }

  set(utcMs: number): void {
    this.time = utcMs;
  }

  setTimer(atMs: number, callback: () => void): TimerId {
    const id = this.nextId++;
    this.timers.set(id, { at: atMs, callback });
    return id;
  }

  clearTimer(id: TimerId): void {
    this.timers.delete(id);
  }

  /** Moves time forward, firing due timers in time order. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      let next: [TimerId, { at: number; callback: () => void }] | undefined;
      for (const entry of this.timers) if (entry[1].at <= end && (!next || entry[1].at < next[1].at)) next = entry;
      if (!next) break;
      this.timers.delete(next[0]);
      this.time = Math.max(this.time, next[1].at);
      next[1].callback();
    }
    this.time = end;
  }

  get pending(): number {
    return this.timers.size;
  }
}
