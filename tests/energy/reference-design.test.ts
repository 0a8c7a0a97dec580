/**
 * The reference design (sim/power/reference-design.ts, docs/power-model.md "Reference design"):
 * the power design the manual's battery table (§1.6.4) implies, held against that table through
 * the battery-life planner. The manual's table: 1 window a day of 20 KB (≈ 300 frames), years
 * rounded to whole numbers, "> 15 years" above its range.
 */
import { applyConfigFile } from '../../protocol/config/apply';
import { defaultConfig } from '../../protocol/config/defaults';
import { fromExtendedJson } from '../../protocol/bson/ejson';
import type { BsonDocument } from '../../protocol/bson/types';
import type { ModemTechnology } from '../../drivers/modem/types';
import { planConfiguration } from '../../sim/plan/planner.node';
import { TABLE_UPLOADS, TABLE_WINDOW_MINUTES, type Plan } from '../../sim/plan/types';
import { REFERENCE_AWAKE_STATE, ReferenceDesignLedger } from '../../sim/power/reference-design';
import { DEFAULT_SCENARIO } from '../../sim/scenario';

/** §1.6.4, one row per window length: [2 uploads/day, 1 upload/day, 1 upload/week]; null: "> 15 years". */
type ManualTable = Readonly<Record<number, readonly (number | null)[]>>;
const MANUAL: Readonly<Record<ModemTechnology, ManualTable>> = {
  'LTE-M': { 2: [null, null, null], 4: [13, null, null], 5: [12, 14, null], 6: [11, 13, 13], 8: [9, 10, 11], 10: [8, 9, 9], 12: [7, 7, 8], 15: [6, 6, 6], 20: [5, 5, 5], 30: [3, 3, 3] },
  'NB-IoT': { 2: [11, null, null], 4: [9, 12, null], 5: [8, 11, 14], 6: [8, 10, 12], 8: [7, 8, 10], 10: [6, 7, 8], 12: [5, 6, 8], 15: [5, 5, 6], 20: [4, 4, 5], 30: [3, 3, 3] },
  '2G': { 2: [null, null, null], 4: [12, null, null], 5: [11, 13, 14], 6: [10, 12, 12], 8: [8, 10, 10], 10: [7, 8, 8], 12: [6, 7, 8], 15: [5, 6, 6], 20: [4, 5, 5], 30: [3, 3, 3] },
};
const MANUAL_CAP_YEARS = 15;
const FRAMES_PER_WINDOW = 300;

/** The largest relative gap to the manual over the cells it gives a number for, and whether every "> 15" cell is above 15 less the tolerance. */
function compare(plan: Plan, manual: ManualTable, tolerance: number): { worst: number; capsHeld: boolean } {
  let worst = 0;
  let capsHeld = true;
  for (const row of plan.table) {
    row.cells.forEach((cell, j) => {
      const expected = manual[row.windowMinutes][j];
      if (expected === null) capsHeld &&= cell.years >= MANUAL_CAP_YEARS * (1 - tolerance);
      else worst = Math.max(worst, Math.abs(cell.years - expected) / expected);
    });
  }
  return { worst, capsHeld };
}

function sitePlan(network: ModemTechnology): Promise<Plan> {
  const doc = fromExtendedJson(DEFAULT_SCENARIO.preset);
  if (!doc.ok) throw new Error(doc.error);
  const applied = applyConfigFile(defaultConfig(), doc.value as BsonDocument);
  if (!applied.ok) throw new Error(applied.reason);
  return planConfiguration(doc.value as BsonDocument, applied.config, { network, design: 'reference', framesPerWindow: FRAMES_PER_WINDOW });
}

test('the table has the manual\'s rows and columns', () => {
  for (const table of Object.values(MANUAL)) {
    expect(Object.keys(table).map(Number)).toEqual(TABLE_WINDOW_MINUTES);
    for (const row of Object.values(table)) expect(row).toHaveLength(TABLE_UPLOADS.length);
  }
});

test('the reference ledger keeps the MCU awake while the transceiver is out of sleep, and only then', () => {
  let now = 0;
  const ledger = new ReferenceDesignLedger({ now: () => now });
  ledger.report('mcu', 'light-sleep');
  now = 1000;
  ledger.report('radio', 'rx');
  expect(ledger.stateOf('mcu')).toBe(REFERENCE_AWAKE_STATE);
  ledger.report('mcu', 'active');
  expect(ledger.stateOf('mcu')).toBe('active');
  ledger.report('mcu', 'light-sleep');
  expect(ledger.stateOf('mcu')).toBe(REFERENCE_AWAKE_STATE);
  now = 61_000;
  ledger.report('radio', 'sleep');
  expect(ledger.stateOf('mcu')).toBe('light-sleep');
  // 60 s awake at 24 mA and 1 s in light sleep (0.8 mA): rail mAh.
  now = 62_000;
  expect(ledger.snapshot().components.mcu.railMah).toBeCloseTo((24 * 60 + 0.8 * 2) / 3600, 6);
});

describe('the planner with the reference design against the manual\'s table', () => {
  test('LTE-M: every row within 15 %', async () => {
    const { worst, capsHeld } = compare(await sitePlan('LTE-M'), MANUAL['LTE-M'], 0.15);
    expect(worst).toBeLessThanOrEqual(0.15);
    expect(capsHeld).toBe(true);
  }, 120_000);

  // docs/power-model.md: this simulator's NB-IoT and 2G sessions cost more per 20 KB upload than the
  // table implies (1.6 and 0.9 mAh against ≈ 1.1 and ≈ 0.5); the residual is held here so that it
  // can only shrink.
  test.each([
    ['NB-IoT', 0.21],
    ['2G', 0.18],
  ] as const)('%s: every row within the recorded residual (%s)', async (network, residual) => {
    const { worst, capsHeld } = compare(await sitePlan(network), MANUAL[network], residual);
    expect(worst).toBeLessThanOrEqual(residual);
    expect(capsHeld).toBe(true);
  }, 120_000);
});
