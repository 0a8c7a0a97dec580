import type { Watchdog } from '../../drivers/watchdog/types';
import type { SimEventId, SimTime } from '../world/types';

/** A missed feed calls `onExpire` (the device reboots with wake cause 'watchdog'). */
export class SimWatchdog implements Watchdog {
  private event: SimEventId | undefined;
  private timeoutMs = 0;
  expired = false;

  constructor(private readonly time: SimTime, private readonly onExpire: () => void) {}

  start(timeoutMs: number): void {
    this.timeoutMs = timeoutMs;
    this.feed();
  }

  feed(): void {
    if (this.timeoutMs === 0) return;
    if (this.event !== undefined) this.time.cancel(this.event);
    this.event = this.time.at(this.time.now() + this.timeoutMs, () => {
      this.event = undefined;
      this.expired = true;
      this.onExpire();
    });
  }

  stop(): void {
    if (this.event !== undefined) this.time.cancel(this.event);
    this.event = undefined;
    this.timeoutMs = 0;
  }
}
