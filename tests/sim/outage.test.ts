/**
 * A site without coverage for nine days, then with (sim/scenarios/outage.json, issue 13 item 2):
 * the first session that reaches the server takes the whole backlog, several times what the file
 * partition holds, in order and each frame once, read back from the server's tree (`--out`) with
 * npm bson. And the `network` action that ends the outage is checked like every scenario key.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { scenarioErrors } from '../../sim/cli/scenario-check';
import { runOnNode } from '../../sim/cli/main.node';
import { DEFAULT_SCENARIO } from '../../sim/scenario';
import { FrameStore } from '../../tasks/store/frame-store';
import { frameKey, readHubFile } from '../modem-session/support';

const SCENARIO = path.resolve(__dirname, '../../sim/scenarios/outage.json');
const OUTAGE_DAYS = 9;
/** Ten simulated days: real seconds. */
const RUN_TIMEOUT_MS = 120_000;

function serverFrames(dir: string): string[] {
  const data = path.join(dir, 'server', 'DATA');
  const out: string[] = [];
  for (const name of fs.readdirSync(data).filter((n) => n.endsWith('.bson')).sort()) {
    const doc = readHubFile(name, new Uint8Array(fs.readFileSync(path.join(data, name)))) as { data: { T: number; R: number; F: { buffer: Uint8Array } }[] };
    for (const d of doc.data) out.push(`${d.T}/${d.R}/${Buffer.from(d.F.buffer).toString('hex')}`);
  }
  return out;
}

test(
  'after nine days without coverage the first session uploads every stored frame, oldest first, each once',
  async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'outage-'));
    const { run } = await runOnNode(['--scenario', SCENARIO, '--days', String(OUTAGE_DAYS + 1), '--out', dir], () => undefined);

    const stored = [...FrameStore.open(run.device.frameFlash).records()].map(frameKey);
    const partition = DEFAULT_SCENARIO.device.filesBytes;
    const dataBytes = fs.readdirSync(path.join(dir, 'server', 'DATA')).reduce((n, f) => n + fs.statSync(path.join(dir, 'server', 'DATA', f)).size, 0);
    expect(dataBytes).toBeGreaterThan(2 * partition);
    expect(run.summary.framesUploaded).toBe(run.summary.framesStored);
    expect(serverFrames(dir)).toEqual(stored);
  },
  RUN_TIMEOUT_MS,
);

test('a network action names its faults, and an unknown fault key is refused with the known ones', () => {
  expect(scenarioErrors({ actions: [{ atMinutes: 60, action: 'network', faults: {} }] })).toEqual([]);
  const [error] = scenarioErrors({ actions: [{ atMinutes: 60, action: 'network', faults: { nocoverage: true } }] });
  expect(error).toMatch(/actions\[0\]\.faults: "nocoverage" is not a scenario key \(did you mean "noCoverage"\?\)/);
  expect(scenarioErrors({ actions: [{ atMinutes: 60, action: 'network' }] })).toEqual(['actions[0].faults: undefined is not an object of network faults (`{}`: none)']);
});
