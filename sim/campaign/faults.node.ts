/**
 * Network faults over multi-day sites: each site runs with one fault, or a few together, switched on
 * for its first days and off for the last one, so a box that holds its frames gets them out. What
 * the operator's FTP server received (its /DATA files, read with the project's file decoder) is
 * compared with what the frame store recorded, and the modem's energy a day with a fault-free run of
 * the same site.
 */
import type { BsonDocument, BsonValue } from '../../protocol/bson/types';
import { BsonBinary } from '../../protocol/bson/types';
import { decodeFile } from '../../protocol/files/codec';
import { FrameStore } from '../../tasks/store/frame-store';
import type { EmulatorFaults } from '../modem/types';
import { DEFAULT_SCENARIO, mergeScenario, type Scenario } from '../scenario';
import { createRandom, deriveSeed } from '../world/random';
import type { SimRandom } from '../world/types';
import type { CampaignServers } from './site.node';

const DAY = 86_400_000;
/**
 * Days of a fault site: faults on for the first FAULT_DAYS, off after, long enough for the failure
 * budget's next search (every 2.2 days at the default site's LTE-M 180 s) to drain the backlog.
 */
export const FAULT_SITE_DAYS = 6;
export const FAULT_DAYS = 3;
const SIM_PIN = '1234';
const FAULTS_STREAM = 0x6661756c;
/**
 * A site that starts more than this many times the fault-free run's modem sessions retries without
 * bound. Under the failure budget (commit 4c9af58) a failing box starts fewer sessions, not more.
 */
export const RETRY_STORM_SESSIONS = 2;
/** A site whose modem draws more than this many times the fault-free run a day is listed as a problem. */
export const HIGH_ENERGY_RATIO = 10;

/** One fault of the emulator (sim/modem/types.ts) or of the operator's FTP server (sim/servers/ftp.node.ts). */
interface FaultKind {
  readonly name: string;
  faults(random: SimRandom): EmulatorFaults;
  /** Share of the box's STOR and RNTO the server refuses with a 550, while the fault is on. */
  serverErrorRate?(random: SimRandom): number;
}

const FAULT_KINDS: readonly FaultKind[] = [
  { name: 'no coverage', faults: () => ({ noCoverage: true }) },
  { name: 'registration timeout', faults: () => ({ registrationTimeout: true }) },
  { name: 'PIN refused', faults: () => ({ pinRefused: true }) },
  // The default site's data file of a day is about 20 kB: the drop lands in a control or data connection's transfer.
  { name: 'socket drop mid-transfer', faults: (r) => ({ socketDrop: { afterBytes: r.int(200, 20_000), kind: r.next() < 0.5 ? 'closed' : 'pdpdeact' } }) },
  { name: 'garbage AT lines', faults: (r) => ({ garbageRate: 0.05 + 0.25 * r.next() }) },
  { name: 'truncated AT lines', faults: (r) => ({ truncateRate: 0.05 + 0.45 * r.next() }) },
  { name: 'slow replies', faults: (r) => ({ slowReplyMs: r.int(200, 5_000) }) },
  { name: 'FTP server errors', faults: () => ({}), serverErrorRate: (r) => 0.1 + 0.5 * r.next() },
];
/** Label of the random stream each site's FTP server refusals draw from. */
const SERVER_ERRORS_STREAM = 0x35353000;
const MAX_COMBINED = 3;

export interface FaultReport {
  readonly sites: number;
  /** Fault kinds switched on, summed over sites (a combination counts each of its kinds). */
  readonly faultsInjected: number;
  readonly byKind: Readonly<Record<string, number>>;
  readonly framesStored: number;
  /** Uploads and renames the FTP server refused with a 550, over every site. */
  readonly serverRefusals: number;
  readonly uploadedOnce: number;
  /** Stored frames the server never received and the store no longer holds as pending. */
  readonly lost: number;
  /** Stored frames still pending in the store at the end (the box still holds them). */
  readonly stillPending: number;
  /** Frames the server received more than once (counted once per extra copy). */
  readonly duplicated: number;
  /** Frames the server received that the store never recorded. */
  readonly unknown: number;
  readonly faultFreeModemMahPerDay: number;
  readonly meanModemRatio: number;
  readonly maxModemRatio: number;
  /** The highest modem mAh/day ratio of the sites each fault kind was on. */
  readonly maxModemRatioByKind: Readonly<Record<string, number>>;
  readonly retryStorms: number;
  readonly problems: readonly string[];
  /** Each site's faults and figures, in order. */
  readonly perSite: readonly ({
    readonly faults: string;
    readonly stored: number;
    readonly modemRatio: number;
    readonly sessions: number;
    /** Uploads and renames the FTP server refused (the `FTP server errors` fault). */
    readonly serverRefusals: number;
  } & FrameTally)[];
}

