import { expectOutputOfNpmStart } from './same-output';

/**
 * The same firmware, fakes and world bundled into one script and run inside the XS engine of npm
 * `@agoric/xsnap` (XS 13.3, not preloaded) must print exactly what the Node run prints: proof that
 * `npm run xs` still works, and that the code uses nothing V8 has and XS lacks. The device's own
 * XS, preloaded and frozen, runs the full set of option sets (moddable-conformance.test.ts); one
 * set here keeps the xsnap runner honest without paying for it three times (docs/benchmarks.md).
 */
describe('XS conformance: npm run xs prints what npm start prints', () => {
  test('default options, and the same --out tree', () => expectOutputOfNpmStart('sim/xs/run.node.ts', [], { compareOut: true }), 300_000);
  // Each run against its own mosquitto and head-end (sim/servers/mqtt-sim.node.ts).
  test('the MQTT site, and the same --out tree', () => expectOutputOfNpmStart('sim/xs/run.node.ts', ['--scenario', 'sim/scenarios/mqtt-site.json'], { compareOut: true }), 300_000);
});
