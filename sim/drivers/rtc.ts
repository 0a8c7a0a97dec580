import type { SimTime } from '../world/types';

const PPM = 1e-6;

/**
 * The device's RTC as it drifts from true (virtual) time. Survives deep sleep, like the ESP32's
 * RTC domain; `set` is what SNTP does.
 */
export class SimRtc {
  private offsetMs: number;
  private refMs: number;

  constructor(private readonly time: SimTime, initialErrorMs: number, private readonly driftPpm: number) {
    this.offsetMs = initialErrorMs;
    this.refMs = time.now();
  }

  /** Device time for the current true time. */
  now(): number {
    const w = this.time.now();
    return Math.floor(w + this.offsetMs + (w - this.refMs) * this.driftPpm * PPM);
  }

  set(utcMs: number): void {
    const w = this.time.now();
    this.offsetMs = utcMs - w;
    this.refMs = w;
  }

  /** True time at which the device clock will read `deviceMs`. */
  trueTimeOf(deviceMs: number): number {
    const w = this.time.now();
    return w + Math.max(0, deviceMs - this.now()) / (1 + this.driftPpm * PPM);
  }
}
