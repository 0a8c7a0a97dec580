import type { Clock, TimerId } from '../../protocol/ports/clock';
import type { BatteryGauge, BatteryReading } from '../gauge/types';
import type { DigitalClass, DigitalIo, I2cClass, I2cIo } from './io';

export interface GaugeOptions {
  readonly i2c: {
    readonly io: I2cClass;
    readonly data: number;
    readonly clock: number;
    readonly hz: number;
    readonly port?: number;
  };
  /** The gauge-enable (GE) pin; absent when GE is tied high. */
  readonly enable?: { readonly io: DigitalClass; readonly pin: number };
  readonly capacityMah: number;
  readonly clock: Clock;
  /** Busy wait (Timer.delay on the device) while the gauge finishes GAUGE_STOP. */
  readonly delayMs: (ms: number) => void;
}

/** TI BQ35100 (SLUUBH1 / SLUSCM6) standard commands, little-endian, on 7-bit address 0x55. */
export const BQ35100_ADDRESS = 0x55;
const CMD_CONTROL = 0x00;
const CMD_ACCUMULATED_CAPACITY = 0x02;
const CMD_TEMPERATURE = 0x06;
const CMD_VOLTAGE = 0x08;
const CONTROL_STATUS = 0x0000;
const CONTROL_GAUGE_START = 0x0011;
const CONTROL_GAUGE_STOP = 0x0012;
/** CONTROL_STATUS.G_DONE: accumulated data saved after GAUGE_STOP (SLUUBH1, CONTROL_STATUS bit 6). */
const STATUS_G_DONE = 1 << 6;
/** The gauge ignores I2C for ≈ 100 ms after GE rises; 110 ms is the margin reported in use. */
const ENABLE_SETTLE_MS = 110;
const STOP_POLL_MS = 20;
/** Bounded: every deep sleep waits for it. */
const STOP_WAIT_MS = 300;
const I2C_HZ_DEFAULT = 100_000;
/** Temperature() counts 0.1 K; 273.15 K is 2731.5 of them. */
const DECI_KELVIN_AT_0C = 2731.5;
const UAH_PER_MAH = 1000;

/**
 * BQ35100 primary-cell gauge in ACCUMULATOR mode: it integrates the charge drawn while GE is high
 * and gauging is started; GAUGE_STOP saves the total before GE drops. Reads are synchronous I2C
 * transactions; until the gauge answers, `read()` returns the last good reading.
 */
export class Esp32Gauge implements BatteryGauge {
  readonly capacityMah: number;
  private readonly bus: I2cIo;
  private readonly enablePin: DigitalIo | undefined;
  private readonly clock: Clock;
  private readonly delayMs: (ms: number) => void;
  private last: BatteryReading = { voltageMv: 0, chargeUsedMah: 0, temperatureDeciC: 0 };
  private gauging = false;
  private startTimer: TimerId | undefined;

  constructor(options: GaugeOptions) {
    const { i2c, enable } = options;
    this.capacityMah = options.capacityMah;
    this.clock = options.clock;
    this.delayMs = options.delayMs;
    const bus = { data: i2c.data, clock: i2c.clock, hz: i2c.hz || I2C_HZ_DEFAULT, address: BQ35100_ADDRESS };
    this.bus = new i2c.io(i2c.port === undefined ? bus : { ...bus, port: i2c.port });
    this.enablePin = enable === undefined ? undefined : new enable.io({ pin: enable.pin, mode: enable.io.Output });
  }

  /** Raises GE and starts accumulating once the gauge has settled. */
  start(): void {
    if (this.gauging || this.startTimer !== undefined) return;
    this.enablePin?.write(1);
    this.startTimer = this.clock.setTimer(this.clock.now() + ENABLE_SETTLE_MS, () => {
      this.startTimer = undefined;
      try {
        this.control(CONTROL_GAUGE_START);
        this.gauging = true;
      } catch {
        // No answer: the next start() tries again; reads keep returning the last good values.
      }
    });
  }

  /** GAUGE_STOP, wait for G_DONE (bounded), then lower GE. Called before the MCU sleeps. */
  stop(): void {
    if (this.startTimer !== undefined) this.clock.clearTimer(this.startTimer);
    this.startTimer = undefined;
    if (this.gauging) {
      try {
        this.control(CONTROL_GAUGE_STOP);
        for (let waited = 0; waited < STOP_WAIT_MS; waited += STOP_POLL_MS) {
          this.delayMs(STOP_POLL_MS);
          if ((this.controlStatus() & STATUS_G_DONE) !== 0) break;
        }
      } catch {
        // The gauge saved what it could; GE still drops so it stops drawing current.
      }
      this.gauging = false;
    }
    this.enablePin?.write(0);
  }

  read(): BatteryReading {
    try {
      const voltageMv = this.readU16(CMD_VOLTAGE);
      const deciKelvin = this.readU16(CMD_TEMPERATURE);
      const uAh = this.readI32(CMD_ACCUMULATED_CAPACITY);
      this.last = {
        voltageMv,
        // The sign follows the sense-resistor orientation; the pack only ever discharges.
        chargeUsedMah: Math.abs(uAh) / UAH_PER_MAH,
        temperatureDeciC: Math.round(deciKelvin - DECI_KELVIN_AT_0C),
      };
    } catch {
      // Gauge asleep (GE low) or still settling: report what it said last.
    }
    return this.last;
  }

  private control(subcommand: number): void {
    this.bus.write(Uint8Array.of(CMD_CONTROL, subcommand & 0xff, subcommand >> 8).buffer);
  }

  private controlStatus(): number {
    this.control(CONTROL_STATUS);
    return this.readU16(CMD_CONTROL);
  }

  private readBytes(command: number, length: number): DataView {
    this.bus.write(Uint8Array.of(command).buffer, false);
    return new DataView(this.bus.read(length));
  }

  private readU16(command: number): number {
    return this.readBytes(command, 2).getUint16(0, true);
  }

  private readI32(command: number): number {
    return this.readBytes(command, 4).getInt32(0, true);
  }
}
