import * as fs from 'node:fs';
import * as path from 'node:path';
import { EventLog } from '../../tasks/log/event-log';
import { SimFiles } from '../drivers/files';
import { KEY_LIST_FILE, keyListText } from '../radio/key-list';
import { sitePopulation } from '../radio/site-population';
import type { SimRun } from '../run';
import type { Scenario } from '../scenario';

/** Everything the device wrote, laid out for a person: its files, its settings, its USB drive, the summary. */
export function writeOutDir(outDir: string, run: SimRun, scenario: Scenario): void {
  const device = path.join(outDir, 'device');
  fs.rmSync(device, { recursive: true, force: true });
  fs.mkdirSync(path.join(device, 'files'), { recursive: true });
  for (const [name, bytes] of run.device.files) fs.writeFileSync(path.join(device, 'files', name), bytes);
  const settings: Record<string, unknown> = {};
  for (const [k, v] of run.device.settings) settings[k] = v instanceof Uint8Array ? { bytes: v.length } : v;
  fs.writeFileSync(path.join(device, 'settings.json'), JSON.stringify(settings, null, 2) + '\n');
  if (run.device.usbState.written.size > 0) {
    fs.mkdirSync(path.join(device, 'usb'), { recursive: true });
    for (const [name, bytes] of run.device.usbState.written) fs.writeFileSync(path.join(device, 'usb', name), bytes);
  }
  // The event log as the firmware keeps it, read back through its own reader (T: UTC s, C: code, D: data).
  const log = new EventLog(new SimFiles(run.device.files, Number.MAX_SAFE_INTEGER), run.device.clock());
  fs.writeFileSync(path.join(device, 'log.json'), JSON.stringify(log.entries(), null, 2) + '\n');
  fs.writeFileSync(path.join(outDir, 'summary.json'), JSON.stringify(run.summary, null, 2) + '\n');
  writeKeyList(outDir, scenario);
}

/** The meters' AES keys for a head-end decoder (sim/radio/key-list.ts); `npm run xs` writes the same file. */
export function writeKeyList(outDir: string, scenario: Scenario): void {
  fs.writeFileSync(path.join(outDir, KEY_LIST_FILE), keyListText(sitePopulation(scenario).meters));
}
