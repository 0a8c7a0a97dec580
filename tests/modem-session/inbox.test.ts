/**
 * The INBOX (§5.2, §5.5, §5.6): files put on the server by an operator are fetched, deleted, run in
 * order, and acknowledged in /ALARM within the same session.
 */
import { Binary } from 'bson';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BsonBinary } from '../../protocol/bson/types';
import { buildImage } from '../../protocol/firmware/image';
import { MAX_READ_BYTES } from '../../drivers/modem/sockets';
import { createOtaState, SimOta } from '../../sim/drivers/ota';
import { FirmwareUpdater } from '../../tasks/firmware/updater';
import type { FirmwareInstall, FirmwareInstaller } from '../../tasks/modem/types';
import { signWithTestKey } from '../fixtures/firmware-test-key';
import { RecordingOta } from '../fixtures/recording-ota';
import { KEY, ROOT, inboxFile, serverDocs } from './support';
import { serverSuite } from './server-suite';

const INBOX = `${ROOT}/INBOX/123456`;
const FIXTURES = path.join(__dirname, '..', 'fixtures', 'modem');

const suite = serverSuite((rig) => rig.config.copyUploaded());

function put(name: string, doc: Record<string, unknown>, key?: Uint8Array): void {
  suite.ftp.write(`${INBOX}/${name}`, inboxFile(doc, key));
}

function inboxLeft(): string[] {
  return suite.ftp.files().filter((f) => f.startsWith(INBOX + '/')).map((f) => f.slice(INBOX.length + 1));
}

/** ACK documents in /ALARM, in TS order (their names carry distinct, increasing seconds). */
function acks(): { type: string; cid: string; result: string; data?: string }[] {
  return serverDocs(suite.ftp, '/ALARM')
    .filter((d) => /-ack\.bson(\.aes)?$/.test(d.name))
    .sort((a, b) => (a.doc.TS as number) - (b.doc.TS as number))
    .map((d) => d.doc.ack as { type: string; cid: string; result: string; data?: string });
}

test('a configuration in the INBOX is fetched, deleted, applied, acknowledged in /ALARM and copied to /CONFIG (§5.2)', async () => {
  put('123456-cfg.bson', { config: { name: 'Pump room', scheduleFTP: [{ cron: '0 3 * * *', data: 7 }] } });
  const result = await suite.rig.runSession('schedule', 0);
  expect(result).toMatchObject({ ok: true, inboxFiles: 1 });
  expect(inboxLeft()).toEqual([]);
  expect(suite.rig.config.current.name).toBe('Pump room');
  expect(suite.rig.config.current.scheduleFTP).toEqual([{ cron: '0 3 * * *', data: 7 }]);
  expect(acks()).toEqual([{ type: 'config', cid: '', result: 'ok', data: '123456-cfg.bson' }]);
  const ackDoc = serverDocs(suite.ftp, '/ALARM')[0].doc;
  expect(ackDoc).toMatchObject({ uid: '123456', source: 'ftp' });
  const copies = serverDocs(suite.ftp, '/CONFIG');
  expect(copies).toHaveLength(1);
  expect(copies[0].doc).toMatchObject({ config: { name: 'Pump room' } });
  expect(suite.rig.counters.value.lastConfig).toBeGreaterThan(0);
});

test('a configuration with a bad value is refused as a whole and acknowledged ko with the field', async () => {
  put('123456-cfg.bson', { config: { name: 'Nope', radio: { duration: 99_999 } } });
  const result = await suite.rig.runSession('schedule', 0);
  expect(result.ok).toBe(true);
  expect(suite.rig.config.current.name).toBeNull();
  const [ack] = acks();
  expect(ack).toMatchObject({ type: 'config', cid: '', result: 'ko' });
  expect(ack.data).toMatch(/^123456-cfg\.bson: .*radio\.duration/);
  expect(serverDocs(suite.ftp, '/CONFIG')).toEqual([]);
});

