export interface BatteryReading {
  /** Pack voltage in millivolts. */
  readonly voltageMv: number;
  /** Charge drawn since the pack was fitted, in mAh (coulomb counter). */
  readonly chargeUsedMah: number;
  /** Board temperature in tenths of °C. */
  readonly temperatureDeciC: number;
}

/** Battery gauge with temperature sensor. */
export interface BatteryGauge {
  read(): BatteryReading;
  /** Rated capacity of the pack in mAh. */
  readonly capacityMah: number;
}
