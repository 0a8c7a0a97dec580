/**
 * Upload over MQTT (issue 10; Lansen gateway manual, seed 002 "MQTT traffic"): the firmware's
 * session through the BG95 emulator to a real mosquitto, checked by an independent head-end client
 * (npm mqtt-packet) and independent decoders (npm bson; the container's bytes read by hand).
 */
import { FTP_UPLOAD_DATA, FTP_UPLOAD_SUPERVISION } from '../../protocol/config/types';
import { decodeContainer } from '../../protocol/mqtt/lansen-decode';
import { startMosquitto } from '../../sim/servers/mosquitto.node';
import { RIG_UID } from '../../sim/upload/rig.node';
import type { FrameRecord } from '../../tasks/store/types';
import { frameKey, inboxFile, readHubFile } from './support';
import { BROKER_PASS, mqttConfig, mqttSuite, TOPICS } from './mqtt-suite';

const suite = mqttSuite();

/** M-Bus long frame trailer: checksum and stop byte 0x16 (EN 13757-2 §5). */
const TRAILER_BYTES = 2;

function containers(): Uint8Array[] {
  return suite.observer.messages.filter((m) => m.topic === TOPICS.data && isFrameContainer(m.payload)).map((m) => m.payload);
}

/** A data container ends with DR5, the telegram itself: its L-field tells its length. */
function isFrameContainer(p: Uint8Array): boolean {
  const decoded = decodeContainer(p);
  return decoded.ok;
}

/** The telegram a container carries, read from its last bytes (independent of the codec). */
function telegramOf(container: Uint8Array, length: number): string {
  return Buffer.from(container.subarray(container.length - TRAILER_BYTES - length, container.length - TRAILER_BYTES)).toString('hex');
}

async function settled(): Promise<void> {
  // The last PUBACKed publications reach the head-end a few real ms after the box saw its PUBACK.
  await new Promise((resolve) => setTimeout(resolve, 200));
}

function expectEachOnce(recorded: FrameRecord[]): void {
  const seen = containers().map((c) => {
    const d = decodeContainer(c);
    if (!d.ok) throw new Error(d.error);
    return `${d.time}/${d.rssi}/${Buffer.from(d.telegram).toString('hex')}`;
  });
  expect(seen.length).toBe(recorded.length);
  expect([...seen].sort()).toEqual(recorded.map(frameKey).sort());
}

test('every stored frame reaches the broker exactly once, as a Lansen container on LAS/W/D/<serial>, and the cursor moves past them', async () => {
  const recorded = suite.rig.record(300);
  const result = await suite.rig.runSession('schedule', FTP_UPLOAD_DATA);
  await settled();
  expect(result).toMatchObject({ ok: true, framesUploaded: 300, framesResent: 0 });
  expectEachOnce(recorded);
  expect(suite.rig.frames.stats().pendingRecords).toBe(0);
  expect(suite.rig.counters.value.modem).toMatchObject({ framesUploaded: 300, framesResent: 0, sessionsOk: 1 });
});

test('a container carries the telegram itself, L-field first, right before its checksum and 0x16', async () => {
  const [record] = suite.rig.record(1, 47);
  await suite.rig.runSession('schedule', FTP_UPLOAD_DATA);
  await settled();
  const [container] = containers();
  expect(telegramOf(container, record.frame.length)).toBe(Buffer.from(record.frame).toString('hex'));
  expect(container[0]).toBe(0x68);
  expect(container[container.length - 1]).toBe(0x16);
  let sum = 0;
  for (let i = 4; i < container.length - TRAILER_BYTES; i++) sum = (sum + container[i]) & 0xff;
  expect(container[container.length - TRAILER_BYTES]).toBe(sum);
});

test('the status packet opens every connection and the ready packet on LAS/W/I/<serial> follows the upload', async () => {
  suite.rig.record(10);
  await suite.rig.runSession('schedule', FTP_UPLOAD_DATA);
  await suite.rig.runSession('schedule', FTP_UPLOAD_DATA);
  await settled();
  const topics = suite.observer.messages.map((m) => m.topic);
  const readies = topics.filter((t) => t === TOPICS.ready);
  expect(readies).toHaveLength(2);
  const dataMessages = suite.observer.messages.filter((m) => m.topic === TOPICS.data);
  // 10 frames and 2 status packets, one first in each connection.
  expect(dataMessages).toHaveLength(12);
  expect(isFrameContainer(dataMessages[0].payload)).toBe(false);
  expect(topics.indexOf(TOPICS.ready)).toBeGreaterThan(topics.indexOf(TOPICS.data));
});

