/**
 * The failure budget of the modem task (docs/upload-session.md, "Retry policy"): after repeated
 * failed sessions with no coverage, the modem searches on a credit of 90 s of modem a day (a whole
 * registration plan once the credit covers one) until a session succeeds or a person acts at the
 * box, across deep sleeps and reboots.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FileSource } from '../../protocol/files/header';
import type { Board } from '../../tasks/board';
import { RIG_START_MS, UploadRig } from '../../sim/upload/rig.node';
import { startFtpServer, startSntpServer, type SntpServer, type UploadFtpServer } from '../../sim/upload/servers.node';
import { EVENTS } from '../../tasks/log/events';
import { BACKOFF_BASE_MS, FAILURE_BUDGET_AFTER, FAILURE_BUDGET_MS_PER_DAY, budgetAllows, budgetCredit, budgetSpend, budgetWaitMs, failedSessionMs } from '../../tasks/modem/policy';
import { ModemTask } from '../../tasks/modem/task';
import type { SessionResult } from '../../tasks/modem/types';
import { Scheduler } from '../../tasks/scheduler';
import { FTP_PASS, FTP_USER, ROOT, serverConfig, serverDocs } from './support';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** serverConfig: `auto`, timeout 120 s, so one failed session searches 2 × 120 s. */
const MODEM = { mode: 'auto', scanseq: null, timeout: 120 } as const;
const SESSION_MS = failedSessionMs(MODEM);
/** First UTC midnight after the rig's start (08:00). */
const FIRST_MIDNIGHT = Math.ceil(RIG_START_MS / DAY) * DAY;

let ftp: UploadFtpServer;
let ntp: SntpServer;

beforeAll(async () => {
  ftp = await startFtpServer({ user: FTP_USER, pass: FTP_PASS });
  ntp = await startSntpServer(() => device?.rig.world.now() ?? Date.now());
});

afterAll(async () => {
  await ftp?.close();
  await ntp?.close();
});

/**
 * A concentrator that deep-sleeps between wakes: every wake is a new boot over the persistent
 * state. `wake(action)` is a person at the box: a boot now, `action` run on it before the
 * scheduler's first pass (as the application handles a magnet pass or a USB drive).
 */
class Device {
  readonly rig = new UploadRig();
  readonly sessions: { result: SessionResult; endedAt: number }[] = [];
  scheduler!: Scheduler;
  task!: ModemTask;
  board!: Board;
  boots = 0;
  private generation = 0;
  private action: (task: ModemTask) => void = () => undefined;

  start(): void {
    this.boot();
  }

  wake(action: (task: ModemTask) => void): void {
    this.action = action;
    this.boot();
  }

  private boot(): void {
    const generation = ++this.generation;
    if (this.boots++ > 0) this.rig.boot();
    this.board = this.rig.board((until) => {
      if (Number.isFinite(until)) this.rig.world.at(this.rig.rtc.trueTimeOf(until), () => generation === this.generation && this.boot());
    });
    this.scheduler = new Scheduler(this.board.clock, this.board.power, this.board.powerSink, this.board.watchdog);
    this.task = new ModemTask({
      board: this.board,
      host: this.scheduler,
      config: this.rig.config,
      counters: this.rig.counters,
      frames: this.rig.frames,
      log: this.rig.events,
      modem: this.rig.modem,
      outbox: this.rig.outbox,
      hooks: {
        ...this.rig.appEffects(),
        held: () => false,
        restart: () => undefined,
        onSessionEnd: (result) => this.sessions.push({ result, endedAt: this.rig.world.now() }),
      },
      versions: { sw: '01.00', swBle: '1.0' },
      random: () => 0,
    });
    this.scheduler.add(this.task);
    const action = this.action;
    this.action = () => undefined;
    action(this.task);
    this.scheduler.start();
  }

  run(ms: number): Promise<void> {
    return this.rig.runUntil(() => false, ms);
  }

  runTo(at: number): Promise<void> {
    return this.run(at - this.rig.world.now());
  }

  /** Time the modem was powered (any state but off), from the energy ledger. */
  modemOnMs(): number {
    const states = this.rig.ledger.snapshot().components.modem?.stateMs ?? {};
    let on = 0;
    for (const [state, ms] of Object.entries(states)) if (state !== 'off') on += ms;
    return on;
  }

  budgetEvents(): string[] {
    return this.rig.events
      .entries()
      .filter((e) => e.code === EVENTS.modemBudget.code)
      .map((e) => e.data ?? '');
  }
}

let device: Device | undefined;

beforeEach(() => {
  fs.rmSync(path.join(ftp.root, ROOT.split('/')[1]), { recursive: true, force: true });
});

afterEach(() => device?.rig.close());

