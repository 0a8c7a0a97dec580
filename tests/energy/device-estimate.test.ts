import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACK } from '../../drivers/power/model';
import { DAYS_PER_YEAR } from '../../drivers/power/pack';
import type { BsonDocument } from '../../protocol/bson/types';
import { decodeFile } from '../../protocol/files/codec';
import { runSimulation } from '../../sim/run';
import { DEFAULT_SCENARIO, mergeScenario, type Scenario } from '../../sim/scenario';
import type { SimSummary } from '../../sim/summary';

/**
 * The device's own §5.7 battery estimate against the simulator's energy ledger over the same run.
 * The ledger projects the life of a full pack (projectedYears); the device estimates what is left
 * now, so at the same average draw it reads the projection less the time gone since power-on.
 * Agreement asked: within 1 % of that plus the half month remainTime rounds to (§5.7 counts whole
 * months), and within 5 % of the projection itself.
 */
const DAYS = 35;
const MINUTES_PER_DAY = 1440;
/** The installer's supervisionGet on USB, 2 minutes before the run ends and the ledger is read. */
const ASK_BEFORE_END_MIN = 2;
const MONTHS_PER_YEAR = 12;
/** remainTime is a whole number of months. */
const ROUNDING_MONTHS = 0.5;
const SUPERVISION_GET = { name: `${DEFAULT_SCENARIO.device.uid}-cmd.bson`, json: { cmd: { type: 'supervisionGet', cid: 'battery' } } };

interface Battery {
  readonly remainTime: number | null;
  readonly capaPrcent: number;
  readonly capamAh: number;
}

async function runAndAsk(over: unknown): Promise<{ summary: SimSummary; battery: Battery }> {
  const base = mergeScenario(DEFAULT_SCENARIO, over) as Scenario;
  const scenario: Scenario = {
    ...base,
    days: DAYS,
    actions: [{ atMinutes: DAYS * MINUTES_PER_DAY - ASK_BEFORE_END_MIN, action: 'usb', files: [SUPERVISION_GET] }],
  };
  const run = await runSimulation(scenario, { print: () => undefined });
  for (const [name, bytes] of run.device.usbState.written) {
    if (!name.endsWith('-supervision.bson')) continue;
    const r = decodeFile(bytes, { encrypted: false, crcMode: 2 });
    if (!r.ok) throw new Error(`${name}: ${r.error}`);
    return { summary: run.summary, battery: (r.doc.supervision as BsonDocument).battery as unknown as Battery };
  }
  throw new Error('no supervision file on the USB drive');
}

/** What the ledger's figures leave of the pack after DAYS: charge drawn and 1 %/year of self-discharge. */
function ledgerLeftMah(s: SimSummary): number {
  return PACK.capacityMah - s.totalMahPerDay * DAYS - (PACK.capacityMah * PACK.selfDischargePerYear * DAYS) / DAYS_PER_YEAR;
}

function ledgerMonthsLeft(s: SimSummary): number {
  return MONTHS_PER_YEAR * (s.projectedYears - DAYS / DAYS_PER_YEAR);
}

const NO_COVERAGE = JSON.parse(readFileSync(join(__dirname, '../../sim/scenarios/no-coverage.json'), 'utf8')) as unknown;

describe.each([
  ['the default site', {}],
  ['no coverage (sim/scenarios/no-coverage.json)', NO_COVERAGE],
])('after %s runs 35 days', (_site, over) => {
  let result: { summary: SimSummary; battery: Battery };
  beforeAll(async () => {
    result = await runAndAsk(over);
  }, 120_000);

  test('the supervision remainTime is the ledger\'s projection less the 35 days gone, within 1 % and the rounding', () => {
    const expected = ledgerMonthsLeft(result.summary);
    expect(result.battery.remainTime).not.toBeNull();
    expect(Math.abs((result.battery.remainTime as number) - expected)).toBeLessThanOrEqual(0.01 * expected + ROUNDING_MONTHS);
  });

  test('the supervision remainTime is within 5 % of the ledger\'s projectedYears', () => {
    const projected = MONTHS_PER_YEAR * result.summary.projectedYears;
    expect(Math.abs((result.battery.remainTime as number) - projected)).toBeLessThanOrEqual(0.05 * projected);
  });

  test('capamAh is the capacity less the ledger\'s charge and self-discharge, within 2 mAh', () => {
    expect(Math.abs(result.battery.capamAh - ledgerLeftMah(result.summary))).toBeLessThanOrEqual(2);
  });

  test('capaPrcent is what is left in whole percent, below 100 once charge is drawn', () => {
    expect(result.battery.capaPrcent).toBe(Math.floor((100 * result.battery.capamAh) / PACK.capacityMah));
    expect(result.battery.capaPrcent).toBeLessThan(100);
  });
});
