import { Bg95Sms, type SmsService } from './sms';
import { parseFields, splitHead } from '../../protocol/at/params';
import {
  parseCnum,
  parseCops,
  parseCpin,
  parseCsq,
  parseImei,
  parseQcfg,
  parseQccid,
  parseQcsq,
  parseQiact,
  parseQnwinfo,
  parseRegistration,
} from '../../protocol/at/responses';
import type { AtParse, AtUrc, Registration } from '../../protocol/at/types';
import type { Clock, TimerId } from '../../protocol/ports/clock';
import type { Network } from '../../protocol/ports/network';
import type { ModemPowerState, PowerSink } from '../power/types';
import { AtChannel, type AtCommandOptions, type AtResponse } from './at-channel';
import {
  encodeActiveTime,
  encodePeriodicTau,
  fingerprint,
  nbIotBandMask,
  normaliseMask,
  scanPlan,
  technologyOfAct,
  technologyOfQnwinfo,
  type ScanAttempt,
} from './bg95-config';
import { ModemError } from './errors';
import { PinGuard } from './pin-guard';
import { Bg95Network } from './sockets';
import type {
  ModemErrorCode,
  ModemInfo,
  ModemNetworkConfig,
  ModemPort,
  ModemStateStore,
  RandomSource,
  SignalQuality,
} from './types';
import { freezeTable } from '../../protocol/freeze';

/** Pin and boot timings; defaults follow the Quectel BG95 hardware design with margin. */
export interface Bg95Timing {
  /** PWRKEY low to turn on: ≥ 500 ms. */
  readonly powerOnPulseMs: number;
  /** PWRKEY low to turn off: ≥ 650 ms. */
  readonly powerOffPulseMs: number;
  /** From the end of the pulse to `APP RDY` (typically 2–3 s). */
  readonly bootTimeoutMs: number;
  /** From AT+QPOWD or the off pulse to STATUS low. */
  readonly powerDownTimeoutMs: number;
  /** STATUS is sampled this often while waiting for the power-down. */
  readonly statusPollMs: number;
  /** AT+CEREG?/AT+CGREG? are polled this often while registering (URCs cut the wait short). */
  readonly registrationPollMs: number;
  /** After a PIN is accepted, the SIM must say READY within this time. */
  readonly simReadyTimeoutMs: number;
}

export const BG95_TIMING: Bg95Timing = freezeTable({
  powerOnPulseMs: 600,
  powerOffPulseMs: 800,
  bootTimeoutMs: 15_000,
  powerDownTimeoutMs: 15_000,
  statusPollMs: 200,
  registrationPollMs: 5_000,
  simReadyTimeoutMs: 10_000,
});

export interface Bg95Options {
  readonly port: ModemPort;
  readonly clock: Clock;
  /** Persists the refused-PIN record and the operatorInit marker. */
  readonly store: ModemStateStore;
  readonly power?: PowerSink;
  /** For `randomDelay`; without it the delay is not applied. */
  readonly random?: RandomSource;
  readonly timing?: Partial<Bg95Timing>;
  readonly log?: (line: string) => void;
}

export type Bg95State = 'off' | 'booting' | 'on' | 'registered' | 'psm';

export interface PsmRequest {
  /** Requested periodic TAU (T3412 extended), seconds. */
  readonly periodicTauS: number;
  /** Requested active time (T3324), seconds. */
  readonly activeTimeS: number;
  /** How long to wait for the modem to enter PSM. */
  readonly waitMs?: number;
}

export interface Bg95Stats {
  powerOns: number;
  /** Power-offs where neither AT+QPOWD nor the PWRKEY pulse brought STATUS low: the supply was cut. */
  forcedPowerOffs: number;
  registrations: number;
  registrationFailures: number;
  pinEntries: number;
  operatorInitRuns: number;
}

