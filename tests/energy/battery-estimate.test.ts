import { PACK } from '../../drivers/power/model';
import { DAYS_PER_YEAR, packLifeYears, packState } from '../../drivers/power/pack';
import { estimateBattery } from '../../tasks/battery-estimate';

/** §5.7 `battery` from the gauge's charge used and the time since power-on, on the 14 Ah pack model. */
const DAY_S = 86_400;
const YEAR_S = DAYS_PER_YEAR * DAY_S;
const MONTH_S = YEAR_S / 12;
const POWER_ON = Date.parse('2026-01-05T00:00:00Z') / 1000;
const CAPACITY = 14_000;

function estimate(usedMah: number, elapsedSec: number, powerOnSec = POWER_ON) {
  return estimateBattery({ usedMah, capacityMah: CAPACITY, powerOnSec, nowSec: powerOnSec + elapsedSec });
}

describe('battery estimate (§5.7 remainTime, capaPrcent, capamAh)', () => {
  test('a fresh pack at power-on is full and has no remaining time yet', () => {
    expect(estimate(0, 0)).toEqual({ remainTime: null, capaPrcent: 100, capamAh: 14_000 });
  });

  test('remainTime is null before a month of use, while what is left already counts self-discharge', () => {
    // 20 days: 140 mAh/year of self-discharge is 7.67 mAh; 30 mAh drawn.
    expect(estimate(30, 20 * DAY_S)).toEqual({ remainTime: null, capaPrcent: 99, capamAh: 13_962 });
  });

  test('remainTime is null while the gauge has counted nothing', () => {
    expect(estimate(0, 3 * MONTH_S).remainTime).toBeNull();
  });

  test('half the pack drawn in a year: 6 860 mAh left after 140 mAh of self-discharge, 12 months at 7 140 mAh a year', () => {
    // 6 860 / (7 000 + 140) years = 0.961 years = 11.5 months.
    expect(estimate(7_000, YEAR_S)).toEqual({ remainTime: 12, capaPrcent: 49, capamAh: 6_860 });
  });

  test('remainTime divides what is left by the average draw plus the self-discharge rate', () => {
    // 60 mAh over two months (360 mAh/year) + 140 mAh/year; 14 000 − 60 − 23.33 = 13 916.7 mAh → 27.83 years.
    expect(estimate(60, 2 * MONTH_S).remainTime).toBe(334);
  });

  test('capaPrcent moves with the first charge drawn: it rounds down', () => {
    expect(estimate(1, 0).capaPrcent).toBe(99);
  });

  test('the manual example reads as the manual writes it: 13 362 mAh left is 95 %', () => {
    expect(estimate(638, 0)).toEqual({ remainTime: null, capaPrcent: 95, capamAh: 13_362 });
  });

  test('an empty pack is 0 %, 0 mAh and 0 months', () => {
    expect(estimate(14_500, 2 * YEAR_S)).toEqual({ remainTime: 0, capaPrcent: 0, capamAh: 0 });
  });

  test('a power-on date taken on an unset clock (1970) counts no self-discharge and gives no remaining time', () => {
    const r = estimateBattery({ usedMah: 50, capacityMah: CAPACITY, powerOnSec: 3, nowSec: POWER_ON });
    expect(r).toEqual({ remainTime: null, capaPrcent: 99, capamAh: 13_950 });
  });

  test('no power-on date (0) counts no self-discharge and gives no remaining time', () => {
    const r = estimateBattery({ usedMah: 50, capacityMah: CAPACITY, powerOnSec: 0, nowSec: POWER_ON });
    expect(r).toEqual({ remainTime: null, capaPrcent: 99, capamAh: 13_950 });
  });

  test('a clock set back before the power-on date gives no remaining time', () => {
    expect(estimate(50, -DAY_S)).toEqual({ remainTime: null, capaPrcent: 99, capamAh: 13_950 });
  });

  test('the capacity is the gauge\'s: a 7 Ah pack half drawn in a year has 70 mAh of self-discharge', () => {
    const r = estimateBattery({ usedMah: 3_500, capacityMah: 7_000, powerOnSec: POWER_ON, nowSec: POWER_ON + YEAR_S });
    expect(r).toEqual({ remainTime: 12, capaPrcent: 49, capamAh: 3_430 });
  });
});

describe('pack model shared by the ledger and the device', () => {
  test('at a steady draw, what is left lasts the ledger\'s projection for a full pack less the time gone', () => {
    for (const perDay of [0.5, 1.574, 11, 30.47]) {
      for (const share of [0.01, 0.5, 0.9]) {
        const years = share * packLifeYears(PACK, perDay);
        const s = packState(PACK, perDay * DAYS_PER_YEAR * years, years * YEAR_S * 1000);
        expect(s.remainingYears).toBeCloseTo(packLifeYears(PACK, perDay) - years, 9);
        expect(s.drawMahPerDay).toBeCloseTo(perDay, 9);
      }
    }
  });

  test('self-discharge is 1 % of the capacity a year: 140 mAh of the 14 Ah pack', () => {
    expect(packState(PACK, 0, YEAR_S * 1000).selfDischargedMah).toBeCloseTo(140, 9);
  });

  test('with neither draw nor self-discharge the pack lasts for ever', () => {
    const still = { ...PACK, selfDischargePerYear: 0 };
    expect(packLifeYears(still, 0)).toBe(Infinity);
    expect(packState(still, 0, YEAR_S * 1000).remainingYears).toBe(Infinity);
  });
});
