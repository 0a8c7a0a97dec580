/** `npm start -- --scenario FILE` on bad input: a message naming the file and the fault, never a stack trace or silence. */
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { buildScenario, parseOptions } from '../../sim/cli/options';
import { DEFAULT_SCENARIO } from '../../sim/scenario';
import { ScenarioError } from '../../sim/cli/scenario-check';
import { readScenarioFile } from '../../sim/cli/scenario-file.node';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wmbus-scenario-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function put(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** The ScenarioError `f` throws, or a failure when it throws nothing or something else. */
function messageOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    return (e as ScenarioError).message;
  }
  throw new Error('no ScenarioError thrown');
}

test('a scenario file that does not exist is named as not found', () => {
  const path = join(dir, 'nope.json');
  expect(messageOf(() => readScenarioFile(path))).toBe(`scenario file ${path} not found`);
});

test('a directory given as the scenario file says so', () => {
  expect(messageOf(() => readScenarioFile(dir))).toBe(`scenario file ${dir} is a directory`);
});

test('a scenario file that is not JSON gives the line and column where it stops being JSON', () => {
  const path = put('bad.json', '{\n  "days": 2,\n}\n');
  expect(messageOf(() => readScenarioFile(path))).toMatch(new RegExp(`^scenario file ${path} is not valid JSON at line 3 column 1: `));
});

test('a scenario file that is a JSON array, not an object, is refused', () => {
  const path = put('array.json', '[1, 2]');
  expect(messageOf(() => readScenarioFile(path))).toBe(`scenario file ${path}:\n  a scenario file holds a JSON object, not an array`);
});

test('an unknown key is named, with the key it most likely meant', () => {
  const path = put('typo.json', '{ "Days": 2, "meters": { "meter": 10 }, "network": { "coverage": [], "faultz": {} } }');
  expect(messageOf(() => readScenarioFile(path))).toBe(
    [
      `scenario file ${path}:`,
      '  "Days" is not a scenario key (did you mean "days"?)',
      '  in meters: "meter" is not a scenario key (known keys: meters, linkModes, intervalMs, jitter, twoFrameKinds, distanceM, pathLoss, bitErrorRate, collisions, captureDb, frames, epochMs)',
      '  in network: "faultz" is not a scenario key (known keys: imei, firmware, sim, coverage, dns, faults, grantPsm, rrcInactivityMs, signalJitterDb)',
    ].join('\n'),
  );
});

test.each<[string, string, string]>([
  ['a negative meter count', '{ "meters": { "meters": -5 } }', 'meters.meters: -5 is not a meter count (a whole number, 0 or more)'],
  ['a fractional meter count', '{ "meters": { "meters": 2.5 } }', 'meters.meters: 2.5 is not a meter count (a whole number, 0 or more)'],
  ['a meter count given as text', '{ "meters": { "meters": "300" } }', 'meters.meters: "300" is not a meter count (a whole number, 0 or more)'],
  ['zero days', '{ "days": 0 }', 'days: 0 is not a number of days (a whole number, 1 or more)'],
  ['a negative seed', '{ "seed": -1 }', 'seed: -1 is not a seed (a whole number, 0 or more)'],
  ['meters that are not an object', '{ "meters": 300 }', 'meters must be an object'],
])('a scenario file with %s is refused with a clear message', (_name, text, message) => {
  const path = put('value.json', text);
  expect(messageOf(() => readScenarioFile(path))).toBe(`scenario file ${path}:\n  ${message}`);
});

test('the default site, written out as a scenario file, reads without an error', () => {
  const path = put('default.json', JSON.stringify(DEFAULT_SCENARIO));
  expect(readScenarioFile(path)).toEqual(JSON.parse(JSON.stringify(DEFAULT_SCENARIO)));
});

test('a scenario file with a UTF-8 byte order mark is read', () => {
  const path = put('bom.json', '\ufeff{ "days": 2 }');
  expect(readScenarioFile(path)).toEqual({ days: 2 });
});

test('buildScenario refuses an unknown key even when the JSON was read elsewhere', () => {
  const parsed = parseOptions(['--scenario', 'site.json']);
  if (!parsed.ok) throw new Error(parsed.error);
  expect(messageOf(() => buildScenario({ meterz: { meters: 10 } }, parsed.options))).toMatch(
    /^scenario file site\.json:\n {2}"meterz" is not a scenario key \(known keys: name, seed, start, days, device, /,
  );
});

test('buildScenario still overlays a valid file and --days over the default site', () => {
  const parsed = parseOptions(['--days', '3']);
  if (!parsed.ok) throw new Error(parsed.error);
  const s = buildScenario({ meters: { meters: 0 } }, parsed.options);
  expect([s.meters.meters, s.days, s.meters.linkModes]).toEqual([0, 3, { T1: 60, C1A: 15, C1B: 25, S1: 0 }]);
});