/** Settings key of the operatorInit marker (fingerprint of ICCID + list). */
export const OPERATOR_INIT_KEY = 'mdmOpInit';
/** Never try a PIN when the SIM has fewer attempts left than this: the last one is for a human. */
const MIN_PIN_ATTEMPTS = 2;
/** TS 27.007 §9.2.1 +CME ERROR codes the driver acts on. */
const CME = freezeTable({ simNotInserted: 10, simPin: 11, simPuk: 12, simFailure: 13, simBusy: 14, incorrectPassword: 16 } as const);
const SIM_BUSY_RETRIES = 10;
const SIM_BUSY_RETRY_MS = 500;
/** Quectel AT manual maximum response times. */
const TIMEOUT = freezeTable({
  cpin: 5_000,
  cfun: 15_000,
  cops: 180_000,
  qiact: 150_000,
  qideact: 40_000,
  qpowd: 2_000,
  operatorInit: 10_000,
  cpsms: 2_000,
} as const);
/** Boot-time sync: plain `AT` until the modem answers. */
const SYNC_ATTEMPTS = 5;
const SYNC_TIMEOUT_MS = 500;
const PSM_WAIT_MARGIN_MS = 30_000;
const MS_PER_S = 1000;
const MS_PER_MINUTE = 60_000;
/** AT+QICSGP `<authentication>`: 0 none, 1 PAP. */
const AUTH_NONE = 0;
const AUTH_PAP = 1;
/** AT+QICSGP `<context_type>` 1: IPv4. */
const CONTEXT_IPV4 = 1;
/** AT+CEREG=2 / AT+CGREG=2: registration URCs with location. */
const REG_URC_WITH_LOCATION = 2;
const REG_DENIED = 3;
/** AT+CSQ 99: not known / not detectable. */
const CSQ_UNKNOWN = 99;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Quectel BG95 (LTE-M / NB-IoT / EGPRS) driver: power sequencing on PWRKEY/STATUS, SIM unlock
 * that never repeats a refused PIN, network selection per §4.2.3.1 with the §1.6.4 fallback,
 * PDP activation, signal and identity collection for the §5.7 supervision file, PSM and power-off,
 * and the socket service (`network()`).
 */
export class Bg95Modem {
  readonly channel: AtChannel;
  readonly stats: Bg95Stats = { powerOns: 0, forcedPowerOffs: 0, registrations: 0, registrationFailures: 0, pinEntries: 0, operatorInitRuns: 0 };
  private readonly timing: Bg95Timing;
  private readonly pins: PinGuard;
  private readonly net: Bg95Network;
  private current: Bg95State = 'off';
  private powerState: ModemPowerState | undefined;
  private data: Mutable<ModemInfo> = { quality: {} };
  private readyWaiter: (() => void) | undefined;
  private napWake: (() => void) | undefined;
  private pdpActive = false;
  private psmEntered = false;
  private smsService: Bg95Sms | undefined;

  constructor(private readonly options: Bg95Options) {
    this.timing = { ...BG95_TIMING, ...(options.timing ?? {}) };
    this.channel = new AtChannel(options.port, options.clock);
    this.pins = new PinGuard(options.store);
    this.net = new Bg95Network(this.channel, options.clock, {
      transmitting: (active) => {
        if (this.current === 'registered') this.report(active ? 'transmitting' : 'attached');
      },
    });
    this.channel.onUrc((urc) => this.onUrc(urc));
  }

  state(): Bg95State {
    return this.current;
  }

  /** What is known so far (identity, signal, network); the §5.7 supervision `modem` section. */
  info(): ModemInfo {
    const tlsUnverified = this.net.tlsUnverified();
    return { ...this.data, quality: { ...this.data.quality }, ...(tlsUnverified !== undefined ? { tlsUnverified } : {}) };
  }

  /** The socket service; usable once `activate` resolved. */
  network(): Network {
    return this.net;
  }

  /** The socket service with its statistics. */
  sockets(): Bg95Network {
    return this.net;
  }

  /** SMS in text mode on the same AT channel (drivers/modem/sms.ts); usable once registered. */
  sms(): SmsService {
    this.smsService ??= new Bg95Sms(this.channel);
    return this.smsService;
  }

