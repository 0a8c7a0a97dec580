import { checkImageSignature, DEFAULT_VERIFY_CHUNK_BYTES, ImageCheck, ImageFailure, ImageReceiver, ImageSource } from '../../protocol/firmware/image';
import type { HashFactory } from '../../protocol/crypto/types';
import type { Clock, TimerId } from '../../protocol/ports/clock';
import type { Ota } from '../../drivers/ota/types';
import type { Settings } from '../../drivers/settings/types';
import { EVENTS, EventRecorder } from '../log/events';
import { FIRMWARE_PUBLIC_KEY } from './keys';
import { freezeTable } from '../../protocol/freeze';
import { KEY } from '../settings-keys';

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
  /** SHA-256 and SHA-512 for the image checks (Board.hashes, native on the device); portable when absent. */
  readonly hashes?: HashFactory;
  /**
   * Version number of the running firmware (tasks/app.ts FIRMWARE_VERSION_NUMBER): an image with a
   * lower one is refused unless the install allows a downgrade. Absent: no version check (host tools).
   */
  readonly runningVersionNumber?: number;
  /**
   * Where the updater remembers that it reported the bootloader's last rollback: ESP-IDF keeps the
   * abandoned slot's state until the next install, and every deep sleep ends in a boot. Absent: a
   * rollback is reported at every boot that sees it.
   */
  readonly settings?: Settings;
}

/** What the `firmware` command says about one install (§6; `allowDowngrade` is a product extension). */
export interface InstallOptions {
  /** Install an image older than the running one. */
  readonly allowDowngrade?: boolean;
}

/** `ota`: the slot could not be written (or a trial is pending); `transfer`: the bytes stopped coming. */
export type InstallResult =
  | { readonly ok: true; readonly version: string }
  | { readonly ok: false; readonly check: ImageCheck | 'ota' | 'transfer'; readonly error: string };

/** An install fed as the image arrives (a download): see `FirmwareUpdater.beginInstall`. */
export interface InstallSink {
  /** How the install ended, once it has (failed early, finished, aborted); undefined while it wants bytes. */
  readonly result: InstallResult | undefined;
  /** The next bytes of the image, in order (used during the call only). False once the install has ended: later bytes are ignored. */
  push(chunk: Uint8Array): boolean;
  /** The image is complete: the last checks, then the next boot is pointed at it. */
  finish(): InstallResult;
  /** The image will not be complete (`reason`: why the transfer stopped): nothing is installed. */
  abort(reason: string): InstallResult;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

const TRIAL_PENDING = freezeTable<InstallResult>({ ok: false, check: 'ota', error: 'the running image is not confirmed yet' });

/**
 * One install: the image goes through an ImageReceiver, its payload straight into the inactive
 * slot; the slot is erased (`begin`) only once the header passed. At the end the signature is
 * checked on the payload read back from the slot, and only then is the slot set to boot. Any
 * failure drops the write.
 */
class SlotInstall implements InstallSink {
  private readonly receiver: ImageReceiver;
  private began = false;
  private ended: InstallResult | undefined;

  constructor(
    private readonly ota: Ota,
    private readonly publicKey: Uint8Array,
    private readonly settled: (result: InstallResult) => void,
    private readonly hashes: HashFactory | undefined,
    boardId: string,
    imageBytes: number | undefined,
    minVersionNumber: number | undefined,
  ) {
    this.receiver = new ImageReceiver({
      boardId,
      hashes,
      ...(minVersionNumber !== undefined ? { minVersionNumber } : {}),
      maxPayloadBytes: ota.slotBytes,
      ...(imageBytes !== undefined ? { imageBytes } : {}),
      onPayload: (chunk, offset, length) => {
        if (offset === 0) {
          this.ota.begin(length);
          this.began = true;
        }
        this.ota.write(chunk);
      },
    });
    // A new image would replace the slot the trial image falls back to.
    if (ota.pendingVerify) this.end(TRIAL_PENDING);
  }

  get result(): InstallResult | undefined {
    return this.ended;
  }

  push(chunk: Uint8Array): boolean {
    if (this.ended !== undefined) return false;
    try {
      const failure = this.receiver.push(chunk);
      if (failure !== undefined) this.end(failure);
    } catch (e) {
      this.end({ ok: false, check: 'ota', error: message(e) });
    }
    return this.ended === undefined;
  }

