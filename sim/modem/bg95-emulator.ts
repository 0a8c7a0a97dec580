import { IOTOPMODE, NWSCANMODE, bandsOfMask, decodeActiveTime, decodeScanSequence, nbIotBandMask } from '../../drivers/modem/bg95-config';
import type { ModemTechnology } from '../../drivers/modem/types';
import type { ModemPowerState, PowerSink } from '../../drivers/power/types';
import { splitParams, type AtParam } from '../../protocol/at/params';
import { utf8Decode, utf8Encode } from '../../protocol/text/utf8';
import type { ModemModule, SimModemPort } from '../drivers/modem-port';
import type { HostSocketEvent, HostSocketId, HostSockets } from '../net/types';
import type { SimEventId, SimRandom, SimTime } from '../world/types';
import type { HostIo } from '../world/world';
import type { CoverageCell, EmulatorFaults, EmulatorScenario } from './types';

/**
 * AT-level emulation of a Quectel BG95-M3 behind `SimModemPort`: boot and power-down, SIM PIN
 * with a real attempt counter, network selection over the scenario's coverage, registration and
 * signal reports, PDP context, TCP/UDP/TLS sockets in buffer access mode bridged to real sockets
 * (`HostSockets`), DNS, file upload for the CA certificate, PSM, and the modem's power states.
 *
 * Virtual time only: real I/O is collected in `settle` (the world's `HostIo`) and its effects are
 * scheduled at modelled latencies (RTT and throughput of the serving cell), never at real ones.
 */

interface LinkFigures {
  readonly attachMs: number;
  readonly rttMs: number;
  readonly uplinkKbps: number;
  readonly downlinkKbps: number;
  /** Time spent scanning this technology when no cell of it is found. */
  readonly scanMs: number;
}

/**
 * Typical field figures: LTE-M attach 2–6 s, RTT 100–200 ms, a few hundred kbit/s; NB-IoT attach
 * 5–30 s, RTT 1–2 s, tens of kbit/s; EGPRS attach ~5 s, RTT ~600 ms.
 */
const LINK_DEFAULTS: Readonly<Record<ModemTechnology, LinkFigures>> = {
  'LTE-M': { attachMs: 4_000, rttMs: 150, uplinkKbps: 300, downlinkKbps: 300, scanMs: 20_000 },
  'NB-IoT': { attachMs: 12_000, rttMs: 1_500, uplinkKbps: 30, downlinkKbps: 25, scanMs: 40_000 },
  '2G': { attachMs: 6_000, rttMs: 600, uplinkKbps: 40, downlinkKbps: 60, scanMs: 10_000 },
};
const DEFAULT_ORDER: readonly ModemTechnology[] = ['LTE-M', 'NB-IoT', '2G'];

/** Response times of the modem's command processor, ms. */
const COMMAND_MS = 5;
const CFUN_MS = 800;
const COPS_MS = 1_000;
const CPIN_MS = 300;
const SEND_ACCEPT_MS = 10;
const CLOSE_MS = 50;
const LOCAL_OPEN_MS = 20;
const QPOWD_MS = 30;
/** TLS handshake: two more round trips plus the modem's crypto (~300 ms on the BG95's core). */
const TLS_HANDSHAKE_CPU_MS = 300;
const TLS_EXTRA_RTTS = 2;
/** Radio time added to every uplink burst (scheduling request, grant). */
const TX_OVERHEAD_MS = 20;
const PDP_ACTIVATE_EXTRA_MS = 300;
/** Between APP RDY and the SIM's status report. */
const SIM_REPORT_MS = 200;
const RESCAN_MS = 30_000;
const DEFAULT_RRC_INACTIVITY_MS = 10_000;
const PSM_URC_LEAD_MS = 5;
/** After a PSM wake-up the modem is back on the network quickly (no new attach). */
const PSM_RESUME_MS = 500;
const MAX_LINE = 2048;
const MAX_SEND = 1460;
const COMMAND_LOG_MAX = 20_000;
/** Promise-job turns given to the firmware per world event (XS has no macrotask to wait for). */
const PROMISE_TURNS = 64;
const BITS_PER_BYTE = 8;
const DNS_TTL_S = 600;

/** TS 27.007 §9.2 and Quectel TCP/IP error codes the emulator returns. */
const CME_OPERATION_NOT_ALLOWED = 3;
const CME_SIM_NOT_INSERTED = 10;
const CME_SIM_PUK = 12;
const CME_INCORRECT_PASSWORD = 16;
const CME_NO_NETWORK = 30;
const QI_SOCKET_CONNECT_FAILED = 566;
const QI_SOCKET_ID_USED = 563;
const QI_PDP_BROKEN = 561;
const QI_DNS_PARSE_FAILED = 565;
/** `+QSSLOPEN: <id>,-1`: the SSL handshake failed after the TCP connection was made (a certificate that does not verify). */
const SSL_HANDSHAKE_FAILED = -1;

const CPIN_READY = 'READY';
const CPIN_PIN = 'SIM PIN';
const CPIN_PUK = 'SIM PUK';

const GARBAGE_CHARS = '#~%&*=<!@$^_-|;';
const TRUNCATABLE = new Set(['+CSQ', '+QCSQ', '+QNWINFO', '+COPS', '+CEREG', '+CGREG']);

type Service = 'tcpip' | 'ssl';

interface EmuSocket {
  readonly id: number;
  readonly service: Service;
  readonly udp: boolean;
  /** An FTP control connection to one of the simulator's own servers: its passive replies are translated (`passiveReply`). */
  ftpControl?: boolean;
  host: HostSocketId | undefined;
  state: 'opening' | 'open' | 'closed';
  /** The real connection is up (the emulated open URC may still be in the future). */
  hostOpen: boolean;
  removed: boolean;
  readonly rx: Uint8Array[];
  rxBytes: number;
  readonly datagrams: { bytes: Uint8Array; address: string; port: number }[];
  notified: boolean;
  sent: number;
  acked: number;
  readTotal: number;
  /** Both directions, for the socket-drop fault. */
  traffic: number;
  readonly openedAt: number;
  readonly openModelMs: number;
  downlinkFreeAt: number;
}

interface PendingPayload {
  readonly length: number;
  readonly chunks: Uint8Array[];
  filled: number;
  readonly done: (bytes: Uint8Array) => void;
  /** A body of unknown length ends at this byte (AT+CMGS: Ctrl-Z), which is not part of it. */
  readonly terminator?: number;
}

/** An SMS in the SIM's store, as AT+CMGL lists it (TS 27.005 §3.4.2, text mode). */
interface StoredSms {
  readonly index: number;
  status: 'REC UNREAD' | 'REC READ';
  readonly sender: string;
  readonly text: string;
  /** Service-centre time stamp `yy/MM/dd,hh:mm:ss+zz` (quarters of an hour: +00, UTC). */
  readonly scts: string;
}

/** An SMS the box sent (AT+CMGS), for tests and the simulator's output. */
export interface SentSms {
  readonly atMs: number;
  readonly to: string;
  readonly text: string;
}

/** TS 27.005 §3.2.5 +CMS ERROR codes the emulator returns. */
const CMS_OPERATION_NOT_ALLOWED = 302;
const CMS_INVALID_INDEX = 321;
/** Messages the SIM's store holds (a typical SIM: 20 to 50). */
const SMS_STORE_SIZE = 30;
const CTRL_Z = 0x1a;
const LOOPBACK_ADDRESS = '127.0.0.1';
const FTP_CONTROL_PORT = 21;
/** Passive ports offered to the box: 200 × 256 + 100 … + 255, all written "200,1nn" or "2nn" (same length). */
const PASSIVE_BASE = 200 * 256 + 100;
const PASSIVE_SLOTS = 156;

