import { nextCronMatch, parseCron, type Cron } from './cron';

/** When a schedule fires next, and which of its triggers does. */
export interface NextTrigger {
  /** Start of the minute (UTC ms); Infinity when no trigger can fire. */
  readonly at: number;
  /** Index of the trigger in the schedule; -1 when none. */
  readonly index: number;
}

/**
 * A schedule of up to 8 timer triggers (primary spec §4.2.5.1). When two triggers fall in the same
 * minute only the first in the file runs. The parsed triggers are kept until the configuration hands
 * over a different schedule (a configuration file applied mid-boot replaces the array).
 */
export class TriggerSchedule {
  private source: readonly { readonly cron: string }[] | undefined;
  private crons: (Cron | undefined)[] = [];

  /** The first firing strictly after the minute containing `afterMs`. */
  next(triggers: readonly { readonly cron: string }[], afterMs: number): NextTrigger {
    if (triggers !== this.source) {
      this.source = triggers;
      this.crons = triggers.map((t) => {
        const p = parseCron(t.cron);
        return p.ok ? p.cron : undefined;
      });
    }
    let at = Infinity;
    let index = -1;
    for (let i = 0; i < this.crons.length; i++) {
      const c = this.crons[i];
      if (c === undefined) continue;
      const t = nextCronMatch(c, afterMs);
      if (t < at) {
        at = t;
        index = i;
      }
    }
    return { at, index };
  }
}
