import { PACK, type PackModel } from '../drivers/power/model';
import { DAYS_PER_YEAR, MONTHS_PER_YEAR, MS_PER_DAY, packState } from '../drivers/power/pack';
import type { SupervisionBattery } from '../protocol/files/supervision';

const MS_PER_SECOND = 1000;
const PERCENT = 100;
/** §5.7 remainTime is null until the average draw covers a month of use. */
const MIN_OBSERVED_MONTHS = 1;
const MS_PER_MONTH = (DAYS_PER_YEAR / MONTHS_PER_YEAR) * MS_PER_DAY;
/**
 * 2020-01-01T00:00:00Z. The ESP32's RTC restarts near 1970 when the pack is fitted and holds the
 * time only after SNTP sets it: a power-on date before this was taken on an unset clock and says
 * nothing about how long the pack has been in.
 */
export const EARLIEST_CLOCK_SEC = 1_577_836_800;

export interface BatteryEstimateInputs {
  /** Charge drawn since the pack was fitted (the gauge's coulomb counter), mAh. */
  readonly usedMah: number;
  /** Rated capacity of the pack (the gauge's), mAh. */
  readonly capacityMah: number;
  /** UTC seconds of the power-on that started with this pack (counters.lastPowerOn); 0 = unknown. */
  readonly powerOnSec: number;
  readonly nowSec: number;
}

/** Time since the pack was fitted, ms; undefined when the device cannot know it. */
function fittedForMs(powerOnSec: number, nowSec: number): number | undefined {
  if (powerOnSec < EARLIEST_CLOCK_SEC || nowSec < powerOnSec) return undefined;
  return (nowSec - powerOnSec) * MS_PER_SECOND;
}

/**
 * §5.7 `battery` from the pack model the simulator's energy ledger projects with
 * (drivers/power/pack.ts): what is left is the capacity less the charge drawn and the charge lost to
 * self-discharge since power-on, and `remainTime` divides it by the average draw since then plus
 * the self-discharge rate. Counts round down, so a pack reads 100 % only until charge is drawn.
 * Without a power-on date on a set clock self-discharge is not counted and remainTime is null, as
 * it is before a month of use or while the gauge has counted nothing.
 */
export function estimateBattery(inputs: BatteryEstimateInputs, pack: PackModel = PACK): SupervisionBattery {
  const model: PackModel = { ...pack, capacityMah: inputs.capacityMah };
  const elapsedMs = fittedForMs(inputs.powerOnSec, inputs.nowSec);
  const state = packState(model, inputs.usedMah, elapsedMs ?? 0);
  const observed = elapsedMs !== undefined && elapsedMs >= MIN_OBSERVED_MONTHS * MS_PER_MONTH && inputs.usedMah > 0;
  return {
    remainTime: observed ? Math.round(state.remainingYears * MONTHS_PER_YEAR) : null,
    capaPrcent: model.capacityMah > 0 ? Math.floor((PERCENT * state.remainingMah) / model.capacityMah) : 0,
    capamAh: Math.floor(state.remainingMah),
  };
}
