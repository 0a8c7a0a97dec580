/**
 * Faults on the way to the broker (issue 10 item 9; seed 002: "the gateway will resend the not yet
 * delivered telegram"): whatever breaks, every stored frame reaches the broker at least once, the
 * store's cursor never passes a frame without its PUBACK, what goes twice is counted, and the
 * modem time a failure costs stays bounded.
 */
import * as mqtt from 'mqtt-packet';
import * as net from 'node:net';
import { FTP_UPLOAD_DATA } from '../../protocol/config/types';
import { decodeContainer } from '../../protocol/mqtt/lansen-decode';
import type { ObservedMessage } from '../../sim/servers/mqtt-observer.node';
import { connectObserver } from '../../sim/servers/mqtt-observer.node';
import type { FrameRecord } from '../../tasks/store/types';
import { frameKey } from './support';
import { mqttConfig, mqttSuite, TOPICS } from './mqtt-suite';

const suite = mqttSuite();

function framesIn(messages: readonly ObservedMessage[]): string[] {
  const out: string[] = [];
  for (const m of messages) {
    if (m.topic !== TOPICS.data) continue;
    const d = decodeContainer(m.payload);
    if (d.ok) out.push(`${d.time}/${d.rssi}/${Buffer.from(d.telegram).toString('hex')}`);
  }
  return out;
}

/** Every recorded frame at least once; the copies beyond one are at most what the box counted as resent. */
function expectAtLeastOnce(seen: string[], recorded: FrameRecord[]): void {
  expect(new Set(seen)).toEqual(new Set(recorded.map(frameKey)));
  expect(seen.length - recorded.length).toBeLessThanOrEqual(suite.rig.counters.value.modem.framesResent);
  expect(suite.rig.frames.stats().pendingRecords).toBe(0);
}

async function settled(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 200));
}

