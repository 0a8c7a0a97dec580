import type { Clock } from '../../protocol/ports/clock';
import type { PowerControl, PowerSink, WakeCause } from '../power/types';
import { freezeTable } from '../../protocol/freeze';

/** native/esp32_power.c as the power control uses it. */
export interface PowerNative {
  wakeCause(): string;
  deepSleep(durationUs: number, hallPin: number, hallLevel: number, usbPin: number, holdMask: number, levelMask: number): void;
  restart(): void;
  retainedRead(): ArrayBuffer;
  retainedWrite(buffer: ArrayBuffer): void;
}

/** The RTC GPIOs that end a deep sleep; -1 when the board has none. */
export interface WakePins {
  readonly hallPin: number;
  readonly hallLevel: 0 | 1;
  readonly usbPin: number;
}

/** An output pad that must keep its level while the MCU sleeps (a supply switch, for example). */
export interface HeldPin {
  readonly pin: number;
  level(): 0 | 1;
}

const WAKE_CAUSES: readonly WakeCause[] = freezeTable(['power-on', 'timer', 'hall', 'usb', 'reset', 'watchdog']);
/** esp_sleep_enable_timer_wakeup() needs a positive time; below a few ms a sleep is not worth its boot. */
const MIN_SLEEP_MS = 10;
const US_PER_MS = 1000;

/**
 * Deep sleep, restart and the RTC slow-memory block. `retained` is a copy read at boot and
 * written back just before the MCU goes down, so the application edits it like plain memory.
 */
export class Esp32Power implements PowerControl {
  readonly wakeCause: WakeCause;
  readonly retained: Uint8Array;
  private readonly beforeSleep: (() => void)[] = [];
  private readonly held: HeldPin[] = [];

  constructor(
    private readonly native: PowerNative,
    private readonly clock: Clock,
    private readonly sink: PowerSink,
    private readonly wake: WakePins,
  ) {
    const cause = native.wakeCause();
    this.wakeCause = (WAKE_CAUSES as readonly string[]).includes(cause) ? (cause as WakeCause) : 'power-on';
    this.retained = new Uint8Array(native.retainedRead());
  }

  /** Runs before every deep sleep and restart: parts put to sleep, gauge stopped. */
  onBeforeSleep(hook: () => void): void {
    this.beforeSleep.push(hook);
  }

  /** Latches `pin` at its current level through deep sleep. */
  holdThroughSleep(pin: HeldPin): void {
    this.held.push(pin);
  }

  deepSleep(untilMs: number): void {
    const durationMs = Math.max(MIN_SLEEP_MS, untilMs - this.clock.now());
    this.prepare();
    // Bit n is GPIO n; ESP32 pads stop at 39, well inside a double's exact integer range.
    let holdMask = 0;
    let levelMask = 0;
    for (const h of this.held) {
      holdMask += 2 ** h.pin;
      if (h.level() === 1) levelMask += 2 ** h.pin;
    }
    this.sink.report('mcu', 'deep-sleep');
    this.native.deepSleep(durationMs * US_PER_MS, this.wake.hallPin, this.wake.hallLevel, this.wake.usbPin, holdMask, levelMask);
  }

  restart(): void {
    this.prepare();
    this.native.restart();
  }

  private prepare(): void {
    for (const hook of this.beforeSleep) {
      try {
        hook();
      } catch {
        // A part that fails to park must not keep the MCU awake on the battery.
      }
    }
    const copy = new Uint8Array(this.retained.length);
    copy.set(this.retained);
    this.native.retainedWrite(copy.buffer);
  }
}