  finish(): InstallResult {
    if (this.ended !== undefined) return this.ended;
    try {
      const received = this.receiver.finish();
      if (!received.ok) return this.end(received);
      this.ota.complete();
      const slot: ImageSource = { size: received.header.payloadLength, read: (offset, length) => this.ota.read(offset, length) };
      const signed = checkImageSignature(received, slot, this.publicKey, DEFAULT_VERIFY_CHUNK_BYTES, this.hashes);
      if (!signed.ok) return this.end(signed);
      this.ota.setBoot(this.ota.inactiveSlot);
      return this.end({ ok: true, version: received.header.version });
    } catch (e) {
      return this.end({ ok: false, check: 'ota', error: message(e) });
    }
  }

  abort(reason: string): InstallResult {
    return this.ended ?? this.end({ ok: false, check: 'transfer', error: reason });
  }

  private end(result: InstallResult | ImageFailure): InstallResult {
    if (!result.ok && this.began) {
      this.began = false;
      try {
        this.ota.abort();
      } catch {
        // The failure already reported is the one that matters; the slot is not set to boot either way.
      }
    }
    this.ended = result;
    this.settled(result);
    return result;
  }
}

/**
 * §6 firmware update with rollback. `beginInstall` (a download) or `install` (a file) writes the
 * payload of a signed image (protocol/firmware/image.ts) to the inactive slot while checking it,
 * checks the signature on what the slot holds, and only then points the next boot at it; the
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
  private readonly hashes: HashFactory | undefined;
  private readonly runningVersionNumber: number | undefined;
  private readonly settings: Settings | undefined;
  private deadline: TimerId | undefined;
  private rollbackReported = false;

  constructor(options: FirmwareUpdaterOptions) {
    this.ota = options.ota;
    this.clock = options.clock;
    this.boardId = options.boardId;
    this.restart = options.restart;
    this.publicKey = options.publicKey ?? FIRMWARE_PUBLIC_KEY;
    this.events = options.events;
    this.confirmWithinMs = options.confirmWithinMs ?? DEFAULT_CONFIRM_WITHIN_MS;
    this.hashes = options.hashes;
    this.runningVersionNumber = options.runningVersionNumber;
    this.settings = options.settings;
  }

  /** This boot is the first since the bootloader abandoned a trial image and went back to this one. */
  get rolledBackAtBoot(): boolean {
    return this.rollbackReported;
  }

  /** The running image has not confirmed itself yet. */
  get trial(): boolean {
    return this.ota.pendingVerify;
  }

  /**
   * Starts installing an image that arrives in pieces (a download): feed it to the sink, then
   * `finish` (or `abort` when the transfer fails). At most one chunk and the header and trailer
   * are held at a time. `imageBytes`, when the transport announced it, lets a header that
   * disagrees be refused before the slot is erased. An image older than the running one is refused
   * (check 'version') unless `options.allowDowngrade`; the same version installs again (a repair
   * of the same build is no downgrade). Nothing changes for the next boot unless every check
   * passed. Never throws.
   */
  beginInstall(imageBytes?: number, options: InstallOptions = {}): InstallSink {
    const minVersionNumber = options.allowDowngrade === true ? undefined : this.runningVersionNumber;
    return new SlotInstall(this.ota, this.publicKey, (result) => this.settled(result), this.hashes, this.boardId, imageBytes, minVersionNumber);
  }

  /**
   * Installs an image that can be read at random (a file): streamed through `beginInstall` in
   * chunks of `chunkBytes`. Never throws, except what `source.read` throws.
   */
  install(source: ImageSource, chunkBytes = DEFAULT_VERIFY_CHUNK_BYTES, options: InstallOptions = {}): InstallResult {
    const sink = this.beginInstall(source.size, options);
    for (let at = 0; at < source.size && sink.result === undefined; at += chunkBytes) sink.push(source.read(at, Math.min(chunkBytes, source.size - at)));
    return sink.finish();
  }

  /**
   * Call once per boot: reports a rollback the bootloader made (a trial image that reset before
   * confirming) once, and arms the confirmation deadline of a trial image. Returns whether on trial.
   */
  onBoot(): boolean {
    if (this.ota.rolledBack && this.settings?.get(KEY.firmwareRollback) === undefined) {
      this.rollbackReported = true;
      this.settings?.set(KEY.firmwareRollback, true);
      this.events?.record(EVENTS.firmwareRollback, 'bootloader: the trial image reset before confirming; the previous image runs');
    }
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

  private settled(result: InstallResult): void {
    // A new trial starts: its own rollback, if it comes, is a new one to report.
    if (result.ok) this.settings?.delete(KEY.firmwareRollback);
    if (result.ok) this.events?.record(EVENTS.firmwareInstalled, result.version);
    else this.events?.record(EVENTS.firmwareRejected, `${result.check}: ${result.error}`);
  }
}