  /**
   * Powers the module (supply, PWRKEY pulse) and waits for `APP RDY`; also wakes it from PSM.
   * Then turns echo off and numeric error reports on.
   */
  async powerOn(): Promise<void> {
    if (this.current === 'on' || this.current === 'registered') return;
    const port = this.options.port;
    const fromPsm = this.current === 'psm';
    this.current = 'booting';
    port.setSupply(true);
    this.report('idle');
    if (!fromPsm && port.status()) {
      // Already running (the MCU rebooted under it): no pulse, that would turn it off.
      if (!(await this.sync())) return this.bootFailed('no answer from a running modem');
    } else {
      const ready = this.waitReady(this.timing.powerOnPulseMs + this.timing.bootTimeoutMs);
      await this.pulse(this.timing.powerOnPulseMs);
      const gotReady = await ready;
      if (!gotReady && !(port.status() && (await this.sync()))) return this.bootFailed('no APP RDY');
    }
    this.stats.powerOns++;
    this.current = fromPsm && this.psmEntered ? 'registered' : 'on';
    this.psmEntered = false;
    await this.ok('ATE0');
    await this.ok('AT+CMEE=1');
    if (this.current === 'registered') this.report('attached');
  }

  /**
   * Turns the module off: AT+QPOWD, else a PWRKEY pulse, until STATUS falls; then cuts the supply.
   * Sockets fail with `modem off`. Never throws: the battery matters more than a clean answer.
   */
  async powerOff(): Promise<void> {
    const port = this.options.port;
    this.net.shutdown('modem off');
    this.pdpActive = false;
    if (port.status()) {
      await this.channel.command('AT+QPOWD=1', { timeoutMs: TIMEOUT.qpowd });
      let down = await this.waitStatusLow(this.timing.powerDownTimeoutMs);
      if (!down) {
        await this.pulse(this.timing.powerOffPulseMs);
        down = await this.waitStatusLow(this.timing.powerDownTimeoutMs);
      }
      if (!down) {
        this.stats.forcedPowerOffs++;
        this.log('modem: STATUS still high after AT+QPOWD and PWRKEY; cutting the supply');
      }
    }
    this.channel.abort('modem off');
    port.setSupply(false);
    this.current = 'off';
    this.psmEntered = false;
    this.report('off');
  }

  /**
   * §4.2.3.1 `randomDelay` (modem off while waiting), power on, register, activate the PDP context.
   */
  async connect(config: ModemNetworkConfig): Promise<ModemInfo> {
    const delay = this.randomDelayMs(config);
    if (delay > 0 && this.current === 'off') await this.sleep(delay);
    await this.powerOn();
    await this.register(config);
    await this.activate();
    return this.info();
  }

  /** The §4.2.3.1 `randomDelay` draw, ms (0 without a random source). */
  randomDelayMs(config: Pick<ModemNetworkConfig, 'randomDelay'>): number {
    const minutes = config.randomDelay ?? 0;
    const random = this.options.random;
    if (minutes <= 0 || random === undefined) return 0;
    return Math.floor(random() * minutes * MS_PER_MINUTE);
  }

  /**
   * Identity, SIM unlock, network selection (§4.2.3.1 mode/scanseq/band, §1.6.4 auto fallback),
   * operatorInit, APN, then waits for registration within `timeout` per attempt.
   */
  async register(config: ModemNetworkConfig): Promise<ModemInfo> {
    this.requireOn();
    this.data.mode = config.mode;
    await this.identify();
    await this.unlockSim(config.cpin ?? null);
    await this.readNumber();
    await this.ok(`AT+CEREG=${REG_URC_WITH_LOCATION}`);
    await this.ok(`AT+CGREG=${REG_URC_WITH_LOCATION}`);
    await this.ok('AT+COPS=3,0');
    await this.applyBands(config.band ?? null);
    await this.runOperatorInit(config.operatorInit ?? null);
    await this.applyApn(config);
    const plan = scanPlan(config);
    let failure: ModemError | undefined;
    for (const attempt of plan) {
      await this.applyScan(attempt);
      const start = this.options.clock.now();
      this.report('attached');
      const outcome = await this.waitRegistered(config.timeout * MS_PER_S);
      if (outcome === undefined) {
        this.data.attachMs = this.options.clock.now() - start;
        failure = undefined;
        break;
      }
      failure = new ModemError(outcome, `${attempt.technologies.join('+')} within ${config.timeout} s`);
      this.log(`modem: ${failure.message}`);
    }
    if (failure !== undefined) {
      this.stats.registrationFailures++;
      this.report('idle');
      throw failure;
    }
    this.stats.registrations++;
    this.current = 'registered';
    await this.readNetwork();
    await this.signal();
    return this.info();
  }

