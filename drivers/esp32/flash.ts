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
const PAGE_SHIFT = 8;
const PAGE_MASK = (1 << PAGE_SHIFT) - 1;
const PAGE_PROGRAM_MS = 0.4;
/**
 * Program time goes to the ledger in batches of this many pages (≈ 25 ms of programming, a few
 * dozen frame records) and before each erase, not once per `program` call: the frame store
 * programs every record and then its commit byte, and a ledger call (map look-ups by string key)
 * costs more than the rest of a `program` call. The total charged is the same; at most one batch
 * is pending.
 */
const CHARGE_BATCH_PAGES = 64;
const SECTOR_ERASE_MS = 45;
const READ_MS_PER_BYTE = 0.0002;

/** The frame-store partition through esp_partition_* (NOR semantics are the chip's own). */
export class Esp32Flash implements Flash {
  readonly size: number;
  readonly sectorSize: number;
  private readonly partition: FlashPartition;
  /** Pages programmed and not yet charged to the ledger. */
  private unchargedPages = 0;

  constructor(io: FlashClass, name: string, private readonly sink: PowerSink) {
    this.partition = new io(name);
    this.size = this.partition.byteLength;
    this.sectorSize = this.partition.blockSize;
  }

  read(offset: number, length: number): Uint8Array {
    if (offset >>> 0 !== offset || length >>> 0 !== length || offset + length > this.size) this.outside(offset, length);
    if (length === 0) return new Uint8Array(0);
    const bytes = new Uint8Array(this.partition.read(offset, length) as ArrayBuffer);
    this.sink.charge('flash', 'read', length * READ_MS_PER_BYTE);
    return bytes;
  }

  program(offset: number, bytes: Uint8Array): void {
    // Called twice per stored frame: no helper calls, no copy when it can be avoided.
    const length = bytes.length;
    // `>>> 0` gives back the same number only for an integer in 0…2³²−1.
    if (offset >>> 0 !== offset || offset + length > this.size) this.outside(offset, length);
    if (length === 0) return;
    // The module writes `length` bytes from the start of the buffer it is given: a view that
    // starts its buffer is handed over as it is.
    this.partition.write(offset, length, bytes.byteOffset === 0 ? (bytes.buffer as ArrayBuffer) : toArrayBuffer(bytes));
    // Pages the bytes touch: their span from the start of the first page, rounded up.
    this.unchargedPages += ((offset & PAGE_MASK) + length + PAGE_MASK) >>> PAGE_SHIFT;
    if (this.unchargedPages >= CHARGE_BATCH_PAGES) this.chargePrograms();
  }

  eraseSector(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.size / this.sectorSize) {
      throw new RangeError(`flash: sector ${index} outside the partition`);
    }
    this.chargePrograms();
    this.partition.erase(index);
    this.sink.charge('flash', 'erase', SECTOR_ERASE_MS);
  }

  /** Hands the program time not charged yet to the ledger. */
  private chargePrograms(): void {
    if (this.unchargedPages === 0) return;
    this.sink.charge('flash', 'program', this.unchargedPages * PAGE_PROGRAM_MS);
    this.unchargedPages = 0;
  }

  private outside(offset: number, length: number): never {
    throw new RangeError(`flash: ${length} bytes at ${offset} outside the ${this.size}-byte partition`);
  }
}
