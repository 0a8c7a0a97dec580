import type { Clock } from '../../protocol/ports/clock';
import type { FileStore } from '../../drivers/files/types';
import type { TlsOptions } from '../../protocol/ports/network';
import { ntpEndpoints, splitHostPort } from '../../protocol/config/endpoints';
import { DEFAULT_FTP_PORT } from '../../protocol/config/schema';
import { type Config, FTP_UPLOAD_DATA, FTP_UPLOAD_LOG, FTP_UPLOAD_SUPERVISION } from '../../protocol/config/types';
import type { BlockCipher } from '../../protocol/crypto/types';
import { decodeFile } from '../../protocol/files/codec';
import { type InboxName, isMisnamedInbox, orderInbox, parseInboxName } from '../../protocol/files/names';
import { FTP_MODE_IMPLICIT_TLS, FTPS_IMPLICIT_PORT, FtpClient, FtpError, UPLOAD_SUFFIX } from '../../protocol/ftp/client';
import { PERMANENT_NEGATIVE, replyClass } from '../../protocol/ftp/reply';
import { querySntp } from '../../protocol/sntp/sntp';
import { EARLIEST_CLOCK_SEC } from '../battery-estimate';
import { CommandRunner } from '../commands/runner';
import { runSmsPhase } from './sms-phase';
import type { CommandContext, DecodedFile, EffectResult, InboxOutcome, MaybePromise } from '../commands/types';
import type { AlarmLatches } from '../alarms';
import type { ConfigStore } from '../config-store';
import type { Counters } from '../counters';
import { EVENTS, type EventRecorder } from '../log/events';
import { DEFAULT_MAX_DATA_FILE_BYTES, type AddResult, type FrameSource, type Outbox, type OutboxFile } from '../outbox';
import { CountingNetwork } from './counting-network';
import { withDeadline } from './deadline';
import { type BinReader, sessionEffects } from './effects';
import { MqttPhase, type PublishedMemory } from './mqtt-phase';
import { mqttPayloads, type StatusSource } from './mqtt-payloads';
import { adviceFor, FTP_ATTEMPTS, fileLimitMs, LIMIT, MAX_INBOX_FILE_BYTES, MAX_INBOX_PASSES, MQTT_ATTEMPTS, registerLimitMs, worthReconnecting } from './policy';
import { ConfigurationMissing } from './errors';
import { tlsOptionsFor, tlsRefusal } from './tls';
import type {
  AppEffects,
  CertificateKeeper,
  FirmwareInstaller,
  ReportBuilder,
  RetryAdvice,
  SessionModem,
  SessionRequest,
  SessionResult,
  SessionStep,
  WhitelistKeeper,
} from './types';
import { freezeTable } from '../../protocol/freeze';
import { utf8Decode, utf8Encode } from '../../protocol/text/utf8';

/** FileStore prefix of inbox files downloaded and deleted on the server but not yet run. */
export const INBOX_STAGING_PREFIX = 'inb-';
/** FileStore file of the INBOX files refused for their size: one `<bytes> <name>` line each. */
export const INBOX_OVERSIZED_FILE = 'inbox-oversized';
/** §5.6.5: what a configGet over FTP answers. */
export const CONFIG_GET_OVER_FTP = 'no effect over FTP (§5.6.5): configGet copies the configuration to the USB drive';
/** §5.1.1.2 server tree below `ftp.dir`; `/INBOX/<uid>` is added per hub. */
export const SERVER_DIRECTORIES: readonly string[] = freezeTable(['/CONFIG', '/DATA', '/ALARM', '/SUPERVISION', '/BIN']);
const MS_PER_SECOND = 1000;
/** RFC 3659 SIZE answer. */
const CODE_FILE_STATUS = 213;
/** 500 and 502: the server does not know SIZE (RFC 3659 is an extension). */
const CODE_NOT_IMPLEMENTED = freezeTable([500, 502]);
/** 550 no such file or directory, 553 name not allowed: the tree may be gone. */
const CODE_MISSING_PATH = freezeTable([550, 553]);

/** Where a session found the server tree (a fingerprint of server, account and root) already made. */
export interface TreeMemory {
  get(): string;
  set(key: string): void;
}

export interface UploadSessionOptions {
  readonly clock: Clock;
  readonly uid: string;
  readonly config: ConfigStore;
  readonly counters: Counters;
  readonly outbox: Outbox;
  readonly frames: FrameSource;
  /** Staging of inbox files between their deletion on the server and their processing. */
  readonly files: FileStore;
  readonly events: EventRecorder;
  readonly modem: SessionModem;
  readonly reports: ReportBuilder;
  readonly logClean: () => void;
  readonly app: AppEffects;
  readonly whitelist?: WhitelistKeeper;
  readonly certificates?: CertificateKeeper;
  readonly firmware?: FirmwareInstaller;
  readonly tree: TreeMemory;
  readonly maxDataFileBytes?: number;
  /** The board's AES for inbox files; the portable one when absent. */
  readonly cipher?: BlockCipher;
  /** Trace lines (console). */
  readonly log?: (line: string) => void;
  /** Serial past the newest frame ever published over MQTT (task state); RAM only when absent. */
  readonly published?: PublishedMemory;
  /** Figures of the status message an MQTT connection starts with. */
  readonly status?: StatusSource;
  /** §4.2.4 latches (tasks/alarms.ts): the timeGap alarm once per crossing. Absent (a bench rig): every sync past timeGap raises. */
  readonly alarms?: AlarmLatches;
}

