/**
 * One upload session of 300 frames (§1.6.4 sizes a window at "300 frames of 64 bytes") through the
 * BG95 emulator, over FTP to ftp-srv and over MQTT to mosquitto, both on 127.0.0.1, on LTE-M,
 * NB-IoT and 2G: modem-on time, bytes exchanged with the servers, exchanges and round trips, and
 * the energy the session draws from the pack (EnergyLedger with the drivers/power/model.ts figures).
 * Virtual time: the figures do not depend on the machine.
 */
import { FTP_UPLOAD_DATA } from '../protocol/config/types';
import type { BsonDocument } from '../protocol/bson/types';
import { PACK } from '../drivers/power/model';
import type { EmulatorScenario } from '../sim/modem/types';
import { startMosquitto, type MosquittoBroker } from '../sim/servers/mosquitto.node';
import { GSM_CELL, LTE_M_CELL, RIG_SCENARIO, SIM_PIN, UploadRig } from '../sim/upload/rig.node';
import { startFtpServer, startSntpServer, type UploadFtpServer } from '../sim/upload/servers.node';
import type { BenchResult } from './types';

const FRAMES = 300;
const FRAME_BYTES = 64;
const USER = 'hub';
const PASS = 'bench';
const MS_PER_SECOND = 1000;
const COULOMBS_PER_MAH = 3.6;
/** The device clock is 2 s off, as after a few weeks of RTC drift: SNTP corrects it. */
const RTC_ERROR_MS = 2_000;
/** Lansen's listen window after the upload (remote.mqtt.listen default, docs/configuration.md). */
const LANSEN_LISTEN_S = 30;
/** Enough of a modem output to tell `SEND OK` and a `+QIRD: <n>` / `+QSSLRECV: <n>` header. */
const HEAD_BYTES = 32;

/** An NB-IoT cell at a typical indoor level (the figures of tests/modem/harness.ts NB_IOT_CELL). */
const NB_IOT_CELL = { technology: 'NB-IoT', rssi: -85, rsrp: -105, rsrq: -11, sinr: 3, operator: 'Orange F', mccmnc: '20801', band: 20, channel: 6300 } as const;

/**
 * Round-trip times of the emulator's defaults (sim/modem/bg95-emulator.ts LINK_DEFAULTS), set on
 * the cells so that the bench's "half a round trip" and the emulator agree.
 */
const RTT_MS = { 'LTE-M': 150, 'NB-IoT': 1_500, '2G': 600 } as const;

interface Network {
  readonly label: keyof typeof RTT_MS;
  readonly scenario: EmulatorScenario;
  /** remote.modem.mode. */
  readonly mode: string;
  readonly rttMs: number;
}

const NETWORKS: readonly Network[] = [
  { label: 'LTE-M', scenario: { ...RIG_SCENARIO, coverage: [{ ...LTE_M_CELL, rttMs: RTT_MS['LTE-M'] }, GSM_CELL] }, mode: 'auto', rttMs: RTT_MS['LTE-M'] },
  // NB-IoT is not in the auto sequence (LTE-M then 2G, §1.6.4): the box is set to it (§4.2.3.1).
  { label: 'NB-IoT', scenario: { ...RIG_SCENARIO, coverage: [{ ...NB_IOT_CELL, rttMs: RTT_MS['NB-IoT'] }] }, mode: 'NB-IoT', rttMs: RTT_MS['NB-IoT'] },
  // No LTE-M cell: the auto mode finds 2G (§1.6.4).
  { label: '2G', scenario: { ...RIG_SCENARIO, coverage: [{ ...GSM_CELL, rttMs: RTT_MS['2G'] }] }, mode: 'auto', rttMs: RTT_MS['2G'] },
];

interface Transport {
  /** Result name part. */
  readonly name: string;
  /** remote.* besides modem and ntp. */
  readonly remote: (label: string) => BsonDocument;
}

interface Servers {
  readonly ftp: UploadFtpServer;
  readonly broker: MosquittoBroker;
  readonly ntpPort: number;
}

