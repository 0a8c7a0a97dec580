/**
 * Power cuts at chosen and random instants of simulated sites, each followed by the reboot and a
 * check of what survived. "Stored" is what the frame store had made durable before the cut: the
 * records a store opened on a copy of the flash, taken just before the torn write (or at the
 * instant of an instant cut), reads back. A frame of that set missing after the reboot is lost.
 */
import { decodeBson } from '../../protocol/bson/decode';
import { encodeBson } from '../../protocol/bson/encode';
import type { BsonDocument } from '../../protocol/bson/types';
import { applyConfigFile } from '../../protocol/config/apply';
import { defaultConfig } from '../../protocol/config/defaults';
import { configToDocument } from '../../protocol/config/serialize';
import type { Config } from '../../protocol/config/types';
import { encodeFile } from '../../protocol/files/codec';
import { ConfigStore } from '../../tasks/config-store';
import { KEY } from '../../tasks/settings-keys';
import { FrameStore } from '../../tasks/store/frame-store';
import { FACTORY_IMAGE, POWER_CUT_OFF_MS, type SimDevice } from '../device';
import { buildImage, IMAGE_HEADER_BYTES } from '../../protocol/firmware/image';
import { FIRMWARE_VERSION_NUMBER } from '../../tasks/app';
import { signWithTestKey } from '../../tests/fixtures/firmware-test-key';
import type { SimFlash } from '../drivers/flash';
import type { TearTarget } from '../drivers/power-rail';
import { SimSettings } from '../drivers/settings';
import { deviceCounters } from '../run';
import { DEFAULT_SCENARIO, type Scenario } from '../scenario';
import { createRandom, deriveSeed } from '../world/random';
import type { SimRandom } from '../world/types';
import type { SimWorld } from '../world/world';
import type { CampaignServers } from './site.node';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Days of one campaign site; two cuts a day, one in each half. */
export const RUN_DAYS = 3;
const CUTS_PER_DAY = 2;
export const CUTS_PER_RUN = RUN_DAYS * CUTS_PER_DAY;
/** The default site's schedule (sim/scenario.ts): radio window at 03:00 for 300 s, upload at 03:30. */
const WINDOW_AT = 3 * HOUR;
const WINDOW_MS = 300_000;
const UPLOAD_AT = 3 * HOUR + 30 * MINUTE;
/** The upload session of the default site lasts 21 to 23 s from 03:30 (npm start --trace). */
const UPLOAD_SPAN_MS = 20_000;
/** The second half of each day, when the box sleeps between schedules. */
const AFTERNOON = 12 * HOUR;
const SLOT_END = 23 * HOUR + 50 * MINUTE;
/** A box that came back runs its daily window within a day and a bit (RTC error and drift included). */
const RECOVERY_MS = 26 * HOUR;
/** Writes to skip before the torn one: enough to land anywhere in a window, an upload or a config apply. */
const FRAME_WRITES_MAX = 200;
const FILE_WRITES_MAX = 6;
const SETTINGS_WRITES_MAX = 12;
const CONFIG_WRITES_MAX = 3;
/**
 * The image a firmware-install cut drops on the drive: newer than the running build
 * (tasks/app.ts FIRMWARE_VERSION_NUMBER), for the simulated board, signed with the development key
 * the simulator's firmware trusts. Its payload takes IMAGE_PAYLOAD_BYTES / 4096 OTA writes
 * (tasks/usb.ts slices), plus the erase, the end and the boot choice.
 */
const IMAGE_PAYLOAD_BYTES = 40 * 1024;
const OTA_WRITES_MAX = IMAGE_PAYLOAD_BYTES / 4096 + 3;
const CAMPAIGN_IMAGE_NAME = 'campaign-fw.bin';
const CAMPAIGN_IMAGE = buildImage(
  { boardId: DEFAULT_SCENARIO.device.hardwareVersion, version: '02.00', versionNumber: FIRMWARE_VERSION_NUMBER + 100 },
  new Uint8Array(IMAGE_PAYLOAD_BYTES).map((_, i) => (i * 7) & 0xff),
  signWithTestKey,
);
const CAMPAIGN_IMAGE_PAYLOAD = CAMPAIGN_IMAGE.subarray(IMAGE_HEADER_BYTES, IMAGE_HEADER_BYTES + IMAGE_PAYLOAD_BYTES);
const CAMPAIGN_STREAM = 0x63757473;

