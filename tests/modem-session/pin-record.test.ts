/**
 * The refused-PIN record (§4.2.3.1 `cpin`, drivers/modem/pin-guard.ts): once the SIM refuses a PIN
 * the driver never sends it again, so what clears the record decides whether the box ever talks
 * again. A person acting locally (the PIN re-typed on USB, `operatorInit`) or a new PIN clears it,
 * logged; the same PIN sent by a server does not. While it holds, the supervision file says so.
 */
import type { BsonDocument } from '../../protocol/bson/types';
import { FTP_UPLOAD_DATA } from '../../protocol/config/types';
import { decodeFile } from '../../protocol/files/codec';
import { buildSupervisionDocument } from '../../protocol/files/supervision';
import { RIG_SCENARIO, RIG_UID, SIM_PIN, type UploadRig } from '../../sim/upload/rig.node';
import { CommandRunner } from '../../tasks/commands/runner';
import type { CommandSource, InboxOutcome } from '../../tasks/commands/types';
import { EVENTS } from '../../tasks/log/events';
import { sessionEffects } from '../../tasks/modem/effects';
import { buildSupervision, summarizeModem } from '../../tasks/modem/supervision';
import type { SessionResult } from '../../tasks/modem/types';
import { frameKey, inboxFile, serverFrames } from './support';
import { serverSuite } from './server-suite';

const suite = serverSuite();
const ICCID = RIG_SCENARIO.sim?.iccid as string;
const SAME_PIN = { config: { remote: { modem: { cpin: SIM_PIN } } } };
/** The §5.7 `modem` keys, in file order. */
const MODEM_KEYS = ['rssi', 'quality', 'nwinfo', 'imei', 'iccid', 'num', 'operator', 'mode'];

/** Files from `source` run as the box runs them: the command runner over the session's effects. */
function deliver(rig: UploadRig, source: CommandSource, files: { name: string; doc: BsonDocument }[]): Promise<InboxOutcome[]> {
  const runner = new CommandRunner({
    uid: rig.identity.uid,
    clock: rig.clock,
    events: rig.events,
    decode: (bytes, encrypted) => decodeFile(bytes, { encrypted, crcMode: rig.config.current.security.crcMode }),
    effects: sessionEffects({
      now: () => rig.clock.now(),
      config: rig.config,
      counters: rig.counters,
      events: rig.events,
      modem: rig.modem,
      app: rig.appEffects(),
      whitelist: rig.whitelist,
      certificates: rig.certificates,
      firmware: undefined,
      fetchBin: () => Promise.reject(new Error('no /BIN here')),
      streamBin: () => Promise.reject(new Error('no /BIN here')),
      queueConfig: () => ({ ok: false, error: 'not here' }),
      queueSupervision: () => ({ ok: false, error: 'not here' }),
      queueLog: () => ({ ok: false, error: 'not here' }),
      logClean: () => undefined,
      requestAnotherPass: () => undefined,
    }),
  });
  return rig.drive(runner.processInbox(files.map((f) => ({ name: f.name, bytes: inboxFile(f.doc) })), source));
}

function configFile(doc: BsonDocument): { name: string; doc: BsonDocument } {
  return { name: `${RIG_UID}-cfg.bson`, doc };
}

function commandFile(type: string): { name: string; doc: BsonDocument } {
  return { name: `${RIG_UID}-cmd.bson`, doc: { cmd: { uid: RIG_UID, cid: 'c-1', type } } };
}

/** The SIM refuses its right PIN once (a SIM glitch), then would take it again: the record now blocks it. */
async function refusedOnce(rig: UploadRig): Promise<SessionResult> {
  rig.setFaults({ pinRefused: true });
  const first = await rig.runSession('schedule', FTP_UPLOAD_DATA);
  expect(first.error).toMatch(/sim-pin-refused/);
  rig.setFaults({});
  expect(rig.modem.refusedPinSims()).toEqual([ICCID]);
  return first;
}

function clearedEvents(rig: UploadRig): string[] {
  return rig.events
    .entries()
    .filter((e) => e.code === EVENTS.pinRecordCleared.code)
    .map((e) => e.data ?? '');
}

function ackResults(outcomes: InboxOutcome[]): string[] {
  return outcomes.flatMap((o) => o.acks.map((a) => a.ack.result));
}

