/**
 * Timer-trigger text as it arrives in configuration files (§4.2.5.1), checked with the scheduler's
 * own parser so that the configuration accepts exactly what the scheduler can run.
 */
import { parseCron } from '../cron/cron';

export type TriggerText = { ok: true; cron: string } | { ok: false; reason: string };

/**
 * Returns the trigger with its five fields separated by single spaces. Two slips of the manual's
 * §4.2.5.1.1 examples are repaired because their stated meaning ("every 30 minutes") is
 * unambiguous: a step written apart from its field (`* /30 * * * *`) and a doubled star
 * (`**\/30 * * * *`), both meaning `*\/30 * * * *`.
 */
export function normalizeTrigger(text: string): TriggerText {
  const tokens = text.trim().split(/\s+/).filter((t) => t !== '');
  const fields: string[] = [];
  for (const token of tokens) {
    const repaired = token.replace(/^\*{2,}/, '*');
    if (repaired.startsWith('/') && fields.length > 0) fields[fields.length - 1] += repaired;
    else fields.push(repaired);
  }
  const cron = fields.join(' ');
  const parsed = parseCron(cron);
  return parsed.ok ? { ok: true, cron } : { ok: false, reason: `bad trigger "${text}": ${parsed.error}` };
}
