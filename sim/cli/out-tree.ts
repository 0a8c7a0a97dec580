import { utf8Encode } from '../../protocol/text/utf8';
import { EventLog } from '../../tasks/log/event-log';
import { SimFiles } from '../drivers/files';
import type { SimRun } from '../run';

/**
 * What `--out DIR` keeps of the device, as relative paths and bytes, built the same way on Node and
 * inside XS (`npm run xs` sends each entry over its bridge): the box's files, its settings, its USB
 * drive, its event log read back through its own reader, and the summary.
 */
export function outTree(run: SimRun): [string, Uint8Array][] {
  const out: [string, Uint8Array][] = [];
  for (const [name, bytes] of run.device.files) out.push([`device/files/${name}`, bytes]);
  const settings: Record<string, unknown> = {};
  for (const [k, v] of run.device.settings) settings[k] = v instanceof Uint8Array ? { bytes: v.length } : v;
  out.push(['device/settings.json', utf8Encode(JSON.stringify(settings, null, 2) + '\n')]);
  for (const [name, bytes] of run.device.usbState.written) out.push([`device/usb/${name}`, bytes]);
  // T: UTC s, C: code, D: data.
  const log = new EventLog(new SimFiles(run.device.files, Number.MAX_SAFE_INTEGER), run.device.clock());
  out.push(['device/log.json', utf8Encode(JSON.stringify(log.entries(), null, 2) + '\n')]);
  out.push(['summary.json', utf8Encode(JSON.stringify(run.summary, null, 2) + '\n')]);
  return out;
}
