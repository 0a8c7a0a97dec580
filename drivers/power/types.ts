/** Why the MCU is running. On ESP32 every deep sleep ends in a reboot, so this is read at boot. */
export type WakeCause = 'power-on' | 'timer' | 'hall' | 'usb' | 'reset' | 'watchdog';

export interface PowerControl {
  readonly wakeCause: WakeCause;
  /**
   * Enters deep sleep until `untilMs` (UTC ms) or a Hall edge, whichever comes first.
   * On the device this never returns: the wake-up is a reboot. Only the settings store,
   * flash and `retained` survive.
   */
  deepSleep(untilMs: number): void;
  /** Restarts the MCU (after a firmware install, a factory reset). */
  restart(): void;
  /** RTC slow memory: kept across deep sleep, lost on power loss. */
  readonly retained: Uint8Array;
}

/** The parts whose power states the energy ledger integrates. */
export type PowerComponent = 'mcu' | 'radio' | 'modem' | 'buzzer' | 'flash' | 'ble' | 'board';

export type McuState = 'active' | 'light-sleep' | 'deep-sleep';
export type RadioPowerState = 'rx' | 'idle' | 'sleep';
export type ModemPowerState = 'off' | 'psm' | 'idle' | 'attached' | 'transmitting';
export type BuzzerPowerState = 'on' | 'off';
export type FlashPowerState = 'program' | 'erase' | 'read' | 'standby';
export type BlePowerState = 'advertising' | 'connected' | 'off';

/**
 * Where drivers report their power-state changes. The simulator's energy ledger implements it;
 * on the device the same reports feed the charge-used estimate.
 */
export interface PowerSink {
  report(component: PowerComponent, state: string): void;
  /** A short burst in `state` that the driver cannot time itself (e.g. MCU work per event). */
  charge(component: PowerComponent, state: string, durationMs: number): void;
}
