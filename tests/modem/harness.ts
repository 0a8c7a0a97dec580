import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { Bg95Modem, type Bg95Options } from '../../drivers/modem/bg95';
import type { Clock } from '../../protocol/ports/clock';
import type { ModemNetworkConfig, ModemStateStore } from '../../drivers/modem/types';
import type { PowerComponent, PowerSink } from '../../drivers/power/types';
import { SimModemPort } from '../../sim/drivers/modem-port';
import { Bg95Emulator } from '../../sim/modem/bg95-emulator';
import type { EmulatorScenario } from '../../sim/modem/types';
import type { HostSockets } from '../../sim/net/types';
import { NodeHostSockets } from '../../sim/net/host-sockets.node';
import { SimWorld } from '../../sim/world/world';
import { createRandom as seededRandom } from '../../sim/world/random';

export const START_MS = Date.UTC(2026, 0, 1);
export const FIXTURES = path.join(__dirname, '..', 'fixtures', 'modem');


export class MemoryStore implements ModemStateStore {
  readonly map = new Map<string, string>();
  get(key: string): unknown {
    return this.map.get(key);
  }
  set(key: string, value: string): void {
    if (key.length > 15) throw new Error(`key too long: ${key}`);
    this.map.set(key, value);
  }
  delete(key: string): void {
    this.map.delete(key);
  }
}

export interface PowerReport {
  readonly at: number;
  readonly component: PowerComponent;
  readonly state: string;
}

export class PowerRecorder implements PowerSink {
  readonly reports: PowerReport[] = [];
  constructor(private readonly now: () => number) {}
  report(component: PowerComponent, state: string): void {
    this.reports.push({ at: this.now(), component, state });
  }
  charge(): void {}
  states(component: PowerComponent = 'modem'): string[] {
    return this.reports.filter((r) => r.component === component).map((r) => r.state);
  }
  /** Time spent in each state of `component` up to `end`. */
  durations(end: number, component: PowerComponent = 'modem'): Record<string, number> {
    const out: Record<string, number> = {};
    const rs = this.reports.filter((r) => r.component === component);
    for (let i = 0; i < rs.length; i++) {
      const until = i + 1 < rs.length ? rs[i + 1].at : end;
      out[rs[i].state] = (out[rs[i].state] ?? 0) + (until - rs[i].at);
    }
    return out;
  }
}

export function worldClock(world: SimWorld): Clock {
  return {
    now: () => Math.floor(world.now()),
    set: () => undefined,
    setTimer: (at, cb) => world.at(at, cb),
    clearTimer: (id) => world.cancel(id),
  };
}

export const LTE_M_CELL = {
  technology: 'LTE-M',
  rssi: -57,
  rsrp: -79,
  rsrq: -13,
  sinr: 12,
  operator: 'Orange F Things Mobile',
  mccmnc: '20801',
  band: 20,
  channel: 6400,
} as const;

export const GSM_CELL = { technology: '2G', rssi: -71, operator: 'Orange F', mccmnc: '20801', band: 900, channel: 62 } as const;

export const NB_IOT_CELL = { technology: 'NB-IoT', rssi: -85, rsrp: -105, rsrq: -11, sinr: 3, operator: 'Orange F', mccmnc: '20801', band: 20, channel: 6300 } as const;

export const SIM = { iccid: '89330123456789012345', pin: '1234', number: '+33612345678' } as const;

export const BASE_SCENARIO: EmulatorScenario = {
  sim: SIM,
  coverage: [LTE_M_CELL, GSM_CELL],
  dns: { 'ftp.example.test': '127.0.0.1', localhost: '127.0.0.1' },
};

export const CONFIG: ModemNetworkConfig = { mode: 'auto', cpin: '1234', apn: 'iot.test', user: null, pass: null, timeout: 120, randomDelay: 0 };

export interface Rig {
  readonly world: SimWorld;
  readonly port: SimModemPort;
  readonly emulator: Bg95Emulator;
  readonly modem: Bg95Modem;
  readonly store: MemoryStore;
  readonly driverPower: PowerRecorder;
  readonly modemPower: PowerRecorder;
  readonly host: HostSockets;
  /** A new driver on the same modem and store: the MCU rebooted (deep sleep). */
  reboot(): Bg95Modem;
}