function transports(s: Servers): readonly Transport[] {
  const mqtt = (listen: number): BsonDocument => ({
    transport: 'mqtt',
    mqtt: { addr: '127.0.0.1', port: s.broker.port, user: USER, pass: PASS, format: 'lansen', qos: 1, listen },
  });
  return [
    { name: 'ftp', remote: (label) => ({ ftp: { mode: 0, addr: `127.0.0.1:${s.ftp.port}`, user: USER, pass: PASS, dir: `/bench-${label}` } }) },
    // The upload alone; then with Lansen's configuration window after it.
    { name: 'mqtt', remote: () => mqtt(0) },
    { name: `mqtt_listen_${LANSEN_LISTEN_S}`, remote: () => mqtt(LANSEN_LISTEN_S) },
  ];
}

function joules(packMah: number): number {
  return packMah * COULOMBS_PER_MAH * PACK.voltageV;
}

/**
 * Request/response exchanges as the modem's UART shows them. Each call of the emulator's
 * `sendToHost` is one response or URC: `SEND OK` closes an accepted socket write (AT+QISEND /
 * AT+QSSLSEND, UDP included), `+QIRD: <n>` / `+QSSLRECV: <n>` with n > 0 a read that returned
 * data. An exchange is a burst of one or more writes answered by data: every data-returning read
 * with at least one write since the previous one. Its wait runs from the burst's last write to that
 * read; a wait of at least half the cell's round-trip time is a round trip the box sat out (with
 * pipelined publishes most answers are for earlier writes and come a few ms after the last one).
 * Connection opens (AT+QIOPEN "TCP", AT+QSSLOPEN) cost one round trip each in the emulator and
 * count as both; they are read from the command log.
 */
class Exchanges {
  answered = 0;
  /** Answered bursts whose wait was at least half a round trip. */
  rttWaits = 0;
  waitMs = 0;
  writes = 0;
  private lastWriteAt: number | undefined;

  constructor(private readonly rig: UploadRig, private readonly rttMs: number) {
    const port = rig.port;
    const send = port.sendToHost.bind(port);
    port.sendToHost = (bytes: Uint8Array): void => {
      this.see(bytes);
      send(bytes);
    };
  }

  connections(): number {
    return this.rig.emulator.commandLog.filter((l) => (l.startsWith('AT+QIOPEN=') && l.includes('"TCP"')) || l.startsWith('AT+QSSLOPEN=')).length;
  }

  private see(bytes: Uint8Array): void {
    const head = String.fromCharCode(...bytes.subarray(0, HEAD_BYTES));
    if (head.startsWith('\r\nSEND OK\r\n')) {
      this.writes++;
      this.lastWriteAt = this.rig.world.now();
      return;
    }
    const m = /^\r\n\+(?:QIRD|QSSLRECV): (\d+)/.exec(head);
    if (m === null || Number(m[1]) === 0 || this.lastWriteAt === undefined) return;
    const wait = this.rig.world.now() - this.lastWriteAt;
    this.answered++;
    this.waitMs += wait;
    if (wait >= this.rttMs / 2) this.rttWaits++;
    this.lastWriteAt = undefined;
  }
}