function frameKey(time: number, rssi: number, frame: Uint8Array): string {
  return `${time}/${rssi}/${Array.from(frame, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** Every frame of the server's /DATA files (uploads in progress, `.tmp`, left out as §5.1.1.3 says). */
function receivedFrames(files: ReadonlyMap<string, Uint8Array>, problems: string[]): string[] {
  const out: string[] = [];
  for (const [name, bytes] of files) {
    if (!name.startsWith('DATA/') || name.endsWith('.tmp')) continue;
    const r = decodeFile(bytes, { encrypted: false });
    if (!r.ok) {
      problems.push(`${name}: ${r.detail}`);
      continue;
    }
    const data = r.doc.data;
    if (!Array.isArray(data)) continue;
    for (const d of data as BsonValue[]) {
      const rec = d as BsonDocument;
      const f = rec.F;
      if (f instanceof BsonBinary) out.push(frameKey(Number(rec.T), Number(rec.R), f.bytes));
    }
  }
  return out;
}

export interface FrameTally {
  readonly uploadedOnce: number;
  readonly stillPending: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly unknown: number;
}

/**
 * `stored`: each frame the store holds (key: time/RSSI/bytes) and whether it is still behind the
 * upload cursor; `received`: every frame of the server's data files, a key per copy.
 */
export function tallyFrames(stored: ReadonlyMap<string, boolean>, received: readonly string[]): FrameTally {
  const copies = new Map<string, number>();
  for (const k of received) copies.set(k, (copies.get(k) ?? 0) + 1);
  let uploadedOnce = 0;
  let stillPending = 0;
  let lost = 0;
  for (const [k, pending] of stored) {
    const n = copies.get(k) ?? 0;
    if (n === 1) uploadedOnce++;
    else if (n === 0 && pending) stillPending++;
    else if (n === 0) lost++;
  }
  let duplicated = 0;
  let unknown = 0;
  for (const [k, n] of copies) {
    if (n > 1) duplicated += n - 1;
    if (!stored.has(k)) unknown++;
  }
  return { uploadedOnce, stillPending, lost, duplicated, unknown };
}

function faultScenario(seed: number, name: string): Scenario {
  const withPin = mergeScenario(DEFAULT_SCENARIO, {
    preset: { config: { remote: { modem: { cpin: SIM_PIN } } } },
    network: { sim: { pin: SIM_PIN } },
  }) as Scenario;
  return { ...withPin, name, seed, days: FAULT_SITE_DAYS };
}

/** Site i: first each kind alone, then combinations of two or three. */
function pickKinds(i: number, random: SimRandom): FaultKind[] {
  if (i < FAULT_KINDS.length) return [FAULT_KINDS[i]];
  const n = random.int(2, MAX_COMBINED);
  const pool = [...FAULT_KINDS];
  const out: FaultKind[] = [];
  while (out.length < n) out.push(pool.splice(random.int(0, pool.length - 1), 1)[0]);
  return out;
}

export interface FaultOptions {
  readonly servers: CampaignServers;
  readonly sites: number;
  readonly seed: number;
  readonly progress?: (done: number, planned: number) => void;
}

function modemMahPerDay(run: { summary: { mAhPerDay: Readonly<Record<string, number>> } }): number {
  return run.summary.mAhPerDay.modem ?? 0;
}

/** Runs the fault-free reference, then `sites` fault sites of the same site seed. */
export async function runFaults(options: FaultOptions): Promise<FaultReport> {
  const siteSeed = deriveSeed(options.seed, FAULTS_STREAM);
  const reference = await options.servers.run(faultScenario(siteSeed, 'fault-free'));
  const baseline = modemMahPerDay(reference.run);
  const problems: string[] = [];
  const byKind: Record<string, number> = {};
  let faultsInjected = 0;
  let framesStored = 0;
  let uploadedOnce = 0;
  let lost = 0;
  let stillPending = 0;
  let duplicated = 0;
  let unknown = 0;
  let ratioSum = 0;
  let maxRatio = 0;
  let storms = 0;
  const maxByKind: Record<string, number> = {};
  const baselineSessions = reference.run.summary.modemSessions;
  const perSite: FaultReport['perSite'][number][] = [];
  for (let i = 0; i < options.sites; i++) {
    const random = createRandom(deriveSeed(options.seed, FAULTS_STREAM, i));
    const kinds = pickKinds(i, random);
    const faults: EmulatorFaults = Object.assign({}, ...kinds.map((k) => k.faults(random))) as EmulatorFaults;
    const serverKind = kinds.find((k) => k.serverErrorRate !== undefined);
    const serverErrors =
      serverKind?.serverErrorRate === undefined
        ? undefined
        : { errorRate: serverKind.serverErrorRate(random), random: createRandom(deriveSeed(options.seed, SERVER_ERRORS_STREAM, i)) };
    const label = kinds.map((k) => k.name).join(' + ');
    for (const k of kinds) byKind[k.name] = (byKind[k.name] ?? 0) + 1;
    faultsInjected += kinds.length;
    const scenario = faultScenario(siteSeed, label);
    const site = await options.servers.run(
      scenario,
      ({ world, emulator }) => {
        emulator.setFaults(faults);
        world.at(Date.parse(scenario.start) + FAULT_DAYS * DAY, () => {
          emulator.setFaults({});
          options.servers.setFtpFaults(undefined);
        });
      },
      serverErrors,
    );
    const store = FrameStore.open(site.run.device.frameFlash);
    const pendingFrom = store.pending(0).cursor;
    const stored = new Map<string, boolean>();
    for (const r of store.records(0)) stored.set(frameKey(r.time, r.rssi, r.frame), r.serial >= pendingFrom);
    const t = tallyFrames(stored, receivedFrames(site.serverFiles, problems));
    framesStored += stored.size;
    uploadedOnce += t.uploadedOnce;
    stillPending += t.stillPending;
    lost += t.lost;
    duplicated += t.duplicated;
    unknown += t.unknown;
    if (t.lost > 0 || t.duplicated > 0) problems.push(`site ${i} (${label}): ${t.lost} frames lost, ${t.duplicated} duplicated`);
    const ratio = baseline > 0 ? modemMahPerDay(site.run) / baseline : 0;
    ratioSum += ratio;
    maxRatio = Math.max(maxRatio, ratio);
    for (const k of kinds) maxByKind[k.name] = Math.max(maxByKind[k.name] ?? 0, ratio);
    if (ratio > HIGH_ENERGY_RATIO) problems.push(`site ${i} (${label}): modem ${modemMahPerDay(site.run).toFixed(3)} mAh/day, ${ratio.toFixed(2)} x the fault-free run`);
    const sessions = site.run.summary.modemSessions;
    perSite.push({ faults: label, stored: stored.size, modemRatio: ratio, sessions, serverRefusals: site.serverRefusals, ...t });
    if (sessions > RETRY_STORM_SESSIONS * baselineSessions) {
      storms++;
      problems.push(`site ${i} (${label}): ${sessions} modem sessions, the fault-free run ${baselineSessions}`);
    }
    options.progress?.(i + 1, options.sites);
  }
  return {
    sites: options.sites,
    faultsInjected,
    byKind,
    framesStored,
    uploadedOnce,
    lost,
    stillPending,
    duplicated,
    unknown,
    faultFreeModemMahPerDay: baseline,
    meanModemRatio: options.sites > 0 ? ratioSum / options.sites : 0,
    maxModemRatio: maxRatio,
    maxModemRatioByKind: maxByKind,
    retryStorms: storms,
    problems,
    perSite,
    serverRefusals: perSite.reduce((n, p) => n + p.serverRefusals, 0),
  };
}
