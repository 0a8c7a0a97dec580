/**
 * The modem task under the cooperative scheduler (§3.1.2.2, §4.2.5.1.2): cron triggers, the
 * exclusive RF slot, the temperature hold, back-off across deep sleeps, alarm requests.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Board } from '../../tasks/board';
import { RIG_START_MS, UploadRig } from '../../sim/upload/rig.node';
import { startFtpServer, startSntpServer, type SntpServer, type UploadFtpServer } from '../../sim/upload/servers.node';
import { BACKOFF_BASE_MS } from '../../tasks/modem/policy';
import { ModemTask } from '../../tasks/modem/task';
import type { SessionResult } from '../../tasks/modem/types';
import { Scheduler } from '../../tasks/scheduler';
import type { Task, TaskHost } from '../../tasks/types';
import { FTP_PASS, FTP_USER, ROOT, frameKey, serverConfig, serverDocs, serverFrames } from './support';

const MINUTE = 60_000;
const HOUR = 3_600_000;

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

/** A concentrator that deep-sleeps between sessions: every wake-up is a new boot over the persistent state. */
class Device {
  readonly rig = new UploadRig();
  readonly sessions: SessionResult[] = [];
  readonly sleeps: number[] = [];
  readonly boots: number[] = [];
  held = false;
  /** What the §4.2.3.1 randomDelay draw returns. */
  randomDraw = 0;
  scheduler!: Scheduler;
  task!: ModemTask;
  board!: Board;
  extraTasks: (host: TaskHost) => Task[] = () => [];
  /** Runs once the task exists, before the scheduler's first pass (what a boot's other tasks would do). */
  beforeStart: (task: ModemTask) => void = () => undefined;

  start(): void {
    this.bootNow();
  }

  private bootNow(): void {
    if (this.boots.length > 0) this.rig.boot();
    this.boots.push(this.rig.world.now());
    this.board = this.rig.board((until) => this.deepSleep(until));
    this.scheduler = new Scheduler(this.board.clock, this.board.power, this.board.powerSink, this.board.watchdog);
    this.task = new ModemTask({
      board: this.board,
      host: this.scheduler,
      config: this.rig.config,
      counters: this.rig.counters,
      frames: this.rig.frames,
      log: this.rig.events,
      modem: this.rig.modem,
      whitelist: this.rig.whitelist,
      certificates: this.rig.certificates,
      outbox: this.rig.outbox,
      hooks: {
        ...this.rig.appEffects(),
        held: () => this.held,
        restart: () => undefined,
        onSessionEnd: (r) => this.sessions.push(r),
      },
      versions: { sw: '01.00', swBle: '1.0' },
      random: () => this.randomDraw,
    });
    this.scheduler.add(this.task);
    for (const t of this.extraTasks(this.scheduler)) this.scheduler.add(t);
    this.beforeStart(this.task);
    this.beforeStart = () => undefined;
    this.scheduler.start();
  }

  private deepSleep(until: number): void {
    this.sleeps.push(until);
    if (Number.isFinite(until)) this.rig.world.at(this.rig.rtc.trueTimeOf(until), () => this.bootNow());
  }

  run(ms: number): Promise<void> {
    return this.rig.runUntil(() => false, ms);
  }
}

let device: Device | undefined;

beforeEach(() => {
  fs.rmSync(path.join(ftp.root, ROOT.split('/')[1]), { recursive: true, force: true });
});

afterEach(() => device?.rig.close());

function newDevice(extra: Record<string, unknown> = {}): Device {
  device = new Device();
  device.rig.configure(serverConfig(ftp.port, ntp.port, { extra: extra as never }));
  return device;
}

test('a scheduleFTP trigger runs a session at its minute, then the device deep-sleeps until the next one', async () => {
  const d = newDevice({ scheduleFTP: [{ cron: '5 8 * * *', data: 1 }] });
  const recorded = d.rig.record(150);
  d.start();
  await d.run(30 * MINUTE);
  expect(d.sessions).toHaveLength(1);
  expect(d.sessions[0]).toMatchObject({ ok: true, framesUploaded: 150 });
  expect(serverFrames(ftp).frames).toEqual(recorded.map(frameKey));
  const next = RIG_START_MS + 24 * HOUR + 5 * MINUTE;
  expect(d.sleeps[d.sleeps.length - 1]).toBe(next);
  expect(d.rig.counters.value.wake.ftp).toBe(1);
  expect(d.rig.ledger.stateOf('modem')).toBe('off');
});

test('two triggers in the same minute: only the first in file order runs (§4.2.5.1)', async () => {
  const d = newDevice({ scheduleFTP: [{ cron: '5 8 * * *', data: 2 }, { cron: '5 * * * *', data: 1 }] });
  d.rig.record(10);
  d.start();
  await d.run(7 * MINUTE);
  expect(d.sessions).toHaveLength(1);
  expect(serverDocs(ftp, '/SUPERVISION').map((x) => x.name)).toHaveLength(1);
  expect(serverDocs(ftp, '/DATA')).toEqual([]);
});