  /** Activates PDP context 1 (AT+QIACT) and returns its IPv4 address. */
  async activate(): Promise<string> {
    this.requireRegistered();
    let address = await this.pdpAddress();
    if (address === undefined) {
      const r = await this.channel.command(`AT+QIACT=${this.net.contextId}`, { timeoutMs: TIMEOUT.qiact });
      if (r.final.kind !== 'ok') throw new ModemError('pdp-failed', r.final.text);
      address = await this.pdpAddress();
      if (address === undefined) throw new ModemError('pdp-failed', 'no address after AT+QIACT');
    }
    this.pdpActive = true;
    this.data.address = address;
    return address;
  }

  async deactivate(): Promise<void> {
    this.net.shutdown('pdp deactivated');
    if (!this.pdpActive) return;
    await this.channel.command(`AT+QIDEACT=${this.net.contextId}`, { timeoutMs: TIMEOUT.qideact });
    this.pdpActive = false;
  }

  /** Detaches from the network (AT+COPS=2): §4.2.3.1 `deregisterOnLocalAction`. */
  async deregister(): Promise<void> {
    this.requireOn();
    this.net.shutdown('deregistered');
    this.pdpActive = false;
    await this.ok('AT+COPS=2', { timeoutMs: TIMEOUT.cops });
    this.current = 'on';
    this.report('idle');
  }

  /**
   * §5.6.7 `operatorInit`: back to automatic operator selection (AT+COPS=0), and the configured
   * operator-specific list runs again at the next `register`.
   */
  async resetOperatorSelection(): Promise<void> {
    this.options.store.delete(OPERATOR_INIT_KEY);
    if (this.current !== 'on' && this.current !== 'registered') return;
    await this.ok('AT+COPS=0', { timeoutMs: TIMEOUT.cops });
  }

  /**
   * Forgets the refused PINs of one SIM (or all): a person re-entered the PIN locally, a new one was
   * configured, or the box was reset (§5.6.2, §5.6.7). Returns the ICCIDs whose record went (empty:
   * nothing was on record).
   */
  forgetRefusedPins(iccid?: string): string[] {
    const sims = this.pins.sims().filter((s) => iccid === undefined || s === iccid);
    this.pins.clear(iccid);
    if (iccid === undefined || iccid === this.data.pinRefused) delete this.data.pinRefused;
    return sims;
  }

  /** The SIMs (ICCIDs) with a refused PIN on record. */
  refusedPinSims(): string[] {
    return this.pins.sims();
  }

  /** RSSI, RSRP, RSRQ, SINR (AT+QCSQ, AT+CSQ); stored in `info()`. */
  async signal(): Promise<SignalQuality> {
    this.requireOn();
    const q: Mutable<SignalQuality> = {};
    const r = await this.channel.command('AT+QCSQ', { prefix: '+QCSQ' });
    const qcsq = this.first(r, parseQcsq);
    if (qcsq !== undefined) {
      if (qcsq.rssiDbm !== undefined) q.rssi = qcsq.rssiDbm;
      if (qcsq.rsrpDbm !== undefined) q.rsrp = qcsq.rsrpDbm;
      if (qcsq.rsrqDb !== undefined) q.rsrq = qcsq.rsrqDb;
      if (qcsq.sinrDb !== undefined) q.sinr = qcsq.sinrDb;
    }
    const csq = await this.csq();
    if (q.rssi === undefined && csq !== undefined) q.rssi = csq;
    this.data.quality = q;
    if (q.rssi !== undefined) this.data.rssi = q.rssi;
    return q;
  }

  /**
   * Requests PSM (AT+CPSMS) and waits for the modem to enter it (`PSM POWER DOWN` or STATUS low).
   * Resolves false when the network did not grant it in time (the modem stays on).
   */
  async enterPsm(request: PsmRequest): Promise<boolean> {
    this.requireRegistered();
    await this.ok('AT+QCFG="psm/urc",1');
    await this.ok(`AT+CPSMS=1,,,"${encodePeriodicTau(request.periodicTauS)}","${encodeActiveTime(request.activeTimeS)}"`, { timeoutMs: TIMEOUT.cpsms });
    const waitMs = request.waitMs ?? request.activeTimeS * MS_PER_S + PSM_WAIT_MARGIN_MS;
    const entered = this.psmEntered || (await this.waitStatusLow(waitMs)) || this.psmEntered;
    if (!entered) return false;
    this.net.shutdown('modem in PSM');
    this.channel.abort('modem in PSM');
    this.current = 'psm';
    this.psmEntered = true;
    this.report('psm');
    return true;
  }

