import type { Flash } from '../../drivers/flash/types';
import type { PowerSink } from '../../drivers/power/types';
import type { SimRandom } from '../world/types';

/**
 * Timing of a Winbond W25Q-series SPI NOR (typical figures, W25Q128FV datasheet, "AC Electrical
 * Characteristics": tPP 0.7 ms per 256-byte page, tBP1 30 µs first byte + tBP2 2.5 µs each further
 * byte for short programs, tSE 45 ms per 4 KB sector). Reads: the ESP32 SPI0 bus in DIO at 40 MHz,
 * 80 Mbit/s, plus command, address and dummy cycles (~5 byte times).
 */
export interface FlashTiming {
  readonly pageSize: number;
  readonly pageProgramMs: number;
  readonly firstByteProgramMs: number;
  readonly nextByteProgramMs: number;
  readonly sectorEraseMs: number;
  readonly readBytesPerMs: number;
  readonly readOverheadBytes: number;
}

export const W25Q_TIMING: FlashTiming = {
  pageSize: 256,
  pageProgramMs: 0.7,
  firstByteProgramMs: 0.03,
  nextByteProgramMs: 0.0025,
  sectorEraseMs: 45,
  readBytesPerMs: 10_000,
  readOverheadBytes: 5,
};

/**
 * Thrown by the N-th program/erase after `armPowerCut`, and by a write the PowerRail (power-rail.ts)
 * tears or refuses after a cut: the firmware's call stack ends there.
 */
export class PowerCutError extends Error {
  override readonly name = 'PowerCutError';

  constructor(readonly operation: string, readonly offset?: number) {
    super(`power cut during ${operation}${offset === undefined ? '' : ` at 0x${offset.toString(16)}`}`);
  }
}

/** A program that needs a 0 → 1 bit: real NOR silently ANDs, the fake says so. */
export class FlashProgramError extends Error {
  override readonly name = 'FlashProgramError';

  constructor(readonly offset: number, readonly had: number, readonly wanted: number) {
    super(`program at 0x${offset.toString(16)} needs 0->1 bits (0x${had.toString(16)} -> 0x${wanted.toString(16)})`);
  }
}

export interface SimFlashOptions {
  readonly size: number;
  readonly sectorSize?: number;
  readonly power?: PowerSink;
  readonly timing?: FlashTiming;
  /**
   * 'throw' (default): a program needing a 0 → 1 bit throws FlashProgramError and changes nothing.
   * 'and': behave like the chip (store old AND new) and count it in `counters.violations`.
   */
  readonly onViolation?: 'throw' | 'and';
}

export interface SimFlashCounters {
  reads: number;
  bytesRead: number;
  programs: number;
  bytesProgrammed: number;
  erases: number;
  violations: number;
  powerCuts: number;
  /** Time the chip was busy (program + erase + read), ms. */
  busyMs: number;
}

const TEAR_ERASE_EARLY = 0;
const TEAR_ERASE_LATE = 1;

interface ArmedCut {
  remaining: number;
  readonly random: SimRandom;
}

/** RAM-backed NOR partition with erase/program/read timing, wear counters and power-cut injection. */
export class SimFlash implements Flash {
  readonly size: number;
  readonly sectorSize: number;
  /** Erases per sector since construction. */
  readonly eraseCounts: Uint32Array;
  readonly counters: SimFlashCounters = newCounters();
  private readonly mem: Uint8Array;
  private readonly timing: FlashTiming;
  private readonly power: PowerSink | undefined;
  private readonly strict: boolean;
  private cut: ArmedCut | undefined;

  constructor(options: SimFlashOptions) {
    this.sectorSize = options.sectorSize ?? 4096;
    if (options.size <= 0 || options.size % this.sectorSize !== 0) {
      throw new RangeError('flash size must be a whole number of sectors');
    }
    this.size = options.size;
    this.mem = new Uint8Array(this.size).fill(0xff);
    this.eraseCounts = new Uint32Array(this.size / this.sectorSize);
    this.timing = options.timing ?? W25Q_TIMING;
    this.power = options.power;
    this.strict = (options.onViolation ?? 'throw') === 'throw';
  }

  read(offset: number, length: number): Uint8Array {
    this.checkRange(offset, length);
    this.counters.reads++;
    this.counters.bytesRead += length;
    this.spend('read', (length + this.timing.readOverheadBytes) / this.timing.readBytesPerMs);
    return this.mem.slice(offset, offset + length);
  }

  program(offset: number, bytes: Uint8Array): void {
    this.checkRange(offset, bytes.length);
    for (let i = 0; i < bytes.length; i++) {
      const had = this.mem[offset + i];
      if ((had & bytes[i]) !== bytes[i]) {
        this.counters.violations++;
        if (this.strict) throw new FlashProgramError(offset + i, had, bytes[i]);
      }
    }
    this.counters.programs++;
    this.counters.bytesProgrammed += bytes.length;
    this.spend('program', this.programMs(offset, bytes.length));
    if (this.takeCut()) {
      this.tearProgram(offset, bytes, (this.cut as ArmedCut).random);
      this.fireCut('program', offset);
    }
    for (let i = 0; i < bytes.length; i++) this.mem[offset + i] &= bytes[i];
  }

