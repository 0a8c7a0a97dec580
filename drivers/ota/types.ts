/**
 * Two application slots with rollback (ESP-IDF app OTA with CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE;
 * Moddable's `OTA` class writes the slot). A new image boots on trial ("pending verify") and must
 * confirm itself with `markValid`; a trial image that reboots without confirming, more often than
 * the bootloader allows, is abandoned and the previous slot boots again.
 */
export type OtaSlot = 0 | 1;

export interface Ota {
  /** The slot the running image was booted from. */
  readonly runningSlot: OtaSlot;
  /** The other slot, the one `begin` writes. */
  readonly inactiveSlot: OtaSlot;
  /** Bytes an image may take in a slot. */
  readonly slotBytes: number;
  /** The running image booted on trial and has not called `markValid` yet. */
  readonly pendingVerify: boolean;
  /**
   * The bootloader abandoned the other slot's trial image (it reset without `markValid`) and went
   * back to the running one. ESP-IDF keeps this (the slot's `aborted` state) until the next
   * `begin`, so it can be true at many boots; `rollback` does not set it.
   */
  readonly rolledBack: boolean;
  /** Erases the inactive slot for an image of `size` bytes. Throws if it does not fit or a trial is pending. */
  begin(size: number): void;
  /** Appends to the image being written. Throws past the size given to `begin`. */
  write(bytes: Uint8Array): void;
  /** Ends the write; throws when fewer bytes than announced were written or the slot rejects the image. */
  complete(): void;
  /**
   * Reads back `length` bytes from `offset` of the image the last `complete` ended, for checks
   * before `setBoot` (the firmware signature is checked on what the slot holds). Throws when no
   * image was completed since the last `begin`, after `abort`, or outside the image.
   */
  read(offset: number, length: number): Uint8Array;
  /**
   * Drops a write in progress, or gives up an image `complete` ended that was not set to boot: it
   * can no longer be read back, and nothing points the next boot at it.
   */
  abort(): void;
  /** Boots `slot` next; a freshly written slot boots on trial. Throws for a slot that holds no usable image. */
  setBoot(slot: OtaSlot): void;
  /** Confirms the running image: it stays, and rollback is no longer possible. */
  markValid(): void;
  /**
   * Abandons the running trial image: it is marked invalid and the previous slot boots next. The
   * caller restarts. False when there is no trial or no previous image to go back to.
   */
  rollback(): boolean;
}
