import { EnergyLedger, type TimeSource } from '../../drivers/power/ledger';
import { PACK, POWER_MODEL, type PackModel, type PowerStateFigure } from '../../drivers/power/model';
import type { PowerComponent } from '../../drivers/power/types';
import { freezeTable } from '../../protocol/freeze';

/** Which design the energy ledger charges: this product's, or the one the manual's battery table (§1.6.4) implies. */
export type PowerDesign = 'this' | 'reference';

/** The MCU state the reference design is in where this one light-sleeps between FIFO interrupts. */
export const REFERENCE_AWAKE_STATE = 'awake';

/**
 * ESP32 awake at 80 MHz with the radios off ("modem-sleep"): 20–31 mA (ESP32 datasheet v4.x, §5.4
 * "Power consumption by power modes", Table 5-4); 24 mA is the middle of that range with the one
 * core busy this firmware would keep.
 */
const REFERENCE_AWAKE_MA = 24;
/**
 * Sleep-floor current of the board besides the MCU, at 3.3 V: 40 µA, a typical total for the
 * manual's class of design (regulator and gauge quiescent currents, a Hall switch, leakage),
 * against this board's 2.5 µA (docs/power-model.md, "Reference design").
 */
const REFERENCE_QUIESCENT_MA = 0.018;

/** The power model with the reference design's figures (docs/power-model.md, "Reference design"). */
export const REFERENCE_POWER_MODEL: readonly PowerStateFigure[] = freezeTable([
  ...POWER_MODEL.map((f) => (f.component === 'board' && f.state === 'quiescent' ? { ...f, currentMa: REFERENCE_QUIESCENT_MA } : f)),
  { component: 'mcu', state: REFERENCE_AWAKE_STATE, currentMa: REFERENCE_AWAKE_MA, railV: 3.3 },
]);

/**
 * The energy ledger of the reference design: the MCU stays awake for the whole listening window
 * (a light sleep the firmware reports while the transceiver is out of its sleep state is charged
 * as awake), and the board's sleep floor is the reference one. Everything else is charged as for
 * this design, state for state.
 */
export class ReferenceDesignLedger extends EnergyLedger {
  private mcuReported = 'active';
  private radioOn = false;

  constructor(time: TimeSource, pack: PackModel = PACK) {
    super(time, pack, REFERENCE_POWER_MODEL);
  }

  override report(component: PowerComponent, state: string): void {
    if (component === 'mcu') this.mcuReported = state;
    else {
      super.report(component, state);
      if (component !== 'radio') return;
      this.radioOn = state !== 'sleep';
    }
    super.report('mcu', this.radioOn && this.mcuReported === 'light-sleep' ? REFERENCE_AWAKE_STATE : this.mcuReported);
  }
}

/** The ledger a run charges for `design`. */
export function ledgerFor(design: PowerDesign, time: TimeSource, pack: PackModel): EnergyLedger {
  return design === 'reference' ? new ReferenceDesignLedger(time, pack) : new EnergyLedger(time, pack);
}
