import type { Ota, OtaSlot } from '../ota/types';
import { freezeTable } from '../../protocol/freeze';

/** native/esp32_ota.c (the `esp32_ota` module) as the OTA driver uses it; slots 0 and 1 are ota_0 and ota_1. */
export interface OtaNative {
  runningSlot(): number;
  nextSlot(): number;
  bootSlot(): number;
  slotBytes(slot: number): number;
  slotState(slot: number): number;
  begin(slot: number, size: number): void;
  write(bytes: Uint8Array): void;
  end(): void;
  abort(): void;
  /** `length` bytes from `offset` of the slot's partition (esp_partition_read). */
  read(slot: number, offset: number, length: number): ArrayBuffer;
  setBoot(slot: number): void;
  markValid(): void;
  rollbackPossible(): boolean;
  markInvalid(): void;
}

/** esp_ota_img_states_t (ESP-IDF esp_flash_partitions.h) as `slotState` returns it; `none`: otadata has no record. */
export const OTA_IMG_STATE = freezeTable({
  new: 0x0,
  pendingVerify: 0x1,
  valid: 0x2,
  invalid: 0x3,
  aborted: 0x4,
  undefined: 0xffffffff,
  none: -1,
} as const);

function toSlot(value: number, what: string): OtaSlot {
  if (value === 0 || value === 1) return value;
  throw new Error(`ota: the ${what} partition is not ota_0 or ota_1`);
}

/**
 * The two app slots of sdkconfig/partitions.csv under ESP-IDF's app rollback
 * (CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE). Constructing it reads the state this boot left: the
 * bootloader has already turned a `new` image into `pending verify`. Only this driver changes the
 * running image's otadata record during a boot, so the trial flag is read once and kept.
 *
 * Where ESP-IDF differs from the Ota contract, the driver bridges:
 * - A factory flash leaves otadata blank, and ESP-IDF then refuses a rollback to the image running
 *   from it (no otadata record, so "no app to go back to") although its bootloader would fall back
 *   to ota_0 anyway. `begin` first gives such an image a valid record.
 * - esp_ota_set_boot_partition() puts any slot it is given on trial, so pointing the next boot at
 *   the slot that already boots next (the running one) is skipped.
 * - Rollback does not restart (native/esp32_ota.c); the caller does.
 */
export class Esp32Ota implements Ota {
  readonly runningSlot: OtaSlot;
  readonly inactiveSlot: OtaSlot;
  readonly slotBytes: number;
  private trial: boolean;
  /** `rollback` ran: the next boot goes back, nothing more may be written in this one. */
  private abandoned = false;
  private writing: { size: number; written: number } | undefined;
  /** Bytes of the image `complete` ended since the last `begin`; undefined: nothing to read back. */
  private completed: number | undefined;

  constructor(private readonly native: OtaNative) {
    this.runningSlot = toSlot(native.runningSlot(), 'running');
    this.inactiveSlot = toSlot(native.nextSlot(), 'next update');
    if (this.inactiveSlot === this.runningSlot) throw new Error('ota: the partition table needs two OTA slots');
    this.slotBytes = native.slotBytes(this.inactiveSlot);
    this.trial = native.slotState(this.runningSlot) === OTA_IMG_STATE.pendingVerify;
  }

  get pendingVerify(): boolean {
    return this.trial;
  }

  /** The bootloader marks a trial image that reset before esp_ota_mark_app_valid_cancel_rollback() ABORTED. */
  get rolledBack(): boolean {
    return this.native.slotState(this.inactiveSlot) === OTA_IMG_STATE.aborted;
  }

  begin(size: number): void {
    // ESP-IDF refuses too (ESP_ERR_OTA_ROLLBACK_INVALID_STATE): the inactive slot is the way back.
    if (this.trial) throw new Error('ota: the running image is on trial');
    if (this.abandoned) throw new Error('ota: the running image was rolled back; restart first');
    if (!Number.isInteger(size) || size <= 0 || size > this.slotBytes) {
      throw new Error(`ota: ${size} bytes do not fit a ${this.slotBytes}-byte slot`);
    }
    this.abort();
    this.giveRunningImageARecord();
    this.native.begin(this.inactiveSlot, size);
    this.writing = { size, written: 0 };
  }

  write(bytes: Uint8Array): void {
    const w = this.writing;
    if (w === undefined) throw new Error('ota: write without begin');
    if (w.written + bytes.length > w.size) throw new Error('ota: write past the announced size');
    this.native.write(bytes);
    w.written += bytes.length;
  }

  complete(): void {
    const w = this.writing;
    if (w === undefined) throw new Error('ota: complete without begin');
    this.writing = undefined;
    if (w.written !== w.size) {
      this.native.abort();
      throw new Error(`ota: ${w.written} of ${w.size} bytes written`);
    }
    // esp_ota_end() verifies the app image (segments, checksum, SHA-256) and throws if it is not one.
    this.native.end();
    this.completed = w.size;
  }

  /**
   * Only after `complete`: with flash encryption esp_ota_write() holds back the last partial
   * 16-byte block until esp_ota_end(), so the slot is not the image before that.
   */
  read(offset: number, length: number): Uint8Array {
    const size = this.completed;
    if (size === undefined) throw new Error('ota: no completed image to read');
    if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > size) {
      throw new Error(`ota: read of ${length} bytes at ${offset} is outside the ${size}-byte image`);
    }
    return new Uint8Array(this.native.read(this.inactiveSlot, offset, length));
  }

  abort(): void {
    this.completed = undefined;
    if (this.writing === undefined) return;
    this.writing = undefined;
    this.native.abort();
  }

  setBoot(slot: OtaSlot): void {
    if (this.writing !== undefined && slot === this.inactiveSlot) throw new Error(`ota: slot ${slot} is still being written`);
    if (slot === this.runningSlot && this.native.bootSlot() === slot) return;
    // Verifies the image first: throws ESP_ERR_OTA_VALIDATE_FAILED for a slot without a usable one.
    this.native.setBoot(slot);
    if (slot === this.inactiveSlot) this.completed = undefined;
  }

  markValid(): void {
    // esp_ota_mark_app_valid_cancel_rollback() marks whatever otadata boots next, which after an
    // install is the new image: only a running trial image may be confirmed.
    if (!this.trial) return;
    this.native.markValid();
    this.trial = false;
  }

  rollback(): boolean {
    if (!this.trial || !this.native.rollbackPossible()) return false;
    this.native.markInvalid();
    this.trial = false;
    this.abandoned = true;
    return true;
  }

  /**
   * Blank otadata (factory flash) or a record the bootloader abandoned before falling back to this
   * slot: record the running image as the boot choice and valid, so the image written next can roll
   * back to it.
   */
  private giveRunningImageARecord(): void {
    const state = this.native.slotState(this.runningSlot);
    if (state !== OTA_IMG_STATE.none && state !== OTA_IMG_STATE.invalid && state !== OTA_IMG_STATE.aborted) return;
    this.native.setBoot(this.runningSlot);
    this.native.markValid();
  }
}
