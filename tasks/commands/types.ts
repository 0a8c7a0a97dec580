import type { BsonDocument } from '../../protocol/bson/types';
import type { Ack } from '../../protocol/files/ack';
import type { InboxKind } from '../../protocol/files/names';

/** Where command and configuration files arrive from; all go through `processInboxFile`. */
export type CommandSource = 'ftp' | 'mqtt' | 'usb' | 'ble' | 'sms';

/** What an effect reports back; it becomes the ACK. */
export interface EffectResult {
  readonly ok: boolean;
  /** ACK `data`: what was done (version installed, file uploaded) or why it failed. Default: the file name. */
  readonly data?: string;
  /**
   * The effect needs a restart once the ACKs are out (factory reset, new firmware). The runner
   * runs nothing more in the session and sets `restartRequested`; the caller restarts.
   */
  readonly restart?: boolean;
}

export type MaybePromise<T> = T | Promise<T>;

/** Passed to every effect: which file and command it serves. */
export interface CommandContext {
  readonly source: CommandSource;
  /** The command's cid ('' for configuration files). */
  readonly cid: string;
  /** The inbox file being processed. */
  readonly fileName: string;
}

/**
 * The actions commands (§5.6) and inbox files trigger, implemented by the application. Each returns
 * the result its ACK carries; a thrown error counts as `{ ok: false, data: message }`.
 */
export interface CommandEffects {
  /** §5.6.1 `request`: connect to the server now (or stay connected for another pass). */
  requestSession(ctx: CommandContext): MaybePromise<EffectResult>;
  /** §5.6.2 `factory`: restore factory settings; usually `restart: true`. */
  factoryReset(ctx: CommandContext): MaybePromise<EffectResult>;
  /**
   * §5.6.3/§6 `firmware`: fetch `imageName` (/BIN or drive root), verify, install; `restart: true`
   * on success. An image older than the running one is refused unless `allowDowngrade`.
   */
  installFirmware(imageName: string, ctx: CommandContext, allowDowngrade: boolean): MaybePromise<EffectResult>;
  /** §5.6.4 `diag`: listen for the configured window, then connect. */
  runDiag(ctx: CommandContext): MaybePromise<EffectResult>;
  /** §5.6.5 `configGet`: copy the configuration to the USB drive (no effect over FTP). */
  configGet(ctx: CommandContext): MaybePromise<EffectResult>;
  /** §5.6.6 `whiteListErase`. */
  whiteListErase(ctx: CommandContext): MaybePromise<EffectResult>;
  /** §5.6.7 `operatorInit`: forget the modem's network operator selection. */
  operatorInit(ctx: CommandContext): MaybePromise<EffectResult>;
  /** §5.6.8 `logGet`: queue the log file for /SUPERVISION. */
  logGet(ctx: CommandContext): MaybePromise<EffectResult>;
  /** §5.6.9 `logClean`. */
  logClean(ctx: CommandContext): MaybePromise<EffectResult>;
  /** §5.6.10 `supervisionClean`: counters to 0. */
  supervisionClean(ctx: CommandContext): MaybePromise<EffectResult>;
  /** §5.6.11 `supervisionGet`: queue a supervision file. */
  supervisionGet(ctx: CommandContext): MaybePromise<EffectResult>;
  /** §5.6.12 `certificate`: fetch `certName` and keep it for TLS. */
  storeCertificate(certName: string, ctx: CommandContext): MaybePromise<EffectResult>;
  /** §5.6.13 `certClean`: delete every stored certificate. */
  clearCertificates(ctx: CommandContext): MaybePromise<EffectResult>;
  /** §5.2 `<uid>-cfg.bson`: apply a (partial) configuration. */
  applyConfig(doc: BsonDocument, ctx: CommandContext): MaybePromise<EffectResult>;
  /** §4.2.2.1 `<uid>-wlFilter.bson`: replace the radio white list. */
  applyWhiteList(doc: BsonDocument, ctx: CommandContext): MaybePromise<EffectResult>;
}

/** A file read back by the file codec (CRC per `crcMode`, AES when encrypted); protocol/files/codec `decodeFile` fits. */
export type DecodedFile =
  | { readonly ok: true; readonly doc: BsonDocument }
  | { readonly ok: false; readonly error: string; readonly detail?: string };

export type FileDecoder = (bytes: Uint8Array, encrypted: boolean) => DecodedFile;

/** An ACK ready for the outbox: `name` is `<uid>-<ts>-ack.bson` (append `.aes` when encrypting). */
export interface OutgoingAck {
  readonly name: string;
  readonly timeSec: number;
  readonly ack: Ack;
  readonly doc: BsonDocument;
}

export interface InboxOutcome {
  readonly name: string;
  /**
   * undefined: not a well-named inbox file of this hub. Left alone with no ACK, unless `misnamed`:
   * then refused unread with one `ko` ACK giving the expected names.
   */
  readonly kind: InboxKind | undefined;
  /** Meant for this hub but not named as §5.2/§5.6 say (`<uid>-CFG.bson`, `<uid>-cfg (1).bson`, ...). */
  readonly misnamed?: boolean;
  /** One per command (or one for a configuration / unreadable file), in order. */
  readonly acks: OutgoingAck[];
}
