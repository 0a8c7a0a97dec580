import type { Board } from '../board';
import type { BsonDocument } from '../../protocol/bson/types';
import { FTP_UPLOAD_DATA, FTP_UPLOAD_SUPERVISION, type Config } from '../../protocol/config/types';
import { TriggerSchedule, type NextTrigger } from '../../protocol/cron/schedule';
import type { Alarm } from '../../protocol/files/alarm';
import type { FileHeader, FileSource } from '../../protocol/files/header';
import { buildSupervisionDocument } from '../../protocol/files/supervision';
import { AlarmLatches } from '../alarms';
import type { ConfigStore } from '../config-store';
import type { Counters } from '../counters';
import { EVENTS, type EventRecorder } from '../log/events';
import { Outbox, type FrameSource } from '../outbox';
import { KEY } from '../settings-keys';
import type { Task, TaskHost } from '../types';
import { FAILURE_BUDGET_AFTER, FAILURE_BUDGET_MS_PER_DAY, backoffMs, budgetAllows, budgetCredit, budgetSpend, budgetWaitMs, endsFailureBudget, failedSessionMs, sessionLimitMs } from './policy';
import type { DeviceStatus } from './mqtt-payloads';
import { UploadSession } from './session';
import { buildSupervision, summarizeModem, type ModemSummary } from './supervision';
import type { AppEffects, CertificateKeeper, FirmwareInstaller, SessionModem, SessionRequest, SessionResult, WhitelistKeeper } from './types';

const MS_PER_MINUTE = 60_000;
const MS_PER_SECOND = 1000;
const MS_PER_DAY = 86_400_000;
/** Below the radio (0) and the local dialogue (10): a listening window always goes first (§4.2.5.1). */
export const MODEM_PRIORITY = 20;
/** While a session runs the task still steps this often: it feeds the scheduler's watchdog and enforces the session limit. */
export const SESSION_POLL_MS = 30_000;
/** What commands, magnet actions and diagnoses upload (§5.6.1: data, configuration, supervision). */
export const REQUEST_BITS = FTP_UPLOAD_DATA | FTP_UPLOAD_SUPERVISION;

/** The application's part of the modem task. */
export interface ModemHooks extends AppEffects {
  /** §3.1.2.3: the schedules stop while a temperature alarm is active. */
  held(): boolean;
  /** A command asked for a restart (factory reset, new firmware); called once the modem is off. */
  restart(): void;
  /** A session ended (trace, tests, simulator progress). */
  onSessionEnd?(result: SessionResult): void;
}

/** The event log as the task uses it (tasks/log/event-log.ts EventLog fits). */
export interface LogBook extends EventRecorder {
  logGet(header: FileHeader): BsonDocument;
  logClean(): void;
}

export interface ModemTaskOptions {
  readonly board: Board;
  readonly host: TaskHost;
  readonly config: ConfigStore;
  readonly counters: Counters;
  /** The frame store (tasks/store/frame-store.ts FrameStore). */
  readonly frames: FrameSource;
  readonly log: LogBook;
  /** The modem driver (drivers/modem/bg95.ts Bg95Modem on board.modem). */
  readonly modem: SessionModem;
  readonly hooks: ModemHooks;
  readonly whitelist?: WhitelistKeeper;
  readonly certificates?: CertificateKeeper;
  /** FirmwareUpdater: installs images, and its trial image is confirmed by a successful session. */
  readonly firmware?: FirmwareInstaller & { confirm?(): boolean };
  /** Shared with the application (alarm files, factory reset); built on board.files when absent. */
  readonly outbox?: Outbox;
  /** `version.sw` / `version.swBle` of the supervision file. */
  readonly versions?: { readonly sw: string; readonly swBle: string };
  readonly maxDataFileBytes?: number;
  /** Uniform in [0, 1): the §4.2.3.1 `randomDelay` spread. */
  readonly random?: () => number;
}

interface PendingRequest {
  source: FileSource;
  bits: number;
  /** Earliest start (UTC ms): a scheduled session waits its `randomDelay`. */
  at: number;
  /** A person at the box asked for it (magnet, USB, BLE): the failure budget does not hold it back. */
  person?: boolean;
  /** The session must be over by then (UTC ms): a magnet action's `local.timeout` (§4.2.1.1). */
  until?: number;
}

