import { PACK, type PackModel } from '../../drivers/power/model';
import { packState } from '../../drivers/power/pack';
import type { SimSummary } from '../summary';
import type { ReportData, ReportSample } from './collect';

const WIDTH = 880;
const HEIGHT = 220;
const MARGIN = { left: 64, right: 16, top: 24, bottom: 28 } as const;
const MS_PER_DAY = 86_400_000;
/** More points than this on the charge curve are thinned: the page stays small for a year's run. */
const MAX_CURVE_POINTS = 600;
const TICKS = 5;
const COLOURS = {
  charge: '#1f77b4',
  heard: '#9ecae1',
  stored: '#3182bd',
  uploaded: '#31a354',
  ok: '#31a354',
  failed: '#d62728',
  alarm: '#ff7f0e',
  cleared: '#7f7f7f',
  bar: '#6baed6',
  axis: '#444',
  grid: '#ddd',
} as const;

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function fixed(n: number, digits = 1): string {
  return n.toFixed(digits);
}

interface Axis {
  readonly x: (ms: number) => number;
  readonly y: (v: number) => number;
}

function timeAxis(startMs: number, endMs: number, yMax: number): Axis {
  const span = Math.max(1, endMs - startMs);
  const w = WIDTH - MARGIN.left - MARGIN.right;
  const h = HEIGHT - MARGIN.top - MARGIN.bottom;
  return {
    x: (ms) => MARGIN.left + ((ms - startMs) / span) * w,
    y: (v) => MARGIN.top + h - (yMax > 0 ? (v / yMax) * h : 0),
  };
}

/** Axes, grid and labels: virtual days along x, `unit` up y (labels from `offset`). */
function frame(axis: Axis, startMs: number, endMs: number, yMax: number, unit: string, offset = 0): string {
  const parts: string[] = [];
  const bottom = HEIGHT - MARGIN.bottom;
  for (let i = 0; i <= TICKS; i++) {
    const v = (yMax * i) / TICKS;
    const y = axis.y(v);
    parts.push(`<line x1="${MARGIN.left}" y1="${fixed(y)}" x2="${WIDTH - MARGIN.right}" y2="${fixed(y)}" stroke="${COLOURS.grid}"/>`);
    const label = offset + v;
    parts.push(`<text x="${MARGIN.left - 6}" y="${fixed(y + 4)}" text-anchor="end">${fixed(label, label >= 100 ? 0 : 1)}</text>`);
  }
  const days = (endMs - startMs) / MS_PER_DAY;
  const stepDays = Math.max(1, Math.ceil(days / 10));
  for (let d = 0; d <= days + 1e-9; d += stepDays) {
    const x = axis.x(startMs + d * MS_PER_DAY);
    parts.push(`<line x1="${fixed(x)}" y1="${bottom}" x2="${fixed(x)}" y2="${bottom + 4}" stroke="${COLOURS.axis}"/>`);
    parts.push(`<text x="${fixed(x)}" y="${bottom + 16}" text-anchor="middle">day ${d}</text>`);
  }
  parts.push(`<line x1="${MARGIN.left}" y1="${bottom}" x2="${WIDTH - MARGIN.right}" y2="${bottom}" stroke="${COLOURS.axis}"/>`);
  parts.push(`<line x1="${MARGIN.left}" y1="${MARGIN.top}" x2="${MARGIN.left}" y2="${bottom}" stroke="${COLOURS.axis}"/>`);
  parts.push(`<text x="4" y="${MARGIN.top - 10}">${escape(unit)}</text>`);
  return parts.join('');
}

function svg(id: string, title: string, body: string, height = HEIGHT): string {
  return `<svg id="${id}" class="chart" role="img" aria-label="${escape(title)}" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}">${body}</svg>`;
}

function thin(samples: readonly ReportSample[]): readonly ReportSample[] {
  if (samples.length <= MAX_CURVE_POINTS) return samples;
  const step = samples.length / MAX_CURVE_POINTS;
  const out: ReportSample[] = [];
  for (let i = 0; i < MAX_CURVE_POINTS; i++) out.push(samples[Math.floor(i * step)]);
  out.push(samples[samples.length - 1]);
  return out;
}