/** A box uploading once a day at 08:05 with no cell of any technology. */
function noCoverageDevice(extra: Record<string, unknown> = {}): Device {
  device = new Device();
  device.rig.configure(serverConfig(ftp.port, ntp.port, { extra: { scheduleFTP: [{ cron: '5 8 * * *', data: 1 }], ...extra } as never }));
  device.rig.setFaults({ noCoverage: true });
  return device;
}

/** The session trigger, 08:05 UTC, at or after `t`. */
function triggerAfter(t: number): number {
  const trigger = Math.floor(t / DAY) * DAY + 8 * HOUR + 5 * MINUTE;
  return trigger >= t ? trigger : trigger + DAY;
}

/** Runs until the budget is on (the day of the first failures): it starts with no credit. */
async function intoTheBudget(d: Device): Promise<void> {
  d.rig.record(20);
  d.start();
  await d.run(4 * HOUR);
  expect(d.sessions.map((s) => s.result.ok)).toEqual([false, false, false]);
  expect(d.task.failureBudget).not.toBeNull();
}

test('a budgeted session is a whole registration plan, from the configuration', () => {
  expect(failedSessionMs(MODEM)).toBe(2 * 120_000 + 15_000);
  expect(failedSessionMs({ mode: 'auto', scanseq: null, timeout: 300 })).toBe(615_000);
  expect(failedSessionMs({ mode: 'LTE-M', scanseq: null, timeout: 180 })).toBe(195_000);
});

test('the credit grows by 90 s of modem a day and stops at one failed session', () => {
  const manual = { mode: 'auto', scanseq: null, timeout: 300 } as const;
  expect(FAILURE_BUDGET_MS_PER_DAY).toBe(90_000);
  expect(budgetCredit(manual, 0, DAY)).toBe(90_000);
  expect(budgetCredit(manual, 0, 30 * DAY)).toBe(615_000);
  // The manual's defaults: one search every 6.8 days; LTE-M at 180 s: every 2.2 days.
  expect(budgetWaitMs(manual, 0) / DAY).toBeCloseTo(6.83, 2);
  expect(budgetWaitMs({ mode: 'LTE-M', scanseq: null, timeout: 180 }, 0) / DAY).toBeCloseTo(2.17, 2);
  expect(budgetAllows(manual, 614_999)).toBe(false);
  expect(budgetAllows(manual, 615_000)).toBe(true);
});

test('a session that ran longer than a failed search leaves a debt of at most one search', () => {
  expect(budgetSpend(MODEM, SESSION_MS, 100_000)).toBe(SESSION_MS - 100_000);
  expect(budgetSpend(MODEM, SESSION_MS, 20 * MINUTE)).toBe(-SESSION_MS);
});

test('after three failed sessions in a row the modem is on 90 s a day on average, and still searches', async () => {
  const d = noCoverageDevice();
  d.rig.record(20);
  d.start();
  await d.runTo(FIRST_MIDNIGHT);
  // The first day: the scheduled session and its 30 min and 1 h retries, then the budget.
  expect(d.sessions).toHaveLength(FAILURE_BUDGET_AFTER);
  expect(d.task.failureBudget).toMatchObject({ sessionMs: SESSION_MS, msPerDay: FAILURE_BUDGET_MS_PER_DAY });
  expect(d.task.failureBudget?.since).toBeCloseTo(d.sessions[2].endedAt, -3);
  const on = d.modemOnMs();
  const sessions = d.sessions.length;
  const days = 12;
  await d.run(days * DAY);
  const searches = d.sessions.length - sessions;
  // 255 s a search, 90 s a day: one search every 2.8 days, at the next 08:05 trigger.
  expect(searches).toBe(4);
  expect(d.modemOnMs() - on).toBeLessThanOrEqual(days * FAILURE_BUDGET_MS_PER_DAY);
  expect(d.modemOnMs() - on).toBeGreaterThan(3 * 2 * 120_000);
  expect(d.sessions.every((s) => !s.result.ok && s.result.failedStep === 'register')).toBe(true);
  // The daily triggers and the back-off retries in between were held back.
  expect(d.task.failureBudget?.skipped).toBeGreaterThanOrEqual(days - searches);
});