/** The failure budget in force (docs/upload-session.md, "Retry policy"). */
interface FailureBudget {
  /** When it was entered (UTC ms). */
  since: number;
  /** Sessions it held back since then. */
  skipped: number;
  /** UTC day number of the last "held back" event: one a day, not one per trigger. */
  loggedDay: number;
  /** Modem-on time it allows now, as of `creditAt` (policy.ts budgetCredit). */
  creditMs: number;
  creditAt: number;
}

/** What the failure budget reports (supervision, tests, simulator). */
export interface FailureBudgetStatus {
  readonly since: number;
  readonly skipped: number;
  /** Modem-on time it allows now; a session starts once this covers `sessionMs`. */
  readonly creditMs: number;
  /** The longest a failed session is on (policy.ts failedSessionMs). */
  readonly sessionMs: number;
  /** Modem-on time a day it allows on average (FAILURE_BUDGET_MS_PER_DAY). */
  readonly msPerDay: number;
  /** When the credit next covers a session (UTC ms): the earliest a trigger or retry may start one. */
  readonly nextSessionAt: number;
}

interface Persisted {
  /** Start of the last trigger minute handled (UTC ms). */
  last: number;
  /** Failed sessions in a row. */
  failures: number;
  /** Back-off retry time, or null. */
  retryAt: number | null;
  pending: PendingRequest | null;
  /** Start of the last session an alarm asked for (§4.2.4 `oneAlarmPerDay`). */
  lastAlarmSession: number | null;
  /** Server for which the §5.1.1.2 tree is known to exist. */
  tree: string;
  /** Start of a session in progress: still set at boot means the MCU was reset during it. */
  inSession: number | null;
  modem: ModemSummary | null;
  /** Serial past the newest frame ever published over MQTT: a frame below it goes again as a resend. */
  published: number;
  /** Set after FAILURE_BUDGET_AFTER failed sessions in a row, until a session succeeds or a person acts. */
  budget: FailureBudget | null;
}

function isPending(v: unknown): v is PendingRequest {
  const p = v as PendingRequest;
  return (
    typeof v === 'object' && v !== null && typeof p.source === 'string' && typeof p.bits === 'number' && typeof p.at === 'number' &&
    (p.person === undefined || typeof p.person === 'boolean') && (p.until === undefined || typeof p.until === 'number')
  );
}

function isBudget(v: unknown): v is FailureBudget {
  const b = v as FailureBudget;
  return (
    typeof v === 'object' && v !== null && typeof b.since === 'number' && typeof b.skipped === 'number' && typeof b.loggedDay === 'number' &&
    typeof b.creditMs === 'number' && typeof b.creditAt === 'number'
  );
}

function dayOf(ms: number): number {
  return Math.floor(ms / MS_PER_DAY);
}

/** Days to one decimal, for the budget's log lines. */
function days(n: number): string {
  return (Math.round(n * 10) / 10).toString();
}

/**
 * The modem task (primary spec §3.1.2.2): sessions with the information system on the
 * `scheduleFTP` triggers (§4.2.5.1.2: at most 8, the first in file order wins a shared minute, `data`
 * bits choose the files), on request (command, magnet, diagnosis) and on alarms. A session takes
 * the exclusive RF slot, so it never overlaps a listening window; the radio, being first in
 * priority, wins a minute both schedules share. Failed sessions are retried with exponential
 * back-off; after FAILURE_BUDGET_AFTER failures in a row the failure budget holds the modem to
 * FAILURE_BUDGET_MS_PER_DAY a day on average until a session succeeds or a person acts at the box
 * (docs/upload-session.md). Everything needed after a deep sleep is in the settings.
 */
export class ModemTask implements Task {
  readonly name = 'modem';
  readonly priority = MODEM_PRIORITY;
  readonly outbox: Outbox;
  private readonly state: Persisted;
  private session: UploadSession | undefined;
  private sessionStart = 0;
  private sessionLimit = Infinity;
  private pollAt = Infinity;
  private waitingForSlot = false;
  private readonly schedule = new TriggerSchedule();
  private lastResult: SessionResult | undefined;
  /** The configuration object this boot last saw: ConfigStore replaces it on every change. */
  private configSeen: Config;