test('the installer re-typing the same PIN on USB clears the record (logged), and the next session registers and uploads everything', async () => {
  const recorded = suite.rig.record(40);
  await refusedOnce(suite.rig);

  expect(ackResults(await deliver(suite.rig, 'usb', [configFile(SAME_PIN)]))).toEqual(['ok']);
  expect(suite.rig.modem.refusedPinSims()).toEqual([]);
  expect(clearedEvents(suite.rig)).toEqual([`usb configuration of config.remote.modem.cpin: SIM ${ICCID}`]);

  const next = await suite.rig.runSession('schedule', FTP_UPLOAD_DATA);
  expect(next.ok).toBe(true);
  expect([...serverFrames(suite.ftp).frames].sort()).toEqual(recorded.map(frameKey).sort());
  expect(suite.rig.frames.stats().pendingRecords).toBe(0);
});

test('operatorInit on USB clears the record (logged), and the next session registers', async () => {
  await refusedOnce(suite.rig);

  expect(ackResults(await deliver(suite.rig, 'usb', [commandFile('operatorInit')]))).toEqual(['ok']);
  expect(clearedEvents(suite.rig)).toEqual([`operatorInit (usb): SIM ${ICCID}`]);
  expect((await suite.rig.runSession('schedule', FTP_UPLOAD_DATA)).ok).toBe(true);
});

test('a server sending the same PIN again leaves the record: the PIN is not sent and the SIM keeps its attempts', async () => {
  await refusedOnce(suite.rig);
  const attempts = suite.rig.emulator.simPinAttempts();

  expect(ackResults(await deliver(suite.rig, 'ftp', [configFile(SAME_PIN)]))).toEqual(['ok']);
  expect(suite.rig.modem.refusedPinSims()).toEqual([ICCID]);
  expect(clearedEvents(suite.rig)).toEqual([]);
  const next = await suite.rig.runSession('schedule', FTP_UPLOAD_DATA);
  expect(next.error).toMatch(/sim-pin-blocked/);
  expect(suite.rig.emulator.simPinAttempts()).toBe(attempts);
});

test('a server sending a new PIN clears the record (logged)', async () => {
  await refusedOnce(suite.rig);

  await deliver(suite.rig, 'mqtt', [configFile({ config: { remote: { modem: { cpin: '4321' } } } })]);
  expect(suite.rig.modem.refusedPinSims()).toEqual([]);
  expect(clearedEvents(suite.rig)).toEqual([`mqtt configuration of a new config.remote.modem.cpin: SIM ${ICCID}`]);
});

test('a USB configuration that does not set cpin leaves the record', async () => {
  await refusedOnce(suite.rig);

  expect(ackResults(await deliver(suite.rig, 'usb', [configFile({ config: { name: 'Basement B' } })]))).toEqual(['ok']);
  expect(suite.rig.modem.refusedPinSims()).toEqual([ICCID]);
  expect(clearedEvents(suite.rig)).toEqual([]);
});

describe('supervision (§5.7 modem section, product extension pinRefused)', () => {
  function modemSection(rig: UploadRig, result: SessionResult): Record<string, unknown> {
    const doc = buildSupervisionDocument(
      { uid: RIG_UID, source: 'usb', timeSec: Math.floor(rig.clock.now() / 1000) },
      buildSupervision({
        identity: rig.identity,
        config: rig.config.current,
        counters: rig.counters.value,
        modem: result.modem === undefined ? undefined : summarizeModem(result.modem),
        reading: rig.gauge.read(),
        capacityMah: rig.gauge.capacityMah,
        sw: '01.00',
        swBle: '01.00',
        nowSec: Math.floor(rig.clock.now() / 1000),
      }),
    );
    return (doc.supervision as Record<string, Record<string, unknown>>).modem;
  }

  test('after a session the record stopped, the modem section names the SIM whose PIN is not sent, after the §5.7 fields', async () => {
    await refusedOnce(suite.rig);
    const blocked = await suite.rig.runSession('schedule', FTP_UPLOAD_DATA);
    expect(blocked.error).toMatch(/sim-pin-blocked/);

    const modem = modemSection(suite.rig, blocked);
    expect(Object.keys(modem)).toEqual([...MODEM_KEYS, 'pinRefused']);
    expect(modem.pinRefused).toBe(ICCID);
  });

  test('once the record is cleared and a session registered, the modem section holds the §5.7 fields only', async () => {
    await refusedOnce(suite.rig);
    await deliver(suite.rig, 'usb', [configFile(SAME_PIN)]);
    const ok = await suite.rig.runSession('schedule', FTP_UPLOAD_DATA);
    expect(ok.ok).toBe(true);

    expect(Object.keys(modemSection(suite.rig, ok))).toEqual(MODEM_KEYS);
  });
});
