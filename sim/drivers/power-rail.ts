import type { Flash } from '../../drivers/flash/types';
import { PowerCutError, type SimFlash } from './flash';
import type { SimRandom } from '../world/types';

/** The persistent stores a cut can land in. */
export type TearTarget = 'frame-store' | 'settings' | 'files' | 'ota';

interface ArmedTear {
  readonly target: TearTarget;
  remaining: number;
  readonly random: SimRandom;
}

/**
 * The box's supply as the storage fakes see it. A cut is armed on one store and fires at its N-th
 * write: that write is torn, the supply drops, and every fake of the boot that was running refuses
 * any later write (its code may still be unwinding; on the board the CPU has stopped). The device
 * listens with `onCut` to reboot, the campaign to read what was durable just before.
 */
export class PowerRail {
  private generation = 0;
  private armed: ArmedTear | undefined;
  private readonly beforeListeners: ((target: TearTarget) => void)[] = [];
  private readonly afterListeners: ((target: TearTarget | 'instant') => void)[] = [];
  readonly counters = { cuts: 0, torn: { 'frame-store': 0, settings: 0, files: 0, ota: 0 } as Record<TearTarget, number> };

  /** A tap for the fakes of the boot that starts now; it goes dead at the next cut. */
  tap(): PowerTap {
    return new PowerTap(this, this.generation);
  }

  /** After `afterWrites` more writes to `target`, the next one is torn (0: the very next one). */
  arm(target: TearTarget, afterWrites: number, random: SimRandom): void {
    this.armed = { target, remaining: afterWrites, random };
  }

  disarm(): void {
    this.armed = undefined;
  }

  get isArmed(): boolean {
    return this.armed !== undefined;
  }

  /** Called with the stores still as they were, just before the torn write. */
  onBeforeCut(listener: (target: TearTarget) => void): void {
    this.beforeListeners.push(listener);
  }

  /** Called once the supply is gone (after a torn write, or an `instantCut`). */
  onCut(listener: (target: TearTarget | 'instant') => void): void {
    this.afterListeners.push(listener);
  }

  /** The supply drops between two writes (the campaign's cuts at a random instant, the scenario's `powerCut`). */
  instantCut(): void {
    this.armed = undefined;
    this.drop('instant');
  }

  /** @internal The live generation, for taps. */
  isLive(generation: number): boolean {
    return generation === this.generation;
  }

  /** @internal A write through a live tap: returns the armed tear when this write is the one to tear. */
  takeTear(target: TearTarget): SimRandom | undefined {
    const a = this.armed;
    if (a === undefined || a.target !== target) return undefined;
    if (a.remaining > 0) {
      a.remaining--;
      return undefined;
    }
    this.armed = undefined;
    for (const l of this.beforeListeners) l(target);
    return a.random;
  }

  /** @internal The torn write is done: the supply is gone. */
  drop(target: TearTarget | 'instant'): void {
    this.generation++;
    this.counters.cuts++;
    if (target !== 'instant') this.counters.torn[target]++;
    for (const l of this.afterListeners) l(target);
  }
}

/** One boot's view of the supply: writes go through while it is live, and one of them may be torn. */
export class PowerTap {
  constructor(private readonly rail: PowerRail, private readonly generation: number) {}

  /**
   * Runs the write `apply`. When the rail tears this write, `tear` decides what reaches the store
   * (default: all or nothing, the atomic update of NVS entries and LittleFS renames), then the
   * write throws PowerCutError. A write after the cut throws without touching the store.
   */
  write(target: TearTarget, what: string, apply: () => void, tear?: (random: SimRandom) => void): void {
    if (!this.rail.isLive(this.generation)) throw new PowerCutError(`${what} after the power cut`);
    const random = this.rail.takeTear(target);
    if (random === undefined) {
      apply();
      return;
    }
    try {
      if (tear !== undefined) tear(random);
      else if (random.next() < ATOMIC_DONE_SHARE) apply();
    } catch (e) {
      if (!(e instanceof PowerCutError)) throw e;
    }
    this.rail.drop(target);
    throw new PowerCutError(what);
  }
}

/** An atomic update cut short is found done about as often as not. */
const ATOMIC_DONE_SHARE = 0.5;

/** The frame store's flash as one boot sees it: programs and erases go through that boot's tap. */
export class TappedFlash implements Flash {
  constructor(private readonly flash: SimFlash, private readonly tap: PowerTap) {}

  get size(): number {
    return this.flash.size;
  }

  get sectorSize(): number {
    return this.flash.sectorSize;
  }

  read(offset: number, length: number): Uint8Array {
    return this.flash.read(offset, length);
  }

  program(offset: number, bytes: Uint8Array): void {
    const apply = (): void => this.flash.program(offset, bytes);
    // The flash tears a program itself (a prefix written, some bits of the rest).
    this.tap.write('frame-store', 'frame-store program', apply, (random) => {
      this.flash.armPowerCut(0, random);
      apply();
    });
  }

  eraseSector(index: number): void {
    const apply = (): void => this.flash.eraseSector(index);
    this.tap.write('frame-store', 'frame-store erase', apply, (random) => {
      this.flash.armPowerCut(0, random);
      apply();
    });
  }
}
