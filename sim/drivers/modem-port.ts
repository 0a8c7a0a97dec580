import type { ModemPort } from '../../drivers/modem/types';
import type { SimEventId, SimTime } from '../world/types';

/** UART and power-pin timing of the simulated BG95 (Quectel BG95 hardware design figures). */
export interface ModemPortTiming {
  readonly baud: number;
  /** PWRKEY held low this long turns the module on (≥ 500 ms). */
  readonly powerOnPulseMs: number;
  /** PWRKEY held low this long turns a running module off (≥ 650 ms). */
  readonly powerOffPulseMs: number;
  /** STATUS rises this long after the power-on press is recognised. */
  readonly statusDelayMs: number;
  /** `APP RDY` this long after the power-on press is recognised. */
  readonly bootMs: number;
  /** STATUS falls this long after a power-down starts (PWRKEY or AT+QPOWD). */
  readonly powerDownMs: number;
}

export const MODEM_PORT_TIMING: ModemPortTiming = {
  baud: 115_200,
  powerOnPulseMs: 500,
  powerOffPulseMs: 650,
  statusDelayMs: 300,
  bootMs: 2_500,
  powerDownMs: 1_300,
};

/** 8N1: start + 8 data + stop bits per byte. */
const BITS_PER_BYTE = 10;
const MS_PER_S = 1000;

/** What the port drives on the module side; the BG95 emulator implements it. */
export interface ModemModule {
  /** The power-on press was recognised; false means the module does not boot (fault). */
  powerOn(fromPsm: boolean): boolean;
  /** Boot finished: the module prints `APP RDY` and answers AT commands. */
  ready(): void;
  /** A power-down started (PWRKEY, or AT+QPOWD through `moduleShutdown`). */
  powerDown(): void;
  /** The supply was cut under a running module. */
  powerLost(): void;
  /** Bytes from the MCU, as they finish arriving on the UART. */
  receive(bytes: Uint8Array): void;
}

export type ModuleState = 'off' | 'booting' | 'on' | 'powering-down' | 'psm';

export interface ModemPortStats {
  bytesToModule: number;
  bytesToHost: number;
  powerOnPresses: number;
  powerOffPresses: number;
}

/**
 * The BG95's UART and pins in virtual time: bytes take their baud-rate time on the wire in each
 * direction, PWRKEY presses are recognised after the datasheet's hold times, STATUS follows the
 * module's firmware. A cut supply loses everything on the wire.
 */
export class SimModemPort implements ModemPort {
  readonly timing: ModemPortTiming;
  readonly stats: ModemPortStats = { bytesToModule: 0, bytesToHost: 0, powerOnPresses: 0, powerOffPresses: 0 };
  private module: ModemModule | undefined;
  private receiver: ((bytes: Uint8Array) => void) | undefined;
  private supply = false;
  private statusPin = false;
  private state: ModuleState = 'off';
  private keyPressed = false;
  private keyEvent: SimEventId | undefined;
  private readonly bootEvents: SimEventId[] = [];
  /** Incremented at every power loss: bytes on the wire from before it are dropped. */
  private epoch = 0;
  private toModuleFreeAt = 0;
  private toHostFreeAt = 0;

  constructor(private readonly time: SimTime, timing: Partial<ModemPortTiming> = {}) {
    this.timing = { ...MODEM_PORT_TIMING, ...timing };
  }

  attach(module: ModemModule): void {
    this.module = module;
  }

  write(bytes: Uint8Array): number {
    if (!this.supply || bytes.length === 0) return bytes.length;
    const copy = bytes.slice();
    const epoch = this.epoch;
    const start = Math.max(this.time.now(), this.toModuleFreeAt);
    const end = start + this.wireMs(copy.length);
    this.toModuleFreeAt = end;
    this.time.at(end, () => {
      if (epoch !== this.epoch || !this.running()) return;
      this.stats.bytesToModule += copy.length;
      this.module?.receive(copy);
    });
    return bytes.length;
  }

  onReceive(callback: (bytes: Uint8Array) => void): void {
    this.receiver = callback;
  }

