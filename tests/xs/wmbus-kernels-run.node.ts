import { utf8Decode } from '../../protocol/text/utf8';
import { bundleForXs } from '../../sim/xs/bundle.node';
import { startXsWithKernels } from '../../sim/xs/wmbus-xsnap.node';

/**
 * Runs tests/xs/wmbus-kernels-entry.ts in the xsnap worker that has the C kernels and prints its
 * report as one JSON line. A child process of tests/xs/wmbus-kernels.test.ts: xsnap is an ES
 * module package, which jest's CommonJS runtime cannot load.
 */
async function main(): Promise<void> {
  const reports: unknown[] = [];
  const worker = await startXsWithKernels('wmbus-kernels-test', async (request) => {
    reports.push(JSON.parse(utf8Decode(request)));
    return new Uint8Array(0);
  });
  try {
    await worker.evaluate(await bundleForXs('tests/xs/wmbus-kernels-entry.ts'));
  } finally {
    await worker.close();
  }
  process.stdout.write(JSON.stringify(reports) + '\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exitCode = 1;
});
