import { parseExtendedJson } from '../protocol/bson/ejson';
import type { BsonDocument } from '../protocol/bson/types';
import { fromExtendedJson } from '../protocol/bson/ejson';
import { encodeFile } from '../protocol/files/codec';
import { DEFAULT_FTP_PORT, DEFAULT_MQTTS_PORT, DEFAULT_MQTT_PORT, DEFAULT_NTP_PORT } from '../protocol/config/schema';
import { ConfigStore } from '../tasks/config-store';
import type { CounterSet } from '../tasks/counters';
import { KEY } from '../tasks/settings-keys';
import { SimDevice } from './device';
import { PowerCutError, SimFlash } from './drivers/flash';
import { SimModemPort } from './drivers/modem-port';
import { SimSettings } from './drivers/settings';
import type { EnergyReport } from '../drivers/power/ledger';
import { ledgerFor } from './power/reference-design';
import { PACK } from '../drivers/power/model';
import { Bg95Emulator } from './modem/bg95-emulator';
import type { HostSockets } from './net/types';
import { sitePopulation } from './radio/site-population';
import { mergeScenario, SIM_FTP_HOST, SIM_MQTT_HOST, SIM_MQTT_PASSWORD, SIM_MQTT_USER, type Scenario } from './scenario';
import { summarize, type SimSummary } from './summary';
import { createRandom, deriveSeed } from './world/random';
import { SimWorld } from './world/world';

const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;
const DECI = 10;
const TWO_PI = 2 * Math.PI;
/** Seconds between the magnet's two passes when the installer puts the box in RUN. */
const INSTALL_SECOND_PASS_MS = 3_000;
/** Host names of the simulator's own servers, resolved by the emulated modem's DNS. */
const SIM_NTP_HOST = 'ntp.sim';
const LOOPBACK = '127.0.0.1';

/**
 * Derivation labels: each random stream of a run comes from the seed and its own label; the
 * population's is POPULATION_STREAM (sim/radio/site-population.ts).
 */
const RANDOM_STREAM = { modem: 2, powerCut: 3 } as const;

/** What the host (Node, or the XS runner's bridge) provides to a run. */
export interface SimHost {
  print(line: string): void;
  /** Real sockets for the emulated modem; absent: every connection fails (no server). */
  readonly sockets?: HostSockets;
  /** Ports of the local FTP and SNTP servers the site's configuration points at. */
  readonly ftpPort?: number;
  readonly ntpPort?: number;
  /** Port of the local MQTT broker (started for a configuration with `remote.transport` mqtt or both). */
  readonly mqttPort?: number;
  /** Gives the host the run's true (virtual) time, for the SNTP server it runs. */
  attachClock?(now: () => number): void;
  /** The firmware's console lines, stamped with the device's clock (`--trace`). */
  trace?(line: string): void;
  /** The site before it is powered on, for a host that schedules its own events on it (the reliability campaign). */
  onSite?(site: { readonly world: SimWorld; readonly device: SimDevice; readonly flash: SimFlash; readonly emulator: Bg95Emulator }): void;
  /** The energy used and the device's counters since the start of the run, at the end of each virtual day (`wmbus plan`). */
  onDayEnd?(day: number, energy: EnergyReport, counters: CounterSet | undefined): void;
  /** The energy used so far, every `sampleEveryMs` of virtual time from the start (`--report`). */
  readonly sampleEveryMs?: number;
  onSample?(atMs: number, energy: EnergyReport): void;
}

export interface SimRun {
  readonly summary: SimSummary;
  readonly device: SimDevice;
  /** The emulated modem and its network: what it was asked, the SMS the box sent. */
  readonly emulator: Bg95Emulator;
}

/**
 * The scenario's configuration with `ftp.sim` / `ntp.sim` / `mqtt.sim` at their well-known ports
 * (the emulator's `loopbackPorts` takes them to the host's servers, so nothing the box writes names
 * a run's free ports), and with a broker, the box's account on it.
 */