  private async identify(): Promise<void> {
    if (this.data.imei === undefined) {
      const r = await this.channel.command('AT+CGSN', { bare: true, prefix: '+CGSN' });
      const imei = this.first(r, parseImei);
      if (imei !== undefined) this.data.imei = imei;
    }
    if (this.data.firmware === undefined) {
      const r = await this.channel.command('AT+QGMR', { bare: true });
      const fw = r.final.kind === 'ok' ? r.lines.map((l) => l.text).find((t) => /^[A-Za-z0-9_.]+$/.test(t)) : undefined;
      if (fw !== undefined) this.data.firmware = fw;
    }
    const r = await this.channel.command('AT+QCCID', { prefix: '+QCCID' });
    const iccid = this.first(r, parseQccid);
    if (iccid !== undefined) this.data.iccid = iccid;
  }

  private async readNumber(): Promise<void> {
    const r = await this.channel.command('AT+CNUM', { prefix: '+CNUM' });
    if (r.final.kind !== 'ok') return;
    const cnum = this.first(r, parseCnum);
    this.data.num = cnum?.number ?? '';
  }

  /**
   * §4.2.3.1 `cpin`. A PIN is sent only when the SIM asks for one, this SIM has not refused this
   * PIN before, and the SIM has at least two attempts left; a refusal is persisted at once.
   */
  private async unlockSim(pin: string | null): Promise<void> {
    delete this.data.pinRefused;
    const state = await this.simState();
    if (state === 'READY') return;
    if (state === 'SIM PUK') throw new ModemError('sim-puk', 'SIM is PUK-locked');
    if (state !== 'SIM PIN') throw new ModemError('command-failed', `SIM state ${state}`);
    if (pin === null || pin === '') throw new ModemError('sim-pin-required', 'SIM asks for a PIN and none is configured');
    const iccid = this.data.iccid ?? 'unknown';
    if (this.pins.refused(iccid, pin)) throw this.pinRefused(iccid, 'sim-pin-blocked', `SIM ${iccid} refused this PIN before; not retried`);
    const before = await this.pinAttemptsLeft();
    if (before !== undefined && before < MIN_PIN_ATTEMPTS) {
      throw new ModemError('sim-pin-attempts-low', `SIM ${iccid} has ${before} PIN attempt(s) left`);
    }
    const pinParam = /^[0-9]{4,8}$/.test(pin) ? pin : undefined;
    if (pinParam === undefined) throw new ModemError('sim-pin-required', 'configured PIN is not 4-8 digits');
    this.stats.pinEntries++;
    const r = await this.channel.command(`AT+CPIN="${pinParam}"`, { timeoutMs: TIMEOUT.cpin });
    if (r.final.kind === 'cme' && r.final.code === CME.incorrectPassword) {
      this.pins.record(iccid, pin);
      throw this.pinRefused(iccid, 'sim-pin-refused', `SIM ${iccid}: ${r.final.text}`);
    }
    if (r.final.kind === 'cme' && r.final.code === CME.simPuk) {
      this.pins.record(iccid, pin);
      throw new ModemError('sim-puk', r.final.text);
    }
    if (r.final.kind !== 'ok') {
      // Unknown outcome: if an attempt was used up, the PIN was refused.
      const after = await this.pinAttemptsLeft();
      if (before !== undefined && after !== undefined && after < before) {
        this.pins.record(iccid, pin);
        throw this.pinRefused(iccid, 'sim-pin-refused', `SIM ${iccid}: ${r.final.text}`);
      }
      throw new ModemError(r.final.kind === 'timeout' ? 'timeout' : 'command-failed', `AT+CPIN: ${r.final.text}`);
    }
    const deadline = this.options.clock.now() + this.timing.simReadyTimeoutMs;
    while ((await this.simState()) !== 'READY') {
      if (this.options.clock.now() >= deadline) throw new ModemError('timeout', 'SIM not ready after PIN');
      await this.nap(SIM_BUSY_RETRY_MS);
    }
  }

