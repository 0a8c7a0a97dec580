import type { Flash } from '../flash/types';
import type { PowerSink } from '../power/types';
import { toArrayBuffer } from './io';

/** A data partition opened with the Moddable `flash` module (`new Flash("framestore")`). */
export interface FlashPartition {
  read(offset: number, byteLength: number): unknown;
  write(offset: number, byteLength: number, buffer: ArrayBuffer): void;
  erase(sector: number): void;
  readonly byteLength: number;
  readonly blockSize: number;
}

export interface FlashClass {
  new (partition: string): FlashPartition;
}

/**
 * Busy times of the module's SPI NOR flash for the energy ledger (Winbond W25Q64JV datasheet,
 * typical): page program 0.4 ms per 256-byte page, 4 KB sector erase 45 ms, reads at 40 MHz
 * single-bit SPI ≈ 0.2 µs a byte.
 */
const PAGE_BYTES = 256;
const PAGE_PROGRAM_MS = 0.4;
const SECTOR_ERASE_MS = 45;
const READ_MS_PER_BYTE = 0.0002;

/** The frame-store partition through esp_partition_* (NOR semantics are the chip's own). */
export class Esp32Flash implements Flash {
  readonly size: number;
  readonly sectorSize: number;
  private readonly partition: FlashPartition;

  constructor(io: FlashClass, name: string, private readonly sink: PowerSink) {
    this.partition = new io(name);
    this.size = this.partition.byteLength;
    this.sectorSize = this.partition.blockSize;
  }

  read(offset: number, length: number): Uint8Array {
    this.check(offset, length);
    if (length === 0) return new Uint8Array(0);
    const bytes = new Uint8Array(this.partition.read(offset, length) as ArrayBuffer);
    this.sink.charge('flash', 'read', length * READ_MS_PER_BYTE);
    return bytes;
  }

  program(offset: number, bytes: Uint8Array): void {
    this.check(offset, bytes.length);
    if (bytes.length === 0) return;
    this.partition.write(offset, bytes.length, toArrayBuffer(bytes));
    const pages = Math.floor((offset + bytes.length - 1) / PAGE_BYTES) - Math.floor(offset / PAGE_BYTES) + 1;
    this.sink.charge('flash', 'program', pages * PAGE_PROGRAM_MS);
  }

  eraseSector(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.size / this.sectorSize) {
      throw new RangeError(`flash: sector ${index} outside the partition`);
    }
    this.partition.erase(index);
    this.sink.charge('flash', 'erase', SECTOR_ERASE_MS);
  }

  private check(offset: number, length: number): void {
    if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > this.size) {
      throw new RangeError(`flash: ${length} bytes at ${offset} outside the ${this.size}-byte partition`);
    }
  }
}