export interface Bg95EmulatorOptions {
  readonly time: SimTime;
  readonly port: SimModemPort;
  readonly scenario: EmulatorScenario;
  readonly random: SimRandom;
  /** Receives the modem's physical power states (the energy ledger). */
  readonly power?: PowerSink;
  /** Real sockets behind the emulated ones; without it every open fails. */
  readonly host?: HostSockets;
  /**
   * Where the simulator's own servers really listen: the port a configuration names on the loopback
   * (21, 123, 1883) → the local server's free port. The box's files then name the well-known ports,
   * whatever ports a run's servers got (`--out` does not depend on them).
   */
  readonly loopbackPorts?: Readonly<Record<number, number>>;
}

export interface Bg95EmulatorStats {
  commands: number;
  unknownCommands: number;
  garbageInjected: number;
  linesTruncated: number;
  boots: number;
  attaches: number;
  socketsOpened: number;
  socketsDropped: number;
  bytesUp: number;
  bytesDown: number;
  hostEvents: number;
  settles: number;
}

// Not at module load: the Moddable host program preloads this module (docs/conventions.md, "Preloading").
function isIpv4(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host);
}

export class Bg95Emulator implements ModemModule, HostIo {
  readonly stats: Bg95EmulatorStats = {
    commands: 0,
    unknownCommands: 0,
    garbageInjected: 0,
    linesTruncated: 0,
    boots: 0,
    attaches: 0,
    socketsOpened: 0,
    socketsDropped: 0,
    bytesUp: 0,
    bytesDown: 0,
    hostEvents: 0,
    settles: 0,
  };
  /** Command lines received, oldest first (bounded). */
  readonly commandLog: string[] = [];
  private readonly time: SimTime;
  private readonly port: SimModemPort;
  private readonly scenario: EmulatorScenario;
  private readonly random: SimRandom;
  private faults: EmulatorFaults;

  // Kept across power cycles: the modem's NVM, its file system and the SIM's counter.
  private readonly qcfg = new Map<string, string[]>([
    ['nwscanmode', [String(NWSCANMODE.auto)]],
    ['iotopmode', [String(IOTOPMODE.both)]],
    ['nwscanseq', ['00']],
    ['band', ['0xf', '0x100002000000000f0e189f', nbIotBandMask(null)]],
  ]);
  private readonly ufs = new Map<string, Uint8Array>();
  private readonly sslcfg = new Map<string, string[]>();
  private context = { apn: '', user: '', pass: '', auth: 0 };
  private psmRequest: { enabled: boolean; tau: string; active: string } = { enabled: false, tau: '', active: '' };
  private pinAttempts: number;
  private pukLocked = false;
  /** The SIM's SMS store: it keeps its messages across power cycles. */
  private readonly smsStore: StoredSms[] = [];
  private smsReference = 0;
  /** Every SMS the box sent, in order. */
  readonly sentSms: SentSms[] = [];

  // Volatile state of one boot.
  private running = false;
  private answering = false;
  private echo = true;
  private cmee = 0;
  private cfun = 1;
  private simState = CPIN_READY;
  private textMode = false;
  private cnmi = false;
  private regUrc = { CEREG: 0, CGREG: 0, CREG: 0 };
  private copsFormat = 0;
  private stat = 0;
  private searching = false;
  private cell: CoverageCell | undefined;
  private heard: CoverageCell | undefined;
  private readonly searchEvents: SimEventId[] = [];
  private pdp: { active: boolean; address: string } = { active: false, address: '' };
  private readonly sockets = new Map<number, EmuSocket>();
  /** Passive ports offered to the box → the FTP server's real ones (`passiveReply`). */
  private readonly passivePorts = new Map<number, number>();
  private passiveOffers = 0;
  private readonly byHost = new Map<HostSocketId, EmuSocket>();
  private readonly dnsPending = new Map<HostSocketId, { at: number }>();
  private line: number[] = [];
  private readonly lineQueue: string[] = [];
  private executing = false;
  private payload: PendingPayload | undefined;
  private rrcConnected = false;
  private rrcEvent: SimEventId | undefined;
  private psmEvent: SimEventId | undefined;
  private txUntil = 0;
  private physical: ModemPowerState = 'off';
  private psmUrc = false;
  private epoch = 0;

  constructor(private readonly options: Bg95EmulatorOptions) {
    this.time = options.time;
    this.port = options.port;
    this.scenario = options.scenario;
    this.random = options.random;
    this.faults = options.scenario.faults ?? {};
    this.pinAttempts = options.scenario.sim?.pinAttempts ?? 3;
    options.port.attach(this);
  }

  setFaults(faults: EmulatorFaults): void {
    this.faults = faults;
  }

  /** PIN attempts the SIM has left. */
  simPinAttempts(): number {
    return this.pinAttempts;
  }

  /** Registration status as AT+CEREG would say it. */
  registrationStat(): number {
    return this.stat;
  }

  powerState(): ModemPowerState {
    return this.physical;
  }

  clearLog(): void {
    this.commandLog.length = 0;
  }

  // ModemModule

  powerOn(fromPsm: boolean): boolean {
    if (this.faults.bootFailure) return false;
    this.stats.boots++;
    this.running = true;
    this.answering = false;
    this.line = [];
    this.lineQueue.length = 0;
    this.executing = false;
    this.payload = undefined;
    this.echo = true;
    this.cmee = 0;
    this.textMode = false;
    this.cnmi = false;
    if (!fromPsm) {
      this.resetNetwork();
      this.cfun = 1;
      this.regUrc = { CEREG: 0, CGREG: 0, CREG: 0 };
      this.copsFormat = 0;
      this.simState = this.simInitialState();
    }
    this.setPower('idle');
    return true;
  }

  ready(): void {
    const epoch = ++this.epoch;
    this.answering = true;
    this.urc('APP RDY');
    const wasPsm = this.stat === 1 || this.stat === 5;
    if (wasPsm) {
      // Back from PSM: still registered, the bearer is kept; sockets did not survive.
      this.at(PSM_RESUME_MS, epoch, () => this.updatePower());
      return;
    }
    if (this.scenario.sim?.present === false) return;
    this.at(SIM_REPORT_MS, epoch, () => {
      this.urc(`+CPIN: ${this.simState}`);
      if (this.simState === CPIN_READY && this.cfun === 1) this.startSearch();
    });
  }

  powerDown(): void {
    this.urc('POWERED DOWN');
    this.answering = false;
    this.resetNetwork();
    const epoch = ++this.epoch;
    this.time.at(this.time.now() + this.port.timing.powerDownMs, () => {
      if (epoch !== this.epoch) return;
      this.running = false;
      this.setPower('off');
    });
  }

  powerLost(): void {
    this.epoch++;
    this.running = false;
    this.answering = false;
    this.resetNetwork();
    this.setPower('off');
  }

  receive(bytes: Uint8Array): void {
    if (!this.answering) return;
    for (let i = 0; i < bytes.length; i++) {
      const p = this.payload;
      if (p !== undefined && p.terminator !== undefined) {
        if (bytes[i] === p.terminator) {
          this.payload = undefined;
          p.done(Uint8Array.from(p.chunks.flatMap((c) => [...c])));
        } else p.chunks.push(bytes.slice(i, i + 1));
        continue;
      }
      if (p !== undefined) {
        const take = Math.min(p.length - p.filled, bytes.length - i);
        p.chunks.push(bytes.slice(i, i + take));
        p.filled += take;
        i += take - 1;
        if (p.filled === p.length) {
          this.payload = undefined;
          const all = new Uint8Array(p.length);
          let at = 0;
          for (const c of p.chunks) {
            all.set(c, at);
            at += c.length;
          }
          p.done(all);
        }
        continue;
      }
      const b = bytes[i];
      if (b === 0x0d) {
        const text = utf8Decode(Uint8Array.from(this.line)).trim();
        this.line = [];
        if (text !== '') this.lineQueue.push(text);
        this.pump();
      } else if (b !== 0x0a && this.line.length < MAX_LINE) {
        this.line.push(b);
      }
    }
  }