/** Where a cut lands. */
export type CutKind =
  | 'radio window'
  | 'upload'
  | 'frame-store write'
  | 'file write'
  | 'settings write'
  | 'configuration write'
  | 'firmware install'
  | 'random instant';
const MORNING_KINDS: readonly CutKind[] = ['radio window', 'upload', 'frame-store write', 'file write', 'settings write'];
const AFTERNOON_KINDS: readonly CutKind[] = ['random instant', 'configuration write', 'firmware install'];

export interface PowerCutReport {
  /** Cuts asked for, and those made (an armed cut whose store saw no write in its slot is not made). */
  readonly planned: number;
  readonly made: number;
  readonly byKind: Readonly<Record<string, number>>;
  readonly tornWrites: Readonly<Record<TearTarget, number>>;
  /** Durable frames at the cuts, summed over cuts. */
  readonly framesStored: number;
  readonly framesLost: number;
  readonly configurationsCorrupt: number;
  readonly configurationsHalfApplied: number;
  readonly bootsFailed: number;
  /** Cuts in a firmware install after which the box would boot a part of an image, or no image. */
  readonly firmwareBroken: number;
  /** One line per problem found, for the person reading the report. */
  readonly problems: readonly string[];
}

interface Tally {
  made: number;
  byKind: Record<string, number>;
  framesStored: number;
  framesLost: number;
  configurationsCorrupt: number;
  configurationsHalfApplied: number;
  bootsFailed: number;
  firmwareBroken: number;
  problems: string[];
}

/** A configuration as stable bytes for comparing (its document with a fixed stamp). */
function configBytes(config: Config): string {
  return encodeBson(configToDocument(config, { version: 0, timestamp: 0, uid: '', sn: '' })).join(',');
}

/** The configuration the box boots with, and whether its stored entry reads (ConfigStore falls back silently). */
function storedConfig(device: SimDevice): { config: Config; readable: boolean } {
  const settings = new SimSettings(new Map(device.settings));
  const config = new ConfigStore(settings, () => ({ version: 0, timestamp: 0, uid: '', sn: '' })).current;
  const raw = settings.get(KEY.config);
  if (raw === undefined) return { config, readable: true };
  const doc = raw instanceof Uint8Array ? decodeBson(raw) : undefined;
  return { config, readable: doc !== undefined && doc.ok && applyConfigFile(defaultConfig(), doc.value).ok };
}

/** serial → record bytes of every frame a store opened on a copy of `flash` reads back. */
export function durableFrames(flash: SimFlash): Map<number, string> {
  const out = new Map<number, string>();
  for (const r of FrameStore.open(flash.clone()).records(0)) out.set(r.serial, `${r.time}/${r.rssi}/${r.frame.join(',')}`);
  return out;
}

/** Frames of `before` that `after` no longer holds, or holds with other content. */
export function lostFrames(before: ReadonlyMap<number, string>, after: ReadonlyMap<number, string>): number {
  let lost = 0;
  for (const [serial, record] of before) if (after.get(serial) !== record) lost++;
  return lost;
}

function configFile(name: string): BsonDocument {
  return { config: { name } };
}

interface PlannedCut {
  readonly kind: CutKind;
  readonly atMs: number;
  readonly slotEndMs: number;
  readonly afterWrites: number;
}

