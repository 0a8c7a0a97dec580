/** Task watchdog: a missed feed reboots the MCU with wake cause 'watchdog'. */
export interface Watchdog {
  start(timeoutMs: number): void;
  feed(): void;
  stop(): void;
}