  // HostIo

  /** Always true: the world must also let the firmware's promise jobs run between events. */
  busy(): boolean {
    return true;
  }

  /**
   * The host's settle returns once every reply owed for what the box sent has arrived
   * (sim/servers/replies-owed.ts), so a reply is taken at the virtual time of its request however
   * long the real server took, and virtual time never waits on real time otherwise.
   */
  async settle(): Promise<void> {
    this.stats.settles++;
    const host = this.options.host;
    if (host !== undefined && host.busy()) this.take(await host.settle());
    await this.jobTurns();
  }

  private take(events: readonly HostSocketEvent[]): void {
    this.stats.hostEvents += events.length;
    for (const e of coalesce(events)) this.onHostEvent(e);
  }

  /** Lets the firmware's promise jobs run: the world loop itself only runs events. */
  private async jobTurns(): Promise<void> {
    for (let i = 0; i < PROMISE_TURNS; i++) await undefined;
  }

  // Command processing

  private pump(): void {
    while (!this.executing && this.payload === undefined && this.lineQueue.length > 0) {
      const text = this.lineQueue.shift() as string;
      this.execute(text);
    }
  }

  private execute(text: string): void {
    this.stats.commands++;
    if (this.commandLog.length >= COMMAND_LOG_MAX) this.commandLog.splice(0, COMMAND_LOG_MAX / 2);
    this.commandLog.push(text);
    this.executing = true;
    if (this.echo) this.port.sendToHost(utf8Encode(text + '\r\n'));
    const m = /^AT(.*)$/i.exec(text);
    if (m === null) return this.error();
    const body = m[1];
    if (body === '') return this.ok();
    const basic = /^([EV])([01])$/i.exec(body);
    if (basic !== null) {
      if (basic[1].toUpperCase() === 'E') this.echo = basic[2] === '1';
      return this.ok();
    }
    if (/^I$/i.test(body)) return this.reply(['Quectel', 'BG95-M3', `Revision: ${this.firmware()}`]);
    const ext = /^([+&][A-Za-z0-9_]+)(=\?|\?|=(.*))?$/.exec(body);
    if (ext === null) return this.unknown();
    const name = ext[1].toUpperCase();
    const kind = ext[2] === undefined ? 'exec' : ext[2] === '?' ? 'read' : ext[2] === '=?' ? 'test' : 'set';
    const split = splitParams(ext[3] ?? '');
    const args = split.ok ? split.value : [];
    if (!split.ok) return this.error();
    if (kind === 'test') return this.ok();
    this.command(name, kind, args);
  }

  private command(name: string, kind: 'exec' | 'read' | 'set', args: AtParam[]): void {
    const a = (i: number): string => args[i]?.text ?? '';
    const n = (i: number): number => parseInt(a(i), 10);
    switch (name) {
      case '+CMEE':
        this.cmee = kind === 'set' ? n(0) : this.cmee;
        return kind === 'read' ? this.reply([`+CMEE: ${this.cmee}`]) : this.ok();
      case '+CGSN':
        if (kind === 'set' && a(0) === '1') return this.reply([`+CGSN: "${this.imei()}"`]);
        return this.reply([this.imei()]);
      case '+GSN':
        return this.reply([this.imei()]);
      case '+QGMR':
        return this.reply([this.firmware()]);
      case '+QCCID':
        if (this.scenario.sim?.present === false) return this.error(CME_SIM_NOT_INSERTED);
        return this.reply([`+QCCID: ${this.scenario.sim?.iccid ?? '89330000000000000000'}`]);
      case '+CNUM': {
        if (this.simState !== CPIN_READY) return this.error(CME_OPERATION_NOT_ALLOWED);
        const num = this.scenario.sim?.number;
        return this.reply(num === undefined || num === '' ? [] : [`+CNUM: "","${num}",${num.startsWith('+') ? 145 : 129}`]);
      }
      case '+CPIN':
        return this.cpin(kind, a(0));
      case '+QPINC':
        return this.reply([`+QPINC: "SC",${this.pinAttempts},10`]);
      case '+CFUN':
        return this.cfunCommand(kind, n(0));
      case '+QCFG':
        return this.qcfgCommand(args);
      case '+CEREG':
      case '+CGREG':
      case '+CREG': {
        const k = name.slice(1) as 'CEREG' | 'CGREG' | 'CREG';
        if (kind === 'set') {
          this.regUrc[k] = n(0);
          return this.ok();
        }
        return this.reply([this.registrationLine(k, true)]);
      }
      case '+COPS':
        return this.copsCommand(kind, args);
      case '+CSQ':
        return this.reply([this.csqLine()]);
      case '+QCSQ':
        return this.reply([this.qcsqLine()]);
      case '+QNWINFO':
        return this.reply([this.qnwinfoLine()]);
      case '+QICSGP':
        return this.qicsgpCommand(args);
      case '+QIACT':
        return kind === 'read' ? this.reply(this.pdp.active ? [`+QIACT: 1,1,1,"${this.pdp.address}"`] : []) : this.qiact();
      case '+QIDEACT':
        this.deactivatePdp(false);
        return this.ok(COMMAND_MS * 10);
      case '+QIOPEN':
        return this.qiopen(n(0), n(1), a(2).toUpperCase(), a(3), n(4), false);
      case '+QSSLOPEN':
        return this.qiopen(n(0), n(2), 'TCP', a(3), n(4), true, n(1));
      case '+QISEND':
        return this.send(n(0), args.length > 1 ? n(1) : -1, a(2), n(3), 'tcpip');
      case '+QSSLSEND':
        return this.send(n(0), args.length > 1 ? n(1) : -1, '', 0, 'ssl');
      case '+QIRD':
        return this.read(n(0), args.length > 1 ? n(1) : MAX_SEND, 'tcpip');
      case '+QSSLRECV':
        return this.read(n(0), args.length > 1 ? n(1) : MAX_SEND, 'ssl');
      case '+QICLOSE':
      case '+QSSLCLOSE':
        this.closeSocket(n(0));
        return this.ok(CLOSE_MS);
      case '+QIDNSGIP':
        return this.dnsgip(a(1));
      case '+QSSLCFG':
        return this.sslcfgCommand(args);
      case '+QFUPL':
        return this.upload(a(0), n(1));
      case '+QFDEL':
        if (a(0) === '*') this.ufs.clear();
        else this.ufs.delete(a(0));
        return this.ok();
      case '+QPOWD':
        this.ok(QPOWD_MS);
        this.time.at(this.time.now() + QPOWD_MS * 2, () => this.port.moduleShutdown());
        return;
      case '+CMGF':
        if (kind === 'read') return this.reply([`+CMGF: ${this.textMode ? 1 : 0}`]);
        this.textMode = n(0) === 1;
        return this.ok();
      case '+CSCS':
      case '+CNMI':
        if (kind === 'set' && name === '+CNMI') this.cnmi = n(1) > 0;
        return this.ok();
      case '+CMGL':
        return this.listSms();
      case '+CMGD':
        return this.deleteSms(n(0));
      case '+CMGS':
        return this.sendSms(a(0));
      case '+CPSMS':
        if (kind === 'read') {
          const p = this.psmRequest;
          return this.reply([`+CPSMS: ${p.enabled ? 1 : 0},,,"${p.tau}","${p.active}"`]);
        }
        this.psmRequest = { enabled: n(0) === 1, tau: a(3), active: a(4) };
        this.schedulePsm();
        return this.ok();
      default:
        return this.unknown();
    }
  }