function planCut(day: number, half: number, startMs: number, random: SimRandom): PlannedCut {
  const dayStart = startMs + day * DAY;
  const kinds = half === 0 ? MORNING_KINDS : AFTERNOON_KINDS;
  const kind = kinds[random.int(0, kinds.length - 1)];
  const slotEndMs = dayStart + (half === 0 ? AFTERNOON : SLOT_END);
  switch (kind) {
    case 'radio window':
      return { kind, atMs: dayStart + WINDOW_AT + random.int(0, WINDOW_MS), slotEndMs, afterWrites: 0 };
    case 'upload':
      return { kind, atMs: dayStart + UPLOAD_AT + random.int(0, UPLOAD_SPAN_MS), slotEndMs, afterWrites: 0 };
    case 'frame-store write':
      return { kind, atMs: dayStart + WINDOW_AT - MINUTE, slotEndMs, afterWrites: random.int(0, FRAME_WRITES_MAX) };
    case 'file write':
      return { kind, atMs: dayStart + UPLOAD_AT - MINUTE, slotEndMs, afterWrites: random.int(0, FILE_WRITES_MAX) };
    case 'settings write':
      return { kind, atMs: dayStart + WINDOW_AT - MINUTE, slotEndMs, afterWrites: random.int(0, SETTINGS_WRITES_MAX) };
    case 'configuration write':
      return { kind, atMs: dayStart + AFTERNOON + random.int(0, 6 * HOUR), slotEndMs, afterWrites: random.int(0, CONFIG_WRITES_MAX) };
    case 'firmware install':
      return { kind, atMs: dayStart + AFTERNOON + random.int(0, 6 * HOUR), slotEndMs, afterWrites: random.int(0, OTA_WRITES_MAX) };
    default:
      return { kind, atMs: dayStart + AFTERNOON + random.int(0, SLOT_END - AFTERNOON - MINUTE), slotEndMs, afterWrites: 0 };
  }
}

const TEAR_OF: Partial<Record<CutKind, TearTarget>> = {
  'frame-store write': 'frame-store',
  'file write': 'files',
  'settings write': 'settings',
  'configuration write': 'settings',
  'firmware install': 'ota',
};

/** The image the box boots: the factory one or the campaign's, whole, in a bootable slot; never a part of one. */
function bootsAWholeImage(device: SimDevice): boolean {
  const slot = device.ota.slots[device.ota.bootSlot];
  if (slot.state === 'empty' || slot.state === 'written' || slot.state === 'invalid' || slot.state === 'aborted') return false;
  const image = slot.image;
  const same = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((v, i) => v === b[i]);
  return same(image, FACTORY_IMAGE) || same(image, CAMPAIGN_IMAGE_PAYLOAD);
}

/** Schedules one run's cuts and their checks on the site. */
function scheduleCuts(world: SimWorld, device: SimDevice, flash: SimFlash, cuts: readonly PlannedCut[], seed: number, tally: Tally): void {
  let before: { frames: Map<number, string>; config: Config; boots: number; windows: number } | undefined;
  let current: PlannedCut | undefined;
  let expectedConfig: Config | undefined;
  const snapshot = (): void => {
    before = { frames: durableFrames(flash), config: storedConfig(device).config, boots: device.stats.boots, windows: deviceCounters(device)?.radio.windows ?? 0 };
  };
  device.rail.onBeforeCut(() => snapshot());
  device.rail.onCut(() => {
    const cut = current;
    const seen = before;
    if (cut === undefined || seen === undefined) return;
    current = undefined;
    tally.made++;
    tally.byKind[cut.kind] = (tally.byKind[cut.kind] ?? 0) + 1;
    tally.framesStored += seen.frames.size;
    const where = `${cut.kind} cut at ${new Date(world.now()).toISOString()}`;
    // After the device's own boot event, which it scheduled first.
    world.at(world.now() + POWER_CUT_OFF_MS, () => {
      const lost = lostFrames(seen.frames, durableFrames(flash));
      tally.framesLost += lost;
      if (lost > 0) tally.problems.push(`${where}: ${lost} of ${seen.frames.size} stored frames lost`);
      if (device.stats.boots === seen.boots) {
        tally.bootsFailed++;
        tally.problems.push(`${where}: the box did not boot again`);
      }
      const stored = storedConfig(device);
      if (!stored.readable) {
        tally.configurationsCorrupt++;
        tally.problems.push(`${where}: the stored configuration does not decode`);
      }
      const now = configBytes(stored.config);
      const allowed = [configBytes(seen.config), ...(expectedConfig === undefined ? [] : [configBytes(expectedConfig)])];
      if (!allowed.includes(now)) {
        tally.configurationsHalfApplied++;
        tally.problems.push(`${where}: the configuration is neither the old one nor the one applied`);
      }
      expectedConfig = undefined;
      if (cut.kind === 'firmware install' && !bootsAWholeImage(device)) {
        tally.firmwareBroken++;
        tally.problems.push(`${where}: the box boots no whole image`);
      }
    });
    const made = tally.made;
    world.at(world.now() + RECOVERY_MS, () => {
      // A later cut may have stopped the next window itself; its own check follows that one.
      if (tally.made !== made || (deviceCounters(device)?.radio.windows ?? 0) > seen.windows) return;
      tally.bootsFailed++;
      tally.problems.push(`${where}: no radio window in the ${RECOVERY_MS / HOUR} h after the cut`);
    });
  });
  cuts.forEach((cut, i) => {
    world.at(cut.atMs, () => {
      current = cut;
      const target = TEAR_OF[cut.kind];
      if (cut.kind === 'configuration write') {
        const doc = configFile(`campaign ${seed}-${i}`);
        const r = applyConfigFile(storedConfig(device).config, doc);
        expectedConfig = r.ok ? r.config : undefined;
        device.rail.arm('settings', cut.afterWrites, createRandom(deriveSeed(seed, CAMPAIGN_STREAM, i)));
        device.plugUsb([{ name: `${DEFAULT_SCENARIO.device.uid}-cfg.bson`, bytes: encodeFile(doc, { encryption: false }) }]);
      } else if (cut.kind === 'firmware install') {
        device.rail.arm('ota', cut.afterWrites, createRandom(deriveSeed(seed, CAMPAIGN_STREAM, i)));
        const command = encodeFile({ cmd: { type: 'firmware', cid: `fw-${i}`, data: CAMPAIGN_IMAGE_NAME } }, { encryption: false });
        device.plugUsb([
          { name: `${DEFAULT_SCENARIO.device.uid}-cmd.bson`, bytes: command },
          { name: CAMPAIGN_IMAGE_NAME, bytes: CAMPAIGN_IMAGE },
        ]);
      } else if (target !== undefined) {
        device.rail.arm(target, cut.afterWrites, createRandom(deriveSeed(seed, CAMPAIGN_STREAM, i)));
      } else {
        snapshot();
        device.powerCut();
      }
    });
    world.at(cut.slotEndMs, () => {
      // An armed cut whose store saw no write in its slot: no cut made.
      if (current === cut) {
        device.rail.disarm();
        current = undefined;
        expectedConfig = undefined;
      }
    });
  });
}

