/**
 * MqttClient over real sockets (NodeNetwork) against a real mosquitto broker on 127.0.0.1, watched
 * by an independent client built on npm mqtt-packet (sim/servers/mqtt-observer.node.ts).
 */
import { execFileSync } from 'child_process';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { MqttClient, MqttError, type MqttClientOptions, type MqttMessage } from '../../protocol/mqtt/client';
import { connackMessage } from '../../protocol/mqtt/format';
import { NodeNetwork } from '../../sim/net/node-network.node';
import { startMosquitto, type MosquittoBroker } from '../../sim/servers/mosquitto.node';
import { connectObserver, type MqttObserver } from '../../sim/servers/mqtt-observer.node';
import { RealtimeClock } from '../net/support/realtime-clock';

const HUB = { username: 'hub', password: 'hub-sécret' };
const OBSERVER = { username: 'observer', password: 'observer-secret' };
const ACL = ['user hub', 'topic readwrite hub/#', 'topic read ops/#', '', 'user observer', 'topic readwrite #', ''].join('\n');
const TIMEOUT_MS = 5000;
const MESSAGES = 300;

const utf8 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));

let broker: MosquittoBroker;
let observer: MqttObserver;
const clock = new RealtimeClock();
const network = new NodeNetwork({ hosts: { localhost: '127.0.0.1' } });
const clients: MqttClient[] = [];

function client(options: Partial<MqttClientOptions> = {}): MqttClient {
  const c = new MqttClient(network, clock, { host: broker.host, port: broker.port, clientId: `hub-${clients.length}`, timeoutMs: TIMEOUT_MS, ...HUB, ...options });
  clients.push(c);
  return c;
}

async function failure(promise: Promise<unknown>): Promise<MqttError> {
  const outcome = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(outcome instanceof MqttError)) throw new Error(`expected an MqttError, got ${String(outcome)}`);
  return outcome;
}

