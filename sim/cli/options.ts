import { DEFAULT_SCENARIO, mergeScenario, type Scenario } from '../scenario';
import { checkScenario } from './scenario-check';

/** Command-line options of the simulator's main job (`npm start -- …`). */
export interface MainOptions {
  readonly days?: number;
  readonly seed?: number;
  readonly scenarioFile?: string;
  readonly outDir?: string;
  readonly report?: string;
  readonly json: boolean;
  readonly trace: boolean;
}

export type ParsedOptions = { ok: true; options: MainOptions } | { ok: false; error: string };

export const USAGE = 'usage: npm start -- [--days N] [--seed N] [--scenario FILE] [--out DIR] [--report FILE.html] [--json] [--trace]';

function positiveInt(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return n > 0 ? n : undefined;
}

export function parseOptions(argv: readonly string[]): ParsedOptions {
  let days: number | undefined;
  let seed: number | undefined;
  let scenarioFile: string | undefined;
  let outDir: string | undefined;
  let report: string | undefined;
  let json = false;
  let trace = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = argv[i + 1];
    switch (a) {
      case '--days':
        days = positiveInt(value);
        if (days === undefined) return { ok: false, error: '--days needs a whole number of days ≥ 1' };
        i++;
        break;
      case '--seed':
        if (value === undefined || !/^\d+$/.test(value)) return { ok: false, error: '--seed needs a non-negative whole number' };
        seed = Number(value);
        i++;
        break;
      case '--scenario':
        if (value === undefined) return { ok: false, error: '--scenario needs a file' };
        scenarioFile = value;
        i++;
        break;
      case '--out':
        if (value === undefined) return { ok: false, error: '--out needs a directory' };
        outDir = value;
        i++;
        break;
      case '--report':
        if (value === undefined) return { ok: false, error: '--report needs a file name' };
        report = value;
        i++;
        break;
      case '--json':
        json = true;
        break;
      case '--trace':
        trace = true;
        break;
      default:
        return { ok: false, error: `unknown option ${a}` };
    }
  }
  return { ok: true, options: { days, seed, scenarioFile, outDir, ...(report !== undefined ? { report } : {}), json, trace } };
}

/**
 * The default site, overlaid by a scenario file and then by --days / --seed. Throws a ScenarioError
 * (scenario-check.ts) for a file with an unknown key or a value the site cannot run with.
 */
export function buildScenario(fileJson: unknown, options: MainOptions): Scenario {
  if (fileJson !== undefined) checkScenario(fileJson, options.scenarioFile ?? '(given)');
  let s = mergeScenario(DEFAULT_SCENARIO, fileJson ?? {}) as Scenario;
  if (options.days !== undefined) s = { ...s, days: options.days };
  if (options.seed !== undefined) s = { ...s, seed: options.seed };
  return s;
}
