import type { BatteryGauge, BatteryReading } from '../../drivers/gauge/types';

/** Open-circuit voltage of a 2-cell Li-SOCl2 pack versus depth of discharge: flat, then a knee. */
const DISCHARGE_CURVE: readonly (readonly [dod: number, mv: number])[] = [
  [0, 7300],
  [0.1, 7200],
  [0.8, 7050],
  [0.9, 6900],
  [0.97, 6400],
  [1, 5000],
];

/** Voltage drop per mA of load on the pack's internal resistance (≈ 2 × 10 Ω for D cells when cold). */
const INTERNAL_RESISTANCE_OHM = 20;

export interface GaugeInputs {
  /** Charge drawn so far, mAh (from the energy ledger). */
  chargeUsedMah(): number;
  /** Board temperature now, tenths of °C. */
  temperatureDeciC(): number;
  /** Present load, mA, for the voltage sag. */
  loadMa(): number;
}

export function packVoltageMv(dod: number): number {
  const d = Math.min(1, Math.max(0, dod));
  for (let i = 1; i < DISCHARGE_CURVE.length; i++) {
    const [d1, v1] = DISCHARGE_CURVE[i];
    const [d0, v0] = DISCHARGE_CURVE[i - 1];
    if (d <= d1) return v0 + ((v1 - v0) * (d - d0)) / (d1 - d0);
  }
  return DISCHARGE_CURVE[DISCHARGE_CURVE.length - 1][1];
}

export class SimGauge implements BatteryGauge {
  constructor(readonly capacityMah: number, private readonly inputs: GaugeInputs) {}

  read(): BatteryReading {
    const used = this.inputs.chargeUsedMah();
    const ocv = packVoltageMv(used / this.capacityMah);
    return {
      // mA × Ω = mV of sag under the present load.
      voltageMv: Math.round(ocv - this.inputs.loadMa() * INTERNAL_RESISTANCE_OHM),
      chargeUsedMah: Math.round(used * 1000) / 1000,
      temperatureDeciC: Math.round(this.inputs.temperatureDeciC()),
    };
  }
}
