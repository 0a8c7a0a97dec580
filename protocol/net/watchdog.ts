import type { Clock, TimerId } from '../ports/clock';

/**
 * Inactivity timer on the injected clock: fires `onExpire` once when `kick` has not been called for
 * `timeoutMs`. Kicks only record the time, so a busy transfer does not churn timers.
 */
export class Watchdog {
  private last: number;
  private timer: TimerId | undefined;

  constructor(private readonly clock: Clock, private readonly timeoutMs: number, private readonly onExpire: () => void) {
    this.last = clock.now();
    this.arm();
  }

  kick(): void {
    this.last = this.clock.now();
  }

  stop(): void {
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    this.timer = this.clock.setTimer(this.last + this.timeoutMs, () => {
      this.timer = undefined;
      if (this.clock.now() - this.last >= this.timeoutMs) this.onExpire();
      else this.arm();
    });
  }
}
