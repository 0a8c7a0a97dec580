/**
 * A host stand-in for native/esp32_ota.c over a model of what ESP-IDF v5 keeps in flash: the two
 * app slots and the two otadata records (sequence number + image state), with the esp_ota_* rules
 * and the second-stage bootloader's choice at each reset (ESP-IDF app_update/esp_ota_ops.c and
 * bootloader_support, CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE):
 *
 *   set boot partition        → record for the slot, state NEW, sequence above the active record
 *   reset, active record NEW  → PENDING_VERIFY, the slot boots (its trial)
 *   reset, a PENDING_VERIFY   → ABORTED; the highest remaining valid record boots
 *   mark valid                → the active record VALID
 *   mark invalid              → the active record INVALID (v5.5+), nothing before (the reset aborts it)
 *
 * The active record is the valid one (not INVALID/ABORTED, not blank) with the highest sequence
 * number; it boots slot (seq − 1) mod 2. With no active record, the first OTA slot boots (the
 * partition table has no factory app). Errors are thrown as the binding throws them.
 */
import type { OtaNative } from '../../drivers/esp32/ota';
import { OTA_IMG_STATE } from '../../drivers/esp32/ota';

/** ESP_IMAGE_HEADER_MAGIC: the first byte of every ESP32 app image. */
export const APP_IMAGE_MAGIC = 0xe9;
const LENGTH_BYTES = 4;
const SLOTS = 2;
const ERASED = 0xff;

/**
 * A stand-in app image: the real magic byte, then its own total length (little-endian), then
 * `body`. The fake's esp_image_verify accepts exactly these, so a cut or erased image fails.
 */
export function fakeAppImage(body: Uint8Array): Uint8Array {
  const image = new Uint8Array(1 + LENGTH_BYTES + body.length);
  image[0] = APP_IMAGE_MAGIC;
  new DataView(image.buffer).setUint32(1, image.length, true);
  image.set(body, 1 + LENGTH_BYTES);
  return image;
}

function verifyFakeAppImage(image: Uint8Array): boolean {
  if (image.length < 1 + LENGTH_BYTES || image[0] !== APP_IMAGE_MAGIC) return false;
  return new DataView(image.buffer, image.byteOffset, image.byteLength).getUint32(1, true) === image.length;
}

export interface OtaRecord {
  seq: number;
  state: number;
}

export interface FakeIdfOptions {
  readonly slotBytes: number;
  /** ESP-IDF 5.5+: esp_ota_mark_app_invalid_rollback() marks INVALID without a restart. */
  readonly markInvalidWithoutRestart?: boolean;
  /** Newer ESP-IDF: esp_ota_begin() erases the otadata record of the previously booted slot. */
  readonly beginInvalidatesPrevious?: boolean;
}

type NativeCall = keyof OtaNative;

function idfError(call: string, name: string): Error {
  return new Error(`${call}: ${name}`);
}

export class FakeIdfOta implements OtaNative {
  /** What each slot holds since its last erase. */
  readonly slots: [Uint8Array, Uint8Array];
  /** otadata sectors 0 and 1; undefined: erased (all 0xFF). */
  readonly otadata: [OtaRecord | undefined, OtaRecord | undefined] = [undefined, undefined];
  running: 0 | 1 = 0;
  readonly calls: NativeCall[] = [];
  private readonly slotSize: number;
  private readonly markInvalidWithoutRestart: boolean;
  private readonly beginInvalidatesPrevious: boolean;
  private handle: { slot: number; size: number } | undefined;
  private failures = new Map<NativeCall, string>();

  /** Factory flash: `image` in ota_0, ota_1 erased, otadata blank. Call `reset()` to boot. */
  constructor(image: Uint8Array, options: FakeIdfOptions) {
    this.slotSize = options.slotBytes;
    this.markInvalidWithoutRestart = options.markInvalidWithoutRestart ?? true;
    this.beginInvalidatesPrevious = options.beginInvalidatesPrevious ?? false;
    this.slots = [image.slice(), new Uint8Array(0)];
  }

  /** The next call of `call` fails with the ESP-IDF error `name` (a flash fault, say). */
  failNext(call: NativeCall, name: string): void {
    this.failures.set(call, name);
  }