  /**
   * An SMS reaches the SIM (a scenario's `sms` action): stored whether the modem is on or not, and
   * announced by `+CMTI` while it runs with new-message indications on (AT+CNMI=2,1).
   */
  deliverSms(from: string, text: string): boolean {
    if (this.smsStore.length >= SMS_STORE_SIZE) return false;
    let index = 1;
    while (this.smsStore.some((m) => m.index === index)) index++;
    const d = new Date(this.time.now());
    const two = (v: number): string => String(v).padStart(2, '0');
    const scts = `${two(d.getUTCFullYear() % 100)}/${two(d.getUTCMonth() + 1)}/${two(d.getUTCDate())},${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}+00`;
    this.smsStore.push({ index, status: 'REC UNREAD', sender: from, text, scts });
    this.smsStore.sort((x, y) => x.index - y.index);
    if (this.answering && this.cnmi) this.urc(`+CMTI: "SM",${index}`);
    return true;
  }

  /** Messages still in the SIM's store. */
  get storedSms(): number {
    return this.smsStore.length;
  }

  private cmsError(code: number): void {
    this.finish([], `+CMS ERROR: ${code}`, COMMAND_MS);
  }

  private listSms(): void {
    if (!this.textMode) return this.cmsError(CMS_OPERATION_NOT_ALLOWED);
    const lines: string[] = [];
    for (const m of this.smsStore) {
      lines.push(`+CMGL: ${m.index},"${m.status}","${m.sender}",,"${m.scts}"`, m.text);
      m.status = 'REC READ';
    }
    return this.reply(lines);
  }

  private deleteSms(index: number): void {
    const at = this.smsStore.findIndex((m) => m.index === index);
    if (at < 0) return this.cmsError(CMS_INVALID_INDEX);
    this.smsStore.splice(at, 1);
    return this.ok();
  }

  private sendSms(to: string): void {
    if (!this.textMode || this.cell === undefined) return this.cmsError(CMS_OPERATION_NOT_ALLOWED);
    this.port.sendToHost(utf8Encode('\r\n> '));
    this.payload = {
      length: 0,
      chunks: [],
      filled: 0,
      terminator: CTRL_Z,
      done: (body) => {
        this.sentSms.push({ atMs: this.time.now(), to, text: utf8Decode(body) });
        this.smsReference = (this.smsReference + 1) % 256;
        this.reply([`+CMGS: ${this.smsReference}`]);
      },
    };
  }

  private cpin(kind: 'exec' | 'read' | 'set', pin: string): void {
    if (this.scenario.sim?.present === false) return this.error(CME_SIM_NOT_INSERTED);
    if (kind !== 'set') return this.reply([`+CPIN: ${this.simState}`]);
    if (this.simState === CPIN_READY) return this.error(CME_OPERATION_NOT_ALLOWED);
    if (this.simState === CPIN_PUK) return this.error(CME_SIM_PUK);
    const right = this.scenario.sim?.pin ?? null;
    if (this.faults.pinRefused || right === null || pin !== right) {
      this.pinAttempts = Math.max(0, this.pinAttempts - 1);
      if (this.pinAttempts === 0) {
        this.pukLocked = true;
        this.simState = CPIN_PUK;
      }
      return this.error(CME_INCORRECT_PASSWORD, CPIN_MS);
    }
    this.pinAttempts = this.scenario.sim?.pinAttempts ?? 3;
    this.simState = CPIN_READY;
    this.ok(CPIN_MS);
    const epoch = this.epoch;
    this.at(CPIN_MS + SIM_REPORT_MS, epoch, () => {
      this.urc('+CPIN: READY');
      if (this.cfun === 1) this.startSearch();
    });
  }

  private cfunCommand(kind: 'exec' | 'read' | 'set', fun: number): void {
    if (kind === 'read') return this.reply([`+CFUN: ${this.cfun}`]);
    this.cfun = fun;
    if (fun === 1) {
      if (this.simState === CPIN_READY) this.startSearch();
    } else {
      this.resetNetwork();
      this.setRegistration(0);
    }
    this.ok(CFUN_MS);
  }

  private qcfgCommand(args: AtParam[]): void {
    const name = (args[0]?.text ?? '').toLowerCase();
    const values = args.slice(1).map((p) => p.text);
    if (values.length === 0) {
      const v = this.qcfg.get(name);
      if (v === undefined) return this.error();
      return this.reply([`+QCFG: "${name}",${v.join(',')}`]);
    }
    const arity: Record<string, number> = { nwscanmode: 1, iotopmode: 1, nwscanseq: 1, band: 3 };
    const count = arity[name] ?? values.length;
    this.qcfg.set(name, values.slice(0, count));
    if (name === 'psm/urc') this.psmUrc = values[0] === '1';
    if (arity[name] !== undefined && this.running && this.cfun === 1 && this.simState === CPIN_READY && !this.registered()) this.startSearch();
    else if (arity[name] !== undefined && this.registered() && !this.cellAllowed(this.cell)) this.startSearch();
    this.ok();
  }

  private copsCommand(kind: 'exec' | 'read' | 'set', args: AtParam[]): void {
    if (kind === 'read') {
      const c = this.cell;
      if (!this.registered() || c === undefined) return this.reply(['+COPS: 0']);
      const name = this.copsFormat === 2 ? c.mccmnc ?? '00101' : c.operator ?? 'Operator';
      return this.reply([`+COPS: 0,${this.copsFormat},"${name}",${actOf(c.technology)}`]);
    }
    const mode = parseInt(args[0]?.text ?? '0', 10);
    if (mode === 3) {
      this.copsFormat = parseInt(args[1]?.text ?? '0', 10);
      return this.ok();
    }
    if (mode === 2) {
      this.resetNetwork();
      this.setRegistration(0);
      return this.ok(COPS_MS);
    }
    if (this.simState === CPIN_READY && this.cfun === 1 && !this.registered()) this.startSearch();
    this.ok(COPS_MS);
  }

  private qicsgpCommand(args: AtParam[]): void {
    if (args.length <= 1) {
      const c = this.context;
      return this.reply([`+QICSGP: 1,"${c.apn}","${c.user}","${c.pass}",${c.auth}`]);
    }
    this.context = { apn: args[2]?.text ?? '', user: args[3]?.text ?? '', pass: args[4]?.text ?? '', auth: parseInt(args[5]?.text ?? '0', 10) };
    this.ok();
  }

  private qiact(): void {
    const c = this.cell;
    if (!this.registered() || c === undefined) return this.error(CME_NO_NETWORK, COPS_MS);
    const link = this.link();
    const ms = link.rttMs * 2 + PDP_ACTIVATE_EXTRA_MS;
    this.activity();
    if (this.faults.pdpReject) return this.error(undefined, ms);
    if (!this.pdp.active) {
      this.pdp = { active: true, address: `10.${this.random.int(0, 255)}.${this.random.int(0, 255)}.${this.random.int(1, 254)}` };
    }
    this.ok(ms);
  }

  private sslcfgCommand(args: AtParam[]): void {
    const name = (args[0]?.text ?? '').toLowerCase();
    const ctx = args[1]?.text ?? '0';
    const key = `${ctx}/${name}`;
    const values = args.slice(2).map((p) => p.text);
    if (values.length === 0) {
      const v = this.sslcfg.get(key) ?? ['0'];
      return this.reply([`+QSSLCFG: "${name}",${ctx},${v.map((x) => (name === 'cacert' ? `"${x}"` : x)).join(',')}`]);
    }
    this.sslcfg.set(key, values);
    this.ok();
  }

