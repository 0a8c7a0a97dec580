/**
 * INBOX files the box must not run, against a real ftp-srv: plain files while encryption is on
 * (§4.2.1.2), files over the 64 KiB the box reads, misnamed files of this hub; and configGet over
 * FTP (§5.6.5). Each gets its ACK in /ALARM once, and nothing of it is applied.
 */
import { BsonBinary } from '../../protocol/bson/types';
import { NOT_ENCRYPTED } from '../../tasks/commands/runner';
import { EVENTS } from '../../tasks/log/events';
import { CONFIG_GET_OVER_FTP, INBOX_OVERSIZED_FILE } from '../../tasks/modem/session';
import { MAX_INBOX_FILE_BYTES } from '../../tasks/modem/policy';
import { KEY, ROOT, inboxFile, serverDocs } from './support';
import { serverSuite } from './server-suite';

const UID = '123456';
const INBOX = `${ROOT}/INBOX/${UID}`;
const EXPECTED = `expected ${UID}-cfg.bson, ${UID}-wlFilter.bson, ${UID}-cmd.bson or ${UID}-<1-9 digits>-cmd.bson, with .aes when encrypted`;

const suite = serverSuite((rig) => rig.config.copyUploaded());

function put(name: string, doc: Record<string, unknown>, key?: Uint8Array): void {
  suite.ftp.write(`${INBOX}/${name}`, inboxFile(doc, key));
}

function inboxLeft(): string[] {
  return suite.ftp
    .files()
    .filter((f) => f.startsWith(INBOX + '/'))
    .map((f) => f.slice(INBOX.length + 1))
    .sort();
}

type AckSection = { type: string; cid: string; result: string; data?: string };

/** ACK sections in /ALARM, in TS order. */
function acks(): AckSection[] {
  return serverDocs(suite.ftp, '/ALARM')
    .filter((d) => /-ack\.bson(\.aes)?$/.test(d.name))
    .sort((a, b) => (a.doc.TS as number) - (b.doc.TS as number))
    .map((d) => d.doc.ack as AckSection);
}

function logged(code: number): (string | undefined)[] {
  return suite.rig.events
    .entries()
    .filter((e) => e.code === code)
    .map((e) => e.data);
}

function encryptionOn(): void {
  suite.rig.configure({ config: { security: { encryption: true, key: new BsonBinary(KEY) } } });
  suite.rig.config.copyUploaded();
}

/** An INBOX file of `bytes` bytes (its content does not matter: it is never read). */
function putOversized(name: string, bytes: number): void {
  suite.ftp.write(`${INBOX}/${name}`, new Uint8Array(bytes).fill(0x41));
}

describe('security.encryption on (§4.2.1.2)', () => {
  test('a plain configuration is refused with a ko ACK naming the reason, logged, and not applied', async () => {
    encryptionOn();
    put(`${UID}-cfg.bson`, { config: { name: 'Forged' } });
    const result = await suite.rig.runSession('schedule', 0);
    expect(result.ok).toBe(true);
    expect(suite.rig.config.current.name).toBeNull();
    expect(acks()).toEqual([{ type: 'config', cid: '', result: 'ko', data: `${UID}-cfg.bson: ${NOT_ENCRYPTED}` }]);
    expect(logged(EVENTS.configRejected.code)).toEqual([`${UID}-cfg.bson: ${NOT_ENCRYPTED}`]);
  });

  test('a plain command file is refused and its command is not run', async () => {
    encryptionOn();
    put(`${UID}-cmd.bson`, { cmd: { type: 'supervisionClean', cid: 'forged' } });
    suite.rig.counters.value.wake.wakeup = 12;
    await suite.rig.runSession('schedule', 0);
    expect(suite.rig.counters.value.wake.wakeup).toBe(12);
    expect(acks()).toEqual([{ type: 'cmd', cid: '', result: 'ko', data: `${UID}-cmd.bson: ${NOT_ENCRYPTED}` }]);
    expect(logged(EVENTS.inboxFileRejected.code)).toEqual([`${UID}-cmd.bson: ${NOT_ENCRYPTED}`]);
  });

  test('the refused file is deleted on the server like any processed inbox file, so it is answered once', async () => {
    encryptionOn();
    put(`${UID}-cfg.bson`, { config: { name: 'Forged' } });
    await suite.rig.runSession('schedule', 0);
    await suite.rig.runSession('schedule', 0);
    expect(inboxLeft()).toEqual([]);
    expect(acks()).toHaveLength(1);
  });
});

test('configGet over FTP has no effect (§5.6.5): ACK ok saying so, no copy in /CONFIG, the next command runs', async () => {
  put(`${UID}-1-cmd.bson`, { cmd: { type: 'configGet', cid: 'g1' } });
  put(`${UID}-2-cmd.bson`, { cmd: { type: 'supervisionGet', cid: 'g2' } });
  const result = await suite.rig.runSession('schedule', 0);
  expect(result.ok).toBe(true);
  expect(acks().map((a) => [a.cid, a.result, a.data])).toEqual([
    ['g1', 'ok', CONFIG_GET_OVER_FTP],
    ['g2', 'ok', expect.stringMatching(/-supervision\.bson$/)],
  ]);
  expect(serverDocs(suite.ftp, '/CONFIG')).toEqual([]);
});