  eraseSector(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.eraseCounts.length) {
      throw new RangeError(`no sector ${index}`);
    }
    const start = index * this.sectorSize;
    this.counters.erases++;
    this.eraseCounts[index]++;
    this.spend('erase', this.timing.sectorEraseMs);
    if (this.takeCut()) {
      this.tearErase(start, (this.cut as ArmedCut).random);
      this.fireCut('erase', start);
    }
    this.mem.fill(0xff, start, start + this.sectorSize);
  }

  /**
   * After `afterOperations` more programs/erases complete, the next one is torn and throws
   * PowerCutError (0: the very next one). A torn program writes a random prefix of its bytes and
   * clears a random part of the intended bits in the rest; a torn erase is either barely started
   * (a few bits set), nearly done (all 0xFF but a few bits still 0) or halfway (each byte erased,
   * untouched, or with some bits set). Contents stay for the next `open`.
   */
  armPowerCut(afterOperations: number, random: SimRandom): void {
    this.cut = { remaining: afterOperations, random };
  }

  disarmPowerCut(): void {
    this.cut = undefined;
  }

  /** Program and erase calls so far (what `armPowerCut` counts). */
  get operations(): number {
    return this.counters.programs + this.counters.erases;
  }

  resetCounters(): void {
    Object.assign(this.counters, newCounters());
  }

  /** An independent flash with the same content and wear (counters zeroed, no cut armed). */
  clone(): SimFlash {
    const copy = new SimFlash({ size: this.size, sectorSize: this.sectorSize, power: this.power, timing: this.timing, onViolation: this.strict ? 'throw' : 'and' });
    copy.mem.set(this.mem);
    copy.eraseCounts.set(this.eraseCounts);
    return copy;
  }

  /** A copy of the whole partition. */
  image(): Uint8Array {
    return this.mem.slice();
  }

  /** Flips bits without NOR rules (bit rot, tests of corrupted content). */
  corrupt(offset: number, xorMask: number): void {
    this.checkRange(offset, 1);
    this.mem[offset] ^= xorMask;
  }

  private takeCut(): boolean {
    const cut = this.cut;
    if (cut === undefined) return false;
    if (cut.remaining > 0) {
      cut.remaining--;
      return false;
    }
    return true;
  }

  private fireCut(operation: 'program' | 'erase', offset: number): never {
    this.cut = undefined;
    this.counters.powerCuts++;
    throw new PowerCutError(operation, offset);
  }

  private tearProgram(offset: number, bytes: Uint8Array, random: SimRandom): void {
    const prefix = random.int(0, bytes.length);
    const partial = random.next();
    for (let i = 0; i < bytes.length; i++) {
      const at = offset + i;
      if (i < prefix) this.mem[at] &= bytes[i];
      // A cell mid-program has lost some of the charge it was meant to lose: some target 0 bits.
      else if (random.next() < partial) this.mem[at] &= bytes[i] | random.int(0, 0xff);
    }
  }

  private tearErase(start: number, random: SimRandom): void {
    const end = start + this.sectorSize;
    const mode = random.int(0, 2);
    if (mode === TEAR_ERASE_EARLY) {
      // Barely started: a few bits here and there have gone to 1, the rest is as it was.
      for (let k = random.int(1, 64); k > 0; k--) this.mem[random.int(start, end - 1)] |= 1 << random.int(0, 7);
    } else if (mode === TEAR_ERASE_LATE) {
      // Nearly done: all 0xFF but a few slow cells still read 0 (a blank-looking header is likely).
      this.mem.fill(0xff, start, end);
      for (let k = random.int(1, 16); k > 0; k--) this.mem[random.int(start, end - 1)] &= ~(1 << random.int(0, 7));
    } else {
      const done = random.next();
      for (let i = start; i < end; i++) {
        const r = random.next();
        if (r < done) this.mem[i] = 0xff;
        else if (r < done + (1 - done) / 2) this.mem[i] |= random.int(0, 0xff);
      }
    }
  }

  private programMs(offset: number, length: number): number {
    const t = this.timing;
    let ms = 0;
    let at = offset;
    let left = length;
    while (left > 0) {
      const chunk = Math.min(left, t.pageSize - (at % t.pageSize));
      // The datasheet quotes tPP for a full page and tBP1 + n·tBP2 for short programs.
      ms += chunk === t.pageSize ? t.pageProgramMs : Math.min(t.pageProgramMs, t.firstByteProgramMs + (chunk - 1) * t.nextByteProgramMs);
      at += chunk;
      left -= chunk;
    }
    return ms;
  }

  private spend(state: 'read' | 'program' | 'erase', ms: number): void {
    this.counters.busyMs += ms;
    this.power?.charge('flash', state, ms);
  }

  private checkRange(offset: number, length: number): void {
    if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > this.size) {
      throw new RangeError(`flash access 0x${offset.toString(16)}+${length} outside 0..0x${this.size.toString(16)}`);
    }
  }
}

function newCounters(): SimFlashCounters {
  return { reads: 0, bytesRead: 0, programs: 0, bytesProgrammed: 0, erases: 0, violations: 0, powerCuts: 0, busyMs: 0 };
}
