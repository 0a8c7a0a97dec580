import type { PowerComponent, PowerSink } from './types';
import { INITIAL_STATES, PACK, POWER_MODEL, type PackModel, type PowerStateFigure } from './model';
import { MS_PER_DAY, packLifeYears } from './pack';

/** Anything that tells the time in ms (the simulator's world, the device's clock). */
export interface TimeSource {
  now(): number;
}

const MS_PER_HOUR = 3_600_000;

export interface ComponentEnergy {
  /** Charge at the component's rail, mAh. */
  readonly railMah: number;
  /** The same energy drawn from the pack through the converter, mAh at the pack voltage. */
  readonly packMah: number;
  /** Time spent in each state, ms. */
  readonly stateMs: Readonly<Record<string, number>>;
}

export interface EnergyReport {
  readonly elapsedMs: number;
  readonly components: Readonly<Record<string, ComponentEnergy>>;
  /** Converter quiescent draw, pack mAh. */
  readonly converterMah: number;
  readonly totalPackMah: number;
  readonly packMahPerDay: number;
  readonly projectedYears: number;
}

interface Track {
  state: string;
  since: number;
  railMah: number;
  stateMs: Record<string, number>;
}

/**
 * Integrates current × time for every component state reported by the drivers (the simulator's
 * fakes, or the device's own drivers as a charge-used estimate), then
 * converts rail charge to pack charge: I_pack = V_rail · I_rail / (η · V_pack).
 */
export class EnergyLedger implements PowerSink {
  private readonly figures = new Map<string, PowerStateFigure>();
  private readonly tracks = new Map<PowerComponent, Track>();
  private readonly start: number;

  constructor(
    private readonly time: TimeSource,
    private readonly pack: PackModel = PACK,
    model: readonly PowerStateFigure[] = POWER_MODEL,
  ) {
    for (const f of model) this.figures.set(f.component + '/' + f.state, f);
    this.start = time.now();
    for (const c of Object.keys(INITIAL_STATES) as PowerComponent[]) {
      this.tracks.set(c, { state: INITIAL_STATES[c], since: this.start, railMah: 0, stateMs: {} });
    }
  }

  report(component: PowerComponent, state: string): void {
    this.figure(component, state);
    const t = this.track(component);
    this.close(component, t);
    t.state = state;
  }

  charge(component: PowerComponent, state: string, durationMs: number): void {
    if (durationMs <= 0) return;
    const f = this.figure(component, state);
    const t = this.track(component);
    t.railMah += (f.currentMa * durationMs) / MS_PER_HOUR;
    t.stateMs[state] = (t.stateMs[state] ?? 0) + durationMs;
  }

  stateOf(component: PowerComponent): string {
    return this.track(component).state;
  }


  snapshot(): EnergyReport {
    const now = this.time.now();
    const elapsedMs = now - this.start;
    const components: Record<string, ComponentEnergy> = {};
    let total = 0;
    for (const [c, t] of this.tracks) {
      const openMs = now - t.since;
      const f = this.figure(c, t.state);
      const railMah = t.railMah + (f.currentMa * openMs) / MS_PER_HOUR;
      const packMah = this.toPack(railMah, f.railV);
      const stateMs = { ...t.stateMs, [t.state]: (t.stateMs[t.state] ?? 0) + openMs };
      components[c] = { railMah, packMah, stateMs };
      total += packMah;
    }
    const converterMah = (this.pack.converterQuiescentMa * elapsedMs) / MS_PER_HOUR;
    total += converterMah;
    const days = elapsedMs / MS_PER_DAY;
    const packMahPerDay = days > 0 ? total / days : 0;
    // The device's own estimate (tasks/battery-estimate.ts) uses the same pack model.
    const projectedYears = packLifeYears(this.pack, packMahPerDay);
    return { elapsedMs, components, converterMah, totalPackMah: total, packMahPerDay, projectedYears };
  }

  /** Pack-side mAh for a rail-side mAh: the energy V_rail·Q_rail delivered at efficiency η from V_pack. */
  toPack(railMah: number, railV: number): number {
    return (railMah * railV) / (this.pack.converterEfficiency * this.pack.voltageV);
  }

  private close(component: PowerComponent, t: Track): void {
    const now = this.time.now();
    const dt = now - t.since;
    if (dt > 0) {
      const f = this.figure(component, t.state);
      t.railMah += (f.currentMa * dt) / MS_PER_HOUR;
      t.stateMs[t.state] = (t.stateMs[t.state] ?? 0) + dt;
    }
    t.since = now;
  }

  private track(component: PowerComponent): Track {
    const t = this.tracks.get(component);
    if (t === undefined) throw new Error(`energy ledger: unknown component ${component}`);
    return t;
  }

  private figure(component: PowerComponent, state: string): PowerStateFigure {
    const f = this.figures.get(component + '/' + state);
    if (f === undefined) throw new Error(`energy ledger: no current figure for ${component} in state "${state}"`);
    return f;
  }
}
