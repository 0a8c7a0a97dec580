/**
 * Checks a scenario file before it is merged over the default site (`npm start -- --scenario FILE`):
 * a misspelt key would otherwise be merged in and ignored, and a negative meter count would run a
 * site with no meters. Each key table below is typed against its interface, so adding a field to
 * the scenario without listing it here is a compile error.
 */
import type { EmulatorFaults, EmulatorScenario } from '../modem/types';
import type { PopulationSpec } from '../radio/population';
import type { TearTarget } from '../drivers/power-rail';
import type { Scenario, SiteAction } from '../scenario';

/** A scenario file that cannot be run, with a message for the person who wrote it. */
export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
}

type KeyTable<T> = { readonly [K in keyof T]-?: true };

const SCENARIO_KEYS: KeyTable<Scenario> = {
  name: true,
  seed: true,
  start: true,
  days: true,
  device: true,
  temperature: true,
  meters: true,
  preset: true,
  installAtMinutes: true,
  actions: true,
  network: true,
  mqtt: true,
};
const DEVICE_KEYS: KeyTable<Scenario['device']> = {
  uid: true,
  sn: true,
  hardwareVersion: true,
  rtcErrorMs: true,
  rtcDriftPpm: true,
  frameStoreBytes: true,
  filesBytes: true,
  batteryMah: true,
  powerDesign: true,
};
const TEMPERATURE_KEYS: KeyTable<Scenario['temperature']> = { meanC: true, dailySwingC: true };
const METER_KEYS: KeyTable<PopulationSpec> = {
  meters: true,
  linkModes: true,
  intervalMs: true,
  jitter: true,
  twoFrameKinds: true,
  distanceM: true,
  pathLoss: true,
  bitErrorRate: true,
  collisions: true,
  captureDb: true,
  frames: true,
  epochMs: true,
};
const NETWORK_KEYS: KeyTable<EmulatorScenario> = {
  imei: true,
  firmware: true,
  sim: true,
  coverage: true,
  dns: true,
  faults: true,
  grantPsm: true,
  rrcInactivityMs: true,
  signalJitterDb: true,
};

type ActionName = SiteAction['action'];
/** Each action's keys besides `atMinutes` and `action`. */
const ACTION_KEYS: { readonly [A in ActionName]: readonly string[] } = {
  magnet: [],
  reset: ['magnetHeld'],
  usb: ['files'],
  powerCut: ['during', 'afterWrites'],
  network: ['faults'],
  sms: ['from', 'text'],
};
/** `faults` of a network action (sim/modem/types.ts EmulatorFaults). */
const FAULT_KEYS: KeyTable<EmulatorFaults> = {
  noCoverage: true,
  registrationTimeout: true,
  registrationDenied: true,
  pinRefused: true,
  pdpReject: true,
  socketDrop: true,
  garbageRate: true,
  truncateRate: true,
  slowReplyMs: true,
  bootFailure: true,
};
const TEAR_TARGETS: KeyTable<Record<TearTarget, true>> = { 'frame-store': true, settings: true, files: true, ota: true };

/** The groups whose keys are checked; `preset` (a configuration, checked by the device), `actions` and the rest are free-form here. */
const GROUPS: readonly [string, object][] = [
  ['device', DEVICE_KEYS],
  ['temperature', TEMPERATURE_KEYS],
  ['meters', METER_KEYS],
  ['network', NETWORK_KEYS],
];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const has = (table: object, key: string): boolean => Object.prototype.hasOwnProperty.call(table, key);

function unknownKeys(value: Record<string, unknown>, table: object, where: string): string[] {
  const known = Object.keys(table);
  return Object.keys(value)
    .filter((k) => !has(table, k))
    .map((k) => {
      const near = known.find((name) => name.toLowerCase() === k.toLowerCase());
      const hint = near === undefined ? `known keys: ${known.join(', ')}` : `did you mean "${near}"?`;
      return `${where}${JSON.stringify(k)} is not a scenario key (${hint})`;
    });
}

function wholeNumber(value: unknown, min: number): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= min;
}