/** The server acknowledged an upload but holds fewer bytes than were sent. */
class UploadIncomplete extends Error {
  override readonly name = 'UploadIncomplete';
}

/** Whether the configured transport connects by TLS (FTPS, MQTTS). */
function usesTls(config: Config): boolean {
  const { transport, ftp, mqtt } = config.remote;
  return (transport !== 'mqtt' && ftp.mode === FTP_MODE_IMPLICIT_TLS) || (transport !== 'ftp' && mqtt.tls);
}

/** Why the configured transport has nowhere to go, or undefined. */
function missingServer(config: Config): string | undefined {
  const { transport, ftp, mqtt } = config.remote;
  if (transport !== 'mqtt' && (ftp.addr === null || ftp.addr === '')) return 'no FTP server configured (remote.ftp.addr)';
  if (transport !== 'ftp' && (mqtt.addr === null || mqtt.addr === '')) return 'no MQTT broker configured (remote.mqtt.addr)';
  return undefined;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** `ftp.dir` as a prefix: '' for the account root, otherwise `/a/b` without a trailing slash. */
export function serverRoot(dir: string | null): string {
  if (dir === null) return '';
  const trimmed = dir.replace(/\/+$/, '');
  if (trimmed === '') return '';
  return trimmed.startsWith('/') ? trimmed : '/' + trimmed;
}

function basename(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? path : path.slice(slash + 1);
}

function isReply(e: unknown, codes?: readonly number[]): boolean {
  return e instanceof FtpError && e.kind === 'reply' && (codes === undefined || codes.indexOf(e.code) >= 0);
}

/** An INBOX or /BIN file as `fetch` finds it: its bytes, its size when over the limit, or gone. */
type Fetched = { readonly bytes: Uint8Array } | { readonly oversized: number } | undefined;

function oversizedReason(bytes: number, max: number): string {
  return `${bytes} bytes, more than the ${max} this box reads`;
}

/** The INBOX files already refused for their size, by name, with the size they had. */
function readOversized(files: FileStore): Map<string, number> {
  const known = new Map<string, number>();
  const bytes = files.read(INBOX_OVERSIZED_FILE);
  if (bytes === undefined) return known;
  for (const line of utf8Decode(bytes).split('\n')) {
    const space = line.indexOf(' ');
    if (space > 0) known.set(line.slice(space + 1), Number(line.slice(0, space)));
  }
  return known;
}

function writeOversized(files: FileStore, known: ReadonlyMap<string, number>): void {
  if (known.size === 0) {
    files.delete(INBOX_OVERSIZED_FILE);
    return;
  }
  const lines: string[] = [];
  for (const [name, size] of known) lines.push(`${size} ${name}`);
  files.write(INBOX_OVERSIZED_FILE, utf8Encode(lines.join('\n')));
}

/**
 * One connection to the information system (primary spec §3.1.2.2, §5.1): power up, register,
 * set the clock by SNTP, connect to the FTP server, make the §5.1.1.2 tree when missing, upload
 * the outbox (§5.1.1.3: `NAME.tmp`, then renamed), fetch and delete the INBOX files and run them,
 * upload their ACKs, quit, power down.
 *
 * Every step runs under a time limit on the injected clock. Progress lives in the outbox and the
 * frame store, not here: a session cut at any point (failure, power cut, deep sleep) loses
 * nothing, and the next one takes up what is left. See docs/upload-session.md for the retry policy.
 */
export class UploadSession {
  private current: SessionStep = 'power';
  private ftp: FtpClient | undefined;
  private mqtt: MqttPhase | undefined;
  private framesResent = 0;
  private publishedInRam = 0;
  private network: CountingNetwork | undefined;
  private aborted: string | undefined;
  private shiftMs = 0;
  private powered = false;
  private filesUploaded = 0;
  private framesUploaded = 0;
  private inboxFiles = 0;
  private inboxPasses = 0;
  private anotherPass = false;
  private ftpAttempts = 0;
  private retreed = false;
  private restart = false;
  /** Outbox files the FTP server refused (5xx) in this session. */
  private readonly refused = new Set<string>();
  /** The trigger asked for data and frames go in data files: prepare more after each upload pass. */
  private drainData = false;
  /** Where the session stood when supervisionClean ran in it: `finish` counts only what came after. */
  private sinceClean: { atMs: number; files: number; frames: number; sent: number; received: number } | undefined;
  private readonly runner: CommandRunner;

  constructor(private readonly o: UploadSessionOptions, private readonly request: SessionRequest) {
    const effects = sessionEffects({
      now: () => o.clock.now(),
      config: o.config,
      counters: o.counters,
      events: o.events,
      modem: o.modem,
      app: o.app,
      whitelist: o.whitelist,
      certificates: o.certificates,
      firmware: o.firmware,
      fetchBin: (name, max) => this.fetchBin(name, max),
      streamBin: (name, max, reader) => this.streamBin(name, max, reader),
      queueConfig: () => o.outbox.addConfig(o.config.document(), 'ftp'),
      queueSupervision: () => this.queueSupervision('ftp'),
      queueLog: () => this.queueLog('ftp'),
      logClean: () => o.logClean(),
      requestAnotherPass: () => {
        this.anotherPass = true;
      },
    });
    this.runner = new CommandRunner({
      uid: o.uid,
      clock: o.clock,
      events: o.events,
      decode: (bytes, encrypted) => this.decode(bytes, encrypted),
      requireEncryption: () => o.config.current.security.encryption,
      effects: {
        ...effects,
        // §5.6.5: configGet copies the configuration to the USB drive and does nothing over FTP
        // (the §5.6 table's upload of the configuration to the server happens at every change, §5.1).
        // Acknowledged ok, so the commands after it still run. Over MQTT it keeps sending the copy.
        configGet: (ctx: CommandContext): MaybePromise<EffectResult> => (ctx.source === 'ftp' ? { ok: true, data: CONFIG_GET_OVER_FTP } : effects.configGet(ctx)),
        supervisionClean: (ctx: CommandContext): MaybePromise<EffectResult> => {
          const result = effects.supervisionClean(ctx);
          this.countersCleaned();
          return result;
        },
      },
    });
  }

  /** The step running now (or where the session stopped). */
  get step(): SessionStep {
    return this.current;
  }

  /** Ends the session early (the task's overall limit): the connection closes, the modem goes off. */
  abort(reason: string): void {
    if (this.aborted !== undefined) return;
    this.aborted = reason;
    this.ftp?.close();
    this.mqtt?.close();
    void this.o.modem.powerOff();
  }

  async run(): Promise<SessionResult> {
    const o = this.o;
    const config = o.config.current;
    const counters = o.counters.value.modem;
    counters.sessions++;
    o.counters.save();
    const onSince = o.clock.now();
    let failure: { step: SessionStep; error: unknown } | undefined;
    const missing = missingServer(config) ?? (usesTls(config) ? tlsRefusal(o.certificates, config.security.tlsVerify) : undefined);
    // Nothing to connect to: the modem stays off.
    if (missing !== undefined) return this.finish({ step: 'connect', error: new ConfigurationMissing(missing) }, 0);
    const transport = config.remote.transport;
    try {
      this.powered = true;
      await this.stage('power', LIMIT.powerMs, () => o.modem.powerOn());
      await this.stage('register', registerLimitMs(config.remote.modem), () => o.modem.register(config.remote.modem));
      await this.smsPhase(config);
      await this.stage('activate', LIMIT.activateMs, () => o.modem.activate());
      this.network = new CountingNetwork(o.modem.network());
      await this.synchroniseClock(config);
      this.current = 'prepare';
      this.prepare(config);
      if (transport !== 'ftp') {
        try {
          await this.mqttPhase(config);
        } catch (e) {
          // With `both`, FTP still carries the files and the INBOX; the session fails all the same.
          if (transport === 'mqtt' || this.aborted !== undefined) throw e;
          failure = { step: this.current, error: e };
          this.trace(`mqtt failed in ${this.current}: ${message(e)}; FTP goes on`);
        }
      }
      if (transport !== 'mqtt' && !this.restart) await this.ftpPhase(config);
    } catch (e) {
      failure = { step: this.current, error: this.aborted !== undefined ? new Error(`aborted: ${this.aborted}`) : e };
    }
    await this.leave();
    const modemOnMs = Math.max(0, o.clock.now() - onSince - this.shiftMs);
    return this.finish(failure, modemOnMs);
  }

  /**
   * The SMS stored since the last session (docs/sms.md), before the PDP context: commands from
   * authorised numbers run through the command runner like an inbox file's, and their ACKs go with
   * this session's files. A failing SMS service never fails the session.
   */
  private async smsPhase(config: Config): Promise<void> {
    const o = this.o;
    const service = o.modem.sms?.();
    if (service === undefined) return;
    this.runner.beginSession('sms');
    try {
      const r = await this.stage('sms', LIMIT.smsMs, () =>
        runSmsPhase({
          sms: service,
          uid: o.uid,
          whiteList: config.local.whiteList,
          events: o.events,
          run: async (command, fileName) => {
            const ack = await this.runner.runCommand(command, fileName);
            this.noteFailure(o.outbox.addAck(ack.ack, 'sms'));
            return ack;
          },
          status: () => this.smsStatus(),
          trace: (line) => this.trace(line),
        }),
      );
      if (r.read > 0) this.trace(`sms: ${r.read} read, ${r.commands} commands, ${r.refused} refused, ${r.replies} replies`);
      if (this.runner.restartRequested) this.restart = true;
    } catch (e) {
      if (this.aborted !== undefined) throw e;
      this.trace(`sms: ${message(e)}`);
    }
  }

  /** The `status` reply: mode, last good connection, frames recorded and uploaded (§5.7 counters, since the last clean). */
  private smsStatus(): string {
    const o = this.o;
    const c = o.counters.value;
    const lastOk = c.modem.lastCnxOk > 0 ? new Date(c.modem.lastCnxOk * MS_PER_SECOND).toISOString().slice(0, 16) : 'never';
    return `mode ${o.config.mode}, last connection ok ${lastOk}, ${c.radio.recorded} frames recorded, ${c.modem.framesUploaded} uploaded`;
  }

  private async stage<T>(step: SessionStep, limitMs: number, work: () => Promise<T>, abort?: () => void): Promise<T> {
    if (this.aborted !== undefined) throw new Error(`aborted: ${this.aborted}`);
    this.current = step;
    return withDeadline(this.o.clock, limitMs, step, work(), abort);
  }

  /** §4.2.3.3: the first NTP server that answers sets the RTC; the drift feeds the `timeGap` alarm (§4.2.4). */
  private async synchroniseClock(config: Config): Promise<number> {
    const o = this.o;
    const network = this.network;
    if (network === undefined) return 0;
    for (const server of ntpEndpoints(config)) {
      try {
        const r = await this.stage('time', LIMIT.timeMs, () => querySntp(network, o.clock, server.host, server.port));
        o.clock.set(o.clock.now() + r.offsetMs);
        this.shiftMs += r.offsetMs;
        this.datePowerOn(r.offsetMs);
        o.events.record(EVENTS.clockSynchronised, (r.offsetMs / MS_PER_SECOND).toFixed(1));
        const gap = config.alarms.timeGap ?? 0;
        const driftSec = Math.round(r.driftMs / MS_PER_SECOND);
        const past = gap > 0 && Math.abs(r.driftMs) >= gap * MS_PER_SECOND;
        const change = o.alarms !== undefined ? o.alarms.update('ntp', r.driftMs / MS_PER_SECOND, gap) : past ? 'raised' : 'none';
        if (change !== 'none') {
          // docs/alarms.md: one file when the drift alarm becomes active, one cleared report at the first sync under timeGap.
          const cleared = change === 'cleared';
          const added = o.outbox.addAlarm(cleared ? { type: 'ntp', value: driftSec, cleared } : { type: 'ntp', value: driftSec }, 'alarm');
          o.events.record(cleared ? EVENTS.alarmCleared : EVENTS.alarmRaised, `ntp ${driftSec}`);
          if (!added.ok) this.trace(`alarm file: ${added.error}`);
        }
        return r.offsetMs;
      } catch (e) {
        if (this.aborted !== undefined) throw e;
        this.trace(`ntp ${server.host}:${server.port}: ${message(e)}`);
      }
    }
    return 0;
  }

  /**
   * A power-on stamped before the clock was ever set (the RTC restarts near 1970 with a new pack)
   * gets the first correction too, so the battery estimate knows how long the pack has been in.
   */
  private datePowerOn(offsetMs: number): void {
    const c = this.o.counters.value;
    if (c.lastPowerOn <= 0 || c.lastPowerOn >= EARLIEST_CLOCK_SEC) return;
    c.lastPowerOn += Math.round(offsetMs / MS_PER_SECOND);
    this.o.counters.save();
  }

  /** Files this session adds: supervision, log and data per the trigger's bits, the configuration copy when it changed. */
  private prepare(config: Config): void {
    const source = this.request.source;
    // Over MQTT in the lansen and json formats each frame is its own message: no data file.
    const framesAsMessages = config.remote.transport !== 'ftp' && config.remote.mqtt.format !== 'bson';
    // Supervision and log first: a backlog of data files never takes their room (data that does
    // not fit waits in the frame store, docs/upload-session.md).
    if ((this.request.bits & FTP_UPLOAD_SUPERVISION) !== 0) this.noteFailure(this.queueSupervision(source));
    if ((this.request.bits & FTP_UPLOAD_LOG) !== 0) this.noteFailure(this.queueLog(source));
    this.queueConfigCopy();
    this.drainData = (this.request.bits & FTP_UPLOAD_DATA) !== 0 && !framesAsMessages;
    this.refillData();
  }

  /**
   * Data files for the stored records not in one yet, as many as the FileStore takes; true when it
   * made any. Called again after each upload pass, once the delivered files are deleted, so a
   * backlog larger than the file partition goes in one session, oldest first.
   */
  private refillData(): boolean {
    const o = this.o;
    if (!this.drainData || this.aborted !== undefined) return false;
    const r = o.outbox.prepareData(o.frames, o.maxDataFileBytes ?? DEFAULT_MAX_DATA_FILE_BYTES, this.request.source);
    if (r.error !== undefined) this.trace(`data files: ${r.error}`);
    return r.files > 0;
  }

  /** §5.1: a changed configuration goes to /CONFIG; queued in the outbox it is as good as sent. */
  private queueConfigCopy(): void {
    const o = this.o;
    if (!o.config.copyPending) return;
    const added = o.outbox.addConfig(o.config.document(), this.request.source);
    if (added.ok) o.config.copyUploaded();
    else this.trace(`config copy: ${added.error}`);
  }

  private queueSupervision(source: SessionRequest['source']): AddResult {
    return this.o.outbox.add('supervision', source, (h) => this.o.reports.supervision(h));
  }

  private queueLog(source: SessionRequest['source']): AddResult {
    return this.o.outbox.add('log', source, (h) => this.o.reports.log(h));
  }

  private noteFailure(result: AddResult): void {
    if (!result.ok) this.trace(result.error);
  }

  /** Connect, status, files and frames, ready, listen window; one more connection after a link failure. */
  private async mqttPhase(config: Config): Promise<void> {
    const o = this.o;
    const published = o.published ?? {
      get: () => this.publishedInRam,
      set: (serial: number) => {
        this.publishedInRam = serial;
      },
    };
    for (let attempt = 1; ; attempt++) {
      const phase = new MqttPhase({
        clock: o.clock,
        uid: o.uid,
        config,
        network: this.network as CountingNetwork,
        outbox: o.outbox,
        frames: o.frames,
        counters: o.counters,
        events: o.events,
        runner: this.runner,
        payloads: (routes) => mqttPayloads(routes, o.uid, o.clock, o.status, () => o.modem.info()),
        tls: (host) => tlsOptionsFor(host, o.certificates, config.security.tlsVerify, o.events),
        published,
        carryFiles: config.remote.transport === 'mqtt',
        decode: (bytes, encrypted) => this.decode(bytes, encrypted),
        stage: (step, limitMs, work, abort) => this.stage(step, limitMs, work, abort),
        afterCommands: () => this.queueConfigCopy(),
        refill: () => this.refillData(),
        trace: (line) => this.trace(line),
      });
      this.mqtt = phase;
      try {
        await phase.run(attempt);
        return;
      } catch (e) {
        if (attempt >= MQTT_ATTEMPTS || !worthReconnecting(e) || this.aborted !== undefined) throw e;
        this.trace(`mqtt attempt ${attempt} failed in ${this.current}: ${message(e)}; reconnecting`);
      } finally {
        const c = phase.counts;
        this.mqtt = undefined;
        this.filesUploaded += c.files;
        this.framesUploaded += c.frames;
        this.framesResent += c.resent;
        this.inboxFiles += c.messages;
        if (c.restart) this.restart = true;
      }
    }
  }

  /** Connect, tree, upload, INBOX passes, upload again; one more connection after a link failure. */
  private async ftpPhase(config: Config): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const ftp = this.client(config);
      this.ftp = ftp;
      this.ftpAttempts = attempt;
      try {
        await this.stage('connect', LIMIT.connectMs, () => ftp.connect(), () => ftp.close());
        await this.ensureTree(ftp, config, false);
        await this.uploadOutbox(ftp, config);
        while (!this.restart && this.inboxPasses < MAX_INBOX_PASSES && (this.inboxPasses === 0 || this.anotherPass)) {
          this.anotherPass = false;
          await this.inboxPass(ftp, config);
          this.inboxPasses++;
          this.queueConfigCopy();
          await this.uploadOutbox(ftp, config);
        }
        return;
      } catch (e) {
        ftp.close();
        if (attempt >= FTP_ATTEMPTS || !worthReconnecting(e) || this.aborted !== undefined) throw e;
        this.trace(`ftp attempt ${attempt} failed in ${this.current}: ${message(e)}; reconnecting`);
      }
    }
  }

  private client(config: Config): FtpClient {
    const ftp = config.remote.ftp;
    const implicitTls = ftp.mode === FTP_MODE_IMPLICIT_TLS;
    // §4.2.3.2 gives 21 as the default port; implicit FTPS listens on 990 unless the address says otherwise.
    const endpoint = splitHostPort(ftp.addr ?? '', implicitTls ? FTPS_IMPLICIT_PORT : DEFAULT_FTP_PORT);
    if (endpoint === undefined) throw new ConfigurationMissing('no FTP server configured (remote.ftp.addr)');
    const tls: TlsOptions | undefined = implicitTls ? tlsOptionsFor(endpoint.host, this.o.certificates, config.security.tlsVerify, this.o.events) : undefined;
    return new FtpClient(this.network as CountingNetwork, this.o.clock, {
      host: endpoint.host,
      port: endpoint.port,
      user: ftp.user ?? '',
      pass: ftp.pass ?? '',
      mode: ftp.mode,
      ...(tls !== undefined ? { tls } : {}),
      maxRetrieveBytes: MAX_INBOX_FILE_BYTES,
    });
  }

  /** §5.1.1.2: made once per server, account and root (remembered), and again when an upload finds it gone. */
  private async ensureTree(ftp: FtpClient, config: Config, force: boolean): Promise<void> {
    const ftpConfig = config.remote.ftp;
    const key = `${ftpConfig.addr ?? ''}|${ftpConfig.user ?? ''}|${ftpConfig.dir ?? ''}`;
    if (!force && this.o.tree.get() === key) return;
    const root = serverRoot(ftpConfig.dir);
    const paths = [...SERVER_DIRECTORIES, `/INBOX/${this.o.uid}`].map((d) => root + d);
    await this.stage('tree', LIMIT.treeMs, () => ftp.ensureTree(paths), () => ftp.close());
    this.o.tree.set(key);
  }

  /** Every outbox file, in order, then the data files the room they freed lets the store fill, until the backlog is gone. */
  private async uploadOutbox(ftp: FtpClient, config: Config): Promise<void> {
    do await this.uploadListed(ftp, config);
    while (this.refillData());
  }

  /** The outbox files as listed now; each is renamed into place before its local copy goes. */
  private async uploadListed(ftp: FtpClient, config: Config): Promise<void> {
    const o = this.o;
    const root = serverRoot(config.remote.ftp.dir);
    for (const file of o.outbox.list()) {
      // Refused once, refused again: the drain's next passes do not send it over and over.
      if (this.refused.has(file.id)) continue;
      const bytes = o.outbox.read(file);
      if (bytes === undefined) continue;
      try {
        await this.stage('upload', fileLimitMs(bytes.length), () => this.put(ftp, root + file.directory, file.name, bytes), () => ftp.close());
      } catch (e) {
        if (isReply(e, CODE_MISSING_PATH) && !this.retreed) {
          this.retreed = true;
          await this.ensureTree(ftp, config, true);
          await this.stage('upload', fileLimitMs(bytes.length), () => this.put(ftp, root + file.directory, file.name, bytes), () => ftp.close());
        } else if (isReply(e)) {
          // The server refuses this one file (quota, rights): it stays queued for the next session, the others go.
          this.trace(`upload ${file.name}: ${message(e)}`);
          this.refused.add(file.id);
          continue;
        } else {
          throw e;
        }
      }
      this.delivered(file);
    }
  }

  private delivered(file: OutboxFile): void {
    this.o.outbox.delivered(file, this.o.frames);
    // §5.7 counters.alarms: alarm files sent (docs/alarms.md).
    if (file.kind === 'alarm') this.o.counters.value.wake.alarms++;
    this.filesUploaded++;
    if (file.range !== undefined) this.framesUploaded += file.range.to - file.range.from;
  }

  /**
   * §5.1.1.3: STOR `NAME.tmp`, then RNFR/RNTO to NAME. A server that refuses to rename over an
   * existing NAME (left by an attempt whose rename reply was lost) gets it deleted first: the
   * content is the same file.
   */
  private async put(ftp: FtpClient, directory: string, name: string, bytes: Uint8Array): Promise<void> {
    const final = `${directory}/${name}`;
    const temporary = final + UPLOAD_SUFFIX;
    await ftp.store(temporary, bytes);
    // §5.1.1.3 renames a complete file only: a server that acknowledged a STOR whose data
    // connection was cut short holds a truncated `.tmp`, which must not become NAME.
    const size = await ftp.raw('SIZE ' + temporary);
    if (size.code === CODE_FILE_STATUS && Number(size.text.trim()) !== bytes.length) {
      throw new UploadIncomplete(`${temporary}: server has ${size.text.trim()} of ${bytes.length} bytes`);
    }
    try {
      await ftp.rename(temporary, final);
    } catch (e) {
      if (!isReply(e)) throw e;
      try {
        await ftp.delete(final);
      } catch (d) {
        if (!isReply(d)) throw d;
      }
      await ftp.rename(temporary, final);
    }
  }

  /**
   * §5.2/§5.6: every file of `/INBOX/<uid>` meant for this hub is fetched, kept locally, deleted
   * on the server, then run in §5.6 order; the ACKs go to the outbox. Files for other hubs or of
   * unknown names are left alone. A file kept locally survives a power cut and runs next time.
   * A misnamed file of this hub (`isMisnamedInbox`) is acknowledged ko with the expected names,
   * then deleted like any processed inbox file. One over MAX_INBOX_FILE_BYTES is acknowledged ko
   * with its size and stays on the server (see `refuseOversized`).
   */
  private async inboxPass(ftp: FtpClient, config: Config): Promise<void> {
    const o = this.o;
    const inbox = `${serverRoot(config.remote.ftp.dir)}/INBOX/${o.uid}`;
    const listed = (await this.stage('inbox', LIMIT.listMs, () => ftp.list(inbox), () => ftp.close())).map(basename);
    this.runner.beginSession('ftp');
    const oversized = this.oversizedStillListed(listed);
    const inMemory = new Map<string, Uint8Array>();
    const tooLarge = new Map<string, number>();
    for (const name of listed) {
      const path = `${inbox}/${name}`;
      if (isMisnamedInbox(name, o.uid)) {
        await this.refuseMisnamed(ftp, path, name);
        continue;
      }
      if (parseInboxName(name, o.uid) === undefined) continue;
      const fetched = await this.fetch(ftp, path, MAX_INBOX_FILE_BYTES);
      // Gone since the listing (another client took it): nothing to run.
      if (fetched === undefined) continue;
      if ('oversized' in fetched) {
        if (oversized.get(name) === fetched.oversized) this.trace(`${path}: ${fetched.oversized} bytes, refused at an earlier session`);
        else tooLarge.set(name, fetched.oversized);
        continue;
      }
      // Replaced by a file the box can read: the refusal is history.
      if (oversized.delete(name)) this.rememberOversized(oversized);
      let staged = true;
      try {
        o.files.write(INBOX_STAGING_PREFIX + name, fetched.bytes);
      } catch {
        staged = false;
      }
      await this.stage('inbox', LIMIT.listMs, () => ftp.delete(path), () => ftp.close());
      if (!staged) inMemory.set(name, fetched.bytes);
    }
    const names = o.files.list(INBOX_STAGING_PREFIX).map((id) => id.slice(INBOX_STAGING_PREFIX.length));
    for (const name of inMemory.keys()) if (names.indexOf(name) < 0) names.push(name);
    for (const name of tooLarge.keys()) if (names.indexOf(name) < 0) names.push(name);
    if (names.length === 0) return;
    this.current = 'inbox';
    for (const entry of orderInbox(names, o.uid)) {
      const size = tooLarge.get(entry.name);
      if (size !== undefined) {
        this.refuseOversized(entry, size, oversized);
        continue;
      }
      const bytes = inMemory.get(entry.name) ?? o.files.read(INBOX_STAGING_PREFIX + entry.name) ?? new Uint8Array(0);
      this.queueAcks(await this.runner.processInboxFile(entry.name, bytes));
      o.files.delete(INBOX_STAGING_PREFIX + entry.name);
      this.inboxFiles++;
    }
    if (this.runner.restartRequested) this.restart = true;
  }

  private queueAcks(outcome: InboxOutcome): void {
    for (const ack of outcome.acks) this.noteFailure(this.o.outbox.addAck(ack.ack, 'ftp'));
  }

  /** Its ko ACK is queued first: a cut before the DELE leaves the file, which is refused again (not lost unanswered). */
  private async refuseMisnamed(ftp: FtpClient, path: string, name: string): Promise<void> {
    this.queueAcks(this.runner.refuseMisnamed(name));
    this.inboxFiles++;
    try {
      await this.stage('inbox', LIMIT.listMs, () => ftp.delete(path), () => ftp.close());
    } catch (e) {
      // A server that will not let it go (rights): the ACK is out; it is refused again next time.
      if (!isReply(e)) throw e;
      this.trace(`${path}: ${message(e)}`);
    }
  }

  /**
   * The INBOX files refused for their size at an earlier session that are still on the server; the
   * others are forgotten, so a file of the same name and size put there again is refused again.
   */
  private oversizedStillListed(listed: readonly string[]): Map<string, number> {
    const known = readOversized(this.o.files);
    let changed = false;
    for (const name of [...known.keys()]) {
      if (listed.indexOf(name) < 0) {
        known.delete(name);
        changed = true;
      }
    }
    if (changed) this.rememberOversized(known);
    return known;
  }

  /**
   * A file over MAX_INBOX_FILE_BYTES (SIZE said so; nothing was downloaded) is acknowledged ko with
   * its size and the limit, and left on the server: deleting it would destroy the operator's only
   * copy of a file the box never read, while left there it shows, next to its ACK, what to fix.
   * So that it is not refused again at every session, its name and size are remembered on the
   * FileStore (a few bytes a file, forgotten once it leaves the INBOX); a replacement of another
   * size is read afresh. The ACK is queued before the memory is written: a cut between the two
   * repeats the ACK instead of losing it.
   */
  private refuseOversized(entry: InboxName, size: number, known: Map<string, number>): void {
    this.queueAcks(this.runner.refuseFile(entry, oversizedReason(size, MAX_INBOX_FILE_BYTES)));
    this.inboxFiles++;
    known.set(entry.name, size);
    this.rememberOversized(known);
  }

  private rememberOversized(known: ReadonlyMap<string, number>): void {
    try {
      writeOversized(this.o.files, known);
    } catch (e) {
      // A full store: the file is refused (and acknowledged) again next session, nothing worse.
      this.trace(`${INBOX_OVERSIZED_FILE}: ${message(e)}`);
    }
  }

  /**
   * SIZE of `path`, asked before a RETR: a missing file costs no data connection, and an oversized
   * one is refused without downloading it. Undefined when the server says the file is not there,
   * NaN when it does not say (SIZE not implemented).
   */
  private async announcedSize(ftp: FtpClient, path: string): Promise<number | undefined> {
    const size = await this.stage('inbox', LIMIT.listMs, () => ftp.raw('SIZE ' + path), () => ftp.close());
    if (replyClass(size.code) === PERMANENT_NEGATIVE && CODE_NOT_IMPLEMENTED.indexOf(size.code) < 0) return undefined;
    return size.code === CODE_FILE_STATUS ? Number(size.text.trim()) : NaN;
  }

  /**
   * RETR of one file of at most `maxBytes` (MAX_INBOX_FILE_BYTES or less: it is held whole);
   * undefined when the server says it is not there, its announced size when that is over `maxBytes`
   * (nothing is downloaded).
   */
  private async fetch(ftp: FtpClient, path: string, maxBytes: number): Promise<Fetched> {
    const announced = await this.announcedSize(ftp, path);
    if (announced === undefined) return undefined;
    if (announced > maxBytes) {
      this.trace(`${path}: ${oversizedReason(announced, maxBytes)}`);
      return { oversized: announced };
    }
    const limit = fileLimitMs(Number.isFinite(announced) ? announced : maxBytes);
    return { bytes: await this.stage('inbox', limit, () => ftp.retrieve(path), () => ftp.close()) };
  }

  /** `/BIN/<name>` on the connected server (§5.6.3, §5.6.12, §6.2). */
  private binPath(name: string): { ftp: FtpClient; path: string } {
    const ftp = this.ftp;
    if (ftp === undefined || !ftp.connected) throw new Error('not connected');
    if (name === '' || /[/\\]/.test(name)) throw new Error(`"${name}" is not a plain file name`);
    return { ftp, path: `${serverRoot(this.o.config.current.remote.ftp.dir)}/BIN/${name}` };
  }

  /** `/BIN/<name>` whole, for the certificate command (a certificate is a few KB). */
  private async fetchBin(name: string, maxBytes: number): Promise<Uint8Array> {
    const { ftp, path } = this.binPath(name);
    const max = Math.min(maxBytes, MAX_INBOX_FILE_BYTES);
    const fetched = await this.fetch(ftp, path, max);
    if (fetched === undefined) throw new Error(`${path}: not on the server`);
    if ('oversized' in fetched) throw new Error(`${path}: ${oversizedReason(fetched.oversized, max)}`);
    if (fetched.bytes.length === 0) throw new Error(`${path}: empty`);
    return fetched.bytes;
  }

  /**
   * `/BIN/<name>` handed to `reader` chunk by chunk as the data connection delivers it, for the
   * firmware command: nothing here holds more than the chunk in hand. The transfer runs under the
   * time limit of its announced size (or of `maxBytes` when SIZE says nothing).
   */
  private async streamBin(name: string, maxBytes: number, reader: BinReader): Promise<void> {
    const { ftp, path } = this.binPath(name);
    const announced = await this.announcedSize(ftp, path);
    if (announced === undefined) throw new Error(`${path}: not on the server`);
    if (announced > maxBytes) throw new Error(`${path}: ${announced} bytes, more than ${maxBytes}`);
    const known = Number.isFinite(announced) ? announced : undefined;
    if (!reader.open(known)) return;
    let total = 0;
    await this.stage(
      'inbox',
      fileLimitMs(known ?? maxBytes),
      () =>
        ftp.retrieve(path, (chunk) => {
          total += chunk.length;
          if (total <= maxBytes) reader.data(chunk);
        }),
      () => ftp.close(),
    );
    if (total > maxBytes) throw new Error(`${path}: more than ${maxBytes} bytes`);
  }

  private decode(bytes: Uint8Array, encrypted: boolean): DecodedFile {
    const security = this.o.config.current.security;
    return decodeFile(bytes, { encrypted, key: security.key ?? undefined, crcMode: security.crcMode, cipher: this.o.cipher });
  }

  /** QUIT, PDP context down, power off; each bounded, none can fail the session any more. */
  private async leave(): Promise<void> {
    const o = this.o;
    const ftp = this.ftp;
    if (ftp !== undefined && ftp.connected && this.aborted === undefined) {
      this.current = 'quit';
      try {
        await withDeadline(o.clock, LIMIT.quitMs, 'quit', ftp.quit(), () => ftp.close());
      } catch (e) {
        this.trace(`quit: ${message(e)}`);
      }
    }
    ftp?.close();
    if (this.aborted === undefined && this.network !== undefined) {
      try {
        await withDeadline(o.clock, LIMIT.detachMs, 'detach', o.modem.deactivate());
      } catch (e) {
        this.trace(`detach: ${message(e)}`);
      }
      // §4.2.3.1 deregisterOnLocalAction: a session the magnet started leaves the network (AT+COPS=2).
      if (this.request.source === 'magnet' && o.config.current.remote.modem.deregisterOnLocalAction) {
        try {
          await withDeadline(o.clock, LIMIT.detachMs, 'deregister', o.modem.deregister());
        } catch (e) {
          this.trace(`deregister: ${message(e)}`);
        }
      }
    }
    try {
      await withDeadline(o.clock, LIMIT.powerOffMs, 'power-off', o.modem.powerOff());
    } catch (e) {
      this.trace(`power off: ${message(e)}`);
    }
  }

  /**
   * §5.6.10 supervisionClean ran in this session: the counters restart from here, so `finish` adds
   * only what follows. The running session, started before and ending after, is the first of the
   * new count, so sessionsOk + sessionsFailed never exceeds sessions.
   */
  private countersCleaned(): void {
    const bytes = this.network?.count ?? { sent: 0, received: 0 };
    const inPhase = this.mqtt?.counts;
    this.sinceClean = {
      atMs: this.o.clock.now(),
      files: this.filesUploaded + (inPhase?.files ?? 0),
      frames: this.framesUploaded + (inPhase?.frames ?? 0),
      sent: bytes.sent,
      received: bytes.received,
    };
    this.o.counters.value.modem.sessions = 1;
    this.o.counters.save();
  }

  private finish(failure: { step: SessionStep; error: unknown } | undefined, modemOnMs: number): SessionResult {
    const o = this.o;
    const c = o.counters.value;
    const nowSec = Math.floor(o.clock.now() / MS_PER_SECOND);
    const bytes = this.network?.count ?? { sent: 0, received: 0 };
    const since = this.sinceClean ?? { atMs: o.clock.now() - modemOnMs, files: 0, frames: 0, sent: 0, received: 0 };
    const onSeconds = Math.round(Math.min(modemOnMs, o.clock.now() - since.atMs) / MS_PER_SECOND);
    c.modem.onSeconds += onSeconds;
    c.uptime.modem += onSeconds;
    c.modem.bytesSent += bytes.sent - since.sent;
    c.modem.bytesReceived += bytes.received - since.received;
    c.modem.filesUploaded += this.filesUploaded - since.files;
    c.modem.framesUploaded += this.framesUploaded - since.frames;
    let retry: RetryAdvice = 'none';
    if (failure === undefined) {
      c.modem.sessionsOk++;
      c.modem.lastCnxOk = nowSec;
      const resent = this.framesResent > 0 ? `, ${this.framesResent} resent` : '';
      o.events.record(EVENTS.ftpSessionOk, `${this.filesUploaded} files, ${this.framesUploaded} frames, ${this.inboxFiles} inbox${resent}`);
    } else {
      c.modem.sessionsFailed++;
      c.modem.lastCnxKo = nowSec;
      retry = this.aborted !== undefined ? 'backoff' : adviceFor(failure.error);
      o.events.record(EVENTS.ftpSessionFailed, `${failure.step}: ${message(failure.error)}`);
    }
    o.counters.save();
    const info = this.powered ? o.modem.info() : undefined;
    return {
      ok: failure === undefined,
      ...(failure !== undefined ? { failedStep: failure.step, error: message(failure.error) } : {}),
      retry,
      filesUploaded: this.filesUploaded,
      framesUploaded: this.framesUploaded,
      inboxFiles: this.inboxFiles,
      framesResent: this.framesResent,
      bytesSent: bytes.sent,
      bytesReceived: bytes.received,
      modemOnMs,
      ftpAttempts: this.ftpAttempts,
      clockCorrectionMs: this.shiftMs,
      restart: this.restart,
      ...(info !== undefined ? { modem: info } : {}),
    };
  }

  private trace(line: string): void {
    this.o.log?.(`modem: ${line}`);
  }
}