test('a trigger while a temperature alarm is active is skipped (§3.1.2.3)', async () => {
  const d = newDevice({ scheduleFTP: [{ cron: '5 8 * * *', data: 1 }] });
  d.held = true;
  d.start();
  await d.run(30 * MINUTE);
  expect(d.sessions).toHaveLength(0);
  expect(d.rig.port.stats.powerOnPresses).toBe(0);
});

test('the session waits for the RF slot: never during a listening window', async () => {
  const d = newDevice({ scheduleFTP: [{ cron: '5 8 * * *', data: 1 }] });
  const windowStart = RIG_START_MS + 4 * MINUTE;
  const windowEnd = RIG_START_MS + 9 * MINUTE;
  let phase = 0;
  d.extraTasks = (host) => {
    const radio: Task = {
      name: 'radio',
      priority: 0,
      nextWake: () => (phase === 0 ? windowStart : phase === 1 ? windowEnd : Infinity),
      busy: () => phase === 1,
      step(now) {
        if (phase === 0 && now >= windowStart && host.acquire(radio)) phase = 1;
        else if (phase === 1 && now >= windowEnd) {
          phase = 2;
          host.release(radio);
        }
      },
    };
    return phase === 0 ? [radio] : [];
  };
  d.rig.record(10);
  d.start();
  await d.run(windowEnd - RIG_START_MS - 1000);
  expect(d.task.busy()).toBe(true);
  expect(d.rig.port.stats.powerOnPresses).toBe(0);
  await d.run(30 * MINUTE);
  expect(d.sessions).toHaveLength(1);
  expect(d.sessions[0].ok).toBe(true);
});

test('a failed session is retried after the back-off, across a deep sleep; success resets it', async () => {
  const d = newDevice({ scheduleFTP: [{ cron: '5 8 * * *', data: 1 }] });
  const recorded = d.rig.record(40);
  d.rig.setFaults({ registrationTimeout: true });
  d.start();
  await d.run(20 * MINUTE);
  expect(d.sessions).toHaveLength(1);
  expect(d.sessions[0]).toMatchObject({ ok: false, failedStep: 'register' });
  const { failures, retryAt } = d.task.backoff;
  expect(failures).toBe(1);
  expect(retryAt).not.toBeNull();
  expect(d.sleeps[d.sleeps.length - 1]).toBe(retryAt);
  // The failed session started at 08:05 and lasted a few minutes (two registration attempts).
  const triggeredAt = RIG_START_MS + 5 * MINUTE;
  expect((retryAt as number) - triggeredAt).toBeGreaterThan(BACKOFF_BASE_MS);
  expect((retryAt as number) - triggeredAt).toBeLessThan(BACKOFF_BASE_MS + 10 * MINUTE);

  d.rig.setFaults({});
  await d.run(BACKOFF_BASE_MS + 10 * MINUTE);
  expect(d.sessions).toHaveLength(2);
  expect(d.sessions[1].ok).toBe(true);
  expect(d.task.backoff).toEqual({ failures: 0, retryAt: null });
  expect(serverFrames(ftp).frames).toEqual(recorded.map(frameKey));
});

test('an alarm queues its file and asks for a session; oneAlarmPerDay keeps the second for later (§4.2.4)', async () => {
  const d = newDevice({ alarms: { oneAlarmPerDay: true } });
  let raised: boolean | undefined;
  d.beforeStart = (task) => (raised = task.raiseAlarm({ type: 'battery', value: 9 }));
  d.start();
  expect(raised).toBe(true);
  await d.run(10 * MINUTE);
  expect(d.sessions).toHaveLength(1);
  const alarms = serverDocs(ftp, '/ALARM').filter((x) => x.name.endsWith('-alarm.bson'));
  expect(alarms.map((a) => a.doc.alarm)).toEqual([{ type: 'battery', value: 9 }]);
  expect(d.task.raiseAlarm({ type: 'battery', value: 8 })).toBe(false);
  expect(d.task.outbox.list().map((f) => f.kind)).toEqual(['alarm']);
});

test('randomDelay spreads the start (§4.2.3.1); the device deep-sleeps while it waits', async () => {
  const d = newDevice({ scheduleFTP: [{ cron: '5 8 * * *', data: 1 }] });
  d.rig.configure({ config: { remote: { modem: { randomDelay: 20 } } } });
  d.randomDraw = 0.5;
  d.rig.record(5);
  d.start();
  await d.run(14 * MINUTE);
  expect(d.sessions).toHaveLength(0);
  expect(d.sleeps).toContain(RIG_START_MS + 15 * MINUTE);
  await d.run(10 * MINUTE);
  expect(d.sessions).toHaveLength(1);
  expect(d.sessions[0].ok).toBe(true);
});

test('a reset during a session counts it failed, switches the modem off and schedules the retry', async () => {
  const d = newDevice({ scheduleFTP: [{ cron: '5 8 * * *', data: 1 }] });
  d.rig.settings.set('modem', JSON.stringify({ last: RIG_START_MS, failures: 0, retryAt: null, pending: null, lastAlarmSession: null, tree: '', inSession: RIG_START_MS - MINUTE, modem: null }));
  d.start();
  expect(d.task.backoff.failures).toBe(1);
  expect(d.task.backoff.retryAt).toBe(RIG_START_MS + BACKOFF_BASE_MS);
  await d.run(MINUTE);
  expect(d.rig.port.supplyOn()).toBe(false);
});
