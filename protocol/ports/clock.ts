/** Time source and one-shot timers. All firmware time comes through here: UTC milliseconds. */
export type TimerId = number;

export interface Clock {
  /** Current UTC time in milliseconds (RTC on the device, virtual time in the simulator). */
  now(): number;
  /** Sets the RTC after a time synchronisation (SNTP). */
  set(utcMs: number): void;
  /** Calls `callback` once at `atMs` (UTC ms); a time in the past fires as soon as possible. */
  setTimer(atMs: number, callback: () => void): TimerId;
  clearTimer(id: TimerId): void;
}
