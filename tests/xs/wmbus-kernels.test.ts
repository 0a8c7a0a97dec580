import { execFile } from 'child_process';
import * as path from 'path';
import { promisify } from 'util';

/**
 * The ESP32 firmware's C kernels, bound with the xsmc API exactly as on the device, run inside XS
 * (an xsnap worker built with them, see sim/xs/wmbus-xsnap.node.ts) and give what the portable
 * kernels give: values, `false` for short buffers, the same RangeErrors, and the same decodePhy
 * results for every link mode (tests/xs/wmbus-kernels-entry.ts makes the calls).
 */
const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
const run = promisify(execFile);

interface Report {
  calls: number;
  differences: string[];
  count: number;
}

describe('C kernels inside XS', () => {
  test('agree with the portable kernels call for call', async () => {
    const { stdout } = await run(TSX, ['--tsconfig', 'tsconfig.host.json', 'tests/xs/wmbus-kernels-run.node.ts'], { cwd: ROOT });
    const reports = JSON.parse(stdout.trim()) as Report[];
    expect(reports).toHaveLength(1);
    expect(reports[0].calls).toBeGreaterThan(3000);
    expect(reports[0].differences).toEqual([]);
  }, 180_000);
});
