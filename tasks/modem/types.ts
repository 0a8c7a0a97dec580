import type { SmsService } from '../../drivers/modem/sms';
import type { ModemInfo, ModemNetworkConfig } from '../../drivers/modem/types';
import type { Network } from '../../protocol/ports/network';
import type { BsonDocument } from '../../protocol/bson/types';
import type { FileSource } from '../../protocol/files/header';
import type { CommandContext, EffectResult, MaybePromise } from '../commands/types';

/** The driver's record of SIM PINs the SIM refused (never sent again until cleared). */
export interface PinRecord {
  /** Clears the record; returns the ICCIDs that had one. */
  forgetRefusedPins(): readonly string[];
}

/**
 * What a session needs of the cellular modem; drivers/modem/bg95.ts `Bg95Modem` implements it.
 * Every method may reject with an error carrying a `code` (drivers/modem/types `ModemErrorCode`).
 */
export interface SessionModem extends PinRecord {
  powerOn(): Promise<void>;
  /** SIM unlock, network selection and registration; in `auto` mode the §1.6.4 second attempt on 2G. */
  register(config: ModemNetworkConfig): Promise<ModemInfo>;
  /** PDP context; resolves with the device's address. */
  activate(): Promise<string>;
  /** Sockets through the modem; usable once `activate` resolved. */
  network(): Network;
  info(): ModemInfo;
  /** §5.6.7 operatorInit. */
  resetOperatorSelection(): Promise<void>;
  deactivate(): Promise<void>;
  /** Leaves the operator's network (AT+COPS=2): `deregisterOnLocalAction`. */
  deregister(): Promise<void>;
  /** Never rejects on the BG95: the supply is cut if the module does not turn off. */
  powerOff(): Promise<void>;
  /** The SMS service (docs/sms.md); absent on a modem that has none. */
  sms?(): SmsService;
}

/** The steps of a session, in order (a failed session reports where it stopped). */
export type SessionStep =
  | 'power'
  | 'register'
  | 'sms'
  | 'activate'
  | 'time'
  | 'prepare'
  | 'connect'
  | 'tree'
  | 'upload'
  | 'inbox'
  | 'listen'
  | 'quit'
  | 'power-off';

/** Why a session runs and what it uploads beyond the files always sent (alarms, ACKs, configuration copy). */
export interface SessionRequest {
  readonly source: FileSource;
  /** §4.2.5.1.2 `data` bits: FTP_UPLOAD_DATA, FTP_UPLOAD_SUPERVISION, FTP_UPLOAD_LOG. */
  readonly bits: number;
}

/**
 * How the task follows up a failure: `backoff` retries after an exponentially growing delay,
 * `schedule` waits for the next trigger (a retry cannot help: SIM PIN refused, login refused,
 * nothing configured).
 */
export type RetryAdvice = 'none' | 'backoff' | 'schedule';

export interface SessionResult {
  readonly ok: boolean;
  /** Step that failed (undefined on success). */
  readonly failedStep?: SessionStep;
  readonly error?: string;
  readonly retry: RetryAdvice;
  /** Files renamed into place on the server. */
  readonly filesUploaded: number;
  /** Frames in the data files among them. */
  readonly framesUploaded: number;
  /** Frames published again over MQTT (no PUBACK of the earlier publish reached the box). */
  readonly framesResent?: number;
  /** Inbox files downloaded and run (and configuration messages over MQTT). */
  readonly inboxFiles: number;
  readonly bytesSent: number;
  readonly bytesReceived: number;
  /** Modem powered, ms. */
  readonly modemOnMs: number;
  /** FTP connections opened (at most FTP_ATTEMPTS). */
  readonly ftpAttempts: number;
  /** RTC correction applied after SNTP, ms (0 when no server answered). */
  readonly clockCorrectionMs: number;
  /** A command asked for a restart (factory reset, new firmware): the task restarts after power-down. */
  readonly restart: boolean;
  readonly modem?: ModemInfo;
}

/** The effects of inbox commands that belong to the application rather than to the session. */
export interface AppEffects {
  /** §5.6.2: restore factory settings (configuration, frame store, outbox); usually `restart: true`. */
  factoryReset(ctx: CommandContext): MaybePromise<EffectResult>;
  /** §5.6.4: a listening window with radio.duration, then a session. */
  runDiag(ctx: CommandContext): MaybePromise<EffectResult>;
}

export type FirmwareInstallResult =
  | { readonly ok: true; readonly version: string }
  | { readonly ok: false; readonly check: string; readonly error: string };

/** One image being installed as it arrives (tasks/firmware/updater.ts InstallSink fits). */
export interface FirmwareInstall {
  /** Set once the install has ended; undefined while it wants bytes. */
  readonly result: FirmwareInstallResult | undefined;
  /** False once the install has ended (later bytes are ignored). */
  push(chunk: Uint8Array): boolean;
  finish(): FirmwareInstallResult;
  abort(reason: string): FirmwareInstallResult;
}

/** What a session needs to install firmware (tasks/firmware/updater.ts FirmwareUpdater fits). */
export interface FirmwareInstaller {
  /** `imageBytes`: the image's length when the transport announced it; `allowDowngrade`: the command's flag. */
  beginInstall(imageBytes?: number, options?: { readonly allowDowngrade?: boolean }): FirmwareInstall;
}

/** Certificates for FTPS and the §5.6.12/§5.6.13 commands (tasks/certificates/store.ts CertificateStore fits). */
export interface CertificateKeeper {
  add(name: string, bytes: Uint8Array): { readonly ok: true } | { readonly ok: false; readonly error: string };
  list(): string[];
  read(name: string): Uint8Array | undefined;
  clear(): number;
}

/** The radio white list (tasks/whitelist-store.ts WhitelistStore fits). */
export interface WhitelistKeeper {
  /** Meters in the list. */
  readonly size: number;
  replace(ids: readonly Uint8Array[]): void;
  erase(): void;
}

/** Files the supervision and log commands queue (§5.6.8, §5.6.11). */
export interface ReportBuilder {
  supervision(header: { uid: string; source: FileSource; timeSec: number }): BsonDocument;
  log(header: { uid: string; source: FileSource; timeSec: number }): BsonDocument;
}
