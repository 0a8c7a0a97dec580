import type { PopulationSpec } from './radio/population';
import type { EmulatorFaults, EmulatorScenario } from './modem/types';
import type { PowerDesign } from './power/reference-design';
import type { TearTarget } from './drivers/power-rail';

/** When something happens to the box, in minutes after the start of the run. */
export type SiteAction =
  | { readonly atMinutes: number; readonly action: 'magnet' }
  | { readonly atMinutes: number; readonly action: 'reset'; readonly magnetHeld?: boolean }
  | { readonly atMinutes: number; readonly action: 'usb'; readonly files: readonly { readonly name: string; readonly json: unknown }[] }
  /**
   * The supply drops for POWER_CUT_OFF_MS (sim/device.ts) and the box boots as at power-on. Without
   * `during`, at `atMinutes` itself; with it, at the `afterWrites`-th write (0: the next) to that
   * store after `atMinutes`, which the cut tears.
   */
  | { readonly atMinutes: number; readonly action: 'powerCut'; readonly during?: TearTarget; readonly afterWrites?: number }
  /** The network's faults from then on, replacing `network.faults` (`{}`: none): an outage that ends, a SIM that starts refusing. */
  | { readonly atMinutes: number; readonly action: 'network'; readonly faults: EmulatorFaults }
  /** An SMS from `from` reaches the box's SIM; the box reads it at its next modem session (docs/sms.md). */
  | { readonly atMinutes: number; readonly action: 'sms'; readonly from: string; readonly text: string };

/**
 * A configuration or command file the head-end (sim/servers/headend.node.ts) has for the box: `json`
 * is the document as the manual's JSON (extended JSON for binaries), sent as a BSON file with its
 * CRC exactly as a USB file or an FTP inbox file, on `<configuration topic>/<name>` (an empty name:
 * on the configuration topic itself, and the box types it by its top-level key). It goes at the
 * first ready packet of the box at or after `atMinutes` (minutes after the start of the run).
 */
export interface SiteMqttMessage {
  readonly atMinutes: number;
  readonly name: string;
  readonly json: unknown;
}

/** A simulated site: the box, its meters, its network, its server and what the installer does. */
export interface Scenario {
  readonly name: string;
  readonly seed: number;
  /** Start of the run, ISO-8601 UTC. */
  readonly start: string;
  readonly days: number;
  readonly device: {
    readonly uid: string;
    readonly sn: string;
    readonly hardwareVersion: string;
    /** RTC error at power-on, ms, and its drift, ppm. */
    readonly rtcErrorMs: number;
    readonly rtcDriftPpm: number;
    readonly frameStoreBytes: number;
    readonly filesBytes: number;
    readonly batteryMah: number;
    /** Whose design the energy ledger charges (sim/power/reference-design.ts); absent: this product's. */
    readonly powerDesign?: PowerDesign;
  };
  /** Basement temperature: a daily sine around the mean, °C. */
  readonly temperature: { readonly meanC: number; readonly dailySwingC: number };
  readonly meters: PopulationSpec;
  /**
   * The factory pre-configuration, as the manual's JSON (`{"config": {...}}`, extended JSON for
   * binaries). `remote.ftp.addr` may use the host name `ftp.sim`: it resolves to the simulator's
   * own FTP server on this machine; `remote.mqtt.addr` may use `mqtt.sim` (its port, user and
   * password are the simulator's broker's).
   */
  readonly preset: unknown;
  /** Minutes after power-on when the installer passes the magnet twice (STORAGE → RUN); null: never. */
  readonly installAtMinutes: number | null;
  readonly actions: readonly SiteAction[];
  readonly network: EmulatorScenario;
  /**
   * With `remote.transport` `mqtt` or `both`, the simulator runs a real mosquitto (`remote.mqtt.addr`
   * `mqtt.sim` resolves to it) and a head-end subscribed to every topic; `messages` are what the
   * head-end publishes to the box when it says it is ready.
   */
  readonly mqtt?: { readonly messages: readonly SiteMqttMessage[] };
}

/** Host name the default site's configuration uses for the simulator's local FTP server. */
export const SIM_FTP_HOST = 'ftp.sim';
export const SIM_FTP_USER = 'concentrator';
export const SIM_FTP_PASSWORD = 'wmbus-sim';
/** Host name a configuration uses for the simulator's local MQTT broker, and the box's account on it. */
export const SIM_MQTT_HOST = 'mqtt.sim';
export const SIM_MQTT_USER = 'concentrator';
export const SIM_MQTT_PASSWORD = 'wmbus-sim-mqtt';
/** The head-end's own account on the broker. */
export const SIM_HEADEND_USER = 'headend';
export const SIM_HEADEND_PASSWORD = 'wmbus-sim-headend';

/** A basement with 300 meters heard once a day and one upload a day, LTE-M coverage. */
export const DEFAULT_SCENARIO: Scenario = {
  name: 'default site',
  seed: 1,
  start: '2026-01-05T00:00:00Z',
  days: 1,
  device: {
    uid: 'WE_000123',
    sn: 'SN20260105_0000000123',
    hardwareVersion: '11',
    rtcErrorMs: 4_000,
    rtcDriftPpm: 20,
    frameStoreBytes: 1_536 * 1024,
    filesBytes: 512 * 1024,
    batteryMah: 14_000,
  },
  temperature: { meanC: 14, dailySwingC: 3 },
  meters: {
    meters: 300,
    linkModes: { T1: 60, C1A: 15, C1B: 25, S1: 0 },
    intervalMs: { min: 16_000, max: 120_000 },
    distanceM: { min: 5, max: 250 },
  },
  preset: {
    config: {
      name: 'Default site',
      radio: { mode: 2, duration: 300 },
      scheduleRadio: [{ cron: '0 3 * * *', data: 300 }],
      scheduleFTP: [{ cron: '30 3 * * *', data: 7 }],
      monitoringPeriod: 240,
      remote: {
        modem: { mode: 'LTE-M', apn: 'iot.sim', timeout: 180 },
        ftp: { mode: 0, addr: `${SIM_FTP_HOST}:21`, user: SIM_FTP_USER, pass: SIM_FTP_PASSWORD, dir: '/' },
        ntp: 'ntp.sim',
      },
    },
  },
  installAtMinutes: 10,
  actions: [],
  network: {
    sim: { iccid: '89330123456789012345', pin: null },
    coverage: [
      { technology: 'LTE-M', rssi: -71, rsrp: -95, rsrq: -11, sinr: 9, operator: 'Sim Telecom', mccmnc: '20801', band: 20, channel: 6400, rttMs: 120, uplinkKbps: 300, downlinkKbps: 500, attachMs: 6000 },
      { technology: '2G', rssi: -79, operator: 'Sim Telecom', mccmnc: '20801', band: 900, channel: 62, rttMs: 600, uplinkKbps: 40, downlinkKbps: 80, attachMs: 9000 },
    ],
  },
};

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep-merges a scenario file over the default site (objects merge, arrays and values replace). */
export function mergeScenario(base: unknown, over: unknown): unknown {
  if (!isObject(base) || !isObject(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = mergeScenario(base[k], v);
  return out;
}
