/**
 * native/esp32_power.js + native/esp32_power.c: the ESP-IDF services the Moddable SDK does not
 * wrap. manifest.json lists the module as `esp32_power` and adds this file to mcconfig's
 * TypeScript `types`.
 */
declare module 'esp32_power' {
  /**
   * Deep sleep for `durationUs` microseconds (0: no timer), or until `hallPin` reads `hallLevel`
   * (ext0), or until `usbPin` goes high (ext1); a pin of -1 is not armed. The pads set in
   * `holdMask` (bit n = GPIO n) keep the level given in `levelMask` through the sleep. Never
   * returns: the wake is a reboot.
   */
  export function deepSleep(
    durationUs: number,
    hallPin: number,
    hallLevel: number,
    usbPin: number,
    holdMask: number,
    levelMask: number,
  ): void;
  /** The level `pin` was latched at through the deep sleep that just ended, or -1. */
  export function heldLevel(pin: number): number;
  /** Lets the latched pads follow their drivers again; call once they are driven. */
  export function releaseHolds(): void;
  /** Why this boot happened, from esp_sleep_get_wakeup_causes() and esp_reset_reason(). */
  export function wakeCause(): string;
  /** A copy of the RTC slow-memory block (zeroed after a power-on or brown-out). */
  export function retainedRead(): ArrayBuffer;
  /** Copies `buffer` (at most the block's size) into the RTC slow-memory block. */
  export function retainedWrite(buffer: ArrayBuffer): void;
  export function restart(): void;
  /** The factory MAC (eFuse) as 12 lower-case hex digits. */
  export function chipId(): string;
  /** Turns automatic light sleep between events on or off; false when CONFIG_PM_ENABLE is off. */
  export function lightSleep(enable: boolean): boolean;
  /** While held, automatic light sleep is blocked (UART traffic, a packet on the air). */
  export function holdAwake(hold: boolean): void;
  /** UTC milliseconds from the RTC-backed system time (gettimeofday). */
  export function rtcNow(): number;
  export function rtcSet(utcMs: number): void;
  /** Subscribes the application to the ESP-IDF task watchdog with this timeout. */
  export function watchdogStart(timeoutMs: number): void;
  export function watchdogFeed(): void;
  export function watchdogStop(): void;
  /** Every function above in one frozen object (the board's default import; see the .js). */
  const api: Omit<typeof import('esp32_power'), 'default'>;
  export default api;
}
