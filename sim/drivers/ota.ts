import type { Ota, OtaSlot } from '../../drivers/ota/types';
import type { PowerTap } from './power-rail';

/**
 * OTA slots and the bootloader's boot-count state machine, on state kept in the simulated
 * device's persistent memory (so it survives simulated reboots):
 *
 *   write + setBoot     → 'new'
 *   boot of a 'new'     → 'pending-verify', trial boot 1
 *   boot of a 'pending-verify' → trial boot n+1; past `maxTrialBoots` → 'aborted', previous slot boots
 *   markValid           → 'valid'
 *   rollback            → 'invalid', previous slot boots
 *
 * ESP-IDF's bootloader allows one trial boot; `maxTrialBoots` lets the simulator model N.
 */
export type SimSlotState = 'empty' | 'written' | 'new' | 'pending-verify' | 'valid' | 'invalid' | 'aborted';

export interface SimSlot {
  image: Uint8Array;
  state: SimSlotState;
}

export interface SimOtaState {
  slots: [SimSlot, SimSlot];
  /** Slot the bootloader starts next. */
  bootSlot: OtaSlot;
  /** Boots of the trial image so far. */
  trialBoots: number;
}

export interface SimOtaOptions {
  readonly slotBytes: number;
  /** Boots a trial image gets to call markValid (ESP-IDF: 1). */
  readonly maxTrialBoots?: number;
  /**
   * The boot's supply (sim/drivers/power-rail.ts): every write to the slots or to the boot choice
   * (ESP-IDF's otadata) goes through it, so a power cut can land in a firmware install. Each is
   * done or not done: an image only becomes bootable at `setBoot`, after it was written whole.
   */
  readonly tap?: PowerTap;
}

/** Factory state: `image` valid in slot 0, slot 1 empty. */
export function createOtaState(image: Uint8Array): SimOtaState {
  return {
    slots: [
      { image: image.slice(), state: 'valid' },
      { image: new Uint8Array(0), state: 'empty' },
    ],
    bootSlot: 0,
    trialBoots: 0,
  };
}

function other(slot: OtaSlot): OtaSlot {
  return slot === 0 ? 1 : 0;
}

function bootable(slot: SimSlot): boolean {
  return slot.state === 'valid' || slot.state === 'new' || slot.state === 'pending-verify';
}

export class SimOta implements Ota {
  readonly slotBytes: number;
  readonly runningSlot: OtaSlot;
  /** The bootloader went back to the previous image on this boot. */
  readonly rolledBackAtBoot: boolean;
  private readonly maxTrialBoots: number;
  private readonly tap: PowerTap | undefined;
  private writing: { size: number; chunks: Uint8Array[]; written: number } | undefined;
  /** `complete` ended an image since the last `begin`: it may be read back until `abort` or `setBoot`. */
  private completed = false;

  /** Constructing the driver is the boot: the bootloader step runs on `state` here. */
  constructor(private readonly state: SimOtaState, options: SimOtaOptions) {
    this.slotBytes = options.slotBytes;
    this.maxTrialBoots = options.maxTrialBoots ?? 1;
    this.tap = options.tap;
    const { slot, rolledBack } = this.bootloader();
    this.runningSlot = slot;
    this.rolledBackAtBoot = rolledBack;
  }

  get inactiveSlot(): OtaSlot {
    return other(this.runningSlot);
  }

  get pendingVerify(): boolean {
    return this.state.slots[this.runningSlot].state === 'pending-verify';
  }

  /** As on ESP-IDF: the other slot stays 'aborted' until `begin` erases it. */
  get rolledBack(): boolean {
    return this.state.slots[this.inactiveSlot].state === 'aborted';
  }

  /** The image in the running slot (what the simulated device "executes"). */
  get runningImage(): Uint8Array {
    return this.state.slots[this.runningSlot].image;
  }

  slotState(slot: OtaSlot): SimSlotState {
    return this.state.slots[slot].state;
  }

  /** A write to the slots or the boot choice, through the boot's supply when it has one. */
  private persist(what: string, apply: () => void): void {
    if (this.tap === undefined) apply();
    else this.tap.write('ota', what, apply);
  }

