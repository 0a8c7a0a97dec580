import type { PowerComponent } from './types';
import { freezeTable } from '../../protocol/freeze';

/** Current drawn by one component in one state, at its supply rail. Mirrors docs/power-model.md. */
export interface PowerStateFigure {
  readonly component: PowerComponent;
  readonly state: string;
  readonly currentMa: number;
  readonly railV: number;
}

export const POWER_MODEL: readonly PowerStateFigure[] = freezeTable([
  { component: 'mcu', state: 'active', currentMa: 31, railV: 3.3 },
  { component: 'mcu', state: 'light-sleep', currentMa: 0.8, railV: 3.3 },
  { component: 'mcu', state: 'deep-sleep', currentMa: 0.01, railV: 3.3 },
  { component: 'radio', state: 'rx', currentMa: 16.0, railV: 3.3 },
  { component: 'radio', state: 'idle', currentMa: 1.7, railV: 3.3 },
  { component: 'radio', state: 'sleep', currentMa: 0.0002, railV: 3.3 },
  { component: 'modem', state: 'off', currentMa: 0.001, railV: 3.8 },
  { component: 'modem', state: 'psm', currentMa: 0.0034, railV: 3.8 },
  { component: 'modem', state: 'idle', currentMa: 16, railV: 3.8 },
  { component: 'modem', state: 'attached', currentMa: 90, railV: 3.8 },
  { component: 'modem', state: 'transmitting', currentMa: 190, railV: 3.8 },
  { component: 'buzzer', state: 'on', currentMa: 12, railV: 3.3 },
  { component: 'buzzer', state: 'off', currentMa: 0, railV: 3.3 },
  { component: 'flash', state: 'program', currentMa: 15, railV: 3.3 },
  { component: 'flash', state: 'erase', currentMa: 15, railV: 3.3 },
  { component: 'flash', state: 'read', currentMa: 6, railV: 3.3 },
  { component: 'flash', state: 'standby', currentMa: 0, railV: 3.3 },
  { component: 'ble', state: 'advertising', currentMa: 12, railV: 3.3 },
  { component: 'ble', state: 'connected', currentMa: 18, railV: 3.3 },
  { component: 'ble', state: 'off', currentMa: 0, railV: 3.3 },
  { component: 'board', state: 'quiescent', currentMa: 0.0025, railV: 3.3 },
]);

/** The pack and its converter (see docs/power-model.md for the sources). */
export interface PackModel {
  readonly voltageV: number;
  readonly capacityMah: number;
  /** DC/DC efficiency, flat over the load range. */
  readonly converterEfficiency: number;
  /** Converter quiescent current drawn from the pack, mA. */
  readonly converterQuiescentMa: number;
  /** Self-discharge as a fraction of the rated capacity per year. */
  readonly selfDischargePerYear: number;
}

export const PACK: PackModel = freezeTable({
  voltageV: 7.2,
  capacityMah: 14_000,
  converterEfficiency: 0.85,
  converterQuiescentMa: 0.00006,
  selfDischargePerYear: 0.01,
});

/** States each component is in at power-up, before any driver reports. */
export const INITIAL_STATES: Readonly<Record<PowerComponent, string>> = freezeTable({
  mcu: 'active',
  radio: 'sleep',
  modem: 'off',
  buzzer: 'off',
  flash: 'standby',
  ble: 'off',
  board: 'quiescent',
});
