/**
 * `npm run campaign -- [--power-cuts N] [--faults N] [--fuzz N] [--seed S]`: the reliability
 * campaign (docs/reliability.md). One figure per line, `name value`; the same options and seed print
 * the same figures. Progress and run times go to stderr.
 */
import { crcFreeCorpusFrames } from '../../tests/wmbus/corpus';
import { PowerCutError } from '../drivers/flash';
import { runDeterminism, type DeterminismReport } from './determinism.node';
import { runFaults, type FaultReport } from './faults.node';
import { runFuzz, type FuzzReport } from './fuzz';
import { runPowerCuts, type PowerCutReport } from './power-cuts.node';
import { CampaignServers } from './site.node';

export interface CampaignOptions {
  readonly powerCuts: number;
  readonly faults: number;
  readonly fuzz: number;
  readonly seed: number;
}

/** Sized for a few minutes on a 2-core machine (docs/reliability.md has the times). */
export const DEFAULT_CAMPAIGN: CampaignOptions = { powerCuts: 300, faults: 60, fuzz: 300_000, seed: 1 };

export const CAMPAIGN_USAGE = 'usage: npm run campaign -- [--power-cuts N] [--faults N] [--fuzz N] [--seed S]';

const FLAGS: Readonly<Record<string, keyof CampaignOptions>> = { '--power-cuts': 'powerCuts', '--faults': 'faults', '--fuzz': 'fuzz', '--seed': 'seed' };

export function parseCampaignOptions(argv: readonly string[]): { ok: true; options: CampaignOptions } | { ok: false; error: string } {
  const options: Record<keyof CampaignOptions, number> = { ...DEFAULT_CAMPAIGN };
  for (let i = 0; i < argv.length; i += 2) {
    const key = FLAGS[argv[i]];
    if (key === undefined) return { ok: false, error: `unknown option ${argv[i]}` };
    const value = argv[i + 1];
    if (value === undefined || !/^\d+$/.test(value)) return { ok: false, error: `${argv[i]} needs a whole number (0 or more)` };
    options[key] = Number(value);
  }
  return { ok: true, options };
}

export interface CampaignResult {
  readonly fuzz: FuzzReport;
  readonly powerCuts: PowerCutReport;
  readonly faults: FaultReport | undefined;
  readonly determinism: DeterminismReport;
  readonly lines: string[];
}

const RATIO_DECIMALS = 2;
const MAH_DECIMALS = 3;

function fuzzLines(r: FuzzReport): string[] {
  return [
    `fuzz inputs ${r.inputs}`,
    ...Object.entries(r.perTarget).map(([name, n]) => `fuzz inputs ${name} ${n}`),
    `fuzz crashes ${r.crashes}`,
    `fuzz hangs ${r.hangs}`,
    ...r.crashList.map((c) => `fuzz crash ${c.target}: ${c.error} input ${c.inputHex}`),
  ];
}

function powerCutLines(r: PowerCutReport): string[] {
  return [
    `power cuts made ${r.made}`,
    ...Object.entries(r.byKind)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([kind, n]) => `power cuts ${kind} ${n}`),
    `power cuts torn writes frame-store ${r.tornWrites['frame-store']}`,
    `power cuts torn writes settings ${r.tornWrites.settings}`,
    `power cuts torn writes files ${r.tornWrites.files}`,
    `power cuts torn writes ota ${r.tornWrites.ota}`,
    `power cuts frames stored before the cut ${r.framesStored}`,
    `power cuts frames lost ${r.framesLost}`,
    `power cuts configurations corrupt ${r.configurationsCorrupt}`,
    `power cuts configurations half applied ${r.configurationsHalfApplied}`,
    `power cuts boots failed ${r.bootsFailed}`,
    `power cuts firmware installs leaving no whole image ${r.firmwareBroken}`,
    ...r.problems.map((p) => `power cuts problem ${p}`),
  ];
}