  constructor(private readonly o: ModemTaskOptions) {
    const board = o.board;
    this.outbox =
      o.outbox ??
      new Outbox(board.files, {
        uid: board.identity.uid,
        clock: board.clock,
        security: () => o.config.current.security,
        settings: board.settings,
        cipher: board.blockCipher,
        frames: o.frames,
        // Never only a console line: the event goes into the next log file, the count into supervision.
        onDropped: (error) => {
          o.counters.value.modem.filesDropped++;
          o.counters.save();
          o.log.record(EVENTS.fileDropped, error);
          board.console.log(`outbox: ${error}`);
        },
      });
    this.configSeen = o.config.current;
    this.state = this.load();
    if (this.state.inSession !== null) this.recoverFromReset();
  }

  /** A session is running. */
  get active(): boolean {
    return this.session !== undefined;
  }

  /** The last session's outcome (this boot). */
  get last(): SessionResult | undefined {
    return this.lastResult;
  }

  /** Failed sessions in a row and when the next retry is due (supervision, tests). */
  get backoff(): { failures: number; retryAt: number | null } {
    return { failures: this.state.failures, retryAt: this.state.retryAt };
  }

  /** The failure budget while it holds the modem back, or null. */
  get failureBudget(): FailureBudgetStatus | null {
    const b = this.state.budget;
    if (b === null) return null;
    const now = this.o.board.clock.now();
    const modem = this.o.config.current.remote.modem;
    const creditMs = this.credit(now);
    return {
      since: b.since,
      skipped: b.skipped,
      creditMs,
      sessionMs: failedSessionMs(modem),
      msPerDay: FAILURE_BUDGET_MS_PER_DAY,
      nextSessionAt: now + budgetWaitMs(modem, creditMs),
    };
  }

  /** What the last connection reported (supervision `modem` section). */
  get modemSummary(): ModemSummary | undefined {
    return this.state.modem ?? undefined;
  }

  nextWake(): number {
    if (this.session !== undefined) return this.pollAt;
    if (this.waitingForSlot) return Infinity;
    const s = this.state;
    let at = this.nextTrigger().at;
    if (s.pending !== null) at = Math.min(at, s.pending.at);
    if (s.retryAt !== null) at = Math.min(at, s.retryAt);
    return at;
  }

  busy(): boolean {
    return this.session !== undefined || this.waitingForSlot;
  }

  step(now: number): void {
    if (this.session !== undefined) {
      if (now - this.sessionStart >= this.sessionLimit) this.session.abort('session time limit');
      this.pollAt = now + SESSION_POLL_MS;
      return;
    }
    this.noticeConfiguration();
    const s = this.state;
    const due = this.nextTrigger();
    if (due.at <= now) {
      s.last = Math.floor(now / MS_PER_MINUTE) * MS_PER_MINUTE;
      if (!this.o.hooks.held()) {
        this.o.counters.value.wake.ftp++;
        const delayMin = this.o.config.current.remote.modem.randomDelay;
        const delay = delayMin > 0 ? Math.floor((this.o.random ?? Math.random)() * delayMin * MS_PER_MINUTE) : 0;
        this.queue({ source: 'schedule', bits: this.triggerBits(due.index), at: now + delay });
      }
      this.save();
    }
    if (s.retryAt !== null && s.retryAt <= now) {
      s.retryAt = null;
      if (!this.o.hooks.held()) this.queue({ source: 'schedule', bits: FTP_UPLOAD_DATA, at: now });
      this.save();
    }
    if (s.pending !== null && s.pending.at <= now) this.start(now);
  }

  suspend(): void {
    this.noticeConfiguration();
    this.save();
  }

  /**
   * A session as soon as the slot is free (command, magnet action, diagnosis, alarm). Alarm
   * requests honour `oneAlarmPerDay` (§4.2.4): within a day of the last alarm session the alarm
   * file waits for the next session. A person at the box (magnet, USB, BLE) ends the failure
   * budget; any other source waits, like a trigger, until the budget's credit covers a session. Returns
   * whether a session was queued. `untilMs`: the session is aborted at that time (a magnet action's
   * `local.timeout`).
   */
  requestSession(source: FileSource, bits: number = REQUEST_BITS, untilMs?: number): boolean {
    const now = this.o.board.clock.now();
    const s = this.state;
    this.noticeConfiguration();
    if (source === 'alarm' && this.o.config.current.alarms.oneAlarmPerDay && s.lastAlarmSession !== null && now - s.lastAlarmSession < MS_PER_DAY) {
      return false;
    }
    const person = endsFailureBudget(source);
    if (person) this.leaveBudget(source);
    else if (s.budget !== null && !this.budgetAllowsNow(now)) {
      this.skip(now);
      this.save();
      return false;
    }
    const request: PendingRequest = { source, bits, at: now };
    if (person) request.person = true;
    if (untilMs !== undefined) request.until = untilMs;
    this.queue(request);
    this.save();
    this.o.host.wake(this);
    return true;
  }

