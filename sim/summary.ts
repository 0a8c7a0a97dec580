import type { CounterSet } from '../tasks/counters';
import type { SimDevice } from './device';
import type { EnergyReport } from '../drivers/power/ledger';
import type { Scenario } from './scenario';

const MS_PER_DAY = 86_400_000;
const MAH_DECIMALS = 3;
const YEAR_DECIMALS = 2;
/** Components in the order the summary lists them. */
export const COMPONENTS = ['mcu', 'radio', 'modem', 'flash', 'buzzer', 'ble', 'board'] as const;

/** What a run reports, as printed and as the `--json` object. */
export interface SimSummary {
  readonly site: string;
  readonly seed: number;
  readonly days: number;
  readonly meters: number;
  readonly windows: number;
  readonly listeningSeconds: number;
  readonly framesHeard: number;
  readonly framesStored: number;
  /** Of `framesStored`: frames stored raw because an upper header is malformed (counters.radio.headerErrors). */
  readonly framesStoredHeaderKo: number;
  readonly framesUploaded: number;
  readonly crcErrors: number;
  readonly modemSessions: number;
  readonly modemSessionsOk: number;
  readonly modemOnSeconds: number;
  readonly boots: number;
  readonly deepSleeps: number;
  /** The beep patterns the installer heard, in order (S short, L long). */
  readonly beeps: readonly string[];
  /** Pack-side mAh per day for each component, and the converter's own draw. */
  readonly mAhPerDay: Readonly<Record<string, number>>;
  readonly totalMahPerDay: number;
  readonly projectedYears: number;
}

/** Patterns listed in the summary line; a longer run shows the first ones and a count. */
const BEEPS_LISTED = 8;

function beepLine(beeps: readonly string[]): string {
  if (beeps.length === 0) return 'none';
  const shown = beeps.slice(0, BEEPS_LISTED).join(' ');
  return `${beeps.length}: ${shown}${beeps.length > BEEPS_LISTED ? ' ...' : ''}`;
}

function round(v: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(v * f) / f;
}

export function summarize(scenario: Scenario, energy: EnergyReport, counters: CounterSet | undefined, device: SimDevice): SimSummary {
  const days = energy.elapsedMs / MS_PER_DAY;
  const perDay: Record<string, number> = {};
  for (const c of COMPONENTS) perDay[c] = round((energy.components[c]?.packMah ?? 0) / days, MAH_DECIMALS);
  perDay.converter = round(energy.converterMah / days, MAH_DECIMALS);
  const r = counters?.radio;
  const m = counters?.modem;
  return {
    site: scenario.name,
    seed: scenario.seed,
    days: scenario.days,
    meters: scenario.meters.meters,
    windows: r?.windows ?? 0,
    listeningSeconds: r?.listeningSeconds ?? 0,
    framesHeard: r?.frames ?? 0,
    framesStored: r?.recorded ?? 0,
    framesStoredHeaderKo: r?.headerErrors ?? 0,
    framesUploaded: m?.framesUploaded ?? 0,
    crcErrors: r?.crcErrors ?? 0,
    modemSessions: m?.sessions ?? 0,
    modemSessionsOk: m?.sessionsOk ?? 0,
    modemOnSeconds: m?.onSeconds ?? 0,
    boots: device.stats.boots,
    deepSleeps: device.stats.deepSleeps,
    beeps: [...device.beeps],
    mAhPerDay: perDay,
    totalMahPerDay: round(energy.packMahPerDay, MAH_DECIMALS),
    projectedYears: round(energy.projectedYears, YEAR_DECIMALS),
  };
}

/** The human-readable summary; identical under Node and XS for the same run. */
export function formatSummary(s: SimSummary): string[] {
  const energy = Object.entries(s.mAhPerDay).map(([k, v]) => `${k} ${v.toFixed(MAH_DECIMALS)}`).join(', ');
  return [
    `summary: ${s.site}, seed ${s.seed}, ${s.days} day(s), ${s.meters} meters`,
    `  radio windows run      ${s.windows} (${s.listeningSeconds} s listening)`,
    `  frames heard           ${s.framesHeard} (${s.crcErrors} CRC errors)`,
    // The note appears only when there is one, so a site of well-formed meters prints what it always did.
    `  frames stored          ${s.framesStored}${s.framesStoredHeaderKo > 0 ? ` (${s.framesStoredHeaderKo} with a malformed upper header)` : ''}`,
    `  frames uploaded        ${s.framesUploaded}`,
    `  modem sessions         ${s.modemSessions} (${s.modemSessionsOk} ok, ${s.modemOnSeconds} s powered)`,
    `  boots / deep sleeps    ${s.boots} / ${s.deepSleeps}`,
    `  beeps heard            ${beepLine(s.beeps)}`,
    `  mAh/day at the pack    ${energy}`,
    `  total                  ${s.totalMahPerDay.toFixed(MAH_DECIMALS)} mAh/day`,
    `  projected battery life ${s.projectedYears.toFixed(YEAR_DECIMALS)} years`,
  ];
}