/** A broker that answers CONNECT with `connack` and then never acknowledges anything. */
async function unresponsiveBroker(connack: number): Promise<{ port: number; publishes: () => number; close(): Promise<void> }> {
  let publishes = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    const parser = mqtt.parser({ protocolVersion: 4 });
    parser.on('packet', (packet) => {
      if (packet.cmd === 'connect') socket.write(mqtt.generate({ cmd: 'connack', returnCode: connack, sessionPresent: false }));
      if (packet.cmd === 'publish') publishes++;
    });
    socket.on('data', (d) => parser.parse(d));
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    publishes: () => publishes,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

test('a socket dropped mid-publish: one reconnection resends what had no PUBACK (counted), the next session finishes', async () => {
  const recorded = suite.rig.record(300, 64);
  suite.rig.setFaults({ socketDrop: { afterBytes: 12_000 } });
  const first = await suite.rig.runSession('schedule', FTP_UPLOAD_DATA);
  expect(first).toMatchObject({ ok: false, retry: 'backoff' });
  // The cursor covers only acknowledged frames: what is pending was never PUBACKed.
  const pendingAfterFirst = suite.rig.frames.stats().pendingRecords;
  expect(pendingAfterFirst).toBeGreaterThan(0);
  expect(pendingAfterFirst).toBeLessThan(300);
  expect(suite.rig.port.status()).toBe(false);

  suite.rig.setFaults({});
  const second = await suite.rig.runSession('schedule', FTP_UPLOAD_DATA);
  await settled();
  expect(second.ok).toBe(true);
  expectAtLeastOnce(framesIn(suite.observer.messages), recorded);
  // The DUP flag the box sets on a resend is per hop (MQTT 3.1.1 §3.3.1.1): the broker does not pass it on.
  expect(suite.rig.counters.value.modem.framesResent).toBeGreaterThan(0);
});

test('the broker restarts mid-upload: the session fails or reconnects, and nothing stored is lost', async () => {
  // A persistent head-end session on a broker that keeps its state across the restart.
  const { startMosquitto } = await import('../../sim/servers/mosquitto.node');
  const broker = await startMosquitto({ users: { hub: 'mqtt-secret', headend: 'headend' }, persistent: true });
  const headend = { host: broker.host, port: broker.port, username: 'headend', password: 'headend', clientId: 'headend-restart', cleanSession: false };
  let observer = await connectObserver(headend);
  await observer.subscribe('#', 1);
  try {
    suite.rig.configure(mqttConfig(broker.port, suite.ntp.port));
    const recorded = suite.rig.record(300, 64);
    const seen: ObservedMessage[] = [];
    const session = suite.rig.drive(suite.rig.newSession('schedule', FTP_UPLOAD_DATA).run());
    await observer.waitFor(() => framesIn(observer.messages).length >= 100, 60_000);
    await broker.restart();
    seen.push(...observer.messages);
    await observer.close().catch(() => undefined);
    observer = await connectObserver(headend);
    await observer.subscribe('#', 1);
    const first = await session;
    if (!first.ok) {
      expect(first.retry).toBe('backoff');
      const second = await suite.rig.runSession('schedule', FTP_UPLOAD_DATA);
      expect(second.ok).toBe(true);
    }
    await settled();
    seen.push(...observer.messages);
    expectAtLeastOnce(framesIn(seen), recorded);
  } finally {
    await observer.close().catch(() => undefined);
    await broker.stop();
  }
});

test('PUBACKs never arrive: the publish times out, one reconnection, the cursor has not moved; the next session delivers everything', async () => {
  const silent = await unresponsiveBroker(0);
  // It acknowledges nothing on purpose: the simulator must not wait for its PUBACKs.
  suite.rig.host.deafServer(silent.port);
  try {
    suite.rig.configure(mqttConfig(silent.port, suite.ntp.port));
    const recorded = suite.rig.record(100, 64);
    const first = await suite.rig.runSession('schedule', FTP_UPLOAD_DATA);
    expect(first).toMatchObject({ ok: false, failedStep: 'upload', retry: 'backoff', framesUploaded: 0 });
    expect(silent.publishes()).toBeGreaterThan(0);
    expect(suite.rig.frames.stats().pendingRecords).toBe(100);
    // Two connections, each waiting out the 60 s publish limit, then power-down: bounded.
    expect(first.modemOnMs).toBeLessThan(300_000);

    suite.rig.configure(mqttConfig(suite.broker.port, suite.ntp.port));
    const second = await suite.rig.runSession('schedule', FTP_UPLOAD_DATA);
    await settled();
    expect(second.ok).toBe(true);
    expectAtLeastOnce(framesIn(suite.observer.messages), recorded);
  } finally {
    await silent.close();
  }
});

test('CONNACK 3 (server unavailable): no second connection in the session, a back-off retry, frames kept', async () => {
  const refusing = await unresponsiveBroker(3);
  try {
    suite.rig.configure(mqttConfig(refusing.port, suite.ntp.port));
    suite.rig.record(10, 64);
    const result = await suite.rig.runSession('schedule', FTP_UPLOAD_DATA);
    expect(result).toMatchObject({ ok: false, failedStep: 'connect', retry: 'backoff' });
    expect(result.error).toMatch(/unavailable/i);
    expect(suite.rig.emulator.commandLog.filter((c) => c.startsWith('AT+QIOPEN=1,') && c.includes('"TCP"'))).toHaveLength(1);
    expect(suite.rig.frames.stats().pendingRecords).toBe(10);
  } finally {
    await refusing.close();
  }
});

test('the session is booked in the energy ledger: the modem draws from the pack while it is on', async () => {
  suite.rig.record(300, 64);
  const before = suite.rig.ledger.snapshot();
  const result = await suite.rig.runSession('schedule', FTP_UPLOAD_DATA);
  const after = suite.rig.ledger.snapshot();
  expect(result.ok).toBe(true);
  const modemMah = (after.components.modem?.packMah ?? 0) - (before.components.modem?.packMah ?? 0);
  expect(modemMah).toBeGreaterThan(0);
  expect(result.modemOnMs).toBeGreaterThan(0);
});
