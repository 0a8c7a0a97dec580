import type { ModemPort } from '../modem/types';
import type { DigitalClass, DigitalIo, SerialClass, SerialIo } from './io';

export interface ModemPortOptions {
  readonly serial: {
    readonly io: SerialClass;
    readonly transmit: number;
    readonly receive: number;
    readonly baud: number;
    readonly port: number;
  };
  /** PWRKEY through an NPN stage: driving the GPIO high pulls the module's PWRKEY low. */
  readonly powerKey: { readonly io: DigitalClass; readonly pin: number; readonly pressedLevel: 0 | 1 };
  /** STATUS through a level shifter; `runningLevel` is what the GPIO reads while the module runs. */
  readonly status: { readonly io: DigitalClass; readonly pin: number; readonly runningLevel: 0 | 1 };
  /** Load switch on the modem's supply, when the board has one. */
  readonly supply?: { readonly io: DigitalClass; readonly pin: number; readonly initial: 0 | 1 };
  /** Blocks light sleep while the modem is powered: the UART loses bytes that wake the CPU. */
  readonly holdAwake?: (hold: boolean) => void;
}

/**
 * The transmit FIFO is all the UART driver offers (128 bytes; `write` throws past its free
 * space), so bytes wait here and go out as `onWritable` reports room.
 */
export const MODEM_TX_QUEUE_BYTES = 2048;

/** Quectel BG95 on a UART (embedded:io/serial) with its PWRKEY, STATUS and supply pins. */
export class Esp32ModemPort implements ModemPort {
  private readonly serial: SerialIo;
  private readonly powerKey: DigitalIo;
  private readonly statusPin: DigitalIo;
  private readonly supplyPin: DigitalIo | undefined;
  private readonly pressedLevel: 0 | 1;
  private readonly runningLevel: 0 | 1;
  private readonly holdAwake: (hold: boolean) => void;
  private readonly queue = new Uint8Array(MODEM_TX_QUEUE_BYTES);
  private head = 0;
  private count = 0;
  private writable = 0;
  private receiver: ((bytes: Uint8Array) => void) | undefined;
  private supplyOn: boolean;

  constructor(options: ModemPortOptions) {
    const { serial, powerKey, status, supply } = options;
    this.pressedLevel = powerKey.pressedLevel;
    this.runningLevel = status.runningLevel;
    this.holdAwake = options.holdAwake ?? (() => undefined);
    this.serial = new serial.io({
      transmit: serial.transmit,
      receive: serial.receive,
      baud: serial.baud,
      port: serial.port,
      format: 'buffer',
      onReadable: (bytes) => this.onReadable(bytes),
      onWritable: (bytes) => this.onWritable(bytes),
    });
    this.powerKey = new powerKey.io({ pin: powerKey.pin, mode: powerKey.io.Output });
    this.powerKey.write(this.pressedLevel === 1 ? 0 : 1);
    this.statusPin = new status.io({ pin: status.pin, mode: status.io.Input });
    if (supply !== undefined) {
      this.supplyPin = new supply.io({ pin: supply.pin, mode: supply.io.Output });
      this.supplyPin.write(supply.initial);
      this.supplyOn = supply.initial === 1;
    } else {
      this.supplyOn = true;
    }
    this.holdAwake(this.supplyOn);
  }

  write(bytes: Uint8Array): number {
    const n = Math.min(bytes.length, MODEM_TX_QUEUE_BYTES - this.count);
    for (let i = 0; i < n; i++) this.queue[(this.head + this.count + i) % MODEM_TX_QUEUE_BYTES] = bytes[i];
    this.count += n;
    this.pump();
    return n;
  }

  onReceive(callback: (bytes: Uint8Array) => void): void {
    this.receiver = callback;
  }

  setPowerKey(pressed: boolean): void {
    const released = this.pressedLevel === 1 ? 0 : 1;
    this.powerKey.write(pressed ? this.pressedLevel : released);
  }

  setSupply(on: boolean): void {
    if (this.supplyPin === undefined) return;
    this.supplyPin.write(on ? 1 : 0);
    this.supplyOn = on;
    this.holdAwake(on);
  }

  /** The supply switch's level, for latching it through deep sleep (a modem in PSM keeps power). */
  supplyLevel(): 0 | 1 {
    return this.supplyOn ? 1 : 0;
  }

  status(): boolean {
    return this.statusPin.read() === this.runningLevel;
  }

  private onReadable(available: number): void {
    const buffer = this.serial.read(available);
    if (buffer === undefined || buffer.byteLength === 0) return;
    this.receiver?.(new Uint8Array(buffer));
  }

  private onWritable(free: number): void {
    this.writable = free;
    this.pump();
  }

  private pump(): void {
    const n = Math.min(this.count, this.writable);
    if (n === 0) return;
    const chunk = new Uint8Array(n);
    for (let i = 0; i < n; i++) chunk[i] = this.queue[(this.head + i) % MODEM_TX_QUEUE_BYTES];
    this.serial.write(chunk.buffer);
    this.head = (this.head + n) % MODEM_TX_QUEUE_BYTES;
    this.count -= n;
    this.writable -= n;
  }
}
