import type { Watchdog } from '../watchdog/types';

/** native/esp32_power.c: the application's ESP-IDF task-watchdog user. */
export interface WatchdogNative {
  watchdogStart(timeoutMs: number): void;
  watchdogFeed(): void;
  watchdogStop(): void;
}

/** A missed feed panics the ESP32; the reboot reports ESP_RST_TASK_WDT, i.e. wake cause 'watchdog'. */
export class Esp32Watchdog implements Watchdog {
  constructor(private readonly native: WatchdogNative) {}

  start(timeoutMs: number): void {
    this.native.watchdogStart(timeoutMs);
  }

  feed(): void {
    this.native.watchdogFeed();
  }

  stop(): void {
    this.native.watchdogStop();
  }
}
