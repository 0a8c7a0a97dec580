import type { Clock, TimerId } from '../../../protocol/ports/clock';

/** Wall-clock `Clock` for tests against real sockets; `set` shifts `now` without touching timers. */
export class RealtimeClock implements Clock {
  private shift = 0;
  private nextId = 1;
  private readonly timers = new Map<TimerId, NodeJS.Timeout>();

  now(): number {
    return Date.now() + this.shift;
  }

  set(utcMs: number): void {
    this.shift = utcMs - Date.now();
  }

  setTimer(atMs: number, callback: () => void): TimerId {
    const id = this.nextId++;
    const handle = setTimeout(() => {
      this.timers.delete(id);
      callback();
    }, Math.max(0, atMs - this.now()));
    this.timers.set(id, handle);
    return id;
  }

  clearTimer(id: TimerId): void {
    const handle = this.timers.get(id);
    if (handle !== undefined) clearTimeout(handle);
    this.timers.delete(id);
  }

  /** Timers still pending (a leak check for tests). */
  get pending(): number {
    return this.timers.size;
  }
}