  begin(size: number): void {
    if (this.pendingVerify) throw new Error('ota: the running image is on trial');
    if (size <= 0 || size > this.slotBytes) throw new Error(`ota: ${size} bytes do not fit a ${this.slotBytes}-byte slot`);
    this.persist('ota erase', () => this.erase(size));
  }

  private erase(size: number): void {
    const slot = this.state.slots[this.inactiveSlot];
    slot.image = new Uint8Array(0);
    slot.state = 'empty';
    if (this.state.bootSlot === this.inactiveSlot) this.state.bootSlot = this.runningSlot;
    this.writing = { size, chunks: [], written: 0 };
    this.completed = false;
  }

  write(bytes: Uint8Array): void {
    const w = this.writing;
    if (w === undefined) throw new Error('ota: write without begin');
    if (w.written + bytes.length > w.size) throw new Error('ota: write past the announced size');
    this.persist('ota write', () => {
      w.chunks.push(bytes.slice());
      w.written += bytes.length;
    });
  }

  complete(): void {
    const w = this.writing;
    if (w === undefined) throw new Error('ota: complete without begin');
    this.writing = undefined;
    if (w.written !== w.size) throw new Error(`ota: ${w.written} of ${w.size} bytes written`);
    this.persist('ota end', () => this.seal(w));
  }

  private seal(w: { size: number; chunks: Uint8Array[] }): void {
    const image = new Uint8Array(w.size);
    let at = 0;
    for (const c of w.chunks) {
      image.set(c, at);
      at += c.length;
    }
    const slot = this.state.slots[this.inactiveSlot];
    slot.image = image;
    slot.state = 'written';
    this.completed = true;
  }

  read(offset: number, length: number): Uint8Array {
    const image = this.state.slots[this.inactiveSlot].image;
    if (!this.completed) throw new Error('ota: no completed image to read');
    if (offset < 0 || length < 0 || offset + length > image.length) throw new Error(`ota: read of ${length} bytes at ${offset} is outside the ${image.length}-byte image`);
    return image.slice(offset, offset + length);
  }

  abort(): void {
    this.writing = undefined;
    if (!this.completed) return;
    this.completed = false;
    const slot = this.state.slots[this.inactiveSlot];
    slot.image = new Uint8Array(0);
    slot.state = 'empty';
  }

  setBoot(target: OtaSlot): void {
    const slot = this.state.slots[target];
    if (slot.state !== 'written' && !bootable(slot)) throw new Error(`ota: slot ${target} holds no bootable image`);
    this.persist('ota set boot', () => {
      if (slot.state === 'written') slot.state = 'new';
      this.state.bootSlot = target;
      this.state.trialBoots = 0;
      if (target === this.inactiveSlot) this.completed = false;
    });
  }

  markValid(): void {
    const slot = this.state.slots[this.runningSlot];
    this.persist('ota mark valid', () => {
      if (slot.state === 'pending-verify') slot.state = 'valid';
      this.state.trialBoots = 0;
    });
  }

  rollback(): boolean {
    const previous = this.state.slots[this.inactiveSlot];
    if (!this.pendingVerify || previous.state !== 'valid') return false;
    this.persist('ota rollback', () => {
      this.state.slots[this.runningSlot].state = 'invalid';
      this.state.bootSlot = this.inactiveSlot;
      this.state.trialBoots = 0;
    });
    return true;
  }

  private bootloader(): { slot: OtaSlot; rolledBack: boolean } {
    const s = this.state;
    const target = s.bootSlot;
    const slot = s.slots[target];
    if (slot.state === 'new') {
      slot.state = 'pending-verify';
      s.trialBoots = 1;
      return { slot: target, rolledBack: false };
    }
    if (slot.state === 'pending-verify') {
      s.trialBoots++;
      if (s.trialBoots <= this.maxTrialBoots) return { slot: target, rolledBack: false };
      // ESP-IDF's bootloader marks a trial that reset unconfirmed ESP_OTA_IMG_ABORTED.
      slot.state = 'aborted';
    }
    if (slot.state === 'valid') return { slot: target, rolledBack: false };
    // The chosen slot cannot run: fall back to the other one.
    s.bootSlot = other(target);
    s.trialBoots = 0;
    return { slot: s.bootSlot, rolledBack: true };
  }
}
