/**
 * The simulator's determinism, proved under load: the same site and seed run twice while busy
 * processes keep every core occupied, and the two runs must agree byte for byte (the summary and
 * every file the operator's server received). Real-time latency of the local servers must never
 * leak into virtual time (docs/reliability.md, "Determinism").
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as os from 'node:os';
import { DEFAULT_SCENARIO, type Scenario } from '../scenario';
import type { CampaignServers, CampaignSiteRun } from './site.node';

const SITE_DAYS = 2;
/** A child that spins until it is killed. */
const BUSY_LOOP = 'for (;;) {}';

export interface DeterminismReport {
  readonly runs: number;
  /** Busy processes that loaded the machine meanwhile. */
  readonly hogs: number;
  readonly identical: boolean;
  /** What differed first, when the runs differ. */
  readonly difference?: string;
}

function startHogs(n: number): ChildProcess[] {
  return Array.from({ length: n }, () => spawn(process.execPath, ['-e', BUSY_LOOP], { stdio: 'ignore' }));
}

function firstDifference(a: CampaignSiteRun, b: CampaignSiteRun): string | undefined {
  const sa = JSON.stringify(a.run.summary);
  const sb = JSON.stringify(b.run.summary);
  if (sa !== sb) return `summary: ${sa} / ${sb}`;
  const names = [...new Set([...a.serverFiles.keys(), ...b.serverFiles.keys()])].sort();
  for (const name of names) {
    const x = a.serverFiles.get(name);
    const y = b.serverFiles.get(name);
    if (x === undefined || y === undefined) return `server file ${name}: only in run ${x === undefined ? 2 : 1}`;
    if (x.length !== y.length || x.some((v, i) => v !== y[i])) return `server file ${name}: different bytes`;
  }
  return undefined;
}

/** Runs the default site of `seed` for two days twice, with one busy process per core. */
export async function runDeterminism(servers: CampaignServers, seed: number): Promise<DeterminismReport> {
  const scenario: Scenario = { ...DEFAULT_SCENARIO, name: 'determinism', seed, days: SITE_DAYS };
  const hogs = startHogs(os.cpus().length);
  try {
    const first = await servers.run(scenario);
    const second = await servers.run(scenario);
    const difference = firstDifference(first, second);
    return { runs: 2, hogs: hogs.length, identical: difference === undefined, ...(difference !== undefined ? { difference } : {}) };
  } finally {
    for (const h of hogs) h.kill();
  }
}
