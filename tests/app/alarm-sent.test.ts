/**
 * §5.7 `counters.alarms` counts alarm files sent, and the §4.2.4 timeGap alarm is latched like the
 * others (docs/alarms.md): the modem task on the upload rig, a real FTP server and SNTP server.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BsonDocument } from '../../protocol/bson/types';
import { UploadRig } from '../../sim/upload/rig.node';
import { startFtpServer, startSntpServer, type SntpServer, type UploadFtpServer } from '../../sim/upload/servers.node';
import { ModemTask } from '../../tasks/modem/task';
import type { SessionResult } from '../../tasks/modem/types';
import { Scheduler } from '../../tasks/scheduler';
import { FTP_PASS, FTP_USER, ROOT, serverConfig, serverDocs } from '../modem-session/support';

const DRIFT_MS = -125_000;
const SESSION_MS = 10 * 60_000;

let ftp: UploadFtpServer;
let ntp: SntpServer;
let rig: UploadRig | undefined;

beforeAll(async () => {
  ftp = await startFtpServer({ user: FTP_USER, pass: FTP_PASS });
  ntp = await startSntpServer(() => rig?.world.now() ?? Date.now());
});

afterAll(async () => {
  await ftp?.close();
  await ntp?.close();
});

beforeEach(() => {
  fs.rmSync(path.join(ftp.root, ROOT.split('/')[1]), { recursive: true, force: true });
});

afterEach(() => rig?.close());

interface Box {
  readonly rig: UploadRig;
  readonly sessions: SessionResult[];
  boots: number;
}

function box(extra: BsonDocument = {}): Box {
  const r = new UploadRig({ rtcErrorMs: DRIFT_MS });
  rig = r;
  r.configure(serverConfig(ftp.port, ntp.port, { extra }));
  return { rig: r, sessions: [], boots: 0 };
}

/** One boot of the box (state from the rig's settings and files) that asks for a session, run to its end. */
async function session(b: Box, before?: (task: ModemTask) => void): Promise<SessionResult> {
  if (b.boots++ > 0) b.rig.boot();
  const board = b.rig.board();
  const scheduler = new Scheduler(board.clock, board.power, board.powerSink, board.watchdog);
  const task = new ModemTask({
    board,
    host: scheduler,
    config: b.rig.config,
    counters: b.rig.counters,
    frames: b.rig.frames,
    log: b.rig.events,
    modem: b.rig.modem,
    outbox: b.rig.outbox,
    hooks: { ...b.rig.appEffects(), held: () => false, restart: () => undefined, onSessionEnd: (s) => b.sessions.push(s) },
    versions: { sw: '01.00', swBle: '1.0' },
  });
  scheduler.add(task);
  before?.(task);
  const count = b.sessions.length;
  expect(task.requestSession('magnet')).toBe(true);
  scheduler.start();
  await b.rig.runUntil(() => b.sessions.length > count, SESSION_MS);
  return b.sessions[b.sessions.length - 1];
}

function alarms(): BsonDocument[] {
  return serverDocs(ftp, '/ALARM')
    .filter((d) => d.name.endsWith('-alarm.bson'))
    .map((d) => d.doc.alarm as BsonDocument);
}

test('an alarm file is counted in counters.alarms once the server has it, not when it is written', async () => {
  const b = box();
  const result = await session(b, (task) => {
    task.outbox.addAlarm({ type: 'battery', value: 9 });
    expect(b.rig.counters.value.wake.alarms).toBe(0);
  });
  expect(result).toMatchObject({ ok: true });
  expect(alarms()).toEqual([{ type: 'battery', value: 9 }]);
  expect(b.rig.counters.value.wake.alarms).toBe(1);
});

test('a drift past timeGap at every synchronisation gives one ntp alarm file', async () => {
  const b = box({ alarms: { timeGap: 60 } });
  await session(b);
  b.rig.rtc.set(b.rig.rtc.now() + DRIFT_MS);
  await session(b);
  expect(alarms()).toHaveLength(1);
  expect(alarms()[0]).toMatchObject({ type: 'ntp' });
});

test('the first synchronisation under timeGap after a drift alarm gives a cleared report', async () => {
  const b = box({ alarms: { timeGap: 60 } });
  await session(b);
  await session(b);
  const a = alarms();
  expect(a).toHaveLength(2);
  expect(a[1]).toMatchObject({ type: 'ntp', cleared: true });
  expect(Math.abs(a[1].value as number)).toBeLessThan(60);
  expect(b.rig.counters.value.wake.alarms).toBe(2);
});