test('held-back triggers are counted and logged once a day, not once per trigger', async () => {
  const d = noCoverageDevice({ scheduleFTP: [{ cron: '5 * * * *', data: 1 }] });
  d.rig.record(5);
  d.start();
  await d.runTo(FIRST_MIDNIGHT + 2 * DAY);
  const events = d.budgetEvents();
  expect(events.filter((e) => e.startsWith('on after 3 failed sessions: 90 s of modem a day, one search of 255 s every 2.8 days'))).toHaveLength(1);
  const held = events.filter((e) => e.startsWith('held back'));
  // The first (partial) day and two whole days: one line each, while about 23 hourly triggers a day are held back.
  expect(held).toHaveLength(3);
  expect(held[1]).toMatch(/^held back: \d+ of 255 s of credit, next search in [\d.]+ days \(\d+ sessions skipped since it began\)$/);
  expect(d.task.failureBudget?.skipped).toBeGreaterThan(2 * 22);
  expect(d.sessions).toHaveLength(FAILURE_BUDGET_AFTER);
});

test('a session that succeeds ends the budget: the next failure is retried after the normal back-off', async () => {
  const d = noCoverageDevice();
  await intoTheBudget(d);
  d.rig.setFaults({});
  await d.runTo(triggerAfter(d.task.failureBudget?.nextSessionAt ?? 0) + HOUR);
  const ok = d.sessions[d.sessions.length - 1];
  expect(ok.result.ok).toBe(true);
  expect(d.task.failureBudget).toBeNull();
  expect(d.task.backoff).toEqual({ failures: 0, retryAt: null });
  expect(d.budgetEvents().some((e) => e.startsWith('off (session ok)'))).toBe(true);

  // Coverage goes again: a failure is retried 30 min later, with no credit to wait for.
  d.rig.setFaults({ noCoverage: true });
  d.wake((task) => task.requestSession('ftp'));
  await d.run(BACKOFF_BASE_MS + 30 * MINUTE);
  expect(d.sessions.slice(-2).map((s) => s.result.ok)).toEqual([false, false]);
  expect(d.task.backoff.failures).toBe(2);
});

test.each(['magnet', 'usb', 'ble'] as FileSource[])('a %s request ends the budget and its session runs at once', async (source) => {
  const d = noCoverageDevice();
  await intoTheBudget(d);
  const before = d.sessions.length;
  d.wake((task) => expect(task.requestSession(source)).toBe(true));
  expect(d.task.failureBudget).toBeNull();
  await d.run(20 * MINUTE);
  expect(d.sessions).toHaveLength(before + 1);
  expect(d.budgetEvents().some((e) => e.startsWith(`off (${source})`))).toBe(true);
  // Normal scheduling again: the failed request is retried after 30 min, not held to tomorrow.
  await d.run(BACKOFF_BASE_MS + 10 * MINUTE);
  expect(d.sessions).toHaveLength(before + 2);
});

test('a configuration applied at the box (USB, BLE) ends the budget', async () => {
  const d = noCoverageDevice();
  await intoTheBudget(d);
  d.wake(() => d.rig.configure({ config: { remote: { modem: { mode: 'LTE-M' } } } }));
  await d.run(MINUTE);
  expect(d.task.failureBudget).toBeNull();
  expect(d.task.backoff.failures).toBe(0);
  expect(d.budgetEvents().some((e) => e.startsWith('off (configuration)'))).toBe(true);
});

test('the budget survives deep sleeps and a reboot', async () => {
  const d = noCoverageDevice();
  await intoTheBudget(d);
  const since = d.task.failureBudget?.since;
  const boots = d.boots;
  // A power cut: a fresh boot over the same settings, with no wake of its own.
  d.wake(() => undefined);
  expect(d.boots).toBe(boots + 1);
  const budget = d.task.failureBudget;
  expect(budget).toMatchObject({ since, sessionMs: SESSION_MS });
  expect(budget?.creditMs).toBeLessThan(SESSION_MS);
  const sessions = d.sessions.length;
  await d.runTo((budget?.nextSessionAt ?? 0) - MINUTE);
  expect(d.sessions).toHaveLength(sessions);
});

test('an alarm counts against the budget: held back without credit, its file goes with the next session', async () => {
  const d = noCoverageDevice();
  await intoTheBudget(d);
  let raised: boolean | undefined;
  d.wake((task) => (raised = task.raiseAlarm({ type: 'battery', value: 9 })));
  expect(raised).toBe(false);
  const sessions = d.sessions.length;
  await d.runTo(FIRST_MIDNIGHT);
  expect(d.sessions).toHaveLength(sessions);
  expect(d.task.outbox.list().map((f) => f.kind)).toContain('alarm');
  d.rig.setFaults({});
  await d.runTo(triggerAfter(d.task.failureBudget?.nextSessionAt ?? 0) + HOUR);
  expect(d.sessions[d.sessions.length - 1].result.ok).toBe(true);
  const alarms = serverDocs(ftp, '/ALARM').filter((x) => x.name.endsWith('-alarm.bson'));
  expect(alarms.map((a) => a.doc.alarm)).toEqual([{ type: 'battery', value: 9 }]);
});
