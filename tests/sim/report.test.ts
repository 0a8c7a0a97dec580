/**
 * `npm start -- --report FILE.html`: one self-contained page with the battery charge, mAh/day per
 * component, frames per window, the sessions on a timeline and the alarms. Opened in headless
 * Chromium (Debian package `chromium`, installed by .ci/run) to see that the charts render.
 */
import { spawnSync } from 'child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { runOnNode } from '../../sim/cli/main.node';
import { ReportCollector } from '../../sim/report/collect';
import { countColour, decodePng } from '../support/png';

const CHROMIUM = '/usr/bin/chromium';
const WINDOW = '960,1500';
/** Colours of sim/report/html.ts: the charge curve, the component bars, an ok session, a raised alarm. */
const CHARGE = '#1f77b4';
const BAR = '#6baed6';
const SESSION_OK = '#31a354';
const ALARM = '#ff7f0e';

function chromium(...args: string[]): string {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run installs it)`);
  const r = spawnSync(CHROMIUM, ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', `--window-size=${WINDOW}`, ...args], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`chromium exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

describe('the console lines the report reads', () => {
  test('a window end: mode, length, heard and recorded', () => {
    const c = new ReportCollector();
    c.trace('2026-01-05T03:05:00.120Z radio window T1+C1 300 s, 1624 heard, 386 recorded');
    c.trace('2026-01-06T03:04:10.000Z radio window T1 250 s, 12 heard, 12 recorded, closed early');
    expect(c.data().windows).toEqual([
      { atMs: Date.parse('2026-01-05T03:05:00.120Z'), mode: 'T1+C1', seconds: 300, heard: 1624, recorded: 386 },
      { atMs: Date.parse('2026-01-06T03:04:10.000Z'), mode: 'T1', seconds: 250, heard: 12, recorded: 12 },
    ]);
  });

  test('a session end, ok or failed with its step and reason', () => {
    const c = new ReportCollector();
    c.trace('2026-01-05T03:30:22.681Z modem session ok, 5 files, 386 frames up, 0 inbox files');
    c.trace('2026-01-06T03:31:02.000Z modem session failed at register: no network (timeout 180 s), 0 files, 0 frames up, 0 inbox files');
    expect(c.data().sessions).toEqual([
      { atMs: Date.parse('2026-01-05T03:30:22.681Z'), ok: true, files: 5, framesUploaded: 386 },
      { atMs: Date.parse('2026-01-06T03:31:02.000Z'), ok: false, failure: 'register: no network (timeout 180 s)', files: 0, framesUploaded: 0 },
    ]);
  });

  test('an alarm raised and cleared', () => {
    const c = new ReportCollector();
    c.trace('2026-01-05T16:10:07.012Z alarm battery 98 (threshold 99) at 1767629407');
    c.trace('2026-01-07T16:10:07.012Z alarm temperature cleared 21 (threshold 30, margin 2) at 1767802207');
    expect(c.data().alarms).toEqual([
      { atMs: Date.parse('2026-01-05T16:10:07.012Z'), kind: 'battery', value: '98', cleared: false },
      { atMs: Date.parse('2026-01-07T16:10:07.012Z'), kind: 'temperature', value: '21', cleared: true },
    ]);
  });

  test('the other console lines, and a line without a time, are ignored', () => {
    const c = new ReportCollector();
    c.trace('2026-01-05T03:30:22.681Z modem: session ok, 5 files, 386 frames, modem on 23 s');
    c.trace('radio window T1 300 s, 1 heard, 1 recorded');
    expect(c.data()).toEqual({ samples: [], windows: [], sessions: [], alarms: [] });
  });
});

describe('a 3-day run of a site whose small pack raises the battery alarm', () => {
  let dir: string;
  let html: string;
  let lines: string[];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wmbus-report-'));
    const scenario = join(dir, 'small-pack.json');
    writeFileSync(scenario, JSON.stringify({ name: 'small pack', device: { batteryMah: 100 }, preset: { config: { alarms: { battery: 99 } } } }));
    const report = join(dir, 'report.html');
    ({ lines } = await runOnNode(['--days', '3', '--scenario', scenario, '--report', report], () => undefined));
    html = readFileSync(report, 'utf8');
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('the page needs nothing from the network: no script, no external resource', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|<img|src=|href=|url\(|https?:/i);
  });

  test('the summary table repeats the run\'s summary', () => {
    const total = lines.find((l) => l.startsWith('  total'))?.trim().split(/\s+/)[1];
    expect(html).toContain(`<th>total</th><td>${total} mAh/day at the pack</td>`);
  });

  test('Chromium renders every chart: the curve, the bars, a mark per window and session, the alarm', () => {
    const dom = chromium('--dump-dom', `file://${join(dir, 'report.html')}`);
    for (const id of ['summary', 'charge', 'components', 'frames', 'sessions', 'alarms']) expect(dom).toContain(`id="${id}"`);
    const count = (cls: string): number => (dom.match(new RegExp(`class="${cls}"`, 'g')) ?? []).length;
    expect(count('heard')).toBe(3);
    expect(count('stored')).toBe(3);
    expect(count('session ok')).toBeGreaterThanOrEqual(4);
    expect(count('alarm')).toBe(1);
    expect(dom).toMatch(/<td>battery<\/td><td>raised<\/td><td>98<\/td>/);
  }, 60_000);

  test('the screenshot is not blank: the chart colours are on it', () => {
    const png = join(dir, 'report.png');
    chromium(`--screenshot=${png}`, `file://${join(dir, 'report.html')}`);
    const image = decodePng(new Uint8Array(readFileSync(png)));
    expect(image.width).toBe(960);
    expect(countColour(image, CHARGE)).toBeGreaterThan(300);
    expect(countColour(image, BAR)).toBeGreaterThan(2000);
    expect(countColour(image, SESSION_OK)).toBeGreaterThan(100);
    expect(countColour(image, ALARM)).toBeGreaterThan(20);
  }, 60_000);
});