  /** The SIM refused the configured PIN, now or before: `info()` says so until it unlocks or the record is cleared. */
  private pinRefused(iccid: string, code: 'sim-pin-refused' | 'sim-pin-blocked', message: string): ModemError {
    this.data.pinRefused = iccid;
    return new ModemError(code, message);
  }

  private async simState(): Promise<string> {
    for (let i = 0; ; i++) {
      const r = await this.channel.command('AT+CPIN?', { prefix: '+CPIN', timeoutMs: TIMEOUT.cpin });
      if (r.final.kind === 'ok') {
        const s = this.first(r, parseCpin);
        if (s !== undefined) return s;
      } else if (r.final.kind === 'cme') {
        if (r.final.code === CME.simNotInserted || r.final.code === CME.simFailure) throw new ModemError('sim-missing', r.final.text);
        if (r.final.code === CME.simPuk) return 'SIM PUK';
        if (r.final.code === CME.simPin) return 'SIM PIN';
      } else if (r.final.kind === 'timeout' || r.final.kind === 'aborted') {
        throw new ModemError(r.final.kind === 'timeout' ? 'timeout' : 'aborted', 'AT+CPIN?');
      }
      // SIM busy right after boot, or a line lost on the UART: ask again.
      if (i >= SIM_BUSY_RETRIES) throw new ModemError('command-failed', `AT+CPIN?: ${r.final.text}`);
      await this.nap(SIM_BUSY_RETRY_MS);
    }
  }

  /** AT+QPINC="SC": PIN attempts left, or undefined when the modem does not say. */
  private async pinAttemptsLeft(): Promise<number | undefined> {
    const r = await this.channel.command('AT+QPINC="SC"', { prefix: '+QPINC' });
    for (const l of r.lines) {
      const p = parseFields(l.text, '+QPINC', (f) => ({ facility: f.quoted(0, 'facility'), pin: f.int(1, 'pincounter', 0, 10) }));
      if (p.ok && p.value.facility === 'SC') return p.value.pin;
    }
    return undefined;
  }

  /** Writes an AT+QCFG setting only when it differs: the modem keeps these in NVM. */
  private async setQcfg(name: string, values: readonly string[], same: (current: readonly string[]) => boolean): Promise<void> {
    const r = await this.channel.command(`AT+QCFG="${name}"`, { prefix: '+QCFG' });
    const current = this.first(r, parseQcfg);
    if (current !== undefined && current.name === name && same(current.values)) return;
    await this.ok(`AT+QCFG="${name}",${values.join(',')},1`);
  }

  private async applyScan(attempt: ScanAttempt): Promise<void> {
    const mode = String(attempt.nwscanmode);
    await this.setQcfg('nwscanmode', [mode], (v) => v[0] === mode);
    if (attempt.iotopmode !== undefined) {
      const iot = String(attempt.iotopmode);
      await this.setQcfg('iotopmode', [iot], (v) => v[0] === iot);
    }
    await this.setQcfg('nwscanseq', [attempt.nwscanseq], (v) => v[0] === attempt.nwscanseq);
  }

  /** §4.2.3.1 `band`: the NB-IoT mask; the GSM and eMTC masks are kept as the modem has them. */
  private async applyBands(bands: readonly number[] | null): Promise<void> {
    const nb = nbIotBandMask(bands);
    const r = await this.channel.command('AT+QCFG="band"', { prefix: '+QCFG' });
    const current = this.first(r, parseQcfg);
    if (current === undefined || current.values.length < 3) return;
    const [gsm, emtc, nbNow] = current.values;
    if (normaliseMask(nbNow) === normaliseMask(nb)) return;
    await this.ok(`AT+QCFG="band",${gsm},${emtc},${nb},1`);
  }

  /** The operator-specific AT lines run once per SIM and list content (marker persisted). */
  private async runOperatorInit(lines: readonly string[] | null): Promise<void> {
    if (lines === null || lines.length === 0) return;
    const marker = fingerprint((this.data.iccid ?? '') + '\n' + lines.join('\n'));
    if (this.options.store.get(OPERATOR_INIT_KEY) === marker) return;
    for (const line of lines) {
      const r = await this.channel.command(line, { timeoutMs: TIMEOUT.operatorInit });
      if (r.final.kind !== 'ok') this.log(`modem: operatorInit '${line}': ${r.final.text}`);
    }
    this.stats.operatorInitRuns++;
    this.options.store.set(OPERATOR_INIT_KEY, marker);
  }

