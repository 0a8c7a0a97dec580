import type { Config } from '../../protocol/config/types';
import { nextCronMatch, parseCron } from '../../protocol/cron/cron';

const MS_PER_DAY = 86_400_000;
/** Triggers are counted over four whole weeks: a weekday or day-of-month schedule averages out. */
const COUNT_DAYS = 28;
/** A Monday, 00:00 UTC: the count starts on a week boundary. */
const COUNT_START_MS = Date.UTC(2026, 0, 5);

/** Average firings a day of a `scheduleRadio` / `scheduleFTP` cron (§4.2.5.1). */
export function firingsPerDay(cronText: string): number {
  const parsed = parseCron(cronText);
  if (!parsed.ok) throw new RangeError(`cron "${cronText}": ${parsed.error}`);
  const end = COUNT_START_MS + COUNT_DAYS * MS_PER_DAY;
  let n = 0;
  for (let t = nextCronMatch(parsed.cron, COUNT_START_MS - 1); t < end; t = nextCronMatch(parsed.cron, t)) n++;
  return n / COUNT_DAYS;
}

function sum(v: number | readonly number[]): number {
  return typeof v === 'number' ? v : v.reduce((a, b) => a + b, 0);
}

/** What a configuration's schedules make the box do in a day. */
export interface ScheduledDay {
  readonly windows: number;
  /** Seconds of listening a day: each trigger's window, every mode of a multi-listening window. */
  readonly listeningSeconds: number;
  /** Sessions a day from `scheduleFTP`. */
  readonly uploads: number;
}

/**
 * Seconds one trigger listens (§4.2.5.1.1): its `data`, one value per mode with multi-listening;
 * a single value with several modes, or none, takes `radio.duration` for every mode, as the
 * manual's example does.
 */
function windowSeconds(config: Config, data: number | readonly number[] | undefined): number {
  const modes = Array.isArray(config.radio.mode) ? config.radio.mode.length : 1;
  if (Array.isArray(data)) return sum(data);
  const duration = config.radio.duration;
  if (modes > 1) return Array.isArray(duration) ? sum(duration) : duration * modes;
  return typeof data === 'number' ? data : sum(duration);
}

export function scheduledDay(config: Config): ScheduledDay {
  let windows = 0;
  let listeningSeconds = 0;
  for (const trigger of config.scheduleRadio) {
    const perDay = firingsPerDay(trigger.cron);
    windows += perDay;
    listeningSeconds += perDay * windowSeconds(config, trigger.data);
  }
  let uploads = 0;
  for (const trigger of config.scheduleFTP) uploads += firingsPerDay(trigger.cron);
  return { windows, listeningSeconds, uploads };
}