  /** State of `slot` as esp_ota_get_state_partition() reports it (OTA_IMG_STATE.none: no record). */
  stateOf(slot: number): number {
    for (const r of this.otadata) if (r !== undefined && this.slotOf(r) === slot) return r.state;
    return OTA_IMG_STATE.none;
  }

  /** A chip reset: RAM state is lost, then the bootloader picks the slot to run. */
  reset(): void {
    this.handle = undefined;
    for (const r of this.otadata) if (r?.state === OTA_IMG_STATE.pendingVerify) r.state = OTA_IMG_STATE.aborted;
    const active = this.active();
    if (active === undefined) {
      this.running = this.loadable(0) ? 0 : 1;
      return;
    }
    if (active.state === OTA_IMG_STATE.new) active.state = OTA_IMG_STATE.pendingVerify;
    const slot = this.slotOf(active);
    // An unloadable choice falls back to the other slot (esp_image_verify fails in the bootloader).
    this.running = (this.loadable(slot) ? slot : 1 - slot) as 0 | 1;
  }

  runningSlot(): number {
    this.enter('runningSlot', 'esp_ota_get_running_partition');
    return this.running;
  }

  nextSlot(): number {
    this.enter('nextSlot', 'esp_ota_get_next_update_partition');
    return 1 - this.running;
  }

  bootSlot(): number {
    this.enter('bootSlot', 'esp_ota_get_boot_partition');
    const active = this.active();
    return active === undefined ? 0 : this.slotOf(active);
  }

  slotBytes(slot: number): number {
    this.enter('slotBytes', 'esp_partition_find_first');
    this.checkSlot(slot);
    return this.slotSize;
  }

  slotState(slot: number): number {
    this.enter('slotState', 'esp_ota_get_state_partition');
    this.checkSlot(slot);
    return this.stateOf(slot);
  }

  begin(slot: number, size: number): void {
    const call = 'esp_ota_begin';
    this.enter('begin', call);
    this.checkSlot(slot);
    if (!(size >= 1) || !Number.isInteger(size)) throw new RangeError('invalid image size');
    if (size > this.slotSize) throw idfError(call, 'ESP_ERR_INVALID_SIZE');
    this.handle = undefined;
    if (slot === this.running) throw idfError(call, 'ESP_ERR_OTA_PARTITION_CONFLICT');
    if (this.stateOf(this.running) === OTA_IMG_STATE.pendingVerify) throw idfError(call, 'ESP_ERR_OTA_ROLLBACK_INVALID_STATE');
    this.slots[slot] = new Uint8Array(0);
    if (this.beginInvalidatesPrevious) this.invalidatePrevious();
    this.handle = { slot, size };
  }

  write(bytes: Uint8Array): void {
    const call = 'esp_ota_write';
    this.enter('write', call);
    const h = this.handle;
    if (h === undefined) throw idfError(call, 'ESP_ERR_INVALID_STATE');
    if (bytes.length === 0) return;
    const before = this.slots[h.slot];
    if (before.length === 0 && bytes[0] !== APP_IMAGE_MAGIC) throw idfError(call, 'ESP_ERR_OTA_VALIDATE_FAILED');
    if (before.length + bytes.length > this.slotSize) throw idfError(call, 'ESP_ERR_INVALID_SIZE');
    const after = new Uint8Array(before.length + bytes.length);
    after.set(before);
    after.set(bytes, before.length);
    this.slots[h.slot] = after;
  }

  end(): void {
    const call = 'esp_ota_end';
    this.enter('end', call);
    const h = this.handle;
    if (h === undefined) throw idfError(call, 'ESP_ERR_INVALID_STATE');
    this.handle = undefined;
    if (this.slots[h.slot].length === 0) throw idfError(call, 'ESP_ERR_INVALID_ARG');
    if (!verifyFakeAppImage(this.slots[h.slot])) throw idfError(call, 'ESP_ERR_OTA_VALIDATE_FAILED');
  }

  abort(): void {
    this.enter('abort', 'esp_ota_abort');
    this.handle = undefined;
  }

