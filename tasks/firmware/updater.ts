import { ImageCheck, ImageSource, verifyImage } from '../../protocol/firmware/image';
import type { Clock, TimerId } from '../../drivers/clock/types';
import type { Ota } from '../../drivers/ota/types';
import { EVENTS, EventRecorder } from '../log/events';
import { FIRMWARE_PUBLIC_KEY } from './keys';

/** A trial image has this long after its boot to confirm itself. */
export const DEFAULT_CONFIRM_WITHIN_MS = 10 * 60 * 1000;

export interface FirmwareUpdaterOptions {
  readonly ota: Ota;
  readonly clock: Clock;
  /** Id of the board this firmware runs on; images must name it. */
  readonly boardId: string;
  /** Restarts the MCU (PowerControl.restart). */
  readonly restart: () => void;
  readonly publicKey?: Uint8Array;
  readonly events?: EventRecorder;
  readonly confirmWithinMs?: number;
}

export type InstallResult =
  | { readonly ok: true; readonly version: string }
  | { readonly ok: false; readonly check: ImageCheck | 'ota'; readonly error: string };

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * §6 firmware update with rollback. `install` verifies a signed image (protocol/firmware/image.ts)
 * while writing its payload to the inactive slot, and only then points the next boot at it; the
 * caller restarts. After that restart the image runs on trial: `onBoot` arms a deadline, and the
 * application calls `confirm` once it has shown it works (the manual gives no criterion; the
 * project's is a completed server session). Unconfirmed at the deadline, or `reject`ed, the image
 * is abandoned and the previous one boots again. A trial image that crashes or resets before
 * confirming is caught by the bootloader's boot count instead (drivers/ota/types.ts).
 *
 * On the device every deep sleep ends in a reboot, which the bootloader counts as a trial boot: the
 * application must not sleep while `trial` is true.
 */
export class FirmwareUpdater {
  private readonly ota: Ota;
  private readonly clock: Clock;
  private readonly boardId: string;
  private readonly restart: () => void;
  private readonly publicKey: Uint8Array;
  private readonly events: EventRecorder | undefined;
  private readonly confirmWithinMs: number;
  private deadline: TimerId | undefined;

  constructor(options: FirmwareUpdaterOptions) {
    this.ota = options.ota;
    this.clock = options.clock;
    this.boardId = options.boardId;
    this.restart = options.restart;
    this.publicKey = options.publicKey ?? FIRMWARE_PUBLIC_KEY;
    this.events = options.events;
    this.confirmWithinMs = options.confirmWithinMs ?? DEFAULT_CONFIRM_WITHIN_MS;
  }

  /** The running image has not confirmed itself yet. */
  get trial(): boolean {
    return this.ota.pendingVerify;
  }

  /**
   * Verifies `source` and installs it in the inactive slot for the next boot. Nothing changes for
   * the next boot unless every check passed. Never throws.
   */
  install(source: ImageSource): InstallResult {
    const result = this.installChecked(source);
    if (result.ok) this.events?.record(EVENTS.firmwareInstalled, result.version);
    else this.events?.record(EVENTS.firmwareRejected, `${result.check}: ${result.error}`);
    return result;
  }

  /** Call once per boot: arms the confirmation deadline of a trial image. Returns whether on trial. */
  onBoot(): boolean {
    if (!this.ota.pendingVerify) return false;
    if (this.deadline === undefined) {
      this.deadline = this.clock.setTimer(this.clock.now() + this.confirmWithinMs, () => {
        this.deadline = undefined;
        this.reject(`not confirmed within ${Math.round(this.confirmWithinMs / 1000)} s`);
      });
    }
    return true;
  }

  /** The running image works: keep it. Returns whether there was a trial to end. */
  confirm(): boolean {
    if (!this.ota.pendingVerify) return false;
    this.ota.markValid();
    this.clearDeadline();
    this.events?.record(EVENTS.firmwareConfirmed);
    return true;
  }

  /** The running trial image failed a check: go back to the previous image now (restarts). */
  reject(reason: string): boolean {
    this.clearDeadline();
    if (!this.ota.rollback()) return false;
    this.events?.record(EVENTS.firmwareRollback, reason);
    this.restart();
    return true;
  }

  private clearDeadline(): void {
    if (this.deadline !== undefined) this.clock.clearTimer(this.deadline);
    this.deadline = undefined;
  }

  private installChecked(source: ImageSource): InstallResult {
    // A new image would replace the slot the trial image falls back to.
    if (this.ota.pendingVerify) return { ok: false, check: 'ota', error: 'the running image is not confirmed yet' };
    let began = false;
    try {
      const verified = verifyImage(source, {
        boardId: this.boardId,
        publicKey: this.publicKey,
        maxPayloadBytes: this.ota.slotBytes,
        onPayload: (chunk, offset, length) => {
          if (offset === 0) {
            this.ota.begin(length);
            began = true;
          }
          this.ota.write(chunk);
        },
      });
      if (!verified.ok) {
        if (began) this.ota.abort();
        return verified;
      }
      this.ota.complete();
      this.ota.setBoot(this.ota.inactiveSlot);
      return { ok: true, version: verified.header.version };
    } catch (e) {
      if (began) this.ota.abort();
      return { ok: false, check: 'ota', error: message(e) };
    }
  }
}
