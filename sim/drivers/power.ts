import type { PowerControl, WakeCause } from '../../drivers/power/types';

/** What the device does when the firmware sleeps or restarts. */
export interface PowerHost {
  deepSleep(untilMs: number): void;
  restart(): void;
}

export class SimPower implements PowerControl {
  constructor(readonly wakeCause: WakeCause, readonly retained: Uint8Array, private readonly host: PowerHost) {}

  deepSleep(untilMs: number): void {
    this.host.deepSleep(untilMs);
  }

  restart(): void {
    this.host.restart();
  }
}
