/**
 * The MQTT site (sim/scenarios/mqtt-site.json, issue 10 item 8): `npm start -- --scenario … --out DIR`
 * against the real mosquitto the simulator starts, read back from what the head-end recorded
 * (`DIR/mqtt/messages.jsonl`) with independent decoders (the Lansen codec's decoder, npm bson).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { decodeBson } from '../../protocol/bson/decode';
import { gatewaySerial, lansenTopics } from '../../protocol/mqtt/lansen';
import { decodeContainer, decodeStatus } from '../../protocol/mqtt/lansen-decode';
import { runOnNode, type NodeRunResult } from '../../sim/cli/main.node';
import type { MessageRecord } from '../../sim/servers/mqtt-record';
import { FrameStore } from '../../tasks/store/frame-store';
import { KEY } from '../../tasks/settings-keys';
import { frameKey, readHubFile } from '../modem-session/support';

const SCENARIO = path.resolve(__dirname, '../../sim/scenarios/mqtt-site.json');
const UID = 'WE_000123';
const TOPICS = lansenTopics(gatewaySerial(UID));
const CONFIG_COPY = `wmbus/${UID}/config-copy`;
/** Two runs of a virtual day with the listen windows: real seconds each. */
const RUN_TIMEOUT_MS = 120_000;

interface Site {
  readonly dir: string;
  readonly result: NodeRunResult;
  readonly messages: MessageRecord[];
}

async function runSite(): Promise<Site> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mqtt-site-'));
  const result = await runOnNode(['--scenario', SCENARIO, '--out', dir], () => undefined);
  const text = fs.readFileSync(path.join(dir, 'mqtt', 'messages.jsonl'), 'utf8');
  const messages = text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as MessageRecord);
  return { dir, result, messages };
}

const bytes = (m: MessageRecord): Uint8Array => new Uint8Array(Buffer.from(m.payload, 'hex'));

type Ack = { ack: { type: string; cid?: string; result: string } };
const acks = (s: Site): { index: number; ack: Ack['ack'] }[] =>
  s.messages.flatMap((m, index) => (m.topic === TOPICS.response ? [{ index, ack: (readHubFile('ack.bson', bytes(m)) as Ack).ack }] : []));

let site: Site;
let again: Site;

beforeAll(async () => {
  site = await runSite();
  again = await runSite();
}, 2 * RUN_TIMEOUT_MS);

afterAll(() => {
  for (const s of [site, again]) if (s !== undefined) fs.rmSync(s.dir, { recursive: true, force: true });
});

test('every frame the box stored reached the broker exactly once, as a Lansen container on LAS/W/D/<serial>', () => {
  const stored = [...FrameStore.open(site.result.run.device.frameFlash).records(0)].map(frameKey);
  const delivered = site.messages
    .filter((m) => m.topic === TOPICS.data)
    .map((m) => decodeContainer(bytes(m)))
    .flatMap((d) => (d.ok ? [`${d.time}/${d.rssi}/${Buffer.from(d.telegram).toString('hex')}`] : []));
  expect(stored.length).toBe(site.result.run.summary.framesStored);
  expect(stored.length).toBeGreaterThan(0);
  expect(delivered.length).toBe(stored.length);
  expect([...delivered].sort()).toEqual([...stored].sort());
  expect(site.messages.every((m) => m.qos === 1 && !m.dup)).toBe(true);
});

test('each connection opens with the status packet and ends its upload with the ready packet', () => {
  const sequence = site.messages.flatMap((m) => {
    if (m.topic === TOPICS.ready) return ['ready'];
    if (m.topic !== TOPICS.data) return [];
    const status = decodeStatus(bytes(m));
    if (status.ok) expect(status.serial).toBe(gatewaySerial(UID));
    return status.ok ? ['status'] : [];
  });
  const sessions = site.result.run.summary.modemSessions;
  expect(sessions).toBeGreaterThan(1);
  expect(sequence).toEqual(Array.from({ length: sessions }, () => ['status', 'ready']).flat());
});

test('the configuration message answered the first ready packet, was applied, and its ACK came back ok on LAS/W/R/<serial>', () => {
  const firstReady = site.messages.findIndex((m) => m.topic === TOPICS.ready);
  const cfg = site.messages.findIndex((m) => m.topic === `${TOPICS.config}/${UID}-cfg.bson`);
  expect(cfg).toBe(firstReady + 1);
  const settings = site.result.run.device.settings.get(KEY.config);
  if (!(settings instanceof Uint8Array)) throw new Error('no configuration in the settings');
  const current = decodeBson(settings);
  if (!current.ok) throw new Error(current.error);
  expect(current.value.config).toMatchObject({ name: 'Cellar 7', scheduleRadio: [{ cron: '0 3 * * *', data: 240 }] });
  expect(site.result.run.summary.listeningSeconds).toBe(240);
  const [ack] = acks(site);
  expect(ack.ack).toMatchObject({ type: 'config', result: 'ok' });
  expect(ack.index).toBeGreaterThan(cfg);
});

test('the configGet command went at the second ready packet, and its configuration copy followed its ACK', () => {
  const readies = site.messages.flatMap((m, i) => (m.topic === TOPICS.ready ? [i] : []));
  const cmd = site.messages.findIndex((m) => m.topic === `${TOPICS.config}/${UID}-cmd.bson`);
  expect(cmd).toBe(readies[1] + 1);
  const get = acks(site).find((a) => a.ack.cid === 'get-1');
  expect(get?.ack).toMatchObject({ result: 'ok' });
  const copy = site.messages.findIndex((m, i) => i > (get?.index ?? Infinity) && m.topic === CONFIG_COPY);
  expect(copy).toBeGreaterThan(0);
  expect(readHubFile('config.bson', bytes(site.messages[copy]))).toMatchObject({ config: { name: 'Cellar 7' } });
});

test('messages.jsonl decodes every message its topic names: containers, status, ready, BSON files', () => {
  expect(site.messages.filter((m) => m.error !== undefined)).toEqual([]);
  expect(site.messages.every((m) => m.decoded !== undefined)).toBe(true);
  const status = site.messages.find((m) => m.topic === TOPICS.data && (m.decoded as { packet: string }).packet === 'status');
  expect(status?.decoded).toMatchObject({ packet: 'status', serial: gatewaySerial(UID) });
  const ack = site.messages.find((m) => m.topic === TOPICS.response);
  expect(ack?.decoded).toMatchObject({ ack: { type: 'config', result: 'ok' } });
});

test('a second run prints the same lines and the head-end receives the same messages (but the ports in the configuration copies)', () => {
  expect(again.result.lines).toEqual(site.result.lines);
  const comparable = (s: Site): string[] => s.messages.map((m) => (m.topic === CONFIG_COPY ? m.topic : `${m.topic} ${m.payload}`));
  expect(comparable(again)).toEqual(comparable(site));
});