test('a numbered command sequence runs in order (<uid>-cmd, then 2 before 10) and its files go up in the same session (§5.6)', async () => {
  put('123456-10-cmd.bson', { cmd: { type: 'supervisionGet', cid: 'c10' } });
  put('123456-2-cmd.bson', { cmd: { type: 'logGet', cid: 'c2' } });
  put('123456-cmd.bson', { cmd: { type: 'configGet', cid: 'c0' } });
  const result = await suite.rig.runSession('schedule', 0);
  expect(result).toMatchObject({ ok: true, inboxFiles: 3 });
  expect(inboxLeft()).toEqual([]);
  expect(acks().map((a) => [a.cid, a.result])).toEqual([
    ['c0', 'ok'],
    ['c2', 'ok'],
    ['c10', 'ok'],
  ]);
  const supervision = serverDocs(suite.ftp, '/SUPERVISION').map((d) => d.name);
  expect(supervision.filter((n) => n.endsWith('-log.bson'))).toHaveLength(1);
  expect(supervision.filter((n) => n.endsWith('-supervision.bson'))).toHaveLength(1);
  // §5.6.5: configGet does nothing over FTP (tests/modem-session/inbox-commands.test.ts).
  expect(serverDocs(suite.ftp, '/CONFIG')).toEqual([]);
});

test('after a failed command the rest are not run, each acknowledged ko (§5.6)', async () => {
  put('123456-1-cmd.bson', { cmd: { type: 'certificate', cid: 'k1', data: 'missing.pem' } });
  put('123456-2-cmd.bson', { cmd: [{ type: 'logClean', cid: 'k2' }, { type: 'supervisionGet', cid: 'k3' }] });
  suite.rig.events.record({ code: 1, level: 0 }, 'kept');
  const result = await suite.rig.runSession('schedule', 0);
  expect(result.error).toBeUndefined();
  expect(result.ok).toBe(true);
  const list = acks();
  expect(list.map((a) => [a.cid, a.result])).toEqual([
    ['k1', 'ko'],
    ['k2', 'ko'],
    ['k3', 'ko'],
  ]);
  expect(list[1].data).toMatch(/^not run/);
  expect(suite.rig.events.entries().some((e) => e.data === 'kept')).toBe(true);
  expect(inboxLeft()).toEqual([]);
});

test('certificate: the file is taken from /BIN and kept for FTPS (§5.6.12)', async () => {
  const pem = new Uint8Array(fs.readFileSync(path.join(FIXTURES, 'server-cert.pem')));
  suite.ftp.write(`${ROOT}/BIN/ca.pem`, pem);
  put('123456-cmd.bson', { cmd: { type: 'certificate', cid: 'cert1', data: 'ca.pem' } });
  const result = await suite.rig.runSession('schedule', 0);
  expect(result.ok).toBe(true);
  expect(acks()).toEqual([{ type: 'cmd', cid: 'cert1', result: 'ok', data: 'ca.pem' }]);
  expect(Buffer.from(suite.rig.certificates.read('ca.pem') as Uint8Array).equals(Buffer.from(pem))).toBe(true);
  // /BIN is read-only for the hub: the file stays.
  expect(suite.ftp.files()).toContain(`${ROOT}/BIN/ca.pem`);
});

test('a white list file replaces the radio white list (§4.2.2.1)', async () => {
  const id = Uint8Array.from([0x2d, 0x2c, 0x78, 0x56, 0x34, 0x12, 0x01, 0x07]);
  put('123456-wlFilter.bson', { wlFilter: [{ id: new Binary(id) }] });
  const result = await suite.rig.runSession('schedule', 0);
  expect(result.ok).toBe(true);
  expect(suite.rig.whitelist.size).toBe(1);
  expect(Array.from(suite.rig.whitelist.at(0))).toEqual(Array.from(id));
  expect(acks()).toEqual([{ type: 'config', cid: '', result: 'ok', data: '123456-wlFilter.bson' }]);
});

test('files for other hubs and unknown names are left on the server', async () => {
  put('654321-cfg.bson', { config: { name: 'other' } });
  suite.ftp.write(`${INBOX}/readme.txt`, new Uint8Array([0x68, 0x69]));
  const result = await suite.rig.runSession('schedule', 0);
  expect(result).toMatchObject({ ok: true, inboxFiles: 0 });
  expect(inboxLeft().sort()).toEqual(['654321-cfg.bson', 'readme.txt']);
  expect(acks()).toEqual([]);
});

test('with encryption, a .aes command file is decrypted and the ACK goes up encrypted (§4.2.1.2)', async () => {
  suite.rig.configure({ config: { security: { encryption: true, key: new BsonBinary(KEY) } } });
  put('123456-cmd.bson.aes', { cmd: { type: 'supervisionClean', cid: 'enc' } }, KEY);
  suite.rig.counters.value.wake.wakeup = 12;
  const result = await suite.rig.runSession('schedule', 0);
  expect(result.ok).toBe(true);
  expect(suite.rig.counters.value.wake.wakeup).toBe(0);
  const names = suite.ftp.files().filter((f) => f.includes('/ALARM/'));
  expect(names).toHaveLength(1);
  expect(names[0]).toMatch(/-ack\.bson\.aes$/);
  expect(acks()).toEqual([{ type: 'cmd', cid: 'enc', result: 'ok', data: '123456-cmd.bson.aes' }]);
});

