import { parseCommandFile } from '../../protocol/commands/parse';
import type { Command } from '../../protocol/commands/types';
import { Ack, AckType, buildAckDocument } from '../../protocol/files/ack';
import { expectedInboxNames, InboxName, isMisnamedInbox, orderInbox, outboxName, parseInboxName } from '../../protocol/files/names';
import type { Clock } from '../../protocol/ports/clock';
import { EVENTS, EventRecorder } from '../log/events';
import type {
  CommandContext,
  CommandEffects,
  CommandSource,
  DecodedFile,
  EffectResult,
  FileDecoder,
  InboxOutcome,
  MaybePromise,
  OutgoingAck,
} from './types';

const MS_PER_SECOND = 1000;

export interface CommandRunnerOptions {
  readonly uid: string;
  readonly effects: CommandEffects;
  readonly decode: FileDecoder;
  readonly clock: Clock;
  readonly events?: EventRecorder;
  /**
   * §4.2.1.2: whether `security.encryption` is on, asked per file. While it is, a configuration,
   * white-list or command file without `.aes` is refused unread (ko ACK, logged): a box that encrypts
   * must not be reconfigured or commanded by a file anyone could write. Default: never.
   */
  readonly requireEncryption?: () => boolean;
}

/** ACK data of a plain file refused while encryption is on. */
export const NOT_ENCRYPTED = 'refused: security.encryption is on and the file is not encrypted (.aes)';

function run(effects: CommandEffects, command: Command, ctx: CommandContext): MaybePromise<EffectResult> {
  switch (command.type) {
    case 'request':
      return effects.requestSession(ctx);
    case 'factory':
      return effects.factoryReset(ctx);
    case 'firmware':
      return effects.installFirmware(command.fileName, ctx, command.allowDowngrade === true);
    case 'diag':
      return effects.runDiag(ctx);
    case 'configGet':
      return effects.configGet(ctx);
    case 'whiteListErase':
      return effects.whiteListErase(ctx);
    case 'operatorInit':
      return effects.operatorInit(ctx);
    case 'logGet':
      return effects.logGet(ctx);
    case 'logClean':
      return effects.logClean(ctx);
    case 'supervisionClean':
      return effects.supervisionClean(ctx);
    case 'supervisionGet':
      return effects.supervisionGet(ctx);
    case 'certificate':
      return effects.storeCertificate(command.fileName, ctx);
    case 'certClean':
      return effects.clearCertificates(ctx);
  }
}

async function settle(effect: () => MaybePromise<EffectResult>): Promise<EffectResult> {
  try {
    return await effect();
  } catch (e) {
    return { ok: false, data: e instanceof Error ? e.message : String(e) };
  }
}

function decodeError(decoded: DecodedFile): string {
  return decoded.ok ? '' : decoded.detail ?? decoded.error;
}

/**
 * Runs inbox files (configuration, white list, commands) and produces their ACKs (§5.5, §5.6).
 *
 * A session is one batch from one source (an FTP INBOX pass, a USB drive at boot, one BLE or SMS
 * message). §5.6: "if there is an error on a previous command, the following commands will not be
 * run", and commands after `factory`/`firmware` may be lost. So after the first command that fails
 * or is refused (wrong uid, bad field, unreadable command file), or that needs a restart, nothing
 * else of the session runs. Each command left unrun still gets an ACK, `ko` with data
 * `not run: …`, so the server learns the fate of every cid it sent.
 * A configuration file that fails is acknowledged `ko` but does not stop the commands after it.
 */
export class CommandRunner {
  private readonly uid: string;
  private readonly effects: CommandEffects;
  private readonly decode: FileDecoder;
  private readonly clock: Clock;
  private readonly events: EventRecorder | undefined;
  private readonly requireEncryption: () => boolean;
  private source: CommandSource = 'ftp';
  /** Why the rest of the session is not run; undefined while running. */
  private stopped: string | undefined;
  private restart = false;
  private lastAckSec = -1;

  constructor(options: CommandRunnerOptions) {
    this.uid = options.uid;
    this.effects = options.effects;
    this.decode = options.decode;
    this.clock = options.clock;
    this.events = options.events;
    this.requireEncryption = options.requireEncryption ?? (() => false);
  }

  /** Starts a new session: forgets an earlier failure. */
  beginSession(source: CommandSource): void {
    this.source = source;
    this.stopped = undefined;
    this.restart = false;
  }

  /** An effect asked for a restart; the caller restarts once the ACKs are stored. */
  get restartRequested(): boolean {
    return this.restart;
  }

