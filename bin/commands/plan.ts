import type { ModemTechnology } from '../../drivers/modem/types';
import { applyConfigFile } from '../../protocol/config/apply';
import { defaultConfig } from '../../protocol/config/defaults';
import { formatPlan } from '../../sim/plan/format';
import { planConfiguration } from '../../sim/plan/planner.node';
import type { PlanOptions } from '../../sim/plan/types';
import type { PowerDesign } from '../../sim/power/reference-design';
import { loadConfigTypeFile } from './config-file';
import { parseArgs, parseKeyArgument } from './filekey';

const USAGE = [
  'usage: wmbus plan FILE [--network lte-m|nb-iot|2g] [--meters N] [--frames-per-window N] [--design this|reference] [--key BASE64|HEX] [--json]',
  '  --design reference: the power design the manual\'s battery table implies (docs/power-model.md, "Reference design")',
  '  FILE: a configuration (<uid>-cfg.bson[.aes], or extended JSON .json), applied over the factory defaults as the box would',
  '  prints mAh/day per component, the projected years, and the manual\'s battery table (§1.6.4) for that network',
].join('\n');
const EXIT_OK = 0;
const EXIT_REJECTED = 1;
const EXIT_USAGE = 2;
const NETWORKS: Readonly<Record<string, ModemTechnology>> = { 'lte-m': 'LTE-M', 'nb-iot': 'NB-IoT', '2g': '2G' };
const MAX_METERS = 5000;
const MAX_FRAMES_PER_WINDOW = 100_000;

function positiveInteger(text: string | undefined, max: number): number | undefined | string {
  if (text === undefined) return undefined;
  if (!/^[0-9]+$/.test(text)) return 'expected a whole number';
  const n = Number(text);
  return n >= 1 && n <= max ? n : `expected 1 to ${max}`;
}

/** `wmbus plan FILE`: the battery-life plan of a configuration (sim/plan/planner.node.ts). */
export async function run(args: string[]): Promise<number> {
  const json = args.includes('--json');
  const parsed = parseArgs(
    args.filter((a) => a !== '--json'),
    ['--network', '--meters', '--frames-per-window', '--design', '--key'],
  );
  if (parsed.error !== undefined || parsed.positional.length !== 1) {
    process.stderr.write(`${parsed.error ?? 'one FILE expected'}\n${USAGE}\n`);
    return EXIT_USAGE;
  }
  const options: { network?: ModemTechnology; meters?: number; framesPerWindow?: number; design?: PowerDesign } = {};
  const design = parsed.options.get('--design');
  if (design !== undefined) {
    if (design !== 'this' && design !== 'reference') {
      process.stderr.write(`--design: expected this or reference\n${USAGE}\n`);
      return EXIT_USAGE;
    }
    options.design = design;
  }
  const networkText = parsed.options.get('--network');
  if (networkText !== undefined) {
    const network = NETWORKS[networkText.toLowerCase()];
    if (network === undefined) {
      process.stderr.write(`--network: expected lte-m, nb-iot or 2g\n${USAGE}\n`);
      return EXIT_USAGE;
    }
    options.network = network;
  }
  for (const [flag, max, set] of [
    ['--meters', MAX_METERS, (n: number) => (options.meters = n)],
    ['--frames-per-window', MAX_FRAMES_PER_WINDOW, (n: number) => (options.framesPerWindow = n)],
  ] as const) {
    const value = positiveInteger(parsed.options.get(flag), max);
    if (typeof value === 'string') {
      process.stderr.write(`${flag}: ${value}\n${USAGE}\n`);
      return EXIT_USAGE;
    }
    if (value !== undefined) set(value);
  }
  const keyText = parsed.options.get('--key');
  const key = keyText === undefined ? undefined : parseKeyArgument(keyText);
  if (typeof key === 'string') {
    process.stderr.write(`${key}\n`);
    return EXIT_USAGE;
  }

  const [path] = parsed.positional;
  const defaults = defaultConfig();
  const loaded = loadConfigTypeFile(path, defaults, key);
  if (loaded.ok === 'unreadable') {
    process.stderr.write(`error: ${loaded.error}\n${USAGE}\n`);
    return EXIT_USAGE;
  }
  const applied = loaded.ok ? applyConfigFile(defaults, loaded.doc) : loaded;
  if (!loaded.ok || !applied.ok) {
    const why = applied.ok ? '' : `${applied.field}: ${applied.reason}`;
    process.stderr.write(`${path}: the box would refuse this configuration: ${why}\n`);
    return EXIT_REJECTED;
  }
  const plan = await planConfiguration(loaded.doc, applied.config, options satisfies PlanOptions);
  const out = json ? [JSON.stringify(plan)] : formatPlan(plan, path);
  process.stdout.write(out.join('\n') + '\n');
  return EXIT_OK;
}