test('json format: one message per frame on <prefix>/<manufacturer>/<id> with the raw frame in hex', async () => {
  suite.rig.configure({ config: { remote: { mqtt: { format: 'json', prefix: 'site7' } } } });
  const recorded = suite.rig.record(20);
  const result = await suite.rig.runSession('schedule', FTP_UPLOAD_DATA);
  await settled();
  expect(result.ok).toBe(true);
  const frames = suite.observer.messages.filter((m) => m.topic.startsWith('site7/') && !m.topic.startsWith(`site7/${RIG_UID}/`));
  expect(frames).toHaveLength(20);
  const hex = frames.map((m) => (JSON.parse(Buffer.from(m.payload).toString('utf8')) as { frame: string }).frame).sort();
  expect(hex).toEqual(recorded.map((r) => Buffer.from(r.frame).toString('hex')).sort());
  // The synthetic frames carry manufacturer 0x2C2D (KAM) and random (not BCD) ids, printed as hex.
  expect(frames[0].topic).toMatch(/^site7\/KAM\/[0-9a-f]{8}$/);
});

test('bson format: the frames go as §5.3 data files on <prefix>/<uid>/data', async () => {
  suite.rig.configure({ config: { remote: { mqtt: { format: 'bson' } } } });
  const recorded = suite.rig.record(50);
  const result = await suite.rig.runSession('schedule', FTP_UPLOAD_DATA);
  await settled();
  expect(result).toMatchObject({ ok: true, framesUploaded: 50 });
  const files = suite.observer.messages.filter((m) => m.topic === `wmbus/${RIG_UID}/data`);
  expect(files.length).toBeGreaterThan(0);
  const seen: string[] = [];
  for (const f of files) {
    const doc = readHubFile('data.bson', f.payload) as { data: { T: number; R: number; F: { buffer: Uint8Array } }[] };
    for (const d of doc.data) seen.push(`${d.T}/${d.R}/${Buffer.from(d.F.buffer).toString('hex')}`);
  }
  expect(seen.sort()).toEqual(recorded.map(frameKey).sort());
});

test('with transport mqtt the supervision file goes to the broker as BSON on <prefix>/<uid>/supervision', async () => {
  await suite.rig.runSession('schedule', FTP_UPLOAD_DATA | FTP_UPLOAD_SUPERVISION);
  await settled();
  const supervision = suite.observer.messages.filter((m) => m.topic === `wmbus/${RIG_UID}/supervision`);
  expect(supervision).toHaveLength(1);
  expect(readHubFile('s.bson', supervision[0].payload)).toMatchObject({ uid: RIG_UID });
  expect(suite.rig.outbox.list()).toEqual([]);
});

/** A box that listens after its upload (Lansen's window, shortened). */
function listening(): void {
  suite.rig.configure({ config: { remote: { mqtt: { listen: 5 } } } });
}

test('a configuration published on LAS/W/C/<serial> once the box is ready is applied and acknowledged on LAS/W/R/<serial>', async () => {
  listening();
  const cfg = inboxFile({ config: { name: 'cellar 7' } });
  void suite.observer.waitFor((m) => m.topic === TOPICS.ready, 60_000).then(() => suite.observer.publish(`${TOPICS.config}/${RIG_UID}-cfg.bson`, cfg, 1));
  const result = await suite.rig.runSession('schedule', FTP_UPLOAD_DATA);
  await settled();
  expect(result).toMatchObject({ ok: true, inboxFiles: 1 });
  expect(suite.rig.config.current.name).toBe('cellar 7');
  const acks = suite.observer.messages.filter((m) => m.topic === TOPICS.response).map((m) => readHubFile('ack.bson', m.payload) as { ack: { type: string; result: string } });
  expect(acks).toEqual([expect.objectContaining({ ack: expect.objectContaining({ type: 'config', result: 'ok' }) })]);
});

test('a document on the bare configuration topic is recognised by its top-level key (cmd: configGet answers with the configuration copy)', async () => {
  listening();
  const cmd = inboxFile({ uid: RIG_UID, cmd: [{ cid: 'c-1', type: 'configGet' }] });
  void suite.observer.waitFor((m) => m.topic === TOPICS.ready, 60_000).then(() => suite.observer.publish(TOPICS.config, cmd, 1));
  const result = await suite.rig.runSession('schedule', FTP_UPLOAD_DATA);
  await settled();
  expect(result.ok).toBe(true);
  const acks = suite.observer.messages.filter((m) => m.topic === TOPICS.response).map((m) => readHubFile('ack.bson', m.payload) as { ack: { cid: string; result: string } });
  expect(acks).toEqual([expect.objectContaining({ ack: expect.objectContaining({ cid: 'c-1', result: 'ok' }) })]);
  // The copy of the configuration the rig was given goes first; configGet's follows its ACK.
  const copies = suite.observer.messages.filter((m) => m.topic === `wmbus/${RIG_UID}/config-copy`);
  expect(copies).toHaveLength(2);
  expect(suite.observer.messages.indexOf(copies[1])).toBeGreaterThan(suite.observer.messages.findIndex((m) => m.topic === TOPICS.response));
});