  setPowerKey(pressed: boolean): void {
    if (pressed === this.keyPressed) return;
    this.keyPressed = pressed;
    if (this.keyEvent !== undefined) this.time.cancel(this.keyEvent);
    this.keyEvent = undefined;
    if (!pressed || !this.supply) return;
    const turningOn = this.state === 'off' || this.state === 'psm';
    const hold = turningOn ? this.timing.powerOnPulseMs : this.timing.powerOffPulseMs;
    this.keyEvent = this.time.at(this.time.now() + hold, () => {
      this.keyEvent = undefined;
      if (!this.keyPressed || !this.supply) return;
      if (this.state === 'off' || this.state === 'psm') this.boot(this.state === 'psm');
      else if (this.state === 'on' || this.state === 'booting') {
        this.stats.powerOffPresses++;
        this.startPowerDown();
      }
    });
  }

  setSupply(on: boolean): void {
    if (on === this.supply) return;
    this.supply = on;
    if (on) return;
    const wasRunning = this.state !== 'off';
    this.cutPower();
    if (wasRunning) this.module?.powerLost();
  }

  status(): boolean {
    return this.statusPin;
  }

  supplyOn(): boolean {
    return this.supply;
  }

  moduleState(): ModuleState {
    return this.state;
  }

  /** Module side: bytes to the MCU, delivered after their time on the wire. */
  sendToHost(bytes: Uint8Array): void {
    if (!this.running() || bytes.length === 0) return;
    const copy = bytes.slice();
    const epoch = this.epoch;
    const start = Math.max(this.time.now(), this.toHostFreeAt);
    const end = start + this.wireMs(copy.length);
    this.toHostFreeAt = end;
    this.time.at(end, () => {
      if (epoch !== this.epoch) return;
      this.stats.bytesToHost += copy.length;
      this.receiver?.(copy);
    });
  }

  /** Module side: AT+QPOWD accepted; STATUS falls after the power-down time. */
  moduleShutdown(): void {
    if (this.state === 'on' || this.state === 'booting') this.startPowerDown();
  }

  /** Module side: the module entered PSM; STATUS low, UART dead until a PWRKEY wake-up. */
  enterPsm(): void {
    if (this.state !== 'on') return;
    this.epoch++;
    this.state = 'psm';
    this.statusPin = false;
  }

  /** Time the UART needs for `n` bytes, ms. */
  wireMs(n: number): number {
    return (n * BITS_PER_BYTE * MS_PER_S) / this.timing.baud;
  }

  private running(): boolean {
    return this.supply && (this.state === 'on' || this.state === 'booting' || this.state === 'powering-down');
  }

  private boot(fromPsm: boolean): void {
    this.stats.powerOnPresses++;
    const module = this.module;
    if (module === undefined || !module.powerOn(fromPsm)) return;
    this.state = 'booting';
    const epoch = this.epoch;
    this.bootEvents.push(
      this.time.at(this.time.now() + this.timing.statusDelayMs, () => {
        if (epoch === this.epoch && this.state === 'booting') this.statusPin = true;
      }),
      this.time.at(this.time.now() + this.timing.bootMs, () => {
        if (epoch !== this.epoch || this.state !== 'booting') return;
        this.state = 'on';
        this.statusPin = true;
        module.ready();
      }),
    );
  }

  private startPowerDown(): void {
    this.clearBoot();
    this.state = 'powering-down';
    this.module?.powerDown();
    const epoch = this.epoch;
    this.time.at(this.time.now() + this.timing.powerDownMs, () => {
      if (epoch !== this.epoch || this.state !== 'powering-down') return;
      this.epoch++;
      this.state = 'off';
      this.statusPin = false;
    });
  }

  private cutPower(): void {
    this.clearBoot();
    this.epoch++;
    this.state = 'off';
    this.statusPin = false;
    this.toHostFreeAt = 0;
    this.toModuleFreeAt = 0;
  }

  private clearBoot(): void {
    for (const e of this.bootEvents.splice(0)) this.time.cancel(e);
  }
}