export interface RigOptions {
  readonly scenario?: EmulatorScenario;
  readonly host?: HostSockets;
  readonly store?: MemoryStore;
  readonly seed?: number;
  readonly driver?: Partial<Bg95Options>;
  /** Where the emulator reports the modem's physical power states (default: `modemPower`). */
  readonly emulatorPower?: PowerSink;
}

export function makeRig(options: RigOptions = {}): Rig {
  const world = new SimWorld(START_MS);
  const port = new SimModemPort(world);
  const host = options.host ?? new NodeHostSockets();
  const modemPower = new PowerRecorder(() => world.now());
  const driverPower = new PowerRecorder(() => world.now());
  const emulator = new Bg95Emulator({
    time: world,
    port,
    scenario: options.scenario ?? BASE_SCENARIO,
    random: seededRandom(options.seed ?? 1),
    power: options.emulatorPower ?? modemPower,
    host,
  });
  world.attachHostIo(emulator);
  const store = options.store ?? new MemoryStore();
  const rnd = seededRandom((options.seed ?? 1) + 1);
  const newDriver = (): Bg95Modem =>
    new Bg95Modem({ port, clock: worldClock(world), store, power: driverPower, random: rnd.next, ...(options.driver ?? {}) });
  const rig = {
    world,
    port,
    emulator,
    modem: newDriver(),
    store,
    driverPower,
    modemPower,
    host,
    reboot: (): Bg95Modem => {
      const m = newDriver();
      (rig as { modem: Bg95Modem }).modem = m;
      return m;
    },
  };
  return rig;
}

/** Runs the world event by event until `p` settles (or `limitMs` of virtual time pass). */
export function drive<T>(world: SimWorld, p: Promise<T>, limitMs = 6 * 3_600_000): Promise<T> {
  return world.settleWith(p, limitMs);
}

/** Resolves with the rejection of `p` (fails the test if it resolves). */
export async function driveError(world: SimWorld, p: Promise<unknown>, limitMs?: number): Promise<unknown> {
  try {
    await drive(world, p, limitMs);
  } catch (e) {
    return e;
  }
  throw new Error('expected a failure');
}

export interface EchoServers {
  readonly tcpPort: number;
  readonly udpPort: number;
  readonly tlsPort: number;
  readonly tcpConnections: () => number;
  close(): Promise<void>;
}

export async function startEchoServers(): Promise<EchoServers> {
  let connections = 0;
  const open = new Set<net.Socket>();
  const track = (s: net.Socket): void => {
    open.add(s);
    s.on('close', () => open.delete(s));
    s.on('error', () => undefined);
  };
  const tcp = net.createServer((s) => {
    connections++;
    track(s);
    s.pipe(s);
  });
  await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
  const udp = dgram.createSocket('udp4');
  udp.on('message', (msg, rinfo) => udp.send(msg, rinfo.port, rinfo.address));
  await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
  const secure = tls.createServer(
    { key: fs.readFileSync(path.join(FIXTURES, 'server-key.pem')), cert: fs.readFileSync(path.join(FIXTURES, 'server-cert.pem')) },
    (s) => {
      track(s);
      s.pipe(s);
    },
  );
  secure.on('tlsClientError', () => undefined);
  await new Promise<void>((r) => secure.listen(0, '127.0.0.1', r));
  return {
    tcpPort: (tcp.address() as net.AddressInfo).port,
    udpPort: udp.address().port,
    tlsPort: (secure.address() as net.AddressInfo).port,
    tcpConnections: () => connections,
    close: async () => {
      for (const s of open) s.destroy();
      await new Promise<void>((r) => tcp.close(() => r()));
      await new Promise<void>((r) => udp.close(() => r()));
      await new Promise<void>((r) => secure.close(() => r()));
    },
  };
}

/** Bytes 0..n-1 modulo 251 (a prime, so chunk boundaries never line up with the pattern). */
export function pattern(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = i % 251;
  return out;
}

/** The project's seeded PRNG (sim/world/random.ts), under the name the tests use. */
export { seededRandom };
