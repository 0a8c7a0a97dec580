import { EnergyLedger } from '../../drivers/power/ledger';
import type { PackModel, PowerStateFigure } from '../../drivers/power/model';
import { SimWorld } from '../../sim/world/world';

const T0 = Date.parse('2026-03-02T00:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A round-number model so every expected value can be worked out by hand. */
const MODEL: readonly PowerStateFigure[] = [
  { component: 'mcu', state: 'active', currentMa: 30, railV: 3.3 },
  { component: 'mcu', state: 'deep-sleep', currentMa: 0.01, railV: 3.3 },
  { component: 'radio', state: 'sleep', currentMa: 0, railV: 3.3 },
  { component: 'radio', state: 'rx', currentMa: 16, railV: 3.3 },
  { component: 'modem', state: 'off', currentMa: 0, railV: 3.8 },
  { component: 'modem', state: 'transmitting', currentMa: 200, railV: 3.8 },
  { component: 'buzzer', state: 'off', currentMa: 0, railV: 3.3 },
  { component: 'flash', state: 'standby', currentMa: 0, railV: 3.3 },
  { component: 'ble', state: 'off', currentMa: 0, railV: 3.3 },
  { component: 'board', state: 'quiescent', currentMa: 0, railV: 3.3 },
];
const PACK: PackModel = { voltageV: 7.2, capacityMah: 14_000, converterEfficiency: 0.8, converterQuiescentMa: 0, selfDischargePerYear: 0 };

function setup(): { world: SimWorld; ledger: EnergyLedger } {
  const world = new SimWorld(T0);
  const ledger = new EnergyLedger(world, PACK, MODEL);
  ledger.report('mcu', 'deep-sleep');
  return { world, ledger };
}

describe('energy ledger', () => {
  test('integrates current × time per state: 16 mA for 15 min of RX is 4 mAh at the rail', async () => {
    const { world, ledger } = setup();
    ledger.report('radio', 'rx');
    await world.runUntil(T0 + HOUR / 4);
    ledger.report('radio', 'sleep');
    expect(ledger.snapshot().components.radio.railMah).toBeCloseTo(4, 9);
    expect(ledger.snapshot().components.radio.stateMs.rx).toBe(HOUR / 4);
  });

  test('converts rail charge to pack charge: 4 mAh at 3.3 V through 80 % from 7.2 V is 2.2917 mAh', async () => {
    const { world, ledger } = setup();
    ledger.report('radio', 'rx');
    await world.runUntil(T0 + HOUR / 4);
    // 4 mAh × 3.3 V / (0.8 × 7.2 V) = 2.291666…
    expect(ledger.snapshot().components.radio.packMah).toBeCloseTo(13.2 / 5.76, 9);
  });

  test('short bursts are charged without a state change: 100 × 2 ms at 30 mA', () => {
    const { ledger } = setup();
    for (let i = 0; i < 100; i++) ledger.charge('mcu', 'active', 2);
    // 30 mA × 0.2 s = 6 mA·s = 1/600 mAh
    expect(ledger.snapshot().components.mcu.railMah).toBeCloseTo(1 / 600, 12);
  });

  test('a day of deep sleep with a 1-minute modem burst gives the hand-computed mAh/day', async () => {
    const { world, ledger } = setup();
    await world.runUntil(T0 + 12 * HOUR);
    ledger.report('modem', 'transmitting');
    await world.runUntil(T0 + 12 * HOUR + 60_000);
    ledger.report('modem', 'off');
    await world.runUntil(T0 + DAY);
    const r = ledger.snapshot();
    // MCU: 0.01 mA × 24 h = 0.24 mAh → ×3.3/5.76; modem: 200 mA × 1/60 h = 3.3333 mAh → ×3.8/5.76
    const expected = (0.24 * 3.3) / 5.76 + ((200 / 60) * 3.8) / 5.76;
    expect(r.packMahPerDay).toBeCloseTo(expected, 9);
    expect(r.projectedYears).toBeCloseTo(14_000 / (expected * 365.25), 6);
  });

  test('self-discharge shortens the projection', async () => {
    const world = new SimWorld(T0);
    const ledger = new EnergyLedger(world, { ...PACK, selfDischargePerYear: 0.01 }, MODEL);
    ledger.report('mcu', 'deep-sleep');
    await world.runUntil(T0 + DAY);
    const perDay = ((0.24 * 3.3) / 5.76);
    expect(ledger.snapshot().projectedYears).toBeCloseTo(14_000 / (perDay * 365.25 + 140), 6);
  });

  test('a state without a datasheet figure is refused', () => {
    const { ledger } = setup();
    expect(() => ledger.report('radio', 'transmit')).toThrow(/no current figure/);
  });
});