  /** esp_partition_read(): the slot as written since its last erase; past that, erased flash (0xFF). */
  read(slot: number, offset: number, length: number): ArrayBuffer {
    const call = 'esp_partition_read';
    this.enter('read', call);
    this.checkSlot(slot);
    if (offset < 0 || length < 0 || offset + length > this.slotSize) throw idfError(call, 'ESP_ERR_INVALID_SIZE');
    const out = new Uint8Array(length).fill(ERASED);
    out.set(this.slots[slot].subarray(offset, offset + length));
    return out.buffer;
  }

  setBoot(slot: number): void {
    const call = 'esp_ota_set_boot_partition';
    this.enter('setBoot', call);
    this.checkSlot(slot);
    if (!this.loadable(slot)) throw idfError(call, 'ESP_ERR_OTA_VALIDATE_FAILED');
    const activeIndex = this.activeIndex();
    if (activeIndex === -1) {
      this.otadata[0] = { seq: slot + 1, state: OTA_IMG_STATE.new };
      return;
    }
    const active = this.otadata[activeIndex]!;
    if (this.slotOf(active) === slot) {
      active.state = OTA_IMG_STATE.new;
      return;
    }
    // The smallest sequence number from the active one up that selects `slot`.
    let seq = (slot + 1) % SLOTS;
    while (seq < active.seq) seq += SLOTS;
    this.otadata[1 - activeIndex] = { seq, state: OTA_IMG_STATE.new };
  }

  markValid(): void {
    const call = 'esp_ota_mark_app_valid_cancel_rollback';
    this.enter('markValid', call);
    const active = this.active();
    if (active === undefined) throw idfError(call, 'ESP_FAIL');
    active.state = OTA_IMG_STATE.valid;
  }

  rollbackPossible(): boolean {
    this.enter('rollbackPossible', 'esp_ota_check_rollback_is_possible');
    return this.canRollBack();
  }

  markInvalid(): void {
    const call = 'esp_ota_mark_app_invalid_rollback';
    this.enter('markInvalid', call);
    const active = this.active();
    if (active === undefined) throw idfError(call, 'ESP_FAIL');
    if (!this.canRollBack()) throw idfError(call, 'ESP_ERR_OTA_ROLLBACK_FAILED');
    if (this.markInvalidWithoutRestart) active.state = OTA_IMG_STATE.invalid;
  }

  private enter(call: NativeCall, idfCall: string): void {
    this.calls.push(call);
    const failure = this.failures.get(call);
    if (failure === undefined) return;
    this.failures.delete(call);
    // esp_ota_end() frees its handle whatever the result.
    if (call === 'end') this.handle = undefined;
    throw idfError(idfCall, failure);
  }

  private checkSlot(slot: number): void {
    if (slot !== 0 && slot !== 1) throw new RangeError(`no OTA slot ${slot}`);
  }

  private slotOf(r: OtaRecord): number {
    return (r.seq - 1) % SLOTS;
  }

  private loadable(slot: number): boolean {
    return verifyFakeAppImage(this.slots[slot]);
  }

  private valid(r: OtaRecord | undefined): r is OtaRecord {
    return r !== undefined && r.state !== OTA_IMG_STATE.invalid && r.state !== OTA_IMG_STATE.aborted;
  }

  private activeIndex(): number {
    let best = -1;
    for (let i = 0; i < this.otadata.length; i++) {
      const r = this.otadata[i];
      if (this.valid(r) && (best === -1 || r.seq > this.otadata[best]!.seq)) best = i;
    }
    return best;
  }

  private active(): OtaRecord | undefined {
    const i = this.activeIndex();
    return i === -1 ? undefined : this.otadata[i];
  }

  /** esp_ota_check_rollback_is_possible(): the other record is valid and its slot's image verifies. */
  private canRollBack(): boolean {
    const activeIndex = this.activeIndex();
    if (activeIndex === -1) return false;
    const previous = this.otadata[1 - activeIndex];
    return this.valid(previous) && this.loadable(this.slotOf(previous));
  }

  /** esp_ota_invalidate_inactive_ota_data_slot(): erase the non-active record unless it is the running slot's. */
  private invalidatePrevious(): void {
    const activeIndex = this.activeIndex();
    if (activeIndex === -1) return;
    const other = this.otadata[1 - activeIndex];
    if (other !== undefined && this.slotOf(other) !== this.running) this.otadata[1 - activeIndex] = undefined;
  }
}
