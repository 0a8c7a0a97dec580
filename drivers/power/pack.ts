import type { PackModel } from './model';

export const MS_PER_DAY = 86_400_000;
/** Julian year: the ledger's projection and the device's estimate count years the same way. */
export const DAYS_PER_YEAR = 365.25;
export const MONTHS_PER_YEAR = 12;
const MS_PER_YEAR = MS_PER_DAY * DAYS_PER_YEAR;

/** Charge the pack loses by itself in a year, mAh: the model's fraction of the rated capacity. */
export function selfDischargeMahPerYear(pack: PackModel): number {
  return pack.capacityMah * pack.selfDischargePerYear;
}

/**
 * Years a full pack lasts at a steady draw plus self-discharge (docs/power-model.md):
 * `capacity / (mAh_per_day · 365.25 + capacity · self_discharge)`; Infinity when nothing drains it.
 */
export function packLifeYears(pack: PackModel, mahPerDay: number): number {
  const yearlyDraw = mahPerDay * DAYS_PER_YEAR + selfDischargeMahPerYear(pack);
  return yearlyDraw > 0 ? pack.capacityMah / yearlyDraw : Infinity;
}

/** The pack some time after it was fitted, by the same model as packLifeYears. */
export interface PackState {
  /** Charge lost to self-discharge since the pack was fitted, mAh. */
  readonly selfDischargedMah: number;
  /** Capacity less the charge drawn and the charge self-discharged, at least 0, mAh. */
  readonly remainingMah: number;
  /** Average draw over the time since fitting, mAh/day; 0 when no time has passed. */
  readonly drawMahPerDay: number;
  /** What is left at that average draw plus self-discharge, years; Infinity when nothing drains it. */
  readonly remainingYears: number;
}

/**
 * The pack `elapsedMs` after it was fitted with `usedMah` drawn from it (the gauge's coulomb
 * counter). For a steady draw this is `packLifeYears` less the time elapsed: what the energy
 * ledger projects for a full pack, minus what has already gone by.
 */
export function packState(pack: PackModel, usedMah: number, elapsedMs: number): PackState {
  const elapsed = Math.max(0, elapsedMs);
  const used = Math.max(0, usedMah);
  const selfDischargedMah = (selfDischargeMahPerYear(pack) * elapsed) / MS_PER_YEAR;
  const remainingMah = Math.max(0, pack.capacityMah - used - selfDischargedMah);
  const drawMahPerDay = elapsed > 0 ? (used * MS_PER_DAY) / elapsed : 0;
  const yearlyDrain = drawMahPerDay * DAYS_PER_YEAR + selfDischargeMahPerYear(pack);
  const remainingYears = yearlyDrain > 0 ? remainingMah / yearlyDrain : Infinity;
  return { selfDischargedMah, remainingMah, drawMahPerDay, remainingYears };
}