function presetDocument(scenario: Scenario, host: SimHost): BsonDocument {
  const addr = host.ftpPort === undefined ? undefined : `${SIM_FTP_HOST}:${DEFAULT_FTP_PORT}`;
  const ntp = host.ntpPort === undefined ? undefined : SIM_NTP_HOST;
  const mqtt = host.mqttPort === undefined ? undefined : { port: null, user: SIM_MQTT_USER, pass: SIM_MQTT_PASSWORD };
  const patch = { config: { remote: { ...(addr && { ftp: { addr } }), ...(ntp && { ntp }), ...(mqtt && { mqtt }) } } };
  const parsed = fromExtendedJson(mergeScenario(scenario.preset, patch));
  if (!parsed.ok || typeof parsed.value !== 'object' || parsed.value === null || Array.isArray(parsed.value)) {
    throw new Error(`scenario preset: ${parsed.ok ? 'not a document' : parsed.error}`);
  }
  return parsed.value as BsonDocument;
}

/** The figures a day line shows, from the firmware's counters. */
interface DayFigures {
  readonly windows: number;
  readonly heard: number;
  readonly recorded: number;
  readonly sessions: number;
  readonly sessionsOk: number;
  readonly uploaded: number;
}

/** The well-known ports of the simulator's servers → where this run's servers listen. */
function loopbackPorts(host: SimHost): Record<number, number> {
  const ports: Record<number, number> = {};
  if (host.ftpPort !== undefined) ports[DEFAULT_FTP_PORT] = host.ftpPort;
  if (host.ntpPort !== undefined) ports[DEFAULT_NTP_PORT] = host.ntpPort;
  if (host.mqttPort !== undefined) {
    ports[DEFAULT_MQTT_PORT] = host.mqttPort;
    ports[DEFAULT_MQTTS_PORT] = host.mqttPort;
  }
  return ports;
}

function dayFigures(c: CounterSet | undefined): DayFigures {
  return {
    windows: c?.radio.windows ?? 0,
    heard: c?.radio.frames ?? 0,
    recorded: c?.radio.recorded ?? 0,
    sessions: c?.modem.sessions ?? 0,
    sessionsOk: c?.modem.sessionsOk ?? 0,
    uploaded: c?.modem.framesUploaded ?? 0,
  };
}

/**
 * One progress line: that day's own figures, the counters at its end less those at its start. A
 * counter that went down was cleared that day (supervisionClean): its day counts from the clear.
 */
function dayLine(day: number, startMs: number, now: DayFigures, before: DayFigures): string {
  const date = new Date(startMs + day * MS_PER_DAY).toISOString().slice(0, 10);
  const d = (k: keyof DayFigures): number => (now[k] >= before[k] ? now[k] - before[k] : now[k]);
  return `day ${day + 1} ${date}: windows ${d('windows')}, frames heard ${d('heard')}, recorded ${d('recorded')}, ` +
    `sessions ${d('sessions')} (ok ${d('sessionsOk')}), frames uploaded ${d('uploaded')}`;
}

/** Reads the firmware's own persisted counters, as a supervision file would report them. */
export function deviceCounters(device: SimDevice): CounterSet | undefined {
  const raw = device.settings.get(KEY.counters);
  return typeof raw === 'string' ? (JSON.parse(raw) as CounterSet) : undefined;
}

/**
 * `world.runUntil`, going on past a PowerCutError: the firmware call a torn write was in ends there,
 * as on the board, and the device has already scheduled its boot.
 */
export async function runThroughCuts(world: SimWorld, endMs: number): Promise<void> {
  for (;;) {
    try {
      await world.runUntil(endMs);
      return;
    } catch (e) {
      if (!(e instanceof PowerCutError)) throw e;
    }
  }
}