export interface PowerCutOptions {
  readonly servers: CampaignServers;
  readonly cuts: number;
  readonly seed: number;
  /** Called after each site with the cuts made so far (progress for long campaigns). */
  readonly progress?: (made: number, planned: number) => void;
}

/** Runs ceil(cuts / CUTS_PER_RUN) sites of RUN_DAYS days, each from its own derived seed. */
export async function runPowerCuts(options: PowerCutOptions): Promise<PowerCutReport> {
  const tally: Tally = { made: 0, byKind: {}, framesStored: 0, framesLost: 0, configurationsCorrupt: 0, configurationsHalfApplied: 0, bootsFailed: 0, firmwareBroken: 0, problems: [] };
  const torn: Record<TearTarget, number> = { 'frame-store': 0, settings: 0, files: 0, ota: 0 };
  let planned = 0;
  for (let run = 0; planned < options.cuts; run++) {
    const seed = deriveSeed(options.seed, CAMPAIGN_STREAM, run);
    const scenario: Scenario = { ...DEFAULT_SCENARIO, name: `power cuts ${run}`, seed, days: RUN_DAYS };
    const startMs = Date.parse(scenario.start);
    const random = createRandom(seed);
    const cuts: PlannedCut[] = [];
    for (let k = 0; k < CUTS_PER_RUN && planned < options.cuts; k++, planned++) cuts.push(planCut(Math.floor(k / CUTS_PER_DAY), k % CUTS_PER_DAY, startMs, random));
    try {
      const site = await options.servers.run(scenario, ({ world, device, flash }) => scheduleCuts(world, device, flash, cuts, seed, tally));
      const rail = site.run.device.rail.counters.torn;
      for (const t of Object.keys(torn) as TearTarget[]) torn[t] += rail[t];
    } catch (e) {
      tally.bootsFailed++;
      tally.problems.push(`site ${run}: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
    }
    options.progress?.(tally.made, planned);
  }
  return { planned, ...tally, tornWrites: torn };
}
