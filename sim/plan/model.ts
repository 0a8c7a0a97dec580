import { INITIAL_STATES, PACK, POWER_MODEL, type PackModel } from '../../drivers/power/model';
import { packLifeYears } from '../../drivers/power/pack';
import type { PowerComponent } from '../../drivers/power/types';

const HOURS_PER_DAY = 24;
/** Pack mAh/day of the components the summary lists, and the converter's own draw. */
export type ComponentMah = Readonly<Record<string, number>>;

/** What a day of the box does, on average: the quantities the energy scales with. */
export interface DayActivity {
  /** Seconds of listening a day (all windows). */
  readonly listeningSeconds: number;
  /** Modem sessions a day (1/7 for a weekly upload). */
  readonly sessions: number;
  /** Frames uploaded a day (in steady state: the frames recorded). */
  readonly frames: number;
}

/** A probe: the simulator's measured days of one configuration. */
export interface ProbeMeasure {
  readonly activity: DayActivity;
  readonly mAhPerDay: ComponentMah;
}

/**
 * How one component's pack charge grows with the day's activity:
 * `base + perListeningSecond · L + perSession · S + perFrame · F` mAh a day.
 */
export interface ComponentCost {
  readonly base: number;
  readonly perListeningSecond: number;
  readonly perSession: number;
  readonly perFrame: number;
}

export type PlanModel = Readonly<Record<string, ComponentCost>>;

/** The three probes the model is fitted on: the same box, one variable changed at a time. */
export interface Probes {
  /** One window a day of the reference length, one upload a day. */
  readonly reference: ProbeMeasure;
  /** The same with a longer window: what listening costs. */
  readonly longWindow: ProbeMeasure;
  /** The same with two uploads a day: what a session costs, apart from the frames it carries. */
  readonly twoUploads: ProbeMeasure;
}

/**
 * Components whose charge follows the sessions and the frames they carry, not the listening: the
 * modem, and the frame-store flash (a program per frame recorded, reads at upload). Their base
 * is their idle state's current, known from the power model, so two probes give both slopes.
 */
const SESSION_COMPONENTS: readonly string[] = ['modem', 'flash'];

/** Pack mAh a day of a component left in its power-up state all day (the modem off, the flash in standby). */
export function idleMahPerDay(component: PowerComponent, pack: PackModel = PACK): number {
  const figure = POWER_MODEL.find((f) => f.component === component && f.state === INITIAL_STATES[component]);
  if (figure === undefined) return 0;
  return (figure.currentMa * HOURS_PER_DAY * figure.railV) / (pack.converterEfficiency * pack.voltageV);
}

/** Solves the square system `a · x = b` by Gaussian elimination with partial pivoting. */
export function solveLinear(a: readonly (readonly number[])[], b: readonly number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r][col]) > Math.abs(m[pivot][col])) pivot = r;
    if (Math.abs(m[pivot][col]) < 1e-12) throw new RangeError('planner: the probes do not separate the costs (a probe changed nothing)');
    [m[col], m[pivot]] = [m[pivot], m[col]];
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const k = m[r][col] / m[col][col];
      for (let c = col; c <= n; c++) m[r][c] -= k * m[col][c];
    }
  }
  return m.map((row, i) => row[n] / row[i]);
}

/**
 * Fits each component's costs on the probes. The MCU, the radio and the rest: base, listening
 * and session terms from the three probes (the frames' own MCU time is part of the listening,
 * since every frame heard is decoded). The modem and the flash: known idle base, session and
 * frame terms from the reference and the two-upload probe (same frames a day, twice the sessions).
 */
export function fitModel(probes: Probes, pack: PackModel = PACK): PlanModel {
  const { reference: r, longWindow: l, twoUploads: t } = probes;
  const model: Record<string, ComponentCost> = {};
  for (const component of Object.keys(r.mAhPerDay)) {
    const e = (p: ProbeMeasure): number => p.mAhPerDay[component] ?? 0;
    if (SESSION_COMPONENTS.indexOf(component) >= 0) {
      const base = idleMahPerDay(component as PowerComponent, pack);
      const [perSession, perFrame] = solveLinear(
        [
          [r.activity.sessions, r.activity.frames],
          [t.activity.sessions, t.activity.frames],
        ],
        [e(r) - base, e(t) - base],
      );
      model[component] = { base, perListeningSecond: 0, perSession, perFrame };
    } else {
      const row = (p: ProbeMeasure): number[] => [1, p.activity.listeningSeconds, p.activity.sessions];
      const [base, perListeningSecond, perSession] = solveLinear([row(r), row(l), row(t)], [e(r), e(l), e(t)]);
      model[component] = { base, perListeningSecond, perSession, perFrame: 0 };
    }
  }
  return model;
}

/** Pack mAh a day of each component for a day's activity. */
export function predict(model: PlanModel, day: DayActivity): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [component, c] of Object.entries(model)) {
    out[component] = Math.max(0, c.base + c.perListeningSecond * day.listeningSeconds + c.perSession * day.sessions + c.perFrame * day.frames);
  }
  return out;
}

export function total(mAh: ComponentMah): number {
  let sum = 0;
  for (const v of Object.values(mAh)) sum += v;
  return sum;
}

/** Years a full pack lasts at that draw, with the simulator's self-discharge (drivers/power/pack.ts). */
export function projectedYears(mAhPerDay: number, pack: PackModel = PACK): number {
  return packLifeYears(pack, mAhPerDay);
}
