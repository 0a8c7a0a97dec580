/**
 * The parts of the ECMA-419 IO classes (`embedded:io/*`) and Moddable modules the ESP32 drivers
 * use, as structural types. Drivers receive the classes in their options, the way the SDK's own
 * drivers do (`new options.sensor.io({...})`), so on the host a test passes fakes and nothing
 * here imports a Moddable module.
 */

/** ECMA-419 buffers: the SDK's ESP32 implementations accept an ArrayBuffer everywhere. */
export type IoBuffer = ArrayBuffer | Uint8Array;

export interface SpiIo {
  /** Full duplex in place: the received bytes replace the sent ones. */
  transfer(buffer: Uint8Array): void;
  /** Sends without reading back; the buffer is left as it was. */
  write(buffer: Uint8Array): void;
  /** `flush(true)` deselects (raises CSn) after the transaction. */
  flush(deselect?: boolean): void;
}

export interface SpiOptions {
  readonly clock: number;
  readonly in: number;
  readonly out: number;
  readonly select: number;
  /** Level that selects the device: 0 for CC1101's active-low CSn. */
  readonly active: 0 | 1;
  readonly hz: number;
  readonly mode: number;
  readonly port: number;
}

export interface SpiClass {
  new (options: SpiOptions): SpiIo;
}

export interface DigitalIo {
  read(): number;
  write(value: 0 | 1): void;
}

export interface DigitalOptions {
  readonly pin: number;
  /** One of the class's mode constants (numbers in the SDK's typings and its ESP32 implementation). */
  readonly mode: number;
  readonly edge?: number;
  readonly onReadable?: () => void;
}

/** The Digital class with its mode and edge constants (ECMA-419 §10.1). */
export interface DigitalClass {
  new (options: DigitalOptions): DigitalIo;
  readonly Input: number;
  readonly InputPullUp: number;
  readonly InputPullDown: number;
  readonly Output: number;
  readonly Rising: number;
  readonly Falling: number;
}

export interface SerialIo {
  /** Up to `byteLength` bytes already received (format "buffer"), or undefined. */
  read(byteLength: number): ArrayBuffer | undefined;
  /** Throws when the bytes do not fit the transmit FIFO: write at most what onWritable offered. */
  write(value: ArrayBuffer): void;
}

export interface SerialOptions {
  readonly transmit: number;
  readonly receive: number;
  readonly baud: number;
  readonly port: number;
  readonly format: 'buffer';
  readonly onReadable: (bytes: number) => void;
  readonly onWritable: (bytes: number) => void;
}

export interface SerialClass {
  new (options: SerialOptions): SerialIo;
}

export interface I2cIo {
  read(byteLength: number, stop?: boolean): ArrayBuffer;
  write(value: ArrayBuffer, stop?: boolean): void;
}

export interface I2cOptions {
  readonly data: number;
  readonly clock: number;
  readonly hz: number;
  readonly address: number;
  readonly port?: number;
}

export interface I2cClass {
  new (options: I2cOptions): I2cIo;
}

export interface PwmIo {
  readonly resolution: number;
  write(value: number): void;
  /** Present on the ESP32 implementation (frees the LEDC channel), absent from the SDK typings. */
  close?(): void;
}

export interface PwmOptions {
  readonly pin: number;
  readonly hz: number;
  readonly port?: number;
}

export interface PwmClass {
  new (options: PwmOptions): PwmIo;
}

/** A copy of `bytes` in an ArrayBuffer of exactly its length (what the SDK's C side reads). */
export function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return copy.buffer;
}
