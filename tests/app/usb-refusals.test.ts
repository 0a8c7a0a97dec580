/**
 * The USB drive (§2.4.5) refuses what the FTP INBOX refuses: plain files while encryption is on
 * (§4.2.1.2) and misnamed files of this hub, each with a ko ACK on the drive and a log entry; and
 * a `request` dropped on it (§5.6.1) asks for a server session.
 */
import { BsonBinary, type BsonDocument } from '../../protocol/bson/types';
import { decodeFile, encodeFile } from '../../protocol/files/codec';
import { SimClock } from '../../sim/drivers/clock';
import { SimFiles } from '../../sim/drivers/files';
import { SimSettings } from '../../sim/drivers/settings';
import { SimUsb, type UsbState } from '../../sim/drivers/usb';
import { deviceCounters } from '../../sim/run';
import { UploadRig } from '../../sim/upload/rig.node';
import type { FileSource } from '../../protocol/files/header';
import { NOT_ENCRYPTED } from '../../tasks/commands/runner';
import type { InboxOutcome } from '../../tasks/commands/types';
import { ConfigStore } from '../../tasks/config-store';
import { EventLog } from '../../tasks/log/event-log';
import { EVENTS } from '../../tasks/log/events';
import { UsbInbox } from '../../tasks/usb';
import { HOUR, installInRun, T0, testSite, type TestSite } from '../support/device';

const UID = 'WE_TEST';
const KEY = new Uint8Array(Buffer.from('4400AAF78378049CAB13EE4E350E281B', 'hex'));
const PRESET = { config: { scheduleRadio: [{ cron: '0 3 * * *', data: 60 }], monitoringPeriod: 0 } };
const ENCRYPTED = { config: { ...PRESET.config, security: { encryption: true, key: new BsonBinary(KEY) } } };
const EXPECTED = `expected ${UID}-cfg.bson, ${UID}-wlFilter.bson, ${UID}-cmd.bson or ${UID}-<1-9 digits>-cmd.bson, with .aes when encrypted`;

function file(doc: BsonDocument, encryption = false): Uint8Array {
  return encodeFile(doc, { encryption, key: KEY });
}

/** The `ack` sections the box wrote on the drive (decrypted when `.aes`), in name order. */
function acksOnDrive(site: TestSite): BsonDocument[] {
  const out: BsonDocument[] = [];
  for (const [name, bytes] of [...site.device.usbState.written].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!/-ack\.bson(\.aes)?$/.test(name)) continue;
    const r = decodeFile(bytes, { encrypted: name.endsWith('.aes'), key: KEY, crcMode: 2 });
    if (!r.ok) throw new Error(`${name}: ${r.detail}`);
    out.push(r.doc.ack as BsonDocument);
  }
  return out;
}

function logged(site: TestSite, code: number): string[] {
  const log = new EventLog(new SimFiles(site.device.files, 256 * 1024), new SimClock(site.world, site.device.rtc));
  return log
    .entries()
    .filter((e) => e.code === code)
    .map((e) => e.data ?? '');
}

/** The configuration the box has stored. */
function storedName(site: TestSite): string | null {
  const store = new ConfigStore(new SimSettings(site.device.settings), () => ({ version: 0, timestamp: 0, uid: UID, sn: 'SN_TEST' }));
  return store.current.name;
}

async function plugAt(site: TestSite, atMs: number, files: { name: string; bytes: Uint8Array }[]): Promise<void> {
  await site.world.runUntil(atMs);
  site.device.plugUsb(files);
  await site.world.runUntil(atMs + 60_000);
}

describe('security.encryption on (§4.2.1.2)', () => {
  test('a plain configuration on the drive is refused: ko ACK naming the reason, logged, nothing applied', async () => {
    const site = testSite({ preset: ENCRYPTED });
    await installInRun(site);
    await plugAt(site, T0 + HOUR, [{ name: `${UID}-cfg.bson`, bytes: file({ config: { name: 'Forged' } }) }]);
    expect(acksOnDrive(site)).toEqual([{ type: 'config', cid: '', result: 'ko', data: `${UID}-cfg.bson: ${NOT_ENCRYPTED}` }]);
    expect(logged(site, EVENTS.configRejected.code)).toEqual([`${UID}-cfg.bson: ${NOT_ENCRYPTED}`]);
    expect(storedName(site)).toBeNull();
  });

  test('a plain command file on the drive is refused and its command not run', async () => {
    const site = testSite({ preset: ENCRYPTED });
    await installInRun(site);
    await plugAt(site, T0 + HOUR, [{ name: `${UID}-cmd.bson`, bytes: file({ cmd: { uid: UID, cid: 'c-1', type: 'configGet' } }) }]);
    expect(acksOnDrive(site)).toEqual([{ type: 'cmd', cid: '', result: 'ko', data: `${UID}-cmd.bson: ${NOT_ENCRYPTED}` }]);
    expect([...site.device.usbState.written.keys()].filter((n) => n.includes('-config.bson'))).toEqual([]);
  });

  test('the same file encrypted is run', async () => {
    const site = testSite({ preset: ENCRYPTED });
    await installInRun(site);
    await plugAt(site, T0 + HOUR, [{ name: `${UID}-cmd.bson.aes`, bytes: file({ cmd: { uid: UID, cid: 'c-1', type: 'configGet' } }, true) }]);
    expect(acksOnDrive(site)).toEqual([expect.objectContaining({ cid: 'c-1', result: 'ok' })]);
  });
});

