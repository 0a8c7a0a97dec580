import { Bg95Modem } from '../../../drivers/modem/bg95';
import type { Clock } from '../../../protocol/ports/clock';
import type { ModemStateStore } from '../../../drivers/modem/types';
import type { Datagram } from '../../../protocol/ports/network';
import { utf8Decode, utf8Encode } from '../../../protocol/text/utf8';
import { SimModemPort } from '../../../sim/drivers/modem-port';
import { Bg95Emulator } from '../../../sim/modem/bg95-emulator';
import { HostSocketsBridge } from '../../../sim/net/host-sockets.bridge';
import { createRandom } from '../../../sim/world/random';
import { SimWorld } from '../../../sim/world/world';
import { framedBridge } from '../../../sim/xs/frame';

/**
 * Runs inside xsnap: the BG95 driver on the emulator, whose sockets reach the Node host through
 * HostSocketsBridge. Echoes over TCP, UDP and TLS, then reports what came back on channel `done`.
 */
declare function issueCommand(request: ArrayBuffer): ArrayBuffer;

interface Start {
  readonly tcpPort: number;
  readonly udpPort: number;
  readonly tlsPort: number;
  readonly ca: string;
}

const world = new SimWorld(Date.UTC(2026, 0, 1));
const bridge = framedBridge(issueCommand, () => world.now());

const clock: Clock = {
  now: () => Math.floor(world.now()),
  set: () => undefined,
  setTimer: (at, cb) => world.at(at, cb),
  clearTimer: (id) => world.cancel(id),
};

const memory = new Map<string, string>();
const store: ModemStateStore = {
  get: (k) => memory.get(k),
  set: (k, v) => void memory.set(k, v),
  delete: (k) => void memory.delete(k),
};

async function drive<T>(p: Promise<T>): Promise<T> {
  let done = false;
  let failed = false;
  let value: T | undefined;
  let error: unknown;
  p.then(
    (v) => ((done = true), (value = v)),
    (e: unknown) => ((done = true), (failed = true), (error = e)),
  );
  await world.runUntil(world.now());
  while (!done) {
    const next = world.nextEventTime();
    if (next === undefined) throw new Error('stalled');
    await world.runUntil(next);
  }
  if (failed) throw error;
  return value as T;
}

function pattern(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = i % 251;
  return out;
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

async function main(): Promise<void> {
  const start = JSON.parse(utf8Decode(bridge.call('start', new Uint8Array(0)))) as Start;
  const port = new SimModemPort(world);
  const host = new HostSocketsBridge(bridge);
  const emulator = new Bg95Emulator({
    time: world,
    port,
    scenario: { sim: { iccid: '89330123456789012345', pin: '1234' }, coverage: [{ technology: 'LTE-M', rssi: -60, rsrp: -85, rsrq: -10, sinr: 8 }], dns: { localhost: '127.0.0.1' } },
    random: createRandom(1),
    host,
  });
  world.attachHostIo(emulator);
  const modem = new Bg95Modem({ port, clock, store });
  const network = modem.network();
  const info = await drive(modem.connect({ mode: 'auto', cpin: '1234', apn: 'iot', timeout: 120 }));

  const echo = (address: string, p: number, n: number, tls?: { ca: Uint8Array; serverName: string }): Promise<boolean> =>
    new Promise((resolve, reject) => {
      const payload = pattern(n);
      const got: number[] = [];
      let sent = false;
      const s = network.openStream({
        address,
        port: p,
        ...(tls !== undefined ? { tls } : {}),
        onWritable: () => {
          if (!sent) s.write(payload);
          sent = true;
        },
        onReadable: () => {
          for (let b = s.read(); b !== undefined; b = s.read()) for (const x of b) got.push(x);
          if (got.length >= n) {
            s.close();
            resolve(same(Uint8Array.from(got), payload));
          }
        },
        onError: (m) => reject(new Error(m)),
      });
    });
  const tcp = await drive(echo('127.0.0.1', start.tcpPort, 2000));
  const tls = await drive(echo('localhost', start.tlsPort, 1500, { ca: utf8Encode(start.ca), serverName: 'localhost' }));
  const udp = await drive(
    new Promise<Datagram>((resolve, reject) => {
      const d = network.openDatagram({
        onReadable: () => {
          const got = d.read();
          if (got !== undefined) {
            d.close();
            resolve(got);
          }
        },
        onError: (m) => reject(new Error(m)),
      });
      d.write(pattern(100), '127.0.0.1', start.udpPort);
    }),
  );
  await drive(modem.powerOff());
  const report = {
    operator: info.operator,
    technology: info.technology,
    quality: info.quality,
    tcp,
    tls,
    udp: same(udp.bytes, pattern(100)),
    garbage: modem.channel.stats.garbage,
    virtualMs: world.now() - Date.UTC(2026, 0, 1),
  };
  bridge.call('done', utf8Encode(JSON.stringify(report)));
}

main().catch((e: unknown) => bridge.call('done', utf8Encode(JSON.stringify({ error: e instanceof Error ? `${e.message} ${e.stack ?? ''}` : String(e) }))));