  /**
   * §4.2.4/§5.4: queues the alarm file and asks for a session to carry it. Counting and logging
   * the alarm stay with the caller (the application's monitoring sink).
   */
  raiseAlarm(alarm: Alarm): boolean {
    const added = this.outbox.addAlarm(alarm, 'alarm');
    if (!added.ok) this.o.board.console.log(`modem: alarm file: ${added.error}`);
    return this.requestSession('alarm', FTP_UPLOAD_DATA);
  }

  private queue(request: PendingRequest): void {
    const p = this.state.pending;
    if (p === null) this.state.pending = { ...request };
    else {
      const merged: PendingRequest = { source: p.source, bits: p.bits | request.bits, at: Math.min(p.at, request.at) };
      if (p.person === true || request.person === true) merged.person = true;
      const until = Math.min(p.until ?? Infinity, request.until ?? Infinity);
      if (Number.isFinite(until)) merged.until = until;
      this.state.pending = merged;
    }
  }

  /** The failure budget lets a session start now only if its credit covers it even when it fails (a person's request always starts). */
  private budgetAllowsNow(now: number): boolean {
    return budgetAllows(this.o.config.current.remote.modem, this.credit(now));
  }

  /** The budget's credit now (0 when it is off). */
  private credit(now: number): number {
    const b = this.state.budget;
    return b === null ? 0 : budgetCredit(this.o.config.current.remote.modem, b.creditMs, now - b.creditAt);
  }

  /** Charges a session's modem-on time to the budget's credit, when the budget is on. */
  private countModemTime(ms: number): void {
    const b = this.state.budget;
    if (b === null) return;
    const now = this.o.board.clock.now();
    b.creditMs = budgetSpend(this.o.config.current.remote.modem, this.credit(now), ms);
    b.creditAt = now;
  }

  /** The budget starts with no credit: the failures that brought it on spent the first day's share. */
  private enterBudget(now: number): void {
    const s = this.state;
    s.budget = { since: now, skipped: 0, loggedDay: -1, creditMs: 0, creditAt: now };
    const modem = this.o.config.current.remote.modem;
    const text =
      `on after ${s.failures} failed sessions: ${Math.round(FAILURE_BUDGET_MS_PER_DAY / MS_PER_SECOND)} s of modem a day, ` +
      `one search of ${Math.round(failedSessionMs(modem) / MS_PER_SECOND)} s every ${days(failedSessionMs(modem) / FAILURE_BUDGET_MS_PER_DAY)} days (${modem.mode}, timeout ${modem.timeout} s)`;
    this.budgetEvent(text);
  }

  /** A session the budget cannot hold is skipped: counted, and logged at the first skip of the day. */
  private skip(now: number): void {
    const b = this.state.budget as FailureBudget;
    b.skipped++;
    const day = dayOf(now);
    if (b.loggedDay === day) return;
    b.loggedDay = day;
    const modem = this.o.config.current.remote.modem;
    const credit = this.credit(now);
    const text =
      `held back: ${Math.round(Math.max(0, credit) / MS_PER_SECOND)} of ${Math.round(failedSessionMs(modem) / MS_PER_SECOND)} s of credit, ` +
      `next search in ${days(budgetWaitMs(modem, credit) / MS_PER_DAY)} days (${b.skipped} sessions skipped since it began)`;
    this.budgetEvent(text);
  }

  /** A session succeeded or a person acted: normal scheduling again, and three more failures before the budget returns. */
  private leaveBudget(why: string): void {
    const s = this.state;
    const b = s.budget;
    if (b === null) return;
    s.budget = null;
    s.failures = 0;
    const days = Math.max(1, Math.ceil((this.o.board.clock.now() - b.since) / MS_PER_DAY));
    const text = `off (${why}) after ${days} day(s), ${b.skipped} sessions skipped`;
    this.budgetEvent(text);
  }

  /** A failure-budget change, in the log and on the console. */
  private budgetEvent(text: string): void {
    this.o.log.record(EVENTS.modemBudget, text);
    this.o.board.console.log(`modem: failure budget ${text}`);
  }