  /** §4.2.3.1 apn/user/pass into context 1 (AT+QICSGP), written only when different. */
  private async applyApn(config: ModemNetworkConfig): Promise<void> {
    const apn = config.apn ?? '';
    const user = config.user ?? '';
    const pass = config.pass ?? '';
    if (/["\r\n]/.test(apn + user + pass)) throw new ModemError('command-failed', 'APN, user or password contains a quote or line break');
    const auth = user !== '' ? AUTH_PAP : AUTH_NONE;
    const ctx = this.net.contextId;
    const want = `${CONTEXT_IPV4},"${apn}","${user}","${pass}",${auth}`;
    const r = await this.channel.command(`AT+QICSGP=${ctx}`, { prefix: '+QICSGP' });
    const line = r.lines[0];
    const head = line !== undefined ? splitHead(line.text) : undefined;
    if (head !== undefined && head.rest.replace(/\s/g, '') === want.replace(/\s/g, '')) return;
    await this.ok(`AT+QICSGP=${ctx},${want}`);
  }

  /**
   * Polls registration until home/roaming (undefined), a denial, or the deadline. No signal all
   * along is `no-coverage`; a signal without registration is `registration-timeout`.
   */
  private async waitRegistered(timeoutMs: number): Promise<ModemErrorCode | undefined> {
    const clock = this.options.clock;
    const deadline = clock.now() + timeoutMs;
    let sawSignal = false;
    for (;;) {
      const regs = [await this.registration('CEREG'), await this.registration('CGREG')];
      const ok = regs.find((r) => r !== undefined && r.registered);
      if (ok !== undefined) {
        if (ok.act !== undefined) {
          const t = technologyOfAct(ok.act);
          if (t !== undefined) this.data.technology = t;
        }
        return undefined;
      }
      if (regs.some((r) => r !== undefined && r.stat === REG_DENIED)) return 'registration-denied';
      const rssi = await this.csq();
      if (rssi !== undefined) sawSignal = true;
      const left = deadline - clock.now();
      if (left <= 0) return sawSignal ? 'registration-timeout' : 'no-coverage';
      await this.nap(Math.min(this.timing.registrationPollMs, left));
    }
  }

  private async registration(kind: 'CEREG' | 'CGREG'): Promise<Registration | undefined> {
    const r = await this.channel.command(`AT+${kind}?`, { prefix: '+' + kind });
    if (r.final.kind !== 'ok') return undefined;
    for (const l of r.lines) {
      const p = parseRegistration(l.text, true);
      if (p.ok) return p.value;
    }
    return undefined;
  }

  /** RSSI from AT+CSQ in dBm, undefined when not known (99). */
  private async csq(): Promise<number | undefined> {
    const r = await this.channel.command('AT+CSQ', { prefix: '+CSQ' });
    const csq = this.first(r, parseCsq);
    return csq === undefined || csq.rssi === CSQ_UNKNOWN ? undefined : csq.dbm;
  }

  private async readNetwork(): Promise<void> {
    const cops = this.first(await this.channel.command('AT+COPS?', { prefix: '+COPS' }), parseCops);
    if (cops?.operator !== undefined) this.data.operator = cops.operator;
    if (cops?.act !== undefined) {
      const t = technologyOfAct(cops.act);
      if (t !== undefined) this.data.technology = t;
    }
    const r = await this.channel.command('AT+QNWINFO', { prefix: '+QNWINFO' });
    const nw = this.first(r, parseQnwinfo);
    if (nw !== undefined && nw.service) {
      const head = splitHead(r.lines[0]?.text ?? '');
      if (head !== undefined) this.data.nwinfo = head.rest.trim();
      this.data.band = nw.band;
      this.data.channel = nw.channel;
      this.data.mccmnc = nw.operator;
      const t = technologyOfQnwinfo(nw.act);
      if (t !== undefined) this.data.technology = t;
    }
  }

  private async pdpAddress(): Promise<string | undefined> {
    const r = await this.channel.command('AT+QIACT?', { prefix: '+QIACT' });
    for (const l of r.lines) {
      const p = parseQiact(l.text);
      if (p.ok && p.value.contextId === this.net.contextId && p.value.state === 1 && p.value.address !== '') return p.value.address;
    }
    return undefined;
  }

  private onUrc(urc: AtUrc): void {
    switch (urc.type) {
      case 'ready':
        if (urc.stage === 'APP RDY') {
          const w = this.readyWaiter;
          this.readyWaiter = undefined;
          w?.();
        }
        return;
      case 'powered-down':
        if (/PSM/.test(urc.text)) this.psmEntered = true;
        this.wake();
        return;
      case 'registration':
        this.wake();
        return;
      case 'pdpdeact':
        if (urc.contextId === this.net.contextId) this.pdpActive = false;
        return;
      default:
        return;
    }
  }

  private async sync(): Promise<boolean> {
    for (let i = 0; i < SYNC_ATTEMPTS; i++) {
      const r = await this.channel.command('AT', { timeoutMs: SYNC_TIMEOUT_MS });
      if (r.final.kind === 'ok') return true;
    }
    return false;
  }

  private bootFailed(detail: string): never {
    this.options.port.setSupply(false);
    this.current = 'off';
    this.report('off');
    throw new ModemError('no-response', detail);
  }

  private waitReady(timeoutMs: number): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      let timer: TimerId | undefined;
      this.readyWaiter = () => {
        if (timer !== undefined) this.options.clock.clearTimer(timer);
        resolve(true);
      };
      timer = this.options.clock.setTimer(this.options.clock.now() + timeoutMs, () => {
        this.readyWaiter = undefined;
        resolve(false);
      });
    });
  }

  private async pulse(ms: number): Promise<void> {
    this.options.port.setPowerKey(true);
    await this.sleep(ms);
    this.options.port.setPowerKey(false);
  }

  private async waitStatusLow(timeoutMs: number): Promise<boolean> {
    const clock = this.options.clock;
    const deadline = clock.now() + timeoutMs;
    while (this.options.port.status()) {
      if (clock.now() >= deadline) return false;
      await this.sleep(Math.min(this.timing.statusPollMs, deadline - clock.now()));
    }
    return true;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => this.options.clock.setTimer(this.options.clock.now() + ms, resolve));
  }

  /** A sleep that a registration URC or a power-down notice ends early. */
  private nap(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = this.options.clock.setTimer(this.options.clock.now() + ms, () => {
        if (this.napWake === done) this.napWake = undefined;
        resolve();
      });
      const done = (): void => {
        this.options.clock.clearTimer(timer);
        resolve();
      };
      this.napWake = done;
    });
  }

  private wake(): void {
    const w = this.napWake;
    this.napWake = undefined;
    w?.();
  }

  /** Runs a command that must end in OK. */
  private async ok(command: string, options: AtCommandOptions = {}): Promise<AtResponse> {
    const r = await this.channel.command(command, options);
    if (r.final.kind === 'ok') return r;
    if (r.final.kind === 'timeout') throw new ModemError('timeout', command);
    if (r.final.kind === 'aborted') throw new ModemError('aborted', command);
    throw new ModemError('command-failed', `${command}: ${r.final.text}`);
  }

  /** The first line of `r` that `parse` accepts (garbage and truncated lines are skipped). */
  private first<T>(r: AtResponse, parse: (line: string) => AtParse<T>): T | undefined {
    if (r.final.kind !== 'ok') return undefined;
    for (const l of r.lines) {
      const p = parse(l.text);
      if (p.ok) return p.value;
    }
    return undefined;
  }

  private requireOn(): void {
    if (this.current !== 'on' && this.current !== 'registered') throw new ModemError('not-powered', `modem is ${this.current}`);
  }

  private requireRegistered(): void {
    if (this.current !== 'registered') throw new ModemError('not-powered', `modem is ${this.current}, not registered`);
  }

  private report(state: ModemPowerState): void {
    if (this.powerState === state) return;
    this.powerState = state;
    this.options.power?.report('modem', state);
  }

  private log(line: string): void {
    this.options.log?.(line);
  }
}

