import type { Clock, TimerId } from '../../protocol/ports/clock';
import type { SimEventId, SimTime } from '../world/types';
import type { SimRtc } from './rtc';

/** The firmware's clock for one boot: timers die with the boot (a deep sleep is a reboot). */
export class SimClock implements Clock {
  private readonly timers = new Map<TimerId, SimEventId>();
  private nextId = 1;
  private alive = true;

  constructor(private readonly time: SimTime, private readonly rtc: SimRtc) {}

  now(): number {
    return this.rtc.now();
  }

  set(utcMs: number): void {
    this.rtc.set(utcMs);
  }

  setTimer(atMs: number, callback: () => void): TimerId {
    const id = this.nextId++;
    const ev = this.time.at(this.rtc.trueTimeOf(atMs), () => {
      this.timers.delete(id);
      if (this.alive) callback();
    });
    this.timers.set(id, ev);
    return id;
  }

  clearTimer(id: TimerId): void {
    const ev = this.timers.get(id);
    if (ev === undefined) return;
    this.time.cancel(ev);
    this.timers.delete(id);
  }

  /** Ends this boot: no firmware timer fires any more. */
  shutdown(): void {
    this.alive = false;
    for (const ev of this.timers.values()) this.time.cancel(ev);
    this.timers.clear();
  }
}