  /** A new configuration (USB, BLE, a factory reset, the magnet's STORAGE → RUN) ends the failure budget. */
  private noticeConfiguration(): void {
    const current = this.o.config.current;
    if (current === this.configSeen) return;
    this.configSeen = current;
    if (this.state.budget === null) return;
    this.leaveBudget('configuration');
    this.save();
  }

  private start(now: number): void {
    const s = this.state;
    if (s.budget !== null && (s.pending as PendingRequest).person !== true && !this.budgetAllowsNow(now)) {
      // A trigger, a back-off retry or an alarm the budget cannot hold: the outbox and the
      // frame store keep what it would have carried for the next session.
      s.pending = null;
      this.skip(now);
      this.save();
      return;
    }
    if (!this.o.host.acquire(this)) {
      this.waitingForSlot = true;
      return;
    }
    this.waitingForSlot = false;
    const request: SessionRequest = { source: (s.pending as PendingRequest).source, bits: (s.pending as PendingRequest).bits };
    const until = (s.pending as PendingRequest).until;
    s.pending = null;
    s.inSession = now;
    if (request.source === 'alarm') s.lastAlarmSession = now;
    this.save();
    const o = this.o;
    const session = new UploadSession(
      {
        clock: o.board.clock,
        uid: o.board.identity.uid,
        config: o.config,
        counters: o.counters,
        outbox: this.outbox,
        frames: o.frames,
        files: o.board.files,
        events: o.log,
        modem: o.modem,
        reports: {
          supervision: (h) => this.supervisionDocument(h),
          log: (h) => o.log.logGet(h),
        },
        logClean: () => o.log.logClean(),
        app: o.hooks,
        tree: {
          get: () => this.state.tree,
          set: (key) => {
            this.state.tree = key;
            this.save();
          },
        },
        log: (line) => o.board.console.log(line),
        published: {
          get: () => this.state.published,
          set: (serial) => {
            this.state.published = serial;
            this.save();
          },
        },
        status: () => this.status(),
        alarms: new AlarmLatches(o.board.settings),
        cipher: o.board.blockCipher,
        ...(o.whitelist !== undefined ? { whitelist: o.whitelist } : {}),
        ...(o.certificates !== undefined ? { certificates: o.certificates } : {}),
        ...(o.firmware !== undefined ? { firmware: o.firmware } : {}),
        ...(o.maxDataFileBytes !== undefined ? { maxDataFileBytes: o.maxDataFileBytes } : {}),
      },
      request,
    );
    this.session = session;
    this.sessionStart = now;
    this.sessionLimit = Math.min(sessionLimitMs(o.config.current.remote.modem), until === undefined ? Infinity : Math.max(0, until - now));
    this.pollAt = now + SESSION_POLL_MS;
    session.run().then(
      (result) => this.ended(result),
      (e: unknown) => this.ended(this.crashed(e)),
    );
  }

  private ended(result: SessionResult): void {
    const s = this.state;
    const now = this.o.board.clock.now();
    this.session = undefined;
    this.pollAt = Infinity;
    this.lastResult = result;
    s.inSession = null;
    this.countModemTime(result.modemOnMs);
    // Triggers that fell during the session are served by it: no second session right after.
    s.last = Math.max(s.last, Math.floor(now / MS_PER_MINUTE) * MS_PER_MINUTE);
    if (result.modem !== undefined) s.modem = summarizeModem(result.modem);
    if (result.ok) {
      this.leaveBudget('session ok');
      s.failures = 0;
      s.retryAt = null;
      // tasks/firmware/updater.ts: a completed server session is what confirms a trial image.
      this.o.firmware?.confirm?.();
    } else {
      s.failures++;
      s.retryAt = result.retry === 'backoff' ? now + backoffMs(s.failures) : null;
      if (s.budget === null && s.failures >= FAILURE_BUDGET_AFTER) this.enterBudget(now);
    }
    this.save();
    this.o.board.console.log(
      `modem: session ${result.ok ? 'ok' : `failed in ${result.failedStep}: ${result.error}`}, ${result.filesUploaded} files, ${result.framesUploaded} frames, modem on ${Math.round(result.modemOnMs / 1000)} s`,
    );
    this.o.host.release(this);
    this.o.hooks.onSessionEnd?.(result);
    if (result.restart) this.o.hooks.restart();
    else this.o.host.wake(this);
  }