test('a bad configuration gets a ko ACK naming the field, and nothing of it is applied', async () => {
  listening();
  const cfg = inboxFile({ config: { name: 'half', radio: { duration: 99_999 } } });
  void suite.observer.waitFor((m) => m.topic === TOPICS.ready, 60_000).then(() => suite.observer.publish(`${TOPICS.config}/${RIG_UID}-cfg.bson`, cfg, 1));
  await suite.rig.runSession('schedule', FTP_UPLOAD_DATA);
  await settled();
  const [ack] = suite.observer.messages.filter((m) => m.topic === TOPICS.response).map((m) => readHubFile('ack.bson', m.payload) as { ack: { result: string; data: string } });
  expect(ack.ack.result).toBe('ko');
  expect(ack.ack.data).toContain('config.radio.duration');
  expect(suite.rig.config.current.name).not.toBe('half');
});

test('a message that is no file of this box gets a ko ACK with the expected names', async () => {
  listening();
  void suite.observer.waitFor((m) => m.topic === TOPICS.ready, 60_000).then(() => suite.observer.publish(`${TOPICS.config}/other-cfg.bson`, inboxFile({ config: {} }), 1));
  await suite.rig.runSession('schedule', FTP_UPLOAD_DATA);
  await settled();
  const [ack] = suite.observer.messages.filter((m) => m.topic === TOPICS.response).map((m) => readHubFile('ack.bson', m.payload) as { ack: { result: string; data: string } });
  expect(ack.ack).toMatchObject({ result: 'ko' });
  expect(ack.ack.data).toContain(`${RIG_UID}-cfg.bson`);
});

test('wrong credentials: a clear logged error, no second connection, no back-off retry', async () => {
  suite.rig.configure({ config: { remote: { mqtt: { pass: BROKER_PASS + 'x' } } } });
  suite.rig.record(5);
  const result = await suite.rig.runSession('schedule', FTP_UPLOAD_DATA);
  expect(result).toMatchObject({ ok: false, failedStep: 'connect', retry: 'schedule' });
  expect(result.error).toMatch(/bad user name or password|not authori[sz]ed/i);
  expect(suite.rig.emulator.commandLog.filter((c) => c.startsWith('AT+QIOPEN=1,') && c.includes('"TCP"'))).toHaveLength(1);
  expect(suite.rig.events.entries().map((e) => e.data ?? '')).toEqual(expect.arrayContaining([expect.stringMatching(/connect: .*(password|authori)/i)]));
  expect(suite.rig.frames.stats().pendingRecords).toBe(5);
});

test('MQTTS: the broker certificate is verified against the CA the certificate command stored', async () => {
  suite.rig.configure(mqttConfig(suite.broker.tlsPort as number, suite.ntp.port, { tls: true, addr: 'localhost' }));
  expect(suite.rig.certificates.add('ca.pem', new Uint8Array(Buffer.from(suite.broker.caPem as string)))).toEqual({ ok: true });
  const recorded = suite.rig.record(20);
  const result = await suite.rig.runSession('schedule', FTP_UPLOAD_DATA);
  await settled();
  expect(result.ok).toBe(true);
  expectEachOnce(recorded);
});

test('MQTTS: a broker whose certificate does not chain to the stored CA is refused', async () => {
  // Another broker's CA, made for this run: a valid CA, but not the one that signed this broker.
  const other = await startMosquitto({ tls: true });
  try {
    suite.rig.configure(mqttConfig(suite.broker.tlsPort as number, suite.ntp.port, { tls: true, addr: 'localhost' }));
    expect(suite.rig.certificates.add('ca.pem', new Uint8Array(Buffer.from(other.caPem as string)))).toEqual({ ok: true });
    suite.rig.record(5);
    const result = await suite.rig.runSession('schedule', FTP_UPLOAD_DATA);
    expect(result).toMatchObject({ ok: false, failedStep: 'connect' });
    expect(suite.rig.frames.stats().pendingRecords).toBe(5);
  } finally {
    await other.stop();
  }
});
