/**
 * Host stand-ins for the ECMA-419 IO classes and Moddable modules the ESP32 drivers take in their
 * options: a register-level CC1101 model behind a fake SPI, digital pins whose edges are queued
 * until `deliver()` (the Moddable event loop). Their clock is tests/fixtures/manual-clock.ts.
 */
import type { PowerComponent, PowerSink } from '../../drivers/power/types';
import type { DigitalIo, DigitalOptions, SpiIo, SpiOptions } from '../../drivers/esp32/io';

export class RecordingSink implements PowerSink {
  readonly reports: [PowerComponent, string][] = [];
  readonly charges: [PowerComponent, string, number][] = [];
  report(component: PowerComponent, state: string): void {
    this.reports.push([component, state]);
  }
  charge(component: PowerComponent, state: string, durationMs: number): void {
    this.charges.push([component, state, durationMs]);
  }
  last(component: PowerComponent): string | undefined {
    const r = this.reports.filter(([c]) => c === component);
    return r.length > 0 ? r[r.length - 1][1] : undefined;
  }
}

/** The pins of one fake board: levels driven by the model, edges queued until delivered. */
export class PinBank {
  readonly levels = new Map<number, number>();
  readonly written = new Map<number, number[]>();
  private readonly instances = new Map<number, DigitalOptions>();
  private queue: { pin: number; rising: boolean }[] = [];

  readonly Digital = makeDigitalClass(this);

  attach(options: DigitalOptions): void {
    this.instances.set(options.pin, options);
  }
  options(pin: number): DigitalOptions | undefined {
    return this.instances.get(pin);
  }
  level(pin: number): number {
    return this.levels.get(pin) ?? 0;
  }
  drive(pin: number, level: number): void {
    const before = this.level(pin);
    this.levels.set(pin, level);
    if (before !== level) this.queue.push({ pin, rising: level === 1 });
  }
  write(pin: number, level: number): void {
    this.levels.set(pin, level);
    const list = this.written.get(pin) ?? [];
    list.push(level);
    this.written.set(pin, list);
  }
  /** Runs the queued edge callbacks in order, as the Moddable event loop would. */
  deliver(): void {
    while (this.queue.length > 0) {
      const e = this.queue.shift()!;
      const o = this.instances.get(e.pin);
      if (o?.onReadable === undefined || o.edge === undefined) continue;
      const mask = e.rising ? FAKE_RISING : FAKE_FALLING;
      if ((o.edge & mask) !== 0) o.onReadable();
    }
  }
  pendingEdges(): number {
    return this.queue.length;
  }
}

export const FAKE_RISING = 1;
export const FAKE_FALLING = 2;
// The SDK's DigitalBank mode values (modules/io/digital/digitalbank.js).
export const FAKE_INPUT = 0;
export const FAKE_INPUT_PULL_UP = 1;
export const FAKE_INPUT_PULL_DOWN = 2;
export const FAKE_OUTPUT = 8;

function makeDigitalClass(bank: PinBank) {
  return class FakeDigital implements DigitalIo {
    static readonly Input: number = FAKE_INPUT;
    static readonly InputPullUp: number = FAKE_INPUT_PULL_UP;
    static readonly InputPullDown: number = FAKE_INPUT_PULL_DOWN;
    static readonly Output: number = FAKE_OUTPUT;
    static readonly Rising = FAKE_RISING;
    static readonly Falling = FAKE_FALLING;
    readonly pin: number;
    constructor(readonly options: DigitalOptions) {
      this.pin = options.pin;
      bank.attach(options);
    }
    read(): number {
      return bank.level(this.pin);
    }
    write(value: 0 | 1): void {
      bank.write(this.pin, value);
    }
  };
}

const FIFO_SIZE = 64;
const THRESHOLD = 16;

/** Register-level CC1101 model (SWRS061I) behind the SPI: enough for the receive path. */
export class FakeCc1101 {
  readonly regs = new Uint8Array(0x2f);
  state: 'idle' | 'rx' | 'sleep' | 'overflow' = 'idle';
  fifo: number[] = [];
  partnum = 0x00;
  version = 0x14;
  rssiRaw = 0x00;
  /** Strobes and register writes in the order the driver issued them. */
  readonly strobes: number[] = [];
  readonly writes: [number, number][] = [];
  readonly options: SpiOptions[] = [];
  /** Chip bytes received since the last sync. */
  counter = 0;
  private ready = true;
  private sleepOnDeselect = false;
  private transactionOpen = false;

  constructor(readonly pins: PinBank, readonly gdo0: number, readonly gdo2: number) {}

  readonly SPI = makeSpiClass(this);

  /** Called by the fake delay: the crystal has had time to start. */
  tick(): void {
    this.ready = true;
  }