/** A self-signed CA that did not sign the broker's certificate. */
function strangerCa(): Uint8Array {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stranger-ca-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'k.pem', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=stranger CA'], { cwd: dir, stdio: 'pipe' });
    return new Uint8Array(fs.readFileSync(path.join(dir, 'ca.pem')));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

beforeAll(async () => {
  broker = await startMosquitto({ users: { [HUB.username]: HUB.password, [OBSERVER.username]: OBSERVER.password }, tls: true, acl: ACL });
  observer = await connectObserver({ host: broker.host, port: broker.port, ...OBSERVER });
  await observer.subscribe('hub/#', 1);
});

afterEach(async () => {
  for (const c of clients.splice(0)) await c.disconnect();
  expect(clock.pending).toBe(0);
});

afterAll(async () => {
  await observer?.close();
  await broker?.stop();
});

describe('MQTT client against mosquitto', () => {
  test('connects with the right user name and password', async () => {
    const c = client();
    await expect(c.connect()).resolves.toEqual({ sessionPresent: false });
    expect(c.connected).toBe(true);
  });

  test('a wrong password is refused with CONNACK 4 or 5 and its meaning', async () => {
    const e = await failure(client({ password: 'wrong' }).connect());
    expect(e.kind).toBe('refused');
    expect([4, 5]).toContain(e.code);
    expect(e.message).toBe(connackMessage(e.code));
  });

  test('with users and no ACL (a mosquitto_passwd file) the password connects and an anonymous client is refused', async () => {
    const local = await startMosquitto({ users: { [HUB.username]: HUB.password } });
    try {
      await expect(client({ port: local.port }).connect()).resolves.toEqual({ sessionPresent: false });
      const e = await failure(client({ port: local.port, username: undefined, password: undefined }).connect());
      expect([e.kind, e.message]).toEqual(['refused', connackMessage(e.code)]);
    } finally {
      for (const c of clients.splice(0)) await c.disconnect();
      await local.stop();
    }
  });

  test('connects over TLS, verifying the broker against the generated CA', async () => {
    const c = client({ host: 'localhost', port: broker.tlsPort, tls: { ca: utf8(broker.caPem ?? '') } });
    await c.connect();
    await c.publish('hub/tls', utf8('over TLS'), { qos: 1 });
    const seen = await observer.waitFor((m) => m.topic === 'hub/tls', TIMEOUT_MS);
    expect(seen.payload).toEqual(utf8('over TLS'));
  });

  test('a TLS broker whose certificate the CA did not sign fails with kind network', async () => {
    const e = await failure(client({ port: broker.tlsPort, tls: { ca: strangerCa() } }).connect());
    expect(e.kind).toBe('network');
  });

  test(`${MESSAGES} pipelined QoS 1 publishes each reach the observer exactly once, byte for byte`, async () => {
    const c = client();
    await c.connect();
    const payloads = Array.from({ length: MESSAGES }, (_, i) => new Uint8Array(Buffer.concat([Buffer.from(`${i};`), randomBytes(1 + ((i * 37) % 1500))])));
    const ids = await Promise.all(payloads.map((p, i) => c.publish(`hub/bulk/${i}`, p, { qos: 1 })));
    expect(new Set(ids).size).toBe(MESSAGES);
    expect(c.inFlight).toBe(0);
    await observer.waitFor(() => observer.messages.filter((m) => m.topic.startsWith('hub/bulk/')).length >= MESSAGES, TIMEOUT_MS);
    const bulk = observer.messages.filter((m) => m.topic.startsWith('hub/bulk/'));
    expect(bulk).toHaveLength(MESSAGES);
    const byTopic = new Map(bulk.map((m) => [m.topic, m]));
    expect(byTopic.size).toBe(MESSAGES);
    // Buffer.equals: jest's deep equality walks a typed array element by element, seconds for 225 kB.
    const differing = payloads.filter((p, i) => !Buffer.from(p).equals(Buffer.from(byTopic.get(`hub/bulk/${i}`)?.payload ?? [])));
    expect(differing).toHaveLength(0);
  });

  test('a message the observer publishes on a subscribed topic reaches onMessage', async () => {
    const received: MqttMessage[] = [];
    const c = client({ onMessage: (m) => void received.push(m) });
    await c.connect();
    await expect(c.subscribe('ops/hub-0/#', 1)).resolves.toBe(1);
    await observer.publish('ops/hub-0/cmd', utf8('{"cmd":"upload"}'), 1);
    for (let i = 0; i < 100 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(received).toEqual([{ topic: 'ops/hub-0/cmd', payload: utf8('{"cmd":"upload"}'), qos: 1, retain: false, dup: false }]);
  });

  test('a subscription the ACL forbids is refused with SUBACK 0x80', async () => {
    const c = client();
    await c.connect();
    const e = await failure(c.subscribe('secret/#', 1));
    expect([e.kind, e.code]).toEqual(['subscription', 0x80]);
    expect(c.connected).toBe(true);
  });

  test('a broker restart mid-stream rejects the pending publishes with kind network; nothing hangs', async () => {
    const local = await startMosquitto();
    try {
      const closes: string[] = [];
      const c = client({ port: local.port, username: undefined, password: undefined, onClose: (r) => closes.push(r) });
      await c.connect();
      const restarted = local.restart();
      const results = await Promise.allSettled(Array.from({ length: MESSAGES }, (_, i) => c.publish(`hub/restart/${i}`, utf8(`m${i}`), { qos: 1 })));
      const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as MqttError);
      expect(rejected.length).toBeGreaterThan(0);
      expect(new Set(rejected.map((e) => e.kind))).toEqual(new Set(['network']));
      expect(closes).toHaveLength(1);
      expect(c.inFlight).toBe(0);
      await restarted;
      await c.connect();
      await expect(c.publish('hub/restart/again', utf8('back'), { qos: 1 })).resolves.toBeGreaterThan(0);
    } finally {
      for (const c of clients.splice(0)) await c.disconnect();
      await local.stop();
    }
  });
});