  /** Whether the rest of the session will be skipped, and why. */
  get stopReason(): string | undefined {
    return this.stopped;
  }

  /**
   * A whole batch: begins a session, orders the files (§5.6: cfg, white list, `<uid>-cmd`, then
   * `<uid>-<num>-cmd` by number) and runs them. Misnamed files meant for this hub are refused
   * first, each with its ko ACK; files of other hubs and other files are skipped.
   */
  async processInbox(files: readonly { name: string; bytes: Uint8Array }[], source: CommandSource): Promise<InboxOutcome[]> {
    this.beginSession(source);
    const byName = new Map<string, Uint8Array>();
    for (const f of files) byName.set(f.name, f.bytes);
    const outcomes: InboxOutcome[] = [];
    const misnamed = [...byName.keys()].filter((name) => isMisnamedInbox(name, this.uid)).sort();
    for (const name of misnamed) outcomes.push(this.refuseMisnamed(name));
    for (const entry of orderInbox([...byName.keys()], this.uid)) {
      outcomes.push(await this.processParsed(entry, byName.get(entry.name) as Uint8Array));
    }
    return outcomes;
  }

  /** One file of the current session (BLE and SMS deliver one at a time). */
  async processInboxFile(name: string, bytes: Uint8Array): Promise<InboxOutcome> {
    const entry = parseInboxName(name, this.uid);
    if (entry === undefined) return isMisnamedInbox(name, this.uid) ? this.refuseMisnamed(name) : { name, kind: undefined, acks: [] };
    return this.processParsed(entry, bytes);
  }

  /**
   * A file meant for this hub whose name is none of §5.2/§5.6's (`isMisnamedInbox`): refused unread,
   * logged, one ko ACK with the names expected. It runs nothing, so it stops nothing else of the session.
   */
  refuseMisnamed(name: string): InboxOutcome {
    const why = `${name}: ${expectedInboxNames(this.uid)}`;
    this.events?.record(EVENTS.inboxFileRejected, why);
    const folded = name.toLowerCase();
    const type: AckType = folded.indexOf('cfg') >= 0 || folded.indexOf('filter') >= 0 ? 'config' : 'cmd';
    return { name, kind: undefined, misnamed: true, acks: [this.ack(type, '', false, why)] };
  }

  /**
   * A file of this hub that was not read (`why`: too large): logged and acknowledged ko like an
   * unreadable file, so a command file stops the rest of the session as one that cannot be read does.
   */
  refuseFile(entry: InboxName, why: string): InboxOutcome {
    const data = `${entry.name}: ${why}`;
    this.events?.record(EVENTS.inboxFileRejected, data);
    if (entry.kind === 'cmd' && this.stopped === undefined) this.stopped = `${entry.name} could not be read`;
    return { name: entry.name, kind: entry.kind, acks: [this.ack(entry.kind === 'cmd' ? 'cmd' : 'config', '', false, data)] };
  }

  private async processParsed(entry: InboxName, bytes: Uint8Array): Promise<InboxOutcome> {
    const acks = entry.kind === 'cmd' ? await this.runCommandFile(entry, bytes) : [await this.runConfigFile(entry, bytes)];
    return { name: entry.name, kind: entry.kind, acks };
  }

  private async runConfigFile(entry: InboxName, bytes: Uint8Array): Promise<OutgoingAck> {
    if (this.stopped !== undefined) return this.ack('config', '', false, `not run: ${this.stopped}`);
    if (this.refusedPlain(entry)) {
      this.events?.record(EVENTS.configRejected, `${entry.name}: ${NOT_ENCRYPTED}`);
      return this.ack('config', '', false, `${entry.name}: ${NOT_ENCRYPTED}`);
    }
    const ctx: CommandContext = { source: this.source, cid: '', fileName: entry.name };
    const decoded = this.decode(bytes, entry.encrypted);
    if (!decoded.ok) {
      this.events?.record(EVENTS.configRejected, `${entry.name}: ${decodeError(decoded)}`);
      return this.ack('config', '', false, `${entry.name}: ${decodeError(decoded)}`);
    }
    const result = await settle(() =>
      entry.kind === 'cfg' ? this.effects.applyConfig(decoded.doc, ctx) : this.effects.applyWhiteList(decoded.doc, ctx),
    );
    if (result.ok) this.events?.record(entry.kind === 'cfg' ? EVENTS.configApplied : EVENTS.whiteListApplied, entry.name);
    else this.events?.record(EVENTS.configRejected, `${entry.name}: ${result.data ?? 'refused'}`);
    this.noteRestart(result);
    // Same data as protocol/config/ack.ts: the file name, then the reason on failure.
    const data = result.ok ? result.data ?? entry.name : `${entry.name}: ${result.data ?? 'refused'}`;
    return this.ack('config', '', result.ok, data);
  }