/** Runs a site for `scenario.days` virtual days; the same scenario and seed give the same output. */
export async function runSimulation(scenario: Scenario, host: SimHost): Promise<SimRun> {
  const startMs = Date.parse(scenario.start);
  if (!Number.isFinite(startMs)) throw new Error(`scenario start "${scenario.start}" is not an ISO date`);
  const world = new SimWorld(startMs);
  host.attachClock?.(() => world.now());
  const ledger = ledgerFor(scenario.device.powerDesign ?? 'this', world, { ...PACK, capacityMah: scenario.device.batteryMah });
  const population = sitePopulation(scenario);
  const flash = new SimFlash({ size: scenario.device.frameStoreBytes, power: ledger });
  const port = new SimModemPort(world);
  const emulator = new Bg95Emulator({
    time: world,
    port,
    scenario: { ...scenario.network, dns: { [SIM_FTP_HOST]: LOOPBACK, [SIM_NTP_HOST]: LOOPBACK, [SIM_MQTT_HOST]: LOOPBACK, ...scenario.network.dns } },
    loopbackPorts: loopbackPorts(host),
    random: createRandom(deriveSeed(scenario.seed, RANDOM_STREAM.modem)),
    power: ledger,
    host: host.sockets,
  });
  world.attachHostIo(emulator);
  // The greeting of the site's FTP server is owed from the connect (sim/servers/replies-owed.ts).
  if (host.ftpPort !== undefined) host.sockets?.ftpServer?.(host.ftpPort);
  const t = scenario.temperature;
  const device = new SimDevice({
    identity: { uid: scenario.device.uid, sn: scenario.device.sn, hardwareVersion: scenario.device.hardwareVersion },
    world,
    ledger,
    air: population,
    frameFlash: flash,
    modem: port,
    filesCapacity: scenario.device.filesBytes,
    batteryCapacityMah: scenario.device.batteryMah,
    rtcErrorMs: scenario.device.rtcErrorMs,
    rtcDriftPpm: scenario.device.rtcDriftPpm,
    temperatureDeciC: (ms) => DECI * (t.meanC + t.dailySwingC * Math.sin((TWO_PI * (ms % MS_PER_DAY)) / MS_PER_DAY)),
    console: (line) => host.trace?.(`${new Date(device.rtc.now()).toISOString()} ${line}`),
  });

  // Manufacturing: the pre-configuration is loaded before the box leaves the factory (STORAGE mode).
  const factory = new ConfigStore(new SimSettings(device.settings), () => ({ version: 0, timestamp: 0, uid: scenario.device.uid, sn: scenario.device.sn }));
  const preset = factory.setFactoryPreset(presetDocument(scenario, host));
  if (!preset.ok) throw new Error(`scenario preset rejected: ${preset.field}: ${preset.reason}`);
  factory.copyUploaded();

  host.onSite?.({ world, device, flash, emulator });
  device.powerOn();
  if (scenario.installAtMinutes !== null) {
    const at = startMs + scenario.installAtMinutes * MS_PER_MINUTE;
    world.at(at, () => device.magnetPass());
    world.at(at + INSTALL_SECOND_PASS_MS, () => device.magnetPass());
  }
  scenario.actions.forEach((a, index) => {
    const at = startMs + a.atMinutes * MS_PER_MINUTE;
    if (a.action === 'magnet') world.at(at, () => device.magnetPass());
    else if (a.action === 'reset') world.at(at, () => device.pressReset(a.magnetHeld === true));
    else if (a.action === 'network') world.at(at, () => emulator.setFaults(a.faults));
    else if (a.action === 'sms') world.at(at, () => emulator.deliverSms(a.from, a.text));
    else if (a.action === 'powerCut') {
      const during = a.during;
      if (during === undefined) world.at(at, () => device.powerCut());
      else world.at(at, () => device.rail.arm(during, a.afterWrites ?? 0, createRandom(deriveSeed(scenario.seed, RANDOM_STREAM.powerCut, index))));
    } else {
      const files = a.files.map((f) => {
        const doc = parseExtendedJson(JSON.stringify(f.json));
        if (!doc.ok) throw new Error(`usb file ${f.name}: ${doc.error}`);
        return { name: f.name, bytes: encodeFile(doc.value, { encryption: false }) };
      });
      world.at(at, () => device.plugUsb(files));
    }
  });

  const every = host.sampleEveryMs;
  const onSample = host.onSample;
  if (onSample !== undefined && every !== undefined && every > 0) {
    const sample = (): void => {
      onSample(world.now(), ledger.snapshot());
      world.at(world.now() + every, sample);
    };
    world.at(startMs, sample);
  }

  let dayStart = dayFigures(undefined);
  for (let day = 0; day < scenario.days; day++) {
    await runThroughCuts(world, startMs + (day + 1) * MS_PER_DAY);
    const counters = deviceCounters(device);
    const figures = dayFigures(counters);
    host.print(dayLine(day, startMs, figures, dayStart));
    dayStart = figures;
    host.onDayEnd?.(day, ledger.snapshot(), counters);
  }
  host.sockets?.closeAll();
  return { device, emulator, summary: summarize(scenario, ledger.snapshot(), deviceCounters(device), device) };
}