describe('misnamed files on the drive', () => {
  const MISNAMED = [`${UID}-CFG.bson`, `${UID}-cfg (1).bson`, `${UID}-1234567890-cmd.bson`, ` ${UID}-cmd.bson `];

  test('each is acknowledged ko on the drive with the expected names and logged', async () => {
    const site = testSite({ preset: PRESET });
    await installInRun(site);
    await plugAt(
      site,
      T0 + HOUR,
      MISNAMED.map((name) => ({ name, bytes: file({ config: { name: 'x' } }) })),
    );
    const data = acksOnDrive(site).map((a) => [a.result, a.data]);
    expect(data.sort()).toEqual(MISNAMED.map((n) => ['ko', `${n}: ${EXPECTED}`]).sort());
    expect(logged(site, EVENTS.inboxFileRejected.code).sort()).toEqual(MISNAMED.map((n) => `${n}: ${EXPECTED}`).sort());
  });

  test('it is answered once: the next boot writes no second ACK', async () => {
    const site = testSite({ preset: PRESET });
    await installInRun(site);
    await plugAt(site, T0 + HOUR, [{ name: `${UID}-CFG.bson`, bytes: file({ config: { name: 'x' } }) }]);
    site.device.pressReset(false);
    await site.world.runUntil(T0 + 2 * HOUR);
    expect(acksOnDrive(site)).toHaveLength(1);
  });

  test("another hub's file, a firmware image and a certificate get no ACK", async () => {
    const site = testSite({ preset: PRESET });
    await installInRun(site);
    await plugAt(site, T0 + HOUR, [
      { name: 'WE_OTHER-cfg.bson', bytes: file({ config: { name: 'x' } }) },
      { name: 'WebdynEasy_V2.0.bson', bytes: new Uint8Array(64).fill(1) },
      { name: 'ca.pem', bytes: new Uint8Array(64).fill(2) },
    ]);
    expect(acksOnDrive(site)).toEqual([]);
    expect(logged(site, EVENTS.inboxFileRejected.code)).toEqual([]);
  });
});

describe('request dropped on the drive (§5.6.1)', () => {
  /** A UsbInbox over a rig's stores, a drive holding `files`, and `requestSession` as given. */
  async function drop(files: { name: string; bytes: Uint8Array }[], requestSession?: (source: FileSource) => boolean): Promise<InboxOutcome[]> {
    const rig = new UploadRig({ uid: UID });
    try {
      const state: UsbState = { connected: true, inbox: files, written: new Map() };
      const board = { ...rig.board(), usb: new SimUsb(state) };
      const host = { wake: () => undefined, acquire: () => true, release: () => undefined };
      const usb = new UsbInbox(
        {
          board,
          config: rig.config,
          counters: rig.counters,
          log: rig.events,
          modem: rig.modem,
          app: rig.appEffects(),
          supervision: () => ({}),
          ...(requestSession !== undefined ? { requestSession } : {}),
        },
        host,
      );
      const result = await new Promise<InboxOutcome[] | Error>((resolve) => usb.run(resolve));
      if (result instanceof Error) throw result;
      return result;
    } finally {
      rig.close();
    }
  }

  const REQUEST = [{ name: `${UID}-cmd.bson`, bytes: file({ cmd: { uid: UID, cid: 'r-1', type: 'request' } }) }];

  test('asks the modem task for a session, as a USB request, and is acknowledged ok', async () => {
    const asked: FileSource[] = [];
    const [outcome] = await drop(REQUEST, (source) => asked.push(source) > 0);
    expect(asked).toEqual(['usb']);
    expect(outcome.acks.map((a) => a.ack)).toEqual([{ type: 'cmd', cid: 'r-1', result: 'ok', data: `${UID}-cmd.bson` }]);
  });

  test('on the box in RUN, the request starts a modem session soon after the drive is read', async () => {
    const site = testSite({ preset: PRESET });
    await installInRun(site);
    // The installation itself starts a session (the magnet's RUN); count from after it.
    await site.world.runUntil(T0 + HOUR);
    const before = deviceCounters(site.device)?.modem.sessions ?? 0;
    await plugAt(site, T0 + HOUR, REQUEST);
    await site.world.runUntil(T0 + 2 * HOUR);
    expect(deviceCounters(site.device)?.modem.sessions).toBe(before + 1);
  });

  test('with no modem task to ask, it is acknowledged ko instead of a silent ok', async () => {
    const [outcome] = await drop(REQUEST);
    expect(outcome.acks.map((a) => [a.ack.result, a.ack.data])).toEqual([['ko', 'no modem session on this box']]);
  });
});
