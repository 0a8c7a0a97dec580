import { moddableHostBinary } from '../../sim/moddable/build.node';
import { expectOutputOfNpmStart } from './same-output';

/**
 * The firmware, the simulator board and its fakes preloaded on the Moddable SDK's own XS exactly as
 * on the ESP32 (sim/moddable/manifest.json, built for the SDK's headless Linux platform x-cli-lin)
 * must print exactly what the Node run prints (`npm run xs:moddable` against `npm start`). Needs
 * the SDK host tools: $MODDABLE as `eval "$(.ci/moddable-tools)"` sets it; without them the suite
 * fails and says how to get them.
 */
describe('Moddable XS conformance: npm run xs:moddable prints what npm start prints', () => {
  beforeAll(async () => {
    // Built once here (minutes when nothing is cached), so the runs below find it in the cache.
    await moddableHostBinary();
  }, 30 * 60_000);

  test.each([[[] as string[]], [['--seed', '7']], [['--seed', '42', '--days', '2']]])('options %j', (argv) => expectOutputOfNpmStart('sim/moddable/run.node.ts', argv), 600_000);
});