/** Remaining charge (pack model: capacity less what was drawn and what self-discharged). */
function chargeChart(data: ReportData, startMs: number, endMs: number, pack: PackModel): string {
  const points = thin(data.samples).map((s) => ({ atMs: s.atMs, mAh: packState(pack, s.usedMah, s.atMs - startMs).remainingMah }));
  if (points.length === 0) return '<p>No samples.</p>';
  const top = pack.capacityMah;
  const low = Math.min(...points.map((p) => p.mAh));
  // Zoom on what moved: the y axis spans the used charge, not the whole pack.
  const floor = Math.max(0, low - (top - low) * 0.25 - 1);
  const axis = timeAxis(startMs, endMs, top - floor);
  const path = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${fixed(axis.x(p.atMs))},${fixed(axis.y(p.mAh - floor))}`).join('');
  const body = frame(axis, startMs, endMs, top - floor, 'mAh left in the pack', floor) + `<path class="series" d="${path}" fill="none" stroke="${COLOURS.charge}" stroke-width="2"/>`;
  return svg('charge', 'Battery charge over the run', body);
}

function componentChart(summary: SimSummary): string {
  const entries = Object.entries(summary.mAhPerDay);
  const max = Math.max(...entries.map(([, v]) => v), 1e-9);
  const rowH = 22;
  const height = entries.length * rowH + 16;
  const labelW = 90;
  const barMax = WIDTH - labelW - 120;
  const rows = entries.map(([name, v], i) => {
    const y = 8 + i * rowH;
    const w = (v / max) * barMax;
    return (
      `<text x="${labelW - 8}" y="${y + 14}" text-anchor="end">${escape(name)}</text>` +
      `<rect class="bar" x="${labelW}" y="${y}" width="${fixed(Math.max(w, 0.5))}" height="${rowH - 6}" fill="${COLOURS.bar}"><title>${escape(name)}: ${v.toFixed(3)} mAh/day</title></rect>` +
      `<text x="${fixed(labelW + w + 6)}" y="${y + 14}">${v.toFixed(3)}</text>`
    );
  });
  return svg('components', 'mAh per day at the pack, per component', rows.join(''), height);
}

function framesChart(data: ReportData, startMs: number, endMs: number): string {
  const max = Math.max(1, ...data.windows.map((w) => w.heard), ...data.sessions.map((s) => s.framesUploaded));
  const axis = timeAxis(startMs, endMs, max);
  const slot = Math.max(2, Math.min(18, (WIDTH - MARGIN.left - MARGIN.right) / Math.max(1, data.windows.length * 3)));
  const bars = data.windows.map((w) => {
    const x = axis.x(w.atMs);
    const when = new Date(w.atMs).toISOString();
    return (
      `<rect class="heard" x="${fixed(x - slot)}" y="${fixed(axis.y(w.heard))}" width="${fixed(slot)}" height="${fixed(axis.y(0) - axis.y(w.heard))}" fill="${COLOURS.heard}"><title>${when}: ${w.heard} heard (${escape(w.mode)}, ${w.seconds} s)</title></rect>` +
      `<rect class="stored" x="${fixed(x)}" y="${fixed(axis.y(w.recorded))}" width="${fixed(slot)}" height="${fixed(axis.y(0) - axis.y(w.recorded))}" fill="${COLOURS.stored}"><title>${when}: ${w.recorded} stored</title></rect>`
    );
  });
  const uploads = data.sessions.map((s) => {
    const x = axis.x(s.atMs);
    return `<circle class="uploaded" cx="${fixed(x)}" cy="${fixed(axis.y(s.framesUploaded))}" r="4" fill="${COLOURS.uploaded}"><title>${new Date(s.atMs).toISOString()}: ${s.framesUploaded} uploaded</title></circle>`;
  });
  return svg('frames', 'Frames heard and stored per window, uploaded per session', frame(axis, startMs, endMs, max, 'frames') + bars.join('') + uploads.join(''));
}

function sessionTimeline(data: ReportData, startMs: number, endMs: number): string {
  const height = 70;
  const axis = timeAxis(startMs, endMs, 1);
  const y = 30;
  const marks = data.sessions.map((s) => {
    const x = axis.x(s.atMs);
    const colour = s.ok ? COLOURS.ok : COLOURS.failed;
    const text = `${new Date(s.atMs).toISOString()}: ${s.ok ? 'ok' : `failed at ${s.failure ?? ''}`}, ${s.files} files, ${s.framesUploaded} frames`;
    return `<rect class="session ${s.ok ? 'ok' : 'failed'}" x="${fixed(x - 3)}" y="${y - 12}" width="6" height="24" fill="${colour}"><title>${escape(text)}</title></rect>`;
  });
  const alarms = data.alarms.map((a) => {
    const x = axis.x(a.atMs);
    return `<polygon class="alarm" points="${fixed(x)},${y + 16} ${fixed(x - 6)},${y + 28} ${fixed(x + 6)},${y + 28}" fill="${a.cleared ? COLOURS.cleared : COLOURS.alarm}"><title>${escape(`${new Date(a.atMs).toISOString()}: alarm ${a.kind} ${a.cleared ? 'cleared ' : ''}${a.value}`)}</title></polygon>`;
  });
  const line = `<line x1="${MARGIN.left}" y1="${y}" x2="${WIDTH - MARGIN.right}" y2="${y}" stroke="${COLOURS.axis}"/>`;
  return svg('sessions', 'Modem sessions and alarms on the timeline', line + marks.join('') + alarms.join(''), height);
}

function alarmTable(data: ReportData): string {
  if (data.alarms.length === 0) return '<p id="alarms">No alarm during the run.</p>';
  const rows = data.alarms.map((a) => `<tr><td>${new Date(a.atMs).toISOString()}</td><td>${escape(a.kind)}</td><td>${a.cleared ? 'cleared' : 'raised'}</td><td>${escape(a.value)}</td></tr>`);
  return `<table id="alarms"><tr><th>time</th><th>alarm</th><th></th><th>value</th></tr>${rows.join('')}</table>`;
}

/**
 * The run as one self-contained HTML page (`npm start -- --report FILE.html`): inline CSS and SVG,
 * no script and nothing fetched, so it opens anywhere. The times are the device clock's.
 */
export function renderReport(summary: SimSummary, data: ReportData, startMs: number, pack: PackModel = PACK): string {
  const endMs = startMs + summary.days * MS_PER_DAY;
  const failed = data.sessions.filter((s) => !s.ok).length;
  const facts: [string, string][] = [
    ['site', `${summary.site} (seed ${summary.seed})`],
    ['run', `${summary.days} day(s), ${summary.meters} meters`],
    ['radio windows', `${summary.windows} (${summary.listeningSeconds} s listening)`],
    ['frames heard / stored / uploaded', `${summary.framesHeard} / ${summary.framesStored} / ${summary.framesUploaded}`],
    ['modem sessions', `${summary.modemSessions} (${failed} failed, ${summary.modemOnSeconds} s powered)`],
    ['total', `${summary.totalMahPerDay.toFixed(3)} mAh/day at the pack`],
    ['projected battery life', `${summary.projectedYears.toFixed(2)} years`],
  ];
  const style =
    'body{font:14px system-ui,sans-serif;margin:24px;color:#222;max-width:920px}h1{font-size:20px}h2{font-size:16px;margin-top:28px}' +
    'table{border-collapse:collapse}td,th{padding:3px 10px;border-bottom:1px solid #eee;text-align:left}svg text{font-size:11px;fill:#333}' +
    `.key span{display:inline-block;width:10px;height:10px;margin:0 4px 0 12px}`;
  const key = (items: [string, string][]): string => `<p class="key">${items.map(([c, t]) => `<span style="background:${c}"></span>${escape(t)}`).join('')}</p>`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${escape(`Simulation report: ${summary.site}`)}</title>`,
    `<style>${style}</style></head><body>`,
    `<h1>${escape(`Simulation report: ${summary.site}`)}</h1>`,
    `<table id="summary">${facts.map(([k, v]) => `<tr><th>${escape(k)}</th><td>${escape(v)}</td></tr>`).join('')}</table>`,
    '<h2>Battery charge</h2>',
    chargeChart(data, startMs, endMs, pack),
    '<h2>mAh per day, per component</h2>',
    componentChart(summary),
    '<h2>Frames per window</h2>',
    key([
      [COLOURS.heard, 'heard'],
      [COLOURS.stored, 'stored'],
      [COLOURS.uploaded, 'uploaded by the session'],
    ]),
    framesChart(data, startMs, endMs),
    '<h2>Modem sessions and alarms</h2>',
    key([
      [COLOURS.ok, 'session ok'],
      [COLOURS.failed, 'session failed'],
      [COLOURS.alarm, 'alarm raised'],
      [COLOURS.cleared, 'alarm cleared'],
    ]),
    sessionTimeline(data, startMs, endMs),
    '<h2>Alarms</h2>',
    alarmTable(data),
    '</body></html>',
    '',
  ].join('\n');
}