async function session(net: Network, t: Transport, s: Servers, setTime: (now: () => number) => void): Promise<BenchResult[]> {
  const rig = new UploadRig({ scenario: net.scenario, rtcErrorMs: RTC_ERROR_MS });
  setTime(() => rig.world.now());
  const what = `upload bench (${net.label}, ${t.name})`;
  try {
    rig.configure({
      config: {
        mode: 'run',
        remote: {
          modem: { mode: net.mode, cpin: SIM_PIN, apn: 'iot.test', timeout: 300 },
          ...t.remote(net.label),
          ntp: `127.0.0.1:${s.ntpPort}`,
        },
      },
    });
    // Only the data: the configuration copy of the setup above is not part of a routine session.
    rig.config.copyUploaded();
    rig.record(FRAMES, FRAME_BYTES);
    const exchanges = new Exchanges(rig, net.rttMs);
    const before = rig.ledger.snapshot();
    // The MCU light-sleeps between events while the session runs, and deep-sleeps after it.
    rig.ledger.report('mcu', 'light-sleep');
    const result = await rig.runSession('schedule', FTP_UPLOAD_DATA);
    rig.ledger.report('mcu', 'deep-sleep');
    if (!result.ok) throw new Error(`${what}: session failed in ${result.failedStep}: ${result.error}`);
    if (result.framesUploaded !== FRAMES) throw new Error(`${what}: ${result.framesUploaded} of ${FRAMES} frames uploaded`);
    if ((result.framesResent ?? 0) !== 0) throw new Error(`${what}: ${result.framesResent} frames resent`);
    if (result.modem?.technology !== net.label) throw new Error(`${what}: registered on ${result.modem?.technology}`);
    // The emulator counts socket payload only (no TCP/IP or TLS overhead): the session's own count.
    const { bytesUp, bytesDown } = rig.emulator.stats;
    if (bytesUp !== result.bytesSent || bytesDown !== result.bytesReceived) {
      throw new Error(`${what}: the emulator saw ${bytesUp}/${bytesDown} B, the session ${result.bytesSent}/${result.bytesReceived} B`);
    }
    const after = rig.ledger.snapshot();
    const modemMah = after.components.modem.packMah - before.components.modem.packMah;
    const totalMah = after.totalPackMah - before.totalPackMah;
    const txMs = (after.components.modem.stateMs.transmitting ?? 0) - (before.components.modem.stateMs.transmitting ?? 0);
    const connections = exchanges.connections();
    const p = `upload.${FRAMES}_frames_${FRAME_BYTES}B.${net.label.toLowerCase().replace(/[^a-z0-9]+/g, '_')}.${t.name}`;
    return [
      { name: `${p}.modem_on`, value: result.modemOnMs / MS_PER_SECOND, unit: 's' },
      { name: `${p}.modem_tx`, value: txMs / MS_PER_SECOND, unit: 's' },
      { name: `${p}.bytes_sent`, value: result.bytesSent, unit: 'B' },
      { name: `${p}.bytes_received`, value: result.bytesReceived, unit: 'B' },
      { name: `${p}.socket_writes`, value: exchanges.writes, unit: 'writes' },
      { name: `${p}.connections`, value: connections, unit: 'connections' },
      { name: `${p}.exchanges`, value: exchanges.answered + connections, unit: 'exchanges' },
      { name: `${p}.round_trips`, value: exchanges.rttWaits + connections, unit: 'round trips' },
      { name: `${p}.answer_wait`, value: exchanges.waitMs / MS_PER_SECOND, unit: 's' },
      { name: `${p}.files`, value: result.filesUploaded, unit: 'files' },
      { name: `${p}.modem_energy`, value: modemMah, unit: 'mAh' },
      { name: `${p}.session_energy`, value: totalMah, unit: 'mAh' },
      { name: `${p}.session_energy_j`, value: joules(totalMah), unit: 'J' },
    ];
  } finally {
    rig.close();
  }
}

export async function benchUpload(): Promise<BenchResult[]> {
  const ftp = await startFtpServer({ user: USER, pass: PASS });
  const broker = await startMosquitto({ users: { [USER]: PASS } });
  let now: () => number = () => Date.now();
  const ntp = await startSntpServer(() => now());
  try {
    const servers: Servers = { ftp, broker, ntpPort: ntp.port };
    const out: BenchResult[] = [];
    for (const net of NETWORKS.filter((n) => process.env.NETS === undefined || process.env.NETS.includes(n.label))) for (const t of transports(servers)) out.push(...(await session(net, t, servers, (f) => (now = f))));
    return out;
  } finally {
    await ftp.close();
    await broker.stop();
    await ntp.close();
  }
}
