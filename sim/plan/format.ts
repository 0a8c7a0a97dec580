import { TABLE_UPLOADS, type Plan, type PlanFigures } from './types';

const MAH_DECIMALS = 3;
const YEAR_DECIMALS = 1;
const COLUMN = 16;
const FIRST_COLUMN = 14;

function energyLine(f: PlanFigures): string {
  return Object.entries(f.mAhPerDay)
    .map(([k, v]) => `${k} ${v.toFixed(MAH_DECIMALS)}`)
    .join(', ');
}

function years(y: number): string {
  return Number.isFinite(y) ? y.toFixed(YEAR_DECIMALS) : 'unlimited';
}

function perDay(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(2);
}

/** The plan as `wmbus plan` prints it: the configuration's figures, then the table laid out like §1.6.4. */
export function formatPlan(plan: Plan, file: string): string[] {
  const c = plan.configuration;
  const s = plan.schedule;
  const fpw = `${Math.round(plan.framesPerWindow)} frames a window (${plan.framesPerWindowGiven ? 'given' : 'measured, 5 min window'})`;
  const lines = [
    `plan: ${file}, network ${plan.network}, ${plan.meters} meters, ${fpw}${plan.design === 'reference' ? ', reference design' : ''}`,
    `  schedule               ${perDay(s.windows)} window(s) a day, ${Math.round(s.listeningSeconds)} s listening, ${perDay(s.uploads)} upload(s) a day`,
    `  mAh/day at the pack    ${energyLine(c)}`,
    `  total                  ${c.totalMahPerDay.toFixed(MAH_DECIMALS)} mAh/day`,
    `  projected battery life ${c.years.toFixed(2)} years`,
    '',
    `battery life in years, ${plan.network}, 1 listening window a day of ${Math.round(plan.framesPerWindow)} frames (the manual's table stops at "> 15 years")`,
    'window (min)'.padEnd(FIRST_COLUMN) + TABLE_UPLOADS.map((u) => u.label.padStart(COLUMN)).join(''),
  ];
  for (const row of plan.table) {
    lines.push(String(row.windowMinutes).padEnd(FIRST_COLUMN) + row.cells.map((cell) => years(cell.years).padStart(COLUMN)).join(''));
  }
  lines.push('');
  lines.push(`probes (simulator, days 2-3 of 3):`);
  for (const p of plan.probes) {
    lines.push(
      `  ${p.label.padEnd(12)} ${Math.round(p.activity.listeningSeconds)} s listening, ${perDay(p.activity.sessions)} sessions, ` +
        `${Math.round(p.activity.frames)} frames a day: ${Object.values(p.mAhPerDay).reduce((a, b) => a + b, 0).toFixed(MAH_DECIMALS)} mAh/day`,
    );
  }
  return lines;
}