function actionErrors(actions: unknown): string[] {
  if (!Array.isArray(actions)) return ['actions must be an array'];
  const errors: string[] = [];
  actions.forEach((a: unknown, i) => {
    const where = `actions[${i}]`;
    if (!isObject(a)) {
      errors.push(`${where} must be an object`);
      return;
    }
    if (typeof a.action !== 'string' || !has(ACTION_KEYS, a.action)) {
      errors.push(`${where}.action: ${JSON.stringify(a.action)} is not an action (known: ${Object.keys(ACTION_KEYS).join(', ')})`);
      return;
    }
    const allowed = ['atMinutes', 'action', ...ACTION_KEYS[a.action as ActionName]];
    for (const k of Object.keys(a)) if (!allowed.includes(k)) errors.push(`${where}: ${JSON.stringify(k)} is not a key of a ${a.action} action (known keys: ${allowed.join(', ')})`);
    if (typeof a.atMinutes !== 'number' || !Number.isFinite(a.atMinutes) || a.atMinutes < 0) errors.push(`${where}.atMinutes: ${JSON.stringify(a.atMinutes)} is not a number of minutes (0 or more)`);
    if (a.during !== undefined && (typeof a.during !== 'string' || !has(TEAR_TARGETS, a.during))) {
      errors.push(`${where}.during: ${JSON.stringify(a.during)} is not a store a cut can tear (${Object.keys(TEAR_TARGETS).join(', ')})`);
    }
    if (a.action === 'network') {
      if (isObject(a.faults)) errors.push(...unknownKeys(a.faults, FAULT_KEYS, `in ${where}.faults: `));
      else errors.push(`${where}.faults: ${JSON.stringify(a.faults)} is not an object of network faults (\`{}\`: none)`);
    }
    if (a.action === 'sms' && (typeof a.from !== 'string' || typeof a.text !== 'string')) errors.push(`${where}: an sms action needs a "from" number and a "text", both strings`);
    if (a.afterWrites !== undefined && !wholeNumber(a.afterWrites, 0)) errors.push(`${where}.afterWrites: ${JSON.stringify(a.afterWrites)} is not a write count (a whole number, 0 or more)`);
  });
  return errors;
}

/** Every problem of a parsed scenario file, one sentence each; empty when it can be run. */
export function scenarioErrors(json: unknown): string[] {
  if (!isObject(json)) return [`a scenario file holds a JSON object, not ${Array.isArray(json) ? 'an array' : json === null ? 'null' : typeof json}`];
  const errors = unknownKeys(json, SCENARIO_KEYS, '');
  for (const [group, table] of GROUPS) {
    const value = json[group];
    if (value === undefined) continue;
    if (!isObject(value)) errors.push(`${group} must be an object`);
    else errors.push(...unknownKeys(value, table, `in ${group}: `));
  }
  const meters = json.meters;
  if (isObject(meters) && meters.meters !== undefined && !wholeNumber(meters.meters, 0)) {
    errors.push(`meters.meters: ${JSON.stringify(meters.meters)} is not a meter count (a whole number, 0 or more)`);
  }
  const design = isObject(json.device) ? json.device.powerDesign : undefined;
  if (design !== undefined && design !== 'this' && design !== 'reference') {
    errors.push(`device.powerDesign: ${JSON.stringify(design)} is not a power design (this, reference)`);
  }
  if (json.days !== undefined && !wholeNumber(json.days, 1)) errors.push(`days: ${JSON.stringify(json.days)} is not a number of days (a whole number, 1 or more)`);
  if (json.seed !== undefined && !wholeNumber(json.seed, 0)) errors.push(`seed: ${JSON.stringify(json.seed)} is not a seed (a whole number, 0 or more)`);
  if (json.actions !== undefined) errors.push(...actionErrors(json.actions));
  return errors;
}

/** Throws a ScenarioError naming `file` and every problem when the parsed file cannot be run. */
export function checkScenario(json: unknown, file: string): void {
  const errors = scenarioErrors(json);
  if (errors.length === 0) return;
  throw new ScenarioError([`scenario file ${file}:`, ...errors.map((e) => `  ${e}`)].join('\n'));
}

/** 1-based line and column of `offset` in `text`. */
function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `line ${before.length} column ${before[before.length - 1].length + 1}`;
}

/** JSON.parse with a ScenarioError that says where the text stops being JSON. */
export function parseScenarioText(text: string, file: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return JSON.parse(body);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const at = /position (\d+)/.exec(message);
    const where = at === null ? '' : ` at ${lineColumn(body, Number(at[1]))}`;
    throw new ScenarioError(`scenario file ${file} is not valid JSON${where}: ${message}`);
  }
}