test('factory: the ACK goes up before the restart, commands after it are not run (§5.6)', async () => {
  put('123456-1-cmd.bson', { cmd: { type: 'factory', cid: 'f1' } });
  put('123456-2-cmd.bson', { cmd: { type: 'logGet', cid: 'f2' } });
  const result = await suite.rig.runSession('schedule', 0);
  expect(result).toMatchObject({ ok: true, restart: true });
  expect(suite.rig.appCalls).toEqual(['factoryReset']);
  expect(acks().map((a) => [a.cid, a.result])).toEqual([
    ['f1', 'ok'],
    ['f2', 'ko'],
  ]);
  expect(suite.rig.port.status()).toBe(false);
});

const BOARD = 'wmbus-esp32-v1';

/** The updater the session streams into, with the largest piece it was handed noted. */
class WatchedInstaller implements FirmwareInstaller {
  largestChunk = 0;
  chunks = 0;
  readonly state = createOtaState(new Uint8Array(3000));
  readonly ota = new RecordingOta(new SimOta(this.state, { slotBytes: 256 * 1024, maxTrialBoots: 1 }));
  readonly updater: FirmwareUpdater;

  /** `runningVersionNumber`: the firmware this box runs, 2.0 (the images below are 2.0 or later unless a test says otherwise). */
  constructor(runningVersionNumber = 200) {
    this.updater = new FirmwareUpdater({ ota: this.ota, clock: suite.rig.clock, boardId: BOARD, restart: () => undefined, runningVersionNumber });
  }

  beginInstall(imageBytes?: number, options?: { readonly allowDowngrade?: boolean }): FirmwareInstall {
    const sink = this.updater.beginInstall(imageBytes, options);
    return {
      get result() {
        return sink.result;
      },
      push: (chunk) => {
        this.chunks++;
        this.largestChunk = Math.max(this.largestChunk, chunk.length);
        return sink.push(chunk);
      },
      finish: () => sink.finish(),
      abort: (reason) => sink.abort(reason),
    };
  }
}

test('firmware: the image streams from /BIN into the inactive slot, is verified and set for the next boot, then the hub restarts (§5.6.3, §6.2)', async () => {
  const payload = Uint8Array.from({ length: 150_000 }, (_, i) => (i * 7 + (i >> 9)) & 0xff);
  suite.ftp.write(`${ROOT}/BIN/WebdynEasy_V2.0.bson`, buildImage({ boardId: BOARD, version: '2.0.0', versionNumber: 200 }, payload, signWithTestKey));
  const installer = new WatchedInstaller();
  suite.rig.firmware = installer;
  put('123456-1-cmd.bson', { cmd: { type: 'firmware', cid: 'fw1', data: 'WebdynEasy_V2.0.bson' } });
  put('123456-2-cmd.bson', { cmd: { type: 'logGet', cid: 'fw2' } });
  const result = await suite.rig.runSession('schedule', 0);
  expect(result).toMatchObject({ ok: true, restart: true });
  expect(installer.state.slots[1].state).toBe('new');
  expect(installer.state.slots[1].image).toEqual(payload);
  expect(acks().map((a) => [a.cid, a.result, a.data])).toEqual([
    ['fw1', 'ok', '2.0.0'],
    ['fw2', 'ko', expect.stringMatching(/^not run/)],
  ]);
  expect(suite.rig.counters.value.lastUpdate).toBeGreaterThan(0);
});

test('firmware: the session never holds the image: the installer gets it in pieces no larger than one modem read', async () => {
  const payload = Uint8Array.from({ length: 150_000 }, (_, i) => (i * 13) & 0xff);
  suite.ftp.write(`${ROOT}/BIN/big.bson`, buildImage({ boardId: BOARD, version: '2.0.2', versionNumber: 200 }, payload, signWithTestKey));
  const installer = new WatchedInstaller();
  suite.rig.firmware = installer;
  put('123456-cmd.bson', { cmd: { type: 'firmware', cid: 'fw4', data: 'big.bson' } });
  await suite.rig.runSession('schedule', 0);
  expect(acks()[0]).toMatchObject({ cid: 'fw4', result: 'ok' });
  expect(installer.chunks).toBeGreaterThan(100);
  expect(installer.largestChunk).toBeLessThanOrEqual(MAX_READ_BYTES);
  expect(installer.ota.largestWrite).toBeLessThanOrEqual(MAX_READ_BYTES);
});

