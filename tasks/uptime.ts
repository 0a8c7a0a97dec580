import type { Clock } from '../protocol/ports/clock';
import type { Counters } from './counters';
import type { Task } from './types';

const MS_PER_SECOND = 1000;
/** Runs last: it only books time when the box goes to sleep. */
const UPTIME_PRIORITY = 100;

/**
 * The §5.7 `uptime.run` and `uptime.lowPower` counters: time awake in RUN mode and time in deep
 * sleep. A boot books the sleep that just ended; going to sleep books the time awake.
 */
export class UptimeTask implements Task {
  readonly name = 'uptime';
  readonly priority = UPTIME_PRIORITY;
  private readonly bootSec: number;

  constructor(private readonly clock: Clock, private readonly counters: Counters, private readonly running: () => boolean) {
    this.bootSec = this.nowSec();
    const c = counters.value;
    if (c.sleepSince > 0 && this.bootSec > c.sleepSince) c.uptime.lowPower += this.bootSec - c.sleepSince;
    c.sleepSince = 0;
    counters.save();
  }

  nextWake(): number {
    return Infinity;
  }

  busy(): boolean {
    return false;
  }

  step(): void {
    // Nothing to do while awake; the booking happens at boot and at `suspend`.
  }

  suspend(): void {
    const now = this.nowSec();
    const c = this.counters.value;
    if (this.running()) c.uptime.run += Math.max(0, now - this.bootSec);
    c.sleepSince = now;
    this.counters.save();
  }

  private nowSec(): number {
    return Math.floor(this.clock.now() / MS_PER_SECOND);
  }
}