function faultLines(r: FaultReport): string[] {
  return [
    `faults sites ${r.sites}`,
    `faults injected ${r.faultsInjected}`,
    ...Object.entries(r.byKind).map(([kind, n]) => `faults injected ${kind} ${n}`),
    `faults FTP server refusals ${r.serverRefusals}`,
    `faults frames stored ${r.framesStored}`,
    `faults frames uploaded exactly once ${r.uploadedOnce}`,
    `faults frames still pending on the box ${r.stillPending}`,
    `faults frames lost ${r.lost}`,
    `faults frames duplicated ${r.duplicated}`,
    `faults frames received but never stored ${r.unknown}`,
    `faults modem mAh/day fault-free ${r.faultFreeModemMahPerDay.toFixed(MAH_DECIMALS)}`,
    `faults modem energy vs fault-free mean ${r.meanModemRatio.toFixed(RATIO_DECIMALS)}`,
    `faults modem energy vs fault-free max ${r.maxModemRatio.toFixed(RATIO_DECIMALS)}`,
    ...Object.entries(r.maxModemRatioByKind).map(([kind, v]) => `faults modem energy vs fault-free max with ${kind} ${v.toFixed(RATIO_DECIMALS)}`),
    `faults retry storms ${r.retryStorms}`,
    ...r.problems.map((p) => `faults problem ${p}`),
  ];
}

/** A promise chain of the firmware that a power cut ended: on the board the CPU stopped there. */
function ignoreCutRejections(reason: unknown): void {
  if (reason instanceof PowerCutError) return;
  throw reason;
}

export async function runCampaign(options: CampaignOptions, out: (line: string) => void, progress: (line: string) => void = () => undefined): Promise<CampaignResult> {
  const lines: string[] = [];
  const print = (line: string): void => {
    lines.push(line);
    out(line);
  };
  const started = performance.now();
  const elapsed = (): string => `${((performance.now() - started) / 1000).toFixed(1)} s`;
  print(`campaign seed ${options.seed}`);
  const fuzz = runFuzz({ inputs: options.fuzz, seed: options.seed, telegrams: crcFreeCorpusFrames(), now: () => performance.now() });
  fuzzLines(fuzz).forEach(print);
  progress(`fuzz done after ${elapsed()}`);
  process.on('unhandledRejection', ignoreCutRejections);
  const servers = await CampaignServers.start();
  try {
    const powerCuts = await runPowerCuts({
      servers,
      cuts: options.powerCuts,
      seed: options.seed,
      progress: (made, planned) => progress(`power cuts ${made} made of ${planned} planned after ${elapsed()}`),
    });
    powerCutLines(powerCuts).forEach(print);
    const faults =
      options.faults > 0
        ? await runFaults({ servers, sites: options.faults, seed: options.seed, progress: (done, all) => progress(`fault sites ${done}/${all} after ${elapsed()}`) })
        : undefined;
    if (faults !== undefined) faultLines(faults).forEach(print);
    const determinism = await runDeterminism(servers, options.seed);
    print(`determinism same-seed runs under load ${determinism.runs}`);
    print(`determinism identical ${determinism.identical ? 'yes' : 'no'}`);
    if (determinism.difference !== undefined) print(`determinism problem ${determinism.difference}`);
    progress(`determinism done after ${elapsed()} (${determinism.hogs} busy processes)`);
    return { fuzz, powerCuts, faults, determinism, lines };
  } finally {
    await servers.close();
    process.off('unhandledRejection', ignoreCutRejections);
  }
}

if (require.main === module) {
  const parsed = parseCampaignOptions(process.argv.slice(2));
  if (!parsed.ok) {
    process.stderr.write(`${parsed.error}\n${CAMPAIGN_USAGE}\n`);
    process.exitCode = 2;
  } else {
    runCampaign(parsed.options, (line) => process.stdout.write(line + '\n'), (line) => process.stderr.write(line + '\n')).then(
      (r) => {
        const failed = r.fuzz.crashes + r.fuzz.hangs + r.powerCuts.framesLost + r.powerCuts.configurationsCorrupt + r.powerCuts.configurationsHalfApplied + r.powerCuts.bootsFailed + r.powerCuts.firmwareBroken + (r.determinism.identical ? 0 : 1) + (r.faults === undefined ? 0 : r.faults.lost + r.faults.duplicated + r.faults.retryStorms);
        process.exitCode = failed > 0 ? 1 : 0;
      },
      (err: unknown) => {
        process.stderr.write(`campaign: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
        process.exitCode = 1;
      },
    );
  }
}
