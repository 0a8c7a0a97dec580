import { freezeTable } from '../freeze';

/**
 * Timer triggers of the schedules (primary spec §4.2.5.1): five fields `mm hh dd MM DD`
 * (minute 0–59, hour 0–23, day of month 1–31, month 1–12, day of week 0–6 with 0 = Sunday),
 * each `*`, a value, a range `a-b`, a list `a,b,c` or a step `*\/n` / `a-b/n`. Times are UTC.
 * As in Vixie cron, when both day fields are restricted a day matches if either matches.
 */
export interface Cron {
  readonly minutes: readonly boolean[];
  readonly hours: readonly boolean[];
  readonly daysOfMonth: readonly boolean[];
  readonly months: readonly boolean[];
  readonly daysOfWeek: readonly boolean[];
  readonly domRestricted: boolean;
  readonly dowRestricted: boolean;
}

export type CronParse = { ok: true; cron: Cron } | { ok: false; error: string };

interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
}

const FIELDS: readonly FieldSpec[] = freezeTable([
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'day of week', min: 0, max: 6 },
]);

const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;
/** A trigger that matches nothing within this many days never matches (e.g. `0 0 31 2 *`). */
const SEARCH_HORIZON_DAYS = 366 * 8;

function parseNumber(text: string, spec: FieldSpec): number | undefined {
  if (!/^\d{1,2}$/.test(text)) return undefined;
  const n = Number(text);
  return n >= spec.min && n <= spec.max ? n : undefined;
}

function parseField(text: string, spec: FieldSpec): boolean[] | string {
  const set: boolean[] = new Array(spec.max + 1).fill(false);
  for (const part of text.split(',')) {
    const [rangeText, stepText, extra] = part.split('/');
    if (extra !== undefined) return `${spec.name}: bad step in "${part}"`;
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d{1,2}$/.test(stepText) || Number(stepText) === 0) return `${spec.name}: bad step in "${part}"`;
      step = Number(stepText);
    }
    let lo: number;
    let hi: number;
    if (rangeText === '*') {
      lo = spec.min;
      hi = spec.max;
    } else {
      const bounds = rangeText.split('-');
      if (bounds.length > 2) return `${spec.name}: bad range "${part}"`;
      const a = parseNumber(bounds[0], spec);
      const b = bounds.length === 2 ? parseNumber(bounds[1], spec) : a;
      if (a === undefined || b === undefined) return `${spec.name}: "${part}" is outside ${spec.min}-${spec.max}`;
      if (b < a) return `${spec.name}: range "${part}" runs backwards`;
      lo = a;
      // `a/n` means from a to the end of the field, as in common cron implementations.
      hi = bounds.length === 1 && stepText !== undefined ? spec.max : b;
    }
    for (let v = lo; v <= hi; v += step) set[v] = true;
  }
  return set;
}

export function parseCron(text: string): CronParse {
  const fields = text.trim().split(/\s+/);
  if (fields.length !== FIELDS.length) return { ok: false, error: `expected 5 fields "mm hh dd MM DD", got ${fields.length}` };
  const sets: boolean[][] = [];
  for (let i = 0; i < FIELDS.length; i++) {
    const r = parseField(fields[i], FIELDS[i]);
    if (typeof r === 'string') return { ok: false, error: r };
    sets.push(r);
  }
  return {
    ok: true,
    cron: {
      minutes: sets[0],
      hours: sets[1],
      daysOfMonth: sets[2],
      months: sets[3],
      daysOfWeek: sets[4],
      domRestricted: fields[2] !== '*',
      dowRestricted: fields[4] !== '*',
    },
  };
}

function dayMatches(cron: Cron, date: Date): boolean {
  if (!cron.months[date.getUTCMonth() + 1]) return false;
  const dom = cron.daysOfMonth[date.getUTCDate()];
  const dow = cron.daysOfWeek[date.getUTCDay()];
  if (cron.domRestricted && cron.dowRestricted) return dom || dow;
  if (cron.domRestricted) return dom;
  if (cron.dowRestricted) return dow;
  return true;
}

/** Whether the trigger fires in the minute that contains `atMs`. */
export function cronMatches(cron: Cron, atMs: number): boolean {
  const d = new Date(atMs);
  return dayMatches(cron, d) && cron.hours[d.getUTCHours()] && cron.minutes[d.getUTCMinutes()];
}

/** Start (UTC ms) of the first minute strictly after the minute containing `afterMs` when the trigger fires; Infinity if never. */
export function nextCronMatch(cron: Cron, afterMs: number): number {
  const firstMinute = Math.floor(afterMs / MS_PER_MINUTE) * MS_PER_MINUTE + MS_PER_MINUTE;
  let dayStart = Math.floor(firstMinute / MS_PER_DAY) * MS_PER_DAY;
  for (let day = 0; day < SEARCH_HORIZON_DAYS; day++, dayStart += MS_PER_DAY) {
    if (!dayMatches(cron, new Date(dayStart))) continue;
    for (let h = 0; h < 24; h++) {
      if (!cron.hours[h]) continue;
      const hourStart = dayStart + h * 60 * MS_PER_MINUTE;
      if (hourStart + 60 * MS_PER_MINUTE <= firstMinute) continue;
      for (let m = 0; m < 60; m++) {
        if (!cron.minutes[m]) continue;
        const t = hourStart + m * MS_PER_MINUTE;
        if (t >= firstMinute) return t;
      }
    }
  }
  return Infinity;
}
