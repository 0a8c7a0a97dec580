import type { Board } from './board';
import type { BsonDocument } from '../protocol/bson/types';
import { encodeFile, fileName } from '../protocol/files/codec';
import type { FileHeader, FileSource } from '../protocol/files/header';
import { OUTBOX_DIRECTORY, outboxName, type OutboxKind } from '../protocol/files/names';
import { CommandRunner } from './commands/runner';
import type { EffectResult, InboxOutcome } from './commands/types';
import type { ConfigStore } from './config-store';
import type { Counters } from './counters';
import { decodeFile } from '../protocol/files/codec';
import { sessionEffects } from './modem/effects';
import type { LogBook } from './modem/task';
import type { AppEffects, CertificateKeeper, FirmwareInstaller, SessionModem, WhitelistKeeper } from './modem/types';
import type { AddResult } from './outbox';
import type { Task, TaskHost } from './types';

const MS_PER_SECOND = 1000;
/** Between the local task (10) and the modem (20). */
const USB_PRIORITY = 15;
/** Slice of a dropped firmware image handed to the installer at a time. */
const USB_CHUNK_BYTES = 4096;

function droppedFile(dropped: ReadonlyMap<string, Uint8Array>, name: string, maxBytes: number): Uint8Array {
  const bytes = dropped.get(name);
  if (bytes === undefined) throw new Error(`${name} is not on the USB drive`);
  if (bytes.length > maxBytes) throw new Error(`${name} is larger than ${maxBytes} bytes`);
  return bytes;
}

export interface UsbInboxOptions {
  readonly board: Board;
  readonly config: ConfigStore;
  readonly counters: Counters;
  readonly log: LogBook;
  readonly modem: SessionModem;
  readonly app: AppEffects;
  readonly whitelist?: WhitelistKeeper;
  readonly certificates?: CertificateKeeper;
  readonly firmware?: FirmwareInstaller;
  /** The §5.7 supervision document (the modem task builds it from the last session's modem figures). */
  readonly supervision: (header: FileHeader) => BsonDocument;
  /**
   * §5.6.1 `request` dropped on the drive: a server session as soon as the slot is free (the modem
   * task's `requestSession`); whether one was queued. Absent: the command is refused.
   */
  readonly requestSession?: (source: FileSource) => boolean;
}

/**
 * The USB drive as a command source (primary spec §2.4.5): configuration, white-list and command
 * files the installer copied run through the same command runner as the FTP inbox; their ACKs and
 * the files a command asks for (configGet, supervisionGet, logGet) are written back to the drive,
 * and firmware images or certificates a command names are read from it.
 */
export class UsbInbox implements Task {
  readonly name = 'usb';
  readonly priority = USB_PRIORITY;
  private running = false;

  constructor(private readonly o: UsbInboxOptions, private readonly host: TaskHost) {}

  /** Keeps the box awake while a drop is being processed. */
  busy(): boolean {
    return this.running;
  }

  nextWake(): number {
    return Infinity;
  }

  step(): void {
    // Work happens in `run`; the scheduler only needs to know the box must stay awake meanwhile.
  }

  /** Processes the drive's files, then reports the outcomes (or the failure) to `done`. */
  run(done: (outcomes: InboxOutcome[] | Error) => void): void {
    if (this.running) return;
    this.running = true;
    this.process().then(
      (outcomes) => this.finish(done, outcomes),
      (e: unknown) => this.finish(done, e instanceof Error ? e : new Error(String(e))),
    );
  }

  private finish(done: (outcomes: InboxOutcome[] | Error) => void, result: InboxOutcome[] | Error): void {
    this.running = false;
    done(result);
    this.host.wake(this);
  }

  /** Runs every file waiting on the drive; returns the outcomes (empty when there was nothing). */
  private async process(): Promise<InboxOutcome[]> {
    const usb = this.o.board.usb;
    if (usb === undefined) return [];
    const files = usb.take();
    if (files.length === 0) return [];
    const dropped = new Map(files.map((f) => [f.name, f.bytes]));
    const o = this.o;
    const effects = sessionEffects({
      now: () => o.board.clock.now(),
      config: o.config,
      counters: o.counters,
      events: o.log,
      modem: o.modem,
      app: o.app,
      whitelist: o.whitelist,
      certificates: o.certificates,
      firmware: o.firmware,
      fetchBin: async (name, maxBytes) => droppedFile(dropped, name, maxBytes),
      // The drive interface hands over whole files (drivers/usb/types.ts), so the image is in RAM
      // already; it goes to the installer in slices of it, without another copy.
      streamBin: async (name, maxBytes, reader) => {
        const bytes = droppedFile(dropped, name, maxBytes);
        if (!reader.open(bytes.length)) return;
        for (let at = 0; at < bytes.length; at += USB_CHUNK_BYTES) reader.data(bytes.subarray(at, at + USB_CHUNK_BYTES));
      },
      queueConfig: () => this.write('config', o.config.document()),
      queueSupervision: () => this.write('supervision', o.supervision(this.header())),
      queueLog: () => this.write('log', o.log.logGet(this.header())),
      logClean: () => o.log.logClean(),
      // A USB drop is one pass: there is no server inbox to read again.
      requestAnotherPass: () => undefined,
    });
    const runner = new CommandRunner({
      uid: o.board.identity.uid,
      clock: o.board.clock,
      events: o.log,
      decode: (bytes, encrypted) => {
        const security = o.config.current.security;
        return decodeFile(bytes, { encrypted, key: security.key ?? undefined, crcMode: security.crcMode, cipher: o.board.blockCipher });
      },
      // §4.2.1.2: with encryption on, a plain file on the drive is refused like one from the server.
      requireEncryption: () => o.config.current.security.encryption,
      // §5.6.1: no server is connected during a drop, so `request` asks the modem task for a session.
      effects: { ...effects, requestSession: () => this.requestSession() },
    });
    const outcomes = await runner.processInbox(files, 'usb');
    for (const outcome of outcomes) for (const ack of outcome.acks) this.put(ack.name, ack.doc);
    return outcomes;
  }

  private requestSession(): EffectResult {
    const request = this.o.requestSession;
    if (request === undefined) return { ok: false, data: 'no modem session on this box' };
    return request('usb') ? { ok: true } : { ok: false, data: 'the session was not queued' };
  }

  private header(): FileHeader {
    return { uid: this.o.board.identity.uid, source: 'usb', timeSec: Math.floor(this.o.board.clock.now() / MS_PER_SECOND) };
  }

  private write(kind: OutboxKind, doc: BsonDocument): AddResult {
    const timeSec = this.header().timeSec;
    const encrypted = this.o.config.current.security.encryption;
    try {
      const name = this.put(outboxName(this.o.board.identity.uid, timeSec, kind, encrypted), doc);
      return { ok: true, file: { id: name, name, directory: OUTBOX_DIRECTORY[kind], kind, timeSec } };
    } catch (e) {
      return { ok: false, error: e instanceof Error ? e.message : String(e) };
    }
  }

  /** Encodes like every file the box writes (CRC trailer, AES when configured) and puts it on the drive. */
  private put(name: string, doc: BsonDocument): string {
    const security = this.o.config.current.security;
    const bytes = encodeFile(doc, {
      encryption: security.encryption,
      key: security.key ?? undefined,
      crcMode: security.crcMode,
      cipher: this.o.board.blockCipher,
    });
    const final = security.encryption && !name.endsWith('.aes') ? fileName(name, true) : name;
    this.o.board.usb?.put(final, bytes);
    return final;
  }
}