  private crashed(e: unknown): SessionResult {
    return {
      ok: false,
      failedStep: this.session?.step ?? 'power',
      error: e instanceof Error ? e.message : String(e),
      retry: 'backoff',
      filesUploaded: 0,
      framesUploaded: 0,
      inboxFiles: 0,
      bytesSent: 0,
      bytesReceived: 0,
      modemOnMs: 0,
      ftpAttempts: 0,
      clockCorrectionMs: 0,
      restart: false,
    };
  }

  /** The MCU was reset during a session: the modem may still be on, and the session counts as failed. */
  private recoverFromReset(): void {
    const s = this.state;
    const now = this.o.board.clock.now();
    // The modem may have been on from the start until the reset, at most the session limit.
    this.countModemTime(Math.min(Math.max(0, now - (s.inSession as number)), sessionLimitMs(this.o.config.current.remote.modem)));
    s.inSession = null;
    s.failures++;
    s.retryAt = now + backoffMs(s.failures);
    if (s.budget === null && s.failures >= FAILURE_BUDGET_AFTER) this.enterBudget(now);
    this.save();
    this.o.modem.powerOff().catch(() => undefined);
  }

  /** The §5.7 supervision file, with the modem figures of the last session (USB `supervisionGet` too). */
  supervisionDocument(header: FileHeader): BsonDocument {
    return buildSupervisionDocument(header, this.supervision());
  }

  private supervision() {
    const o = this.o;
    return buildSupervision({
      identity: o.board.identity,
      config: o.config.current,
      counters: o.counters.value,
      modem: this.state.modem ?? undefined,
      reading: o.board.gauge.read(),
      capacityMah: o.board.gauge.capacityMah,
      sw: o.versions?.sw ?? '',
      swBle: o.versions?.swBle ?? '',
      nowSec: Math.floor(o.board.clock.now() / MS_PER_SECOND),
    });
  }

  /** The figures an MQTT connection starts with (Lansen status packet, JSON status). */
  private status(): DeviceStatus {
    const s = this.supervision();
    const u = s.uptime;
    return {
      framesDelivered: this.o.counters.value.modem.framesUploaded,
      uptimeSec: u.run + u.radio + u.modem,
      radioSec: u.radio,
      modemSec: u.modem,
      whitelistSize: this.o.whitelist?.size ?? 0,
      batteryPercent: s.battery.capaPrcent,
      batteryMv: s.measures.vAlim,
      temperatureC: s.measures.temperature,
      firmware: s.version.sw,
    };
  }

  private triggerBits(index: number): number {
    return this.o.config.current.scheduleFTP[index]?.data ?? FTP_UPLOAD_DATA;
  }

  /** The earliest trigger after the last handled minute; the first in file order wins a shared minute (§4.2.5.1). */
  private nextTrigger(): NextTrigger {
    return this.schedule.next(this.o.config.current.scheduleFTP, this.state.last);
  }

  private load(): Persisted {
    const fresh: Persisted = {
      // First boot: a trigger of the current minute still runs.
      last: Math.floor(this.o.board.clock.now() / MS_PER_MINUTE) * MS_PER_MINUTE - MS_PER_MINUTE,
      failures: 0,
      retryAt: null,
      pending: null,
      lastAlarmSession: null,
      tree: '',
      inSession: null,
      modem: null,
      published: 0,
      budget: null,
    };
    const raw = this.o.board.settings.get(KEY.modemState);
    if (typeof raw !== 'string') return fresh;
    try {
      const p = JSON.parse(raw) as Partial<Persisted>;
      return {
        last: typeof p.last === 'number' ? p.last : fresh.last,
        failures: typeof p.failures === 'number' ? p.failures : 0,
        retryAt: typeof p.retryAt === 'number' ? p.retryAt : null,
        pending: isPending(p.pending) ? p.pending : null,
        lastAlarmSession: typeof p.lastAlarmSession === 'number' ? p.lastAlarmSession : null,
        tree: typeof p.tree === 'string' ? p.tree : '',
        inSession: typeof p.inSession === 'number' ? p.inSession : null,
        modem: typeof p.modem === 'object' && p.modem !== null ? p.modem : null,
        published: typeof p.published === 'number' ? p.published : 0,
        budget: isBudget(p.budget) ? p.budget : null,
      };
    } catch {
      // Unreadable: a first boot, nothing queued is lost (the outbox and the frame store hold the data).
      return fresh;
    }
  }

  private save(): void {
    this.o.board.settings.set(KEY.modemState, JSON.stringify(this.state));
  }
}