describe(`a file over the ${MAX_INBOX_FILE_BYTES} bytes the box reads`, () => {
  test('is acknowledged ko with its size and the limit, and logged', async () => {
    putOversized(`${UID}-cfg.bson`, 70_000);
    const result = await suite.rig.runSession('schedule', 0);
    expect(result).toMatchObject({ ok: true, inboxFiles: 1 });
    const why = `${UID}-cfg.bson: 70000 bytes, more than the 65536 this box reads`;
    expect(acks()).toEqual([{ type: 'config', cid: '', result: 'ko', data: why }]);
    expect(logged(EVENTS.inboxFileRejected.code)).toEqual([why]);
  });

  test('stays on the server for the operator to see and fix', async () => {
    putOversized(`${UID}-cmd.bson`, 70_000);
    await suite.rig.runSession('schedule', 0);
    expect(inboxLeft()).toEqual([`${UID}-cmd.bson`]);
  });

  test('is not acknowledged again at the next sessions while it stays there unchanged', async () => {
    putOversized(`${UID}-cfg.bson`, 70_000);
    await suite.rig.runSession('schedule', 0);
    await suite.rig.runSession('schedule', 0);
    const third = await suite.rig.runSession('schedule', 0);
    expect(third.inboxFiles).toBe(0);
    expect(acks()).toHaveLength(1);
  });

  test('replaced by a file the box can read, the new one is run and the memory of the old one goes', async () => {
    putOversized(`${UID}-cfg.bson`, 70_000);
    await suite.rig.runSession('schedule', 0);
    put(`${UID}-cfg.bson`, { config: { name: 'Fixed' } });
    await suite.rig.runSession('schedule', 0);
    expect(suite.rig.config.current.name).toBe('Fixed');
    expect(acks().map((a) => a.result)).toEqual(['ko', 'ok']);
    expect(inboxLeft()).toEqual([]);
    expect(suite.rig.files.read(INBOX_OVERSIZED_FILE)).toBeUndefined();
  });

  test('replaced by another oversized file of a different size, the new one is acknowledged with its size', async () => {
    putOversized(`${UID}-cfg.bson`, 70_000);
    await suite.rig.runSession('schedule', 0);
    putOversized(`${UID}-cfg.bson`, 80_000);
    await suite.rig.runSession('schedule', 0);
    expect(acks().map((a) => a.data)).toEqual([
      `${UID}-cfg.bson: 70000 bytes, more than the 65536 this box reads`,
      `${UID}-cfg.bson: 80000 bytes, more than the 65536 this box reads`,
    ]);
  });

  test('an oversized command file stops the numbered commands after it, as an unreadable one does (§5.6)', async () => {
    putOversized(`${UID}-1-cmd.bson`, 70_000);
    put(`${UID}-2-cmd.bson`, { cmd: { type: 'logClean', cid: 'after' } });
    await suite.rig.runSession('schedule', 0);
    expect(acks().map((a) => [a.cid, a.result])).toEqual([
      ['', 'ko'],
      ['after', 'ko'],
    ]);
    expect(acks()[1].data).toBe(`not run: ${UID}-1-cmd.bson could not be read`);
  });
});

describe('misnamed files of this hub', () => {
  const MISNAMED = [`${UID}-CFG.bson`, `${UID}-cfg (1).bson`, `${UID}-1234567890-cmd.bson`, `${UID} -cmd.bson`, ` ${UID}-cfg.bson`, `${UID}-cmd.bson `];

  test('each is acknowledged ko with the expected names and logged', async () => {
    for (const name of MISNAMED) put(name, { cmd: { type: 'logClean', cid: 'x' } });
    const result = await suite.rig.runSession('schedule', 0);
    expect(result.ok).toBe(true);
    const got = acks().map((a) => [a.type, a.result, a.data]);
    expect(got.sort()).toEqual(MISNAMED.map((n) => [n.toLowerCase().includes('cfg') ? 'config' : 'cmd', 'ko', `${n}: ${EXPECTED}`]).sort());
    expect(logged(EVENTS.inboxFileRejected.code).sort()).toEqual(MISNAMED.map((n) => `${n}: ${EXPECTED}`).sort());
  });

  test('each is deleted after its ACK, so it is answered once', async () => {
    for (const name of MISNAMED) put(name, { config: { name: 'x' } });
    await suite.rig.runSession('schedule', 0);
    await suite.rig.runSession('schedule', 0);
    expect(inboxLeft()).toEqual([]);
    expect(acks()).toHaveLength(MISNAMED.length);
    expect(suite.rig.config.current.name).toBeNull();
  });

  test("another hub's file, a non-BSON file and /BIN stay untouched and unanswered", async () => {
    put('654321-cfg.bson', { config: { name: 'other' } });
    suite.ftp.write(`${INBOX}/readme.txt`, new Uint8Array([0x68, 0x69]));
    suite.ftp.write(`${ROOT}/BIN/WebdynEasy_V2.0.bson`, new Uint8Array(100).fill(1));
    put(`${UID}-CFG.bson`, { config: { name: 'x' } });
    await suite.rig.runSession('schedule', 0);
    expect(inboxLeft()).toEqual(['654321-cfg.bson', 'readme.txt']);
    expect(suite.ftp.files()).toContain(`${ROOT}/BIN/WebdynEasy_V2.0.bson`);
    expect(acks()).toHaveLength(1);
  });
});