  private status(): number {
    const s = this.state === 'rx' ? 1 : this.state === 'overflow' ? 6 : 0;
    return (this.ready ? 0 : 0x80) | (s << 4) | Math.min(this.fifo.length, 15);
  }

  transfer(buf: Uint8Array): void {
    if (!this.transactionOpen && this.state === 'sleep') {
      // CSn low wakes the chip; it does not answer until its crystal runs.
      this.state = 'idle';
      this.ready = false;
      this.transactionOpen = true;
      buf[0] = 0x80;
      return;
    }
    this.transactionOpen = true;
    const header = buf[0];
    const status = this.status();
    const read = (header & 0x80) !== 0;
    const burst = (header & 0x40) !== 0;
    const address = header & 0x3f;
    if (!this.ready) {
      buf[0] = status;
      return;
    }
    if (buf.length === 1 && address >= 0x30 && address <= 0x3d) {
      this.strobe(address);
      buf[0] = status;
      return;
    }
    if (address === 0x3f && read) {
      for (let i = 1; i < buf.length; i++) buf[i] = this.fifo.shift() ?? 0;
      this.updateGdo0();
    } else if (read && burst && address >= 0x30) {
      buf[1] = this.statusRegister(address);
    } else if (read) {
      for (let i = 1; i < buf.length; i++) buf[i] = this.regs[address + i - 1];
    } else {
      for (let i = 1; i < buf.length; i++) {
        this.regs[address + i - 1] = buf[i];
        this.writes.push([address + i - 1, buf[i]]);
        buf[i] = status; // SWRS061I §10.3: the chip returns its status byte for every byte written
      }
    }
    buf[0] = status;
  }

  flush(deselect?: boolean): void {
    if (!deselect) return;
    this.transactionOpen = false;
    if (this.sleepOnDeselect) {
      this.sleepOnDeselect = false;
      this.state = 'sleep';
    }
  }

  private statusRegister(address: number): number {
    switch (address) {
      case 0x30:
        return this.partnum;
      case 0x31:
        return this.version;
      case 0x34:
        return this.rssiRaw;
      case 0x35:
        return this.state === 'idle' ? 0x01 : this.state === 'rx' ? 0x0d : this.state === 'overflow' ? 0x11 : 0x00;
      case 0x3b:
        return (this.state === 'overflow' ? 0x80 : 0) | this.fifo.length;
      default:
        return 0;
    }
  }

  private strobe(s: number): void {
    this.strobes.push(s);
    switch (s) {
      case 0x30: // SRES
        this.regs.fill(0);
        this.fifo = [];
        this.state = 'idle';
        this.ready = false;
        break;
      case 0x34: // SRX
        if (this.state === 'idle') this.state = 'rx';
        this.counter = 0;
        break;
      case 0x36: // SIDLE
        if (this.state !== 'sleep') this.state = 'idle';
        this.setSync(0);
        break;
      case 0x39: // SPWD
        if (this.state === 'idle') this.sleepOnDeselect = true;
        break;
      case 0x3a: // SFRX
        if (this.state === 'idle' || this.state === 'overflow') {
          this.fifo = [];
          this.state = this.state === 'overflow' ? 'idle' : this.state;
          this.updateGdo0();
        }
        break;
      default:
        break;
    }
  }

  /** The sync word was detected on the air. */
  sync(): void {
    if (this.state !== 'rx') return;
    this.counter = 0;
    this.setSync(1);
  }

  /** Chip bytes after the sync word arrive over the air. */
  air(bytes: readonly number[] | Uint8Array): void {
    for (const b of bytes) {
      if (this.state !== 'rx') return;
      if (this.fifo.length >= FIFO_SIZE) {
        this.state = 'overflow';
        this.setSync(0);
        return;
      }
      this.fifo.push(b);
      this.counter++;
      this.updateGdo0();
      const fixed = (this.regs[0x08] & 0x03) === 0;
      if (fixed && this.counter % 256 === this.regs[0x06]) {
        this.state = 'idle'; // MCSM1.RXOFF_MODE = IDLE
        this.setSync(0);
        return;
      }
    }
  }

  private setSync(level: number): void {
    this.pins.drive(this.gdo2, level);
  }

  private updateGdo0(): void {
    this.pins.drive(this.gdo0, this.fifo.length >= THRESHOLD ? 1 : 0);
  }
}

function makeSpiClass(chip: FakeCc1101) {
  return class FakeSpi implements SpiIo {
    constructor(options: SpiOptions) {
      chip.options.push(options);
    }
    transfer(buffer: Uint8Array): void {
      chip.transfer(buffer);
    }
    write(buffer: Uint8Array): void {
      chip.transfer(buffer.slice());
    }
    flush(deselect?: boolean): void {
      chip.flush(deselect);
    }
  };
}
