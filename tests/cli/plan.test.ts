/**
 * `wmbus plan FILE`: the battery-life planner (sim/plan/). Its figures come from three short
 * simulator probes and a linear model per component; here they are held against 7-day
 * simulator runs of the same configurations, which the planner never ran.
 */
import { spawnSync } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { runScenarioOnNode } from '../../sim/cli/main.node';
import { ProbeRecorder, type ProbeOutcome } from '../../sim/plan/probe';
import { TABLE_WINDOW_MINUTES, type Plan } from '../../sim/plan/types';
import { DEFAULT_SCENARIO, mergeScenario, type Scenario } from '../../sim/scenario';
import type { SimSummary } from '../../sim/summary';

const BIN = join(__dirname, '..', '..', 'bin', 'wmbus.js');
const TOLERANCE = 0.05;
const WEEK_DAYS = 7;

function wmbus(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A 7-day simulator run of the default site with `config` merged into its preset: its summary, and its days after the installation day. */
async function weekOf(config: unknown): Promise<{ summary: SimSummary; afterInstall: ProbeOutcome }> {
  const scenario = mergeScenario(DEFAULT_SCENARIO, { days: WEEK_DAYS, preset: config }) as Scenario;
  const days = new ProbeRecorder('week');
  const { run } = await runScenarioOnNode(scenario, { onDayEnd: days.onDayEnd }, () => undefined);
  return { summary: run.summary, afterInstall: days.outcome() };
}

function planOf(path: string, ...flags: string[]): Plan {
  const r = wmbus('plan', path, '--json', ...flags);
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.out) as Plan;
}

function expectWithin(actual: number, expected: number): void {
  expect(Math.abs(actual - expected) / expected).toBeLessThanOrEqual(TOLERANCE);
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wmbus-plan-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function configFile(name: string, doc: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(doc));
  return path;
}

/** The default site's configuration as an operator would hand it to the planner. */
const SITE = DEFAULT_SCENARIO.preset;
/** Two 10-minute windows and two uploads a day: a schedule none of the probes runs. */
const BUSY = mergeScenario(SITE, {
  config: {
    scheduleRadio: [
      { cron: '0 3 * * *', data: 600 },
      { cron: '0 15 * * *', data: 600 },
    ],
    scheduleFTP: [
      { cron: '30 3 * * *', data: 7 },
      { cron: '30 15 * * *', data: 7 },
    ],
  },
});

describe('against a 7-day simulator run of the same configuration', () => {
  let site: Plan;
  beforeAll(() => {
    site = planOf(configFile('site.json', SITE));
  }, 120_000);

  test('the default site: total mAh/day and years within 5 %; each main component within 5 % of the days after the installation', async () => {
    const week = await weekOf(SITE);
    expectWithin(site.configuration.totalMahPerDay, week.summary.totalMahPerDay);
    expectWithin(site.configuration.years, week.summary.projectedYears);
    // The first day's installation (BLE, beeps, the session that fetches the configuration) is a one-off the plan leaves out.
    for (const component of ['mcu', 'radio', 'modem', 'board']) expectWithin(site.configuration.mAhPerDay[component], week.afterInstall.mAhPerDay[component]);
  }, 120_000);

  test('two 10-minute windows and two uploads a day: within 5 %', async () => {
    const plan = planOf(configFile('busy.json', BUSY));
    expect(plan.schedule).toEqual({ windows: 2, listeningSeconds: 1200, uploads: 2 });
    const week = await weekOf(BUSY);
    expectWithin(plan.configuration.totalMahPerDay, week.summary.totalMahPerDay);
    expectWithin(plan.configuration.years, week.summary.projectedYears);
    for (const component of ['mcu', 'radio', 'modem']) expectWithin(plan.configuration.mAhPerDay[component], week.afterInstall.mAhPerDay[component]);
  }, 120_000);

  test('the table has the manual\'s rows, and life falls with longer windows and more uploads', () => {
    expect(site.table.map((r) => r.windowMinutes)).toEqual(TABLE_WINDOW_MINUTES);
    for (const row of site.table) {
      const [twice, daily, weekly] = row.cells.map((c) => c.years);
      expect(twice).toBeLessThan(daily);
      expect(daily).toBeLessThan(weekly);
    }
    for (let i = 1; i < site.table.length; i++) expect(site.table[i].cells[1].years).toBeLessThan(site.table[i - 1].cells[1].years);
  });

  test('the 5-minute, once-a-day cell is the default site itself', () => {
    const cell = site.table.find((r) => r.windowMinutes === 5)?.cells[1];
    expect(cell?.totalMahPerDay).toBeCloseTo(site.configuration.totalMahPerDay, 6);
  });
});

test('the plain-text plan lists the components, the projection and the table laid out like §1.6.4', () => {
  const r = wmbus('plan', configFile('site-text.json', SITE), '--network', 'lte-m', '--frames-per-window', '300');
  expect(r.code).toBe(0);
  const lines = r.out.split('\n');
  expect(lines[0]).toBe(`plan: ${join(dir, 'site-text.json')}, network LTE-M, 300 meters, 300 frames a window (given)`);
  expect(lines[1]).toBe('  schedule               1 window(s) a day, 300 s listening, 1 upload(s) a day');
  expect(lines[2]).toMatch(/^ {2}mAh\/day at the pack {4}mcu \d+\.\d{3}, radio \d+\.\d{3}, modem \d+\.\d{3}, flash \d+\.\d{3}, buzzer \d+\.\d{3}, ble \d+\.\d{3}, board \d+\.\d{3}, converter \d+\.\d{3}$/);
  expect(lines[4]).toMatch(/^ {2}projected battery life \d+\.\d{2} years$/);
  const header = lines.findIndex((l) => l.startsWith('window (min)'));
  expect(lines[header]).toMatch(/2 uploads\/day +1 upload\/day +1 upload\/week$/);
  expect(lines.slice(header + 1, header + 1 + TABLE_WINDOW_MINUTES.length).map((l) => Number(l.split(/\s+/)[0]))).toEqual(TABLE_WINDOW_MINUTES);
}, 120_000);

test('a configuration the box would refuse is refused with the field and the reason, exit 1', () => {
  const r = wmbus('plan', configFile('bad.json', { config: { radio: { mode: 99 } } }));
  expect(r.code).toBe(1);
  expect(r.err).toMatch(/the box would refuse this configuration: config\.radio\.mode: /);
});

test.each([
  [['--network', 'lora'], '--network: expected lte-m, nb-iot or 2g'],
  [['--meters', '-3'], '--meters: expected a whole number'],
  [['--meters', '0'], '--meters: expected 1 to 5000'],
  [['--frames-per-window', 'many'], '--frames-per-window: expected a whole number'],
])('a bad option %j is a usage error', (flags, message) => {
  const r = wmbus('plan', configFile('ok.json', SITE), ...flags);
  expect(r.code).toBe(2);
  expect(r.err.split('\n')[0]).toBe(message);
});

test('an unreadable file is a usage error', () => {
  const r = wmbus('plan', join(dir, 'missing.json'));
  expect(r.code).toBe(2);
  expect(r.err.split('\n')[0]).toMatch(/^error: cannot read .*missing\.json/);
});