  private upload(name: string, size: number): void {
    if (!(size > 0) || name === '') return this.error();
    this.port.sendToHost(utf8Encode('\r\nCONNECT\r\n'));
    this.payload = {
      length: size,
      chunks: [],
      filled: 0,
      done: (bytes) => {
        this.ufs.set(name, bytes);
        let sum = 0;
        for (let i = 0; i < bytes.length; i += 2) sum ^= (bytes[i] << 8) | (bytes[i + 1] ?? 0);
        this.reply([`+QFUPL: ${size},${sum.toString(16)}`], COMMAND_MS * 4);
      },
    };
  }

  // Sockets

  private qiopen(ctx: number, id: number, type: string, host: string, port: number, tls: boolean, sslctx = 1): void {
    const service: Service = tls ? 'ssl' : 'tcpip';
    const openUrc = tls ? '+QSSLOPEN' : '+QIOPEN';
    if (!(id >= 0 && id <= 11) || ctx < 1) return this.error();
    if (this.sockets.has(id)) {
      this.ok();
      return this.urcAt(COMMAND_MS * 2, `${openUrc}: ${id},${QI_SOCKET_ID_USED}`);
    }
    const udp = type === 'UDP SERVICE' || type === 'UDP';
    const link = this.link();
    const dnsNeeded = !isIpv4(host) && this.scenario.dns?.[host] === undefined;
    const modelMs = udp ? LOCAL_OPEN_MS : link.rttMs + (dnsNeeded ? link.rttMs : 0) + (tls ? TLS_EXTRA_RTTS * link.rttMs + TLS_HANDSHAKE_CPU_MS : 0);
    const s: EmuSocket = {
      id,
      service,
      udp,
      host: undefined,
      state: 'opening',
      hostOpen: false,
      removed: false,
      rx: [],
      rxBytes: 0,
      datagrams: [],
      notified: false,
      sent: 0,
      acked: 0,
      readTotal: 0,
      traffic: 0,
      openedAt: this.time.now(),
      openModelMs: modelMs,
      downlinkFreeAt: 0,
    };
    this.sockets.set(id, s);
    this.stats.socketsOpened++;
    this.ok();
    const hostSockets = this.options.host;
    if (!this.pdp.active || hostSockets === undefined) {
      s.state = 'closed';
      return this.urcAt(modelMs, `${openUrc}: ${id},${this.pdp.active ? QI_SOCKET_CONNECT_FAILED : QI_PDP_BROKEN}`);
    }
    this.activity();
    if (udp) {
      s.host = hostSockets.openDatagram();
      this.byHost.set(s.host, s);
      s.state = 'open';
      s.hostOpen = true;
      s.downlinkFreeAt = this.time.now() + modelMs;
      return this.urcAt(modelMs, `${openUrc}: ${id},0`);
    }
    let tlsRequest: { verify: boolean; ca?: Uint8Array; serverName?: string } | undefined;
    if (tls) {
      const verify = (this.sslcfg.get(`${sslctx}/seclevel`)?.[0] ?? '0') !== '0';
      const caPath = this.sslcfg.get(`${sslctx}/cacert`)?.[0];
      const ca = verify && caPath !== undefined ? this.ufs.get(caPath) : undefined;
      const serverName = isIpv4(host) ? undefined : host;
      tlsRequest = { verify, ...(ca !== undefined ? { ca } : {}), ...(serverName !== undefined ? { serverName } : {}) };
    }
    const address = this.scenario.dns?.[host] ?? host;
    s.ftpControl = address === LOOPBACK_ADDRESS && port === FTP_CONTROL_PORT && this.options.loopbackPorts?.[port] !== undefined;
    s.host = hostSockets.openStream({ host: address, port: this.realPort(address, port), ...(tlsRequest !== undefined ? { tls: tlsRequest } : {}) });
    this.byHost.set(s.host, s);
  }

  /** A datagram from one of the simulator's servers comes from the well-known port the box sent to. */
  private virtualPort(address: string, port: number): number {
    if (address !== LOOPBACK_ADDRESS) return port;
    const ports = this.options.loopbackPorts ?? {};
    for (const [known, real] of Object.entries(ports)) if (real === port) return Number(known);
    return port;
  }

  /** The port a connection to `address`:`port` really goes to (`loopbackPorts`). */
  private realPort(address: string, port: number): number {
    if (address !== LOOPBACK_ADDRESS) return port;
    return this.passivePorts.get(port) ?? this.options.loopbackPorts?.[port] ?? port;
  }

