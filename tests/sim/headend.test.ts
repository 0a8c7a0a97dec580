/**
 * The simulator's head-end (sim/servers/headend.node.ts) against a real mosquitto: a box speaking
 * MQTT through the head-end's host sockets (packets made by npm mqtt-packet) must get the answer to
 * its ready packet in the very settle that brings the ready packet's PUBACK, so the virtual time at
 * which the firmware sees it does not depend on real latency.
 */
import * as mqtt from 'mqtt-packet';
import { decodeFile } from '../../protocol/files/codec';
import { mqttRoutes } from '../../protocol/mqtt/routes';
import { NodeHostSockets } from '../../sim/net/host-sockets.node';
import type { HostSocketEvent, HostSocketId, HostSockets } from '../../sim/net/types';
import { startHeadEnd, type HeadEnd } from '../../sim/servers/headend.node';
import { startMosquitto, type MosquittoBroker } from '../../sim/servers/mosquitto.node';
import type { MqttSite } from '../../sim/servers/mqtt-site';

const UID = 'WE_000123';
const SITE: MqttSite = { transport: 'mqtt', uid: UID, routes: mqttRoutes('lansen', 'wmbus', UID), encrypted: false };
const START_MS = Date.parse('2026-01-05T00:00:00Z');
const V311 = { protocolVersion: 4 } as const;

let broker: MosquittoBroker;
let headEnd: HeadEnd;
let sockets: HostSockets;
let inner: NodeHostSockets;
let virtualMs = START_MS;

beforeAll(async () => {
  broker = await startMosquitto({ users: { box: 'box-pass', hub: 'hub-pass' } });
});

afterAll(async () => {
  await broker.stop();
});

beforeEach(async () => {
  virtualMs = START_MS;
  headEnd = await startHeadEnd({
    host: broker.host,
    port: broker.port,
    username: 'hub',
    password: 'hub-pass',
    site: SITE,
    messages: [
      { atMinutes: 0, name: `${UID}-cfg.bson`, json: { config: { name: 'cellar' } } },
      { atMinutes: 90, name: `${UID}-cmd.bson`, json: { uid: UID, cmd: [{ cid: 'c1', type: 'configGet' }] } },
    ],
    startMs: START_MS,
    now: () => virtualMs,
  });
  inner = new NodeHostSockets();
  sockets = headEnd.wrap(inner, broker.port);
});

afterEach(async () => {
  sockets.closeAll();
  await headEnd.close();
});

/** Settles until `done` holds of the events collected. */
async function settleUntil(done: (events: HostSocketEvent[]) => boolean): Promise<HostSocketEvent[]> {
  const all: HostSocketEvent[] = [];
  while (!done(all)) all.push(...(await sockets.settle()));
  return all;
}

function packets(events: readonly HostSocketEvent[]): mqtt.Packet[] {
  const parser = mqtt.parser(V311);
  const out: mqtt.Packet[] = [];
  parser.on('packet', (p: mqtt.Packet) => out.push(p));
  for (const e of events) if (e.type === 'data') parser.parse(Buffer.from(e.bytes));
  return out;
}

function send(id: HostSocketId, packet: mqtt.Packet): void {
  sockets.send(id, new Uint8Array(mqtt.generate(packet, V311)));
}

/** A box connected and subscribed to `<config>/+` as the firmware does before it says it is ready. */
async function connectedBox(): Promise<HostSocketId> {
  const id = sockets.openStream({ host: broker.host, port: broker.port });
  await settleUntil((e) => e.some((x) => x.type === 'open'));
  send(id, { cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clientId: UID, clean: true, keepalive: 60, username: 'box', password: Buffer.from('box-pass') });
  await settleUntil((e) => packets(e).some((p) => p.cmd === 'connack'));
  send(id, { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: `${SITE.routes.config}/+`, qos: 1 }] });
  await settleUntil((e) => packets(e).some((p) => p.cmd === 'suback'));
  return id;
}

function ready(id: HostSocketId, messageId: number): void {
  send(id, { cmd: 'publish', topic: SITE.routes.ready, payload: Buffer.from([0x68]), qos: 1, dup: false, retain: false, messageId });
}

test('the files due answer a ready packet within the settle that brings its PUBACK', async () => {
  const id = await connectedBox();
  ready(id, 2);
  const got = packets(await sockets.settle());
  expect(got.map((p) => p.cmd)).toEqual(['puback', 'publish']);
  const publish = got[1] as mqtt.IPublishPacket;
  expect(publish.topic).toBe(`${SITE.routes.config}/${UID}-cfg.bson`);
  const file = decodeFile(new Uint8Array(publish.payload as Buffer), { encrypted: false });
  expect(file.ok && file.doc).toEqual({ config: { name: 'cellar' } });
  expect(headEnd.sent).toEqual([`${UID}-cfg.bson`]);
});

test('a file goes at the first ready packet at or after its time, and only once', async () => {
  const id = await connectedBox();
  ready(id, 2);
  await sockets.settle();
  ready(id, 3);
  expect(packets(await sockets.settle()).map((p) => p.cmd)).toEqual(['puback']);
  virtualMs = START_MS + 90 * 60_000;
  ready(id, 4);
  const got = packets(await sockets.settle());
  expect(got.map((p) => (p.cmd === 'publish' ? p.topic : p.cmd))).toEqual(['puback', `${SITE.routes.config}/${UID}-cmd.bson`]);
  expect(headEnd.sent).toEqual([`${UID}-cfg.bson`, `${UID}-cmd.bson`]);
});

test('the head-end records every message the broker delivered, in order, its own probes left out', async () => {
  const id = await connectedBox();
  ready(id, 2);
  await sockets.settle();
  await headEnd.drain();
  expect(headEnd.delivered().map((m) => m.topic)).toEqual([SITE.routes.ready, `${SITE.routes.config}/${UID}-cfg.bson`]);
  expect(headEnd.delivered().every((m) => m.qos === 1)).toBe(true);
});