test('firmware for another board is refused before the slot is erased; the ACK says why', async () => {
  suite.ftp.write(`${ROOT}/BIN/other.bson`, buildImage({ boardId: 'other-board', version: '3.0.0', versionNumber: 300 }, new Uint8Array(40_000).fill(3), signWithTestKey));
  const installer = new WatchedInstaller();
  suite.rig.firmware = installer;
  put('123456-cmd.bson', { cmd: { type: 'firmware', cid: 'fw5', data: 'other.bson' } });
  const result = await suite.rig.runSession('schedule', 0);
  expect(result).toMatchObject({ ok: true, restart: false });
  expect(installer.ota.calls).toEqual([]);
  expect(acks()[0]).toMatchObject({ cid: 'fw5', result: 'ko', data: `other.bson: board: image is for board other-board, this is ${BOARD}` });
});

test('firmware older than the running one is refused before the slot is erased; the ACK names the versions', async () => {
  suite.ftp.write(`${ROOT}/BIN/old.bson`, buildImage({ boardId: BOARD, version: '1.9.0', versionNumber: 109 }, new Uint8Array(40_000).fill(4), signWithTestKey));
  const installer = new WatchedInstaller();
  suite.rig.firmware = installer;
  put('123456-cmd.bson', { cmd: { type: 'firmware', cid: 'fw7', data: 'old.bson' } });
  const result = await suite.rig.runSession('schedule', 0);
  expect(result).toMatchObject({ ok: true, restart: false });
  expect(installer.ota.calls).toEqual([]);
  expect(acks()[0]).toMatchObject({ cid: 'fw7', result: 'ko', data: 'old.bson: version: image 1.9.0 (version number 109) is older than the running 200' });
});

test('firmware with allowDowngrade: true installs the older image and restarts', async () => {
  const payload = new Uint8Array(40_000).fill(5);
  suite.ftp.write(`${ROOT}/BIN/old.bson`, buildImage({ boardId: BOARD, version: '1.9.0', versionNumber: 109 }, payload, signWithTestKey));
  const installer = new WatchedInstaller();
  suite.rig.firmware = installer;
  put('123456-cmd.bson', { cmd: { type: 'firmware', cid: 'fw8', data: 'old.bson', allowDowngrade: true } });
  const result = await suite.rig.runSession('schedule', 0);
  expect(result).toMatchObject({ ok: true, restart: true });
  expect(installer.state.slots[1].image).toEqual(payload);
  expect(acks()[0]).toMatchObject({ cid: 'fw8', result: 'ok', data: '1.9.0' });
});

test('firmware naming a file that is not in /BIN is refused without installing anything', async () => {
  const installer = new WatchedInstaller();
  suite.rig.firmware = installer;
  put('123456-cmd.bson', { cmd: { type: 'firmware', cid: 'fw6', data: 'missing.bson' } });
  await suite.rig.runSession('schedule', 0);
  expect(installer.ota.calls).toEqual([]);
  expect(acks()[0]).toMatchObject({ cid: 'fw6', result: 'ko', data: `${ROOT}/BIN/missing.bson: not on the server` });
});

test('firmware with a tampered image is streamed, refused, and the slot write is given up', async () => {
  const image = buildImage({ boardId: BOARD, version: '2.0.1', versionNumber: 200 }, new Uint8Array(5000).fill(7), signWithTestKey);
  image[image.length - 100] ^= 0x01;
  suite.ftp.write(`${ROOT}/BIN/bad.bson`, image);
  const installer = new WatchedInstaller();
  suite.rig.firmware = installer;
  put('123456-cmd.bson', { cmd: { type: 'firmware', cid: 'fw3', data: 'bad.bson' } });
  const result = await suite.rig.runSession('schedule', 0);
  expect(result).toMatchObject({ ok: true, restart: false });
  expect(installer.state.slots[1].state).toBe('empty');
  expect(installer.ota.called('abort')).toBe(true);
  expect(installer.ota.called('setBoot')).toBe(false);
  expect(acks()[0]).toMatchObject({ cid: 'fw3', result: 'ko', data: 'bad.bson: integrity: payload SHA-256 does not match the header' });
});