  /**
   * The simulator's FTP server offers passive ports it got free at its start (RFC 959 227, RFC 2428
   * 229): the box would see, count and store a run's random ports. The emulator offers a fixed port
   * of the same length in their place (PASSIVE_BASE + n, "200,100+n") and connects that one to the
   * real one, as a NAT's FTP helper does; the bytes the box receives are the same every run.
   */
  private passiveReply(bytes: Uint8Array): Uint8Array {
    const text = utf8Decode(bytes);
    const translated = text
      .replace(/227 ([^(\r\n]*)\((\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\)/, (_m, lead: string, h1, h2, h3, h4, p1: string, p2: string) => {
        const virtual = this.virtualPassive(Number(p1) * 256 + Number(p2));
        return `227 ${lead}(${h1},${h2},${h3},${h4},${Math.floor(virtual / 256)},${virtual % 256})`;
      })
      .replace(/229 ([^(\r\n]*)\(\|\|\|(\d+)\|\)/, (_m, lead: string, port: string) => `229 ${lead}(|||${this.virtualPassive(Number(port))}|)`);
    return translated === text ? bytes : utf8Encode(translated);
  }

  private virtualPassive(real: number): number {
    const virtual = PASSIVE_BASE + (this.passiveOffers++ % PASSIVE_SLOTS);
    this.passivePorts.set(virtual, real);
    return virtual;
  }

  private send(id: number, length: number, address: string, port: number, service: Service): void {
    const s = this.sockets.get(id);
    if (s === undefined || s.service !== service) return this.error();
    if (length === 0) return this.reply([`+QISEND: ${s.sent},${s.acked},${s.sent - s.acked}`]);
    if (length < 0 || length > MAX_SEND) return this.error();
    if (s.state !== 'open') return this.error();
    this.port.sendToHost(utf8Encode('\r\n> '));
    this.payload = { length, chunks: [], filled: 0, done: (bytes) => this.uplink(s, bytes, address, port) };
  }

  private uplink(s: EmuSocket, bytes: Uint8Array, address: string, port: number): void {
    const link = this.link();
    const txMs = (bytes.length * BITS_PER_BYTE) / link.uplinkKbps + TX_OVERHEAD_MS;
    const start = Math.max(this.time.now(), this.txUntil);
    this.txUntil = start + txMs;
    this.activity();
    const epoch = this.epoch;
    this.time.at(this.txUntil, () => {
      if (epoch === this.epoch) this.updatePower();
    });
    s.sent += bytes.length;
    this.stats.bytesUp += bytes.length;
    let forward = bytes;
    const drop = this.dropLimit(s, bytes.length);
    if (drop !== undefined) forward = bytes.subarray(0, drop);
    this.ok(SEND_ACCEPT_MS, 'SEND OK');
    this.time.at(this.txUntil, () => {
      // Bytes the modem accepted (SEND OK) still go out after AT+QICLOSE: the close waits for them.
      if (epoch !== this.epoch || s.host === undefined) return;
      s.acked += bytes.length;
      if (forward.length > 0 && s.host !== undefined) {
        this.options.host?.send(s.host, forward, s.udp ? address : undefined, s.udp ? this.realPort(address, port) : undefined);
      }
      if (drop !== undefined) this.dropSocket(s);
    });
  }

  private read(id: number, max: number, service: Service): void {
    const s = this.sockets.get(id);
    if (s === undefined || s.service !== service) return this.error();
    const head = service === 'ssl' ? '+QSSLRECV' : '+QIRD';
    if (max === 0 && service === 'tcpip') {
      return this.reply([`+QIRD: ${s.readTotal + s.rxBytes},${s.readTotal},${s.rxBytes}`]);
    }
    if (s.udp) {
      const d = s.datagrams.shift();
      if (d === undefined) {
        s.notified = false;
        return this.reply([`${head}: 0`]);
      }
      const bytes = d.bytes.subarray(0, Math.min(max, d.bytes.length));
      if (s.datagrams.length === 0) s.notified = false;
      return this.replyData(`${head}: ${bytes.length},"${d.address}",${d.port}`, bytes);
    }
    const n = Math.min(max, s.rxBytes);
    if (n === 0) {
      s.notified = false;
      return this.reply([`${head}: 0`]);
    }
    const out = new Uint8Array(n);
    let at = 0;
    while (at < n) {
      const c = s.rx[0];
      const take = Math.min(c.length, n - at);
      out.set(c.subarray(0, take), at);
      at += take;
      if (take === c.length) s.rx.shift();
      else s.rx[0] = c.subarray(take);
    }
    s.rxBytes -= n;
    s.readTotal += n;
    if (s.rxBytes === 0) s.notified = false;
    this.replyData(`${head}: ${n}`, out);
  }

  private closeSocket(id: number): void {
    const s = this.sockets.get(id);
    if (s === undefined) return;
    s.removed = true;
    this.sockets.delete(id);
    const hostId = s.host;
    if (hostId === undefined) return;
    this.byHost.delete(hostId);
    // AT+QICLOSE lets the send buffer drain first (the uplink still in flight), then sends the FIN.
    this.time.at(Math.max(this.time.now(), this.txUntil), () => {
      if (s.host === undefined) return;
      s.host = undefined;
      this.options.host?.close(hostId);
    });
  }

  private dnsgip(host: string): void {
    this.ok();
    const link = this.link();
    const mapped = isIpv4(host) ? host : this.scenario.dns?.[host];
    if (!this.pdp.active) return this.urcAt(COMMAND_MS, `+QIURC: "dnsgip",${QI_PDP_BROKEN}`);
    this.activity();
    if (mapped !== undefined) return this.dnsAnswer(link.rttMs, mapped);
    const hostSockets = this.options.host;
    if (hostSockets === undefined) return this.urcAt(link.rttMs, `+QIURC: "dnsgip",${QI_DNS_PARSE_FAILED}`);
    this.dnsPending.set(hostSockets.resolve(host), { at: this.time.now() });
  }

  private dnsAnswer(delay: number, address: string | undefined): void {
    if (address === undefined) return this.urcAt(delay, `+QIURC: "dnsgip",${QI_DNS_PARSE_FAILED}`);
    this.urcAt(delay, `+QIURC: "dnsgip",0,1,${DNS_TTL_S}`);
    this.urcAt(delay, `+QIURC: "dnsgip","${address}"`);
  }

  private onHostEvent(e: HostSocketEvent): void {
    if (e.type === 'resolved') {
      const p = this.dnsPending.get(e.id);
      if (p === undefined) return;
      this.dnsPending.delete(e.id);
      const delay = Math.max(0, p.at + this.link().rttMs - this.time.now());
      return this.dnsAnswer(delay, e.error === undefined ? e.address : undefined);
    }
    const s = this.byHost.get(e.id);
    if (s === undefined || s.removed) return;
    const openUrc = s.service === 'ssl' ? '+QSSLOPEN' : '+QIOPEN';
    const now = this.time.now();
    switch (e.type) {
      case 'open': {
        if (s.state !== 'opening') return;
        s.hostOpen = true;
        const delay = Math.max(0, s.openedAt + s.openModelMs - now);
        s.downlinkFreeAt = now + delay;
        this.at(delay, this.epoch, () => {
          if (s.removed) return;
          s.state = 'open';
          this.urc(`${openUrc}: ${s.id},0`);
        });
        return;
      }
      case 'error':
      case 'end': {
        this.byHost.delete(e.id);
        s.host = undefined;
        if (s.state === 'opening' && !s.hostOpen) {
          const delay = Math.max(0, s.openedAt + s.openModelMs - now);
          s.state = 'closed';
          const code = s.service === 'ssl' && e.type === 'error' && handshakeRefused(e.message) ? SSL_HANDSHAKE_FAILED : QI_SOCKET_CONNECT_FAILED;
          return this.urcAt(delay, `${openUrc}: ${s.id},${code}`);
        }
        const at = Math.max(now, s.downlinkFreeAt);
        this.at(at - now, this.epoch, () => this.peerClosed(s));
        return;
      }
      case 'data': {
        const link = this.link();
        const bytes = s.ftpControl === true ? this.passiveReply(e.bytes) : e.bytes;
        const arrival = Math.max(now + link.rttMs, s.downlinkFreeAt) + (bytes.length * BITS_PER_BYTE) / link.downlinkKbps;
        s.downlinkFreeAt = arrival;
        const address = e.address ?? '';
        const port = this.virtualPort(address, e.port ?? 0);
        this.at(arrival - now, this.epoch, () => this.deliver(s, bytes, address, port));
        return;
      }
    }
  }

  private deliver(s: EmuSocket, bytes: Uint8Array, address: string, port: number): void {
    if (s.removed || s.state !== 'open') return;
    const drop = this.dropLimit(s, bytes.length);
    const data = drop === undefined ? bytes : bytes.subarray(0, drop);
    this.activity();
    if (data.length > 0) {
      this.stats.bytesDown += data.length;
      if (s.udp) s.datagrams.push({ bytes: data, address, port });
      else {
        s.rx.push(data);
        s.rxBytes += data.length;
      }
      if (!s.notified) {
        s.notified = true;
        this.urc(s.service === 'ssl' ? `+QSSLURC: "recv",${s.id}` : `+QIURC: "recv",${s.id}`);
      }
    }
    if (drop !== undefined) this.dropSocket(s);
  }

  private peerClosed(s: EmuSocket): void {
    if (s.removed || s.state === 'closed') return;
    s.state = 'closed';
    this.urc(s.service === 'ssl' ? `+QSSLURC: "closed",${s.id}` : `+QIURC: "closed",${s.id}`);
  }

  /** Bytes of a transfer of `n` that pass before the socket-drop fault cuts it; undefined: no drop. */
  private dropLimit(s: EmuSocket, n: number): number | undefined {
    const f = this.faults.socketDrop;
    const before = s.traffic;
    s.traffic += n;
    if (f === undefined || s.udp || before + n < f.afterBytes) return undefined;
    return Math.max(0, f.afterBytes - before);
  }

  private dropSocket(s: EmuSocket): void {
    if (s.state === 'closed' || s.removed) return;
    this.stats.socketsDropped++;
    if (s.host !== undefined) {
      this.byHost.delete(s.host);
      this.options.host?.close(s.host);
      s.host = undefined;
    }
    if (this.faults.socketDrop?.kind === 'pdpdeact') {
      this.deactivatePdp(true);
      return;
    }
    this.peerClosed(s);
  }

  private deactivatePdp(reportUrc: boolean): void {
    if (!this.pdp.active) return;
    this.pdp = { active: false, address: '' };
    for (const s of this.sockets.values()) {
      if (s.host !== undefined) {
        this.byHost.delete(s.host);
        this.options.host?.close(s.host);
        s.host = undefined;
      }
      s.state = 'closed';
    }
    if (reportUrc) this.urc('+QIURC: "pdpdeact",1');
  }

  // Network

  private simInitialState(): string {
    if (this.pukLocked) return CPIN_PUK;
    const pin = this.scenario.sim?.pin;
    return pin === undefined || pin === null ? CPIN_READY : CPIN_PIN;
  }

  private registered(): boolean {
    return this.stat === 1 || this.stat === 5;
  }

  /** Technologies the modem's configuration lets it search, in scan order. */
  private scanOrder(): ModemTechnology[] {
    const mode = parseInt(this.qcfg.get('nwscanmode')?.[0] ?? '0', 10);
    const iot = parseInt(this.qcfg.get('iotopmode')?.[0] ?? '2', 10);
    const allowed: ModemTechnology[] = [];
    if (mode !== NWSCANMODE.gsmOnly) {
      if (iot === IOTOPMODE.emtc || iot === IOTOPMODE.both) allowed.push('LTE-M');
      if (iot === IOTOPMODE.nbiot || iot === IOTOPMODE.both) allowed.push('NB-IoT');
    }
    if (mode !== NWSCANMODE.lteOnly) allowed.push('2G');
    const seq = decodeScanSequence(this.qcfg.get('nwscanseq')?.[0] ?? '00');
    const order = seq.filter((t) => allowed.indexOf(t) >= 0);
    for (const t of DEFAULT_ORDER) if (allowed.indexOf(t) >= 0 && order.indexOf(t) < 0) order.push(t);
    return order;
  }

  private cellAllowed(c: CoverageCell | undefined): boolean {
    if (c === undefined) return false;
    if (this.scanOrder().indexOf(c.technology) < 0) return false;
    const bands = this.qcfg.get('band') ?? [];
    if (c.band === undefined) return true;
    if (c.technology === 'NB-IoT') return bandsOfMask(bands[2] ?? '0').indexOf(c.band) >= 0;
    if (c.technology === 'LTE-M') return bandsOfMask(bands[1] ?? '0').indexOf(c.band) >= 0;
    return true;
  }

  private startSearch(): void {
    this.cancelSearch();
    if (!this.running) return;
    this.cell = undefined;
    this.heard = undefined;
    this.searching = true;
    this.setRegistration(2);
    this.updatePower();
    const coverage = this.faults.noCoverage ? [] : this.scenario.coverage;
    let delay = 0;
    for (const tech of this.scanOrder()) {
      const cell = coverage.find((c) => c.technology === tech && this.cellAllowed(c));
      if (cell === undefined) {
        delay += LINK_DEFAULTS[tech].scanMs;
        continue;
      }
      this.searchEvents.push(this.at(delay, this.epoch, () => (this.heard = cell)));
      if (this.faults.registrationTimeout) return;
      const attach = cell.attachMs ?? LINK_DEFAULTS[tech].attachMs;
      this.searchEvents.push(
        this.at(delay + attach, this.epoch, () => {
          this.searching = false;
          if (this.faults.registrationDenied) {
            this.setRegistration(3);
            this.updatePower();
            return;
          }
          this.cell = cell;
          this.stats.attaches++;
          this.setRegistration(cell.roaming ? 5 : 1);
          this.activity();
        }),
      );
      return;
    }
    this.searchEvents.push(this.at(delay + RESCAN_MS, this.epoch, () => this.startSearch()));
  }

  private cancelSearch(): void {
    for (const e of this.searchEvents.splice(0)) this.time.cancel(e);
  }

  private resetNetwork(): void {
    this.cancelSearch();
    if (this.psmEvent !== undefined) this.time.cancel(this.psmEvent);
    this.psmEvent = undefined;
    if (this.rrcEvent !== undefined) this.time.cancel(this.rrcEvent);
    this.rrcEvent = undefined;
    this.rrcConnected = false;
    this.searching = false;
    this.deactivatePdp(false);
    for (const id of [...this.sockets.keys()]) this.closeSocket(id);
    this.dnsPending.clear();
    this.stat = 0;
    this.cell = undefined;
    this.heard = undefined;
    this.txUntil = 0;
  }

  private setRegistration(stat: number): void {
    if (stat === this.stat) return;
    this.stat = stat;
    const lte = this.cell !== undefined ? this.cell.technology !== '2G' : this.scanOrder().some((t) => t !== '2G');
    const gsm = this.cell !== undefined ? this.cell.technology === '2G' : this.scanOrder().indexOf('2G') >= 0;
    if (lte && this.regUrc.CEREG > 0) this.urc(this.registrationLine('CEREG', false));
    if (gsm && this.regUrc.CGREG > 0) this.urc(this.registrationLine('CGREG', false));
    if (gsm && this.regUrc.CREG > 0) this.urc(this.registrationLine('CREG', false));
  }

  private registrationLine(kind: 'CEREG' | 'CGREG' | 'CREG', solicited: boolean): string {
    const c = this.cell;
    const lteKind = kind === 'CEREG';
    let stat = this.stat;
    if (c !== undefined && (c.technology !== '2G') !== lteKind) stat = 0;
    if (c === undefined && stat === 2) {
      const order = this.scanOrder();
      if (lteKind ? !order.some((t) => t !== '2G') : order.indexOf('2G') < 0) stat = 0;
    }
    const n = this.regUrc[kind];
    const parts: string[] = solicited ? [String(n), String(stat)] : [String(stat)];
    if (n >= 2 && c !== undefined && stat !== 0) {
      const area = lteKind ? '1A2B' : '0C3D';
      parts.push(`"${area}"`, `"${lteKind ? '01A2B3C4' : '4E5F'}"`, String(actOf(c.technology)));
    }
    return `+${kind}: ${parts.join(',')}`;
  }

  private signalCell(): CoverageCell | undefined {
    return this.cell ?? this.heard;
  }

  private jitter(v: number): number {
    const sd = this.scenario.signalJitterDb ?? 0;
    return sd > 0 ? Math.round(this.random.gaussian(v, sd)) : v;
  }

  private csqLine(): string {
    const c = this.signalCell();
    if (c === undefined) return '+CSQ: 99,99';
    const rssi = Math.max(0, Math.min(31, Math.round((this.jitter(c.rssi) + 113) / 2)));
    return `+CSQ: ${rssi},99`;
  }

  private qcsqLine(): string {
    const c = this.signalCell();
    if (c === undefined) return '+QCSQ: "NOSERVICE"';
    if (c.technology === '2G') return `+QCSQ: "GSM",${this.jitter(c.rssi)}`;
    const sinr = Math.max(0, Math.min(250, Math.round((this.jitter(c.sinr ?? 10) + 20) * 5)));
    const mode = c.technology === 'LTE-M' ? 'eMTC' : 'NBIoT';
    return `+QCSQ: "${mode}",${this.jitter(c.rssi)},${this.jitter(c.rsrp ?? -90)},${sinr},${this.jitter(c.rsrq ?? -10)}`;
  }

  private qnwinfoLine(): string {
    const c = this.cell;
    if (!this.registered() || c === undefined) return '+QNWINFO: No Service';
    const mccmnc = c.mccmnc ?? '00101';
    if (c.technology === '2G') return `+QNWINFO: "GSM","${mccmnc}","GSM ${c.band ?? 900}",${c.channel ?? 62}`;
    return `+QNWINFO: "${c.technology === 'LTE-M' ? 'eMTC' : 'NBIoT'}","${mccmnc}","LTE BAND ${c.band ?? 20}",${c.channel ?? 6400}`;
  }

  private link(): LinkFigures {
    const c = this.cell;
    const d = LINK_DEFAULTS[c?.technology ?? 'LTE-M'];
    return {
      attachMs: c?.attachMs ?? d.attachMs,
      rttMs: c?.rttMs ?? d.rttMs,
      uplinkKbps: c?.uplinkKbps ?? d.uplinkKbps,
      downlinkKbps: c?.downlinkKbps ?? d.downlinkKbps,
      scanMs: d.scanMs,
    };
  }

  // Power

  /** Radio traffic: RRC connected, and the inactivity timer restarts. */
  private activity(): void {
    if (!this.running) return;
    this.rrcConnected = true;
    if (this.rrcEvent !== undefined) this.time.cancel(this.rrcEvent);
    if (this.psmEvent !== undefined) this.time.cancel(this.psmEvent);
    this.psmEvent = undefined;
    this.rrcEvent = this.at(this.scenario.rrcInactivityMs ?? DEFAULT_RRC_INACTIVITY_MS, this.epoch, () => {
      this.rrcEvent = undefined;
      this.rrcConnected = false;
      this.updatePower();
      this.schedulePsm();
    });
    this.updatePower();
  }

  private updatePower(): void {
    if (!this.running) return;
    if (this.time.now() < this.txUntil) this.setPower('transmitting');
    else if (this.searching || this.rrcConnected) this.setPower('attached');
    else this.setPower('idle');
  }

  private setPower(state: ModemPowerState): void {
    if (state === this.physical) return;
    this.physical = state;
    this.options.power?.report('modem', state);
  }

  private schedulePsm(): void {
    if (this.psmEvent !== undefined) this.time.cancel(this.psmEvent);
    this.psmEvent = undefined;
    const p = this.psmRequest;
    if (!p.enabled || this.scenario.grantPsm === false || !this.registered() || this.rrcConnected || !this.running) return;
    const active = decodeActiveTime(p.active);
    if (active === undefined) return;
    this.psmEvent = this.at(active * 1000, this.epoch, () => {
      this.psmEvent = undefined;
      if (this.psmUrc) this.urc('PSM POWER DOWN');
      const epoch = this.epoch;
      this.at(PSM_URC_LEAD_MS, epoch, () => {
        for (const id of [...this.sockets.keys()]) this.closeSocket(id);
        this.answering = false;
        this.running = false;
        this.epoch++;
        this.port.enterPsm();
        this.setPower('psm');
      });
    });
  }

  // Output

  private ok(delay = COMMAND_MS, final = 'OK'): void {
    this.finish([], final, delay);
  }

  private error(cme?: number, delay = COMMAND_MS): void {
    this.finish([], cme !== undefined && this.cmee > 0 ? `+CME ERROR: ${cme}` : 'ERROR', delay);
  }

  private unknown(): void {
    this.stats.unknownCommands++;
    this.error();
  }

  private reply(lines: string[], delay = COMMAND_MS): void {
    this.finish(lines, 'OK', delay);
  }

  private replyData(header: string, data: Uint8Array): void {
    const head = utf8Encode(`\r\n${header}\r\n`);
    const tail = utf8Encode('\r\n\r\nOK\r\n');
    const out = new Uint8Array(head.length + data.length + tail.length);
    out.set(head, 0);
    out.set(data, head.length);
    out.set(tail, head.length + data.length);
    this.emitFinal(out, COMMAND_MS);
  }

  private finish(lines: string[], final: string, delay: number): void {
    let text = '';
    for (const l of lines) text += `\r\n${this.maybeTruncate(l)}\r\n`;
    text += `\r\n${final}\r\n`;
    this.emitFinal(utf8Encode(text), delay);
  }

  private emitFinal(bytes: Uint8Array, delay: number): void {
    const epoch = this.epoch;
    this.at(delay + (this.faults.slowReplyMs ?? 0), epoch, () => {
      this.emit(bytes);
      this.executing = false;
      this.pump();
    });
  }

  private urc(text: string): void {
    if (!this.running) return;
    this.emit(utf8Encode(`\r\n${text}\r\n`));
  }

  private urcAt(delay: number, text: string): void {
    this.at(delay, this.epoch, () => this.urc(text));
  }

  private emit(bytes: Uint8Array): void {
    const rate = this.faults.garbageRate ?? 0;
    if (rate > 0 && this.random.next() < rate) {
      this.stats.garbageInjected++;
      this.port.sendToHost(this.garbageLine());
    }
    this.port.sendToHost(bytes);
  }

  private garbageLine(): Uint8Array {
    const n = this.random.int(3, 20);
    const out: number[] = [0x0d, 0x0a];
    for (let i = 0; i < n; i++) {
      out.push(this.random.next() < 0.3 ? this.random.int(0x80, 0xfe) : GARBAGE_CHARS.charCodeAt(this.random.int(0, GARBAGE_CHARS.length - 1)));
    }
    out.push(0x0d, 0x0a);
    return Uint8Array.from(out);
  }

  private maybeTruncate(line: string): string {
    const rate = this.faults.truncateRate ?? 0;
    const head = /^(\+[A-Z]+):/.exec(line);
    if (rate <= 0 || head === null || !TRUNCATABLE.has(head[1]) || line.length < 2) return line;
    if (this.random.next() >= rate) return line;
    this.stats.linesTruncated++;
    return line.slice(0, this.random.int(1, line.length - 1));
  }

  private at(delay: number, epoch: number, fn: () => void): SimEventId {
    return this.time.at(this.time.now() + Math.max(0, delay), () => {
      if (epoch === this.epoch) fn();
    });
  }

  private imei(): string {
    return this.scenario.imei ?? '864475041522664';
  }

  private firmware(): string {
    return this.scenario.firmware ?? 'BG95M3LAR02A03_01.005.01.005';
  }
}

/** TS 27.007 `<AcT>`: 0 GSM, 8 E-UTRAN Cat M, 9 NB-IoT. */
/**
 * Whether a host socket error on a TLS connection came after the TCP connection was made (the
 * handshake: certificate not verified, name mismatch, peer gone mid-handshake), which the BG95
 * reports as SSL_HANDSHAKE_FAILED, rather than from the TCP connect itself (566).
 */
function handshakeRefused(message: string): boolean {
  return !/\bE(CONNREFUSED|HOSTUNREACH|NETUNREACH|TIMEDOUT|NOTFOUND|ADDRNOTAVAIL|AI_AGAIN)\b/.test(message);
}

function actOf(t: ModemTechnology): number {
  return t === 'LTE-M' ? 8 : t === 'NB-IoT' ? 9 : 0;
}

/**
 * Orders one settle's events by socket (stable within a socket) and merges consecutive stream
 * chunks, so what the firmware sees does not depend on how the host's TCP stack split the bytes.
 */
function coalesce(events: readonly HostSocketEvent[]): HostSocketEvent[] {
  const ids: HostSocketId[] = [];
  const byId = new Map<HostSocketId, HostSocketEvent[]>();
  for (const e of events) {
    let list = byId.get(e.id);
    if (list === undefined) {
      list = [];
      byId.set(e.id, list);
      ids.push(e.id);
    }
    const last = list[list.length - 1];
    if (e.type === 'data' && last !== undefined && last.type === 'data' && e.address === undefined && last.address === undefined) {
      const merged = new Uint8Array(last.bytes.length + e.bytes.length);
      merged.set(last.bytes, 0);
      merged.set(e.bytes, last.bytes.length);
      list[list.length - 1] = { type: 'data', id: e.id, bytes: merged };
    } else {
      list.push(e);
    }
  }
  ids.sort((x, y) => x - y);
  const out: HostSocketEvent[] = [];
  for (const id of ids) out.push(...(byId.get(id) as HostSocketEvent[]));
  return out;
}