  private async runCommandFile(entry: InboxName, bytes: Uint8Array): Promise<OutgoingAck[]> {
    if (this.refusedPlain(entry)) {
      // Not read at all, not even for its cids: nothing of a file refused for its origin is trusted.
      const why = `${entry.name}: ${NOT_ENCRYPTED}`;
      this.events?.record(EVENTS.inboxFileRejected, why);
      if (this.stopped === undefined) this.stopped = `${entry.name} was refused`;
      return [this.ack('cmd', '', false, why)];
    }
    // Read even when the session has stopped, so each skipped command is acknowledged by its cid.
    const decoded = this.decode(bytes, entry.encrypted);
    const parsed = decoded.ok ? parseCommandFile(decoded.doc, this.uid) : undefined;
    if (parsed === undefined || !parsed.ok) {
      const why = `${entry.name}: ${parsed === undefined ? decodeError(decoded) : parsed.error}`;
      this.events?.record(EVENTS.inboxFileRejected, why);
      if (this.stopped === undefined) this.stopped = `${entry.name} could not be read`;
      return [this.ack('cmd', '', false, why)];
    }
    const acks: OutgoingAck[] = [];
    for (const item of parsed.entries) {
      if (this.stopped !== undefined) {
        const cid = item.ok ? item.command.cid : item.cid;
        this.events?.record(EVENTS.commandNotRun, item.ok ? `${item.command.type} ${cid}` : cid);
        acks.push(this.ack('cmd', cid, false, `not run: ${this.stopped}`));
        continue;
      }
      if (!item.ok) {
        this.events?.record(EVENTS.commandFailed, `${item.cid}: ${item.error}`);
        this.stopped = `command ${item.cid === '' ? 'without cid' : item.cid} was refused`;
        acks.push(this.ack('cmd', item.cid, false, item.error));
        continue;
      }
      acks.push(await this.runOne(item.command, entry.name));
    }
    return acks;
  }

  /**
   * One command that came without a file of its own (an SMS, docs/sms.md), in the current session:
   * run, logged and acknowledged as an entry of a command file named `fileName` would be.
   */
  async runCommand(command: Command, fileName: string): Promise<OutgoingAck> {
    if (this.stopped !== undefined) {
      this.events?.record(EVENTS.commandNotRun, `${command.type} ${command.cid}`);
      return this.ack('cmd', command.cid, false, `not run: ${this.stopped}`);
    }
    return this.runOne(command, fileName);
  }

  private async runOne(command: Command, fileName: string): Promise<OutgoingAck> {
    const ctx: CommandContext = { source: this.source, cid: command.cid, fileName };
    const result = await settle(() => run(this.effects, command, ctx));
    if (result.ok) {
      this.events?.record(EVENTS.commandDone, `${command.type} ${command.cid}`);
    } else {
      this.events?.record(EVENTS.commandFailed, `${command.type} ${command.cid}: ${result.data ?? 'failed'}`);
      this.stopped = `command ${command.cid === '' ? command.type : command.cid} failed`;
    }
    this.noteRestart(result);
    return this.ack('cmd', command.cid, result.ok, result.data ?? (result.ok ? fileName : `${command.type} failed`));
  }

  private refusedPlain(entry: InboxName): boolean {
    return !entry.encrypted && this.requireEncryption();
  }

  private noteRestart(result: EffectResult): void {
    if (result.restart !== true) return;
    this.restart = true;
    if (this.stopped === undefined) this.stopped = 'restart pending';
  }

  /**
   * ACK names carry whole seconds, so several ACKs in the same second would collide: each one
   * gets the next free second after the previous (its `TS` matches its name).
   */
  private ack(type: AckType, cid: string, ok: boolean, data: string): OutgoingAck {
    const now = Math.floor(this.clock.now() / MS_PER_SECOND);
    const timeSec = Math.max(now, this.lastAckSec + 1);
    this.lastAckSec = timeSec;
    const ack: Ack = { type, cid, result: ok ? 'ok' : 'ko', data };
    return {
      name: outboxName(this.uid, timeSec, 'ack'),
      timeSec,
      ack,
      doc: buildAckDocument({ uid: this.uid, source: this.source, timeSec }, ack),
    };
  }
}
