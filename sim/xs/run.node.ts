import { bundleForXs } from './bundle.node';
import { hostXsRun, runXsCommand, type XsEngine, type XsHostRun } from './host.node';
import { startXs, type XsMeterUsage } from './xsnap.node';

/** xsnap as the engine: sim/xs/entry.ts bundled with the firmware and evaluated in one worker. */
export const xsnapEngine: XsEngine<XsMeterUsage> = async (serve) => {
  const worker = await startXs('wmbus-sim', serve);
  const bundle = await bundleForXs('sim/xs/entry.ts');
  const { meterUsage } = await worker.evaluate(bundle);
  await worker.close();
  return meterUsage;
};

/**
 * `npm run xs`: the same simulation as `npm start`, but the bundled firmware, fakes and world run
 * inside the real XS engine (npm @agoric/xsnap); this process only provides stdout, the local
 * servers and the sockets (sim/xs/host.node.ts).
 */
export function runInXs(argv: string[], print: (line: string) => void): Promise<XsHostRun<XsMeterUsage>> {
  return hostXsRun(argv, print, xsnapEngine);
}

if (require.main === module) runXsCommand('xs run', xsnapEngine);
