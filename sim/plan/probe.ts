import type { EnergyReport } from '../../drivers/power/ledger';
import type { ModemTechnology } from '../../drivers/modem/types';
import type { JsonValue } from '../../protocol/bson/ejson';
import type { CounterSet } from '../../tasks/counters';
import type { CoverageCell } from '../modem/types';
import { DEFAULT_SCENARIO, SIM_FTP_HOST, SIM_FTP_PASSWORD, SIM_FTP_USER, SIM_MQTT_HOST, type Scenario } from '../scenario';
import type { PowerDesign } from '../power/reference-design';
import { COMPONENTS } from '../summary';
import type { DayActivity, ProbeMeasure } from './model';

/** Days a probe runs: the first (installation, first attach) is left out of what it measures. */
export const PROBE_DAYS = 3;
const MEASURED_FROM_DAY = 0;
const MS_PER_DAY = 86_400_000;
/** Components in the order the simulator's summary lists them, then the converter. */
export const PLAN_COMPONENTS: readonly string[] = [...COMPONENTS, 'converter'];

/** The probes' window starts at 03:00 UTC and the uploads follow it, as on the default site. */
const PROBE_WINDOW_CRON = '0 3 * * *';
export const ONE_UPLOAD_CRONS: readonly string[] = ['30 3 * * *'];
export const TWO_UPLOAD_CRONS: readonly string[] = ['30 3 * * *', '30 15 * * *'];

/** The cell a probe finds for each technology: the default site's, and an NB-IoT cell at the emulator's NB-IoT link figures. */
const CELLS: Readonly<Record<ModemTechnology, CoverageCell>> = {
  'LTE-M': DEFAULT_SCENARIO.network.coverage[0],
  '2G': DEFAULT_SCENARIO.network.coverage[1],
  'NB-IoT': { technology: 'NB-IoT', rssi: -85, rsrp: -105, rsrq: -11, sinr: 3, operator: 'Sim Telecom', mccmnc: '20801', band: 20, channel: 6300 },
};

export interface ProbeSite {
  /** The configuration document (`{ config: {...} }`) as extended JSON. */
  readonly configJson: { readonly config: Readonly<Record<string, JsonValue>> };
  /** Modes the configuration listens in (multi-listening: one window per mode). */
  readonly modes: number;
  /** Force the modem onto this technology, with only its cell in coverage; absent: the configuration's mode and every cell. */
  readonly network?: ModemTechnology;
  readonly meters: number;
  /** `scheduleFTP` data bits of the uploads (§4.2.5.1.2). */
  readonly uploadData: number;
  readonly design: PowerDesign;
}

/**
 * A probe's site: the default site's box, meters and servers, with the configuration under test
 * (its radio modes, filters, transport, modem settings), listening once a day for
 * `windowSeconds` and uploading at `uploadCrons`. The remote end points at the simulator's own
 * servers; the rest of `remote` is the configuration's.
 */
export function probeScenario(site: ProbeSite, label: string, windowSeconds: number, uploadCrons: readonly string[]): Scenario {
  const body = site.configJson.config;
  const remote = (body.remote ?? {}) as Record<string, JsonValue>;
  const perMode = Math.round(windowSeconds / site.modes);
  const modem = { ...((remote.modem ?? {}) as Record<string, JsonValue>), ...(site.network !== undefined ? { mode: site.network } : {}) };
  const config = {
    ...body,
    scheduleRadio: [{ cron: PROBE_WINDOW_CRON, data: site.modes > 1 ? new Array<number>(site.modes).fill(perMode) : windowSeconds }],
    scheduleFTP: uploadCrons.map((cron) => ({ cron, data: site.uploadData })),
    remote: {
      ...remote,
      modem,
      ftp: { ...((remote.ftp ?? {}) as Record<string, JsonValue>), addr: `${SIM_FTP_HOST}:21`, user: SIM_FTP_USER, pass: SIM_FTP_PASSWORD, dir: '/' },
      mqtt: { ...((remote.mqtt ?? {}) as Record<string, JsonValue>), addr: SIM_MQTT_HOST },
      ntp: 'ntp.sim',
    },
  };
  const coverage = site.network !== undefined ? [CELLS[site.network]] : [CELLS['LTE-M'], CELLS['NB-IoT'], CELLS['2G']];
  return {
    ...DEFAULT_SCENARIO,
    name: `plan probe: ${label}`,
    days: PROBE_DAYS,
    device: { ...DEFAULT_SCENARIO.device, powerDesign: site.design },
    meters: { ...DEFAULT_SCENARIO.meters, meters: site.meters },
    preset: { config },
    network: { ...DEFAULT_SCENARIO.network, coverage },
  };
}

/** What one probe measured over its days after the first. */
export interface ProbeOutcome extends ProbeMeasure {
  readonly label: string;
  readonly framesPerWindow: number;
  readonly sessions: number;
  readonly sessionsOk: number;
}

interface DayMark {
  readonly energy: EnergyReport;
  readonly counters: CounterSet | undefined;
}

/** Collects a run's day ends (SimHost.onDayEnd) and turns the measured days into per-day figures. */
export class ProbeRecorder {
  private first: DayMark | undefined;
  private last: DayMark | undefined;

  constructor(readonly label: string) {}

  readonly onDayEnd = (day: number, energy: EnergyReport, counters: CounterSet | undefined): void => {
    if (day === MEASURED_FROM_DAY) this.first = { energy, counters };
    this.last = { energy, counters };
  };

  outcome(): ProbeOutcome {
    const a = this.first;
    const b = this.last;
    if (a === undefined || b === undefined || b === a) throw new Error(`planner: probe "${this.label}" ran less than ${PROBE_DAYS} days`);
    const days = (b.energy.elapsedMs - a.energy.elapsedMs) / MS_PER_DAY;
    const mAhPerDay: Record<string, number> = {};
    for (const c of PLAN_COMPONENTS) {
      const before = c === 'converter' ? a.energy.converterMah : a.energy.components[c]?.packMah ?? 0;
      const after = c === 'converter' ? b.energy.converterMah : b.energy.components[c]?.packMah ?? 0;
      mAhPerDay[c] = (after - before) / days;
    }
    const delta = (pick: (c: CounterSet) => number): number => (b.counters === undefined ? 0 : pick(b.counters)) - (a.counters === undefined ? 0 : pick(a.counters));
    const windows = delta((c) => c.radio.windows);
    const activity: DayActivity = {
      listeningSeconds: delta((c) => c.radio.listeningSeconds) / days,
      sessions: delta((c) => c.modem.sessions) / days,
      frames: delta((c) => c.modem.framesUploaded) / days,
    };
    return {
      label: this.label,
      activity,
      mAhPerDay,
      framesPerWindow: windows > 0 ? delta((c) => c.radio.recorded) / windows : 0,
      sessions: delta((c) => c.modem.sessions),
      sessionsOk: delta((c) => c.modem.sessionsOk),
    };
  }
}
