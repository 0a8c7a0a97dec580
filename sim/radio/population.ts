/**
 * A deterministic population of simulated wM-Bus meters and what they put on the air.
 *
 * Schedule: meter i sends its k-th telegram at phase_i + k·interval_i + jitter_i·(2u−1), u uniform from a
 * PRNG seeded by (meter seed, k). Nothing depends on which windows were asked before, so any window can
 * be generated on its own and overlapping windows agree.
 *
 * Radio model (stated, not measured):
 * - RSSI: log-distance path loss PL(d) = PL(d0) + 10·n·log10(d/d0) with d0 = 1 m, PL(d0) = 31.2 dB (free
 *   space at 868.95 MHz), n = 2.8, plus a per-meter log-normal shadowing (sd 6 dB) and a per-telegram fading
 *   term (sd 2 dB); RSSI = transmit power (10 dBm) − loss, rounded to 0.5 dB as the CC1101 reports it.
 * - Air time: preamble and sync chips plus the stream, at 100 kchip/s (T1, C1) or 32.768 kchip/s (S1).
 * - Collisions: telegrams on the same channel (S1 alone, T1 and C1 shared) that overlap in time corrupt
 *   each other's overlapping bytes, except that one at least `captureDb` stronger survives.
 * - Bit errors: each stream byte is hit with probability 1 − (1 − BER)^8; a hit flips one chip bit.
 *
 * Security: a meter whose template uses TPL security mode 5 or 7 or an encrypting ELL carries its own
 * AES-128 key (from its seed) and encrypts every telegram under it and its own address, with the access
 * number (and for mode 7 the AFL message counter) stepping per telegram (meter-security.ts). A template
 * with a long TPL header is a meter behind a radio converter: the DLL carries the converter's own id,
 * the long header the meter's.
 */
import { encodeStream } from '../../protocol/wmbus/encode';
import { diehlTransform, parseHeader } from '../../protocol/wmbus/header';
import { idBytesFromText } from '../../protocol/wmbus/identity';
import type { LinkMode, MeterAddress, WmbusPhy } from '../../protocol/wmbus/types';
import { createRandom, deriveSeed, SeededRandom } from '../world/random';
import type { SimRandom } from '../world/types';
import { meterTemplates, MeterTemplate } from './meter-frames';
import { decryptFrame, encryptFrame, isPlaintext, messageCounter, securityLayout, SecurityLayout, setMessageCounter } from './meter-security';

export interface PathLossModel {
  txPowerDbm: number;
  /** Loss at the reference distance. */
  referenceLossDb: number;
  referenceDistanceM: number;
  exponent: number;
  /** Per-meter shadowing (fixed for the meter). */
  shadowingSdDb: number;
  /** Per-telegram fading. */
  fadingSdDb: number;
}

export const DEFAULT_PATH_LOSS: Readonly<PathLossModel> = {
  txPowerDbm: 10,
  referenceLossDb: 31.2,
  referenceDistanceM: 1,
  exponent: 2.8,
  shadowingSdDb: 6,
  fadingSdDb: 2,
};

export interface PopulationSpec {
  meters: number;
  /** Relative weights of the link modes (default T1 50, C1A 10, C1B 25, S1 15). */
  linkModes?: Partial<Record<LinkMode, number>>;
  /** Range of the nominal send interval of each meter (default 10 s to 120 s, at least 2 s). */
  intervalMs?: { min: number; max: number };
  /** Jitter as a fraction of the interval, ± (default 0.1, at most 0.45 so a meter's telegrams keep their order). */
  jitter?: number;
  /** Fraction of meters alternating two frame kinds of different size (default 0.3). */
  twoFrameKinds?: number;
  /** Range of meter distances to the concentrator (default 5 m to 400 m). */
  distanceM?: { min: number; max: number };
  pathLoss?: Partial<PathLossModel>;
  /** Chip bit error rate (default 0). */
  bitErrorRate?: number;
  /** Whether overlapping telegrams corrupt each other (default true). */
  collisions?: boolean;
  /** Capture margin: a telegram this much stronger than the other survives a collision (default 6 dB). */
  captureDb?: number;
  /**
   * Frame templates, CRC-free with L = length − 1 (default: the built-in corpus table). A template whose
   * security header says mode 5/7 or encrypting ELL is encrypted per meter when its payload is plaintext;
   * ciphertext templates need their key (MeterTemplate.key) and are sent as they are without one.
   */
  frames?: readonly (Uint8Array | MeterTemplate)[];
  /** Time origin of the schedules (default 0). */
  epochMs?: number;
}

export interface SimMeter {
  readonly index: number;
  /** Of the meter (long TPL header when there is one, else the DLL). */
  readonly manufacturer: string;
  readonly mField: number;
  /** Identification number as printed (8 digits), unique in the population. */
  readonly id: string;
  readonly version: number;
  readonly deviceType: number;
  readonly linkMode: LinkMode;
  readonly phy: WmbusPhy;
  readonly intervalMs: number;
  readonly jitterMs: number;
  readonly phaseMs: number;
  readonly distanceM: number;
  /** RSSI before per-telegram fading. */
  readonly meanRssiDbm: number;
  /** One or two frame kinds (CRC-free, encrypted parts in plaintext), sent in turn. */
  readonly frames: readonly Uint8Array[];
  /**
   * The 8-byte filter identity of the meter's frames as the firmware's filters read it with `longHeader`
   * on (the default): the long TPL header if any, else the DLL.
   */
  readonly identity: Uint8Array;
  /** The radio converter's id in the DLL (8 digits) when the meter sends a long TPL header. */
  readonly converterId?: string;
  /** The meter's AES-128 key, when at least one of its frame kinds is encrypted. */
  readonly key?: Uint8Array;
  /** The wmbusmeters driver of the meter's first frame kind, where the template names one. */
  readonly driver?: string;
}

export interface SimTransmission {
  /** Start of the telegram on air (first preamble chip). */
  readonly atMs: number;
  readonly meterIndex: number;
  readonly phy: WmbusPhy;
  /** Exactly what the CC1101 FIFO delivers after the sync word (corruption included). */
  readonly stream: Uint8Array;
  readonly rssiDbm: number;
  /** Air time, preamble to last chip, at the mode's chip rate. */
  readonly durationMs: number;
  /** Which of the meter's frame kinds this is. */
  readonly frameKind: number;
  /** Sequence number of the telegram for its meter. */
  readonly sequence: number;
  /** Overlapped another telegram on the same channel without capturing it. */
  readonly collided: boolean;
  /** Chip bits flipped by the bit-error model. */
  readonly bitErrors: number;
}

export interface Population {
  readonly meters: readonly SimMeter[];
  /** Telegrams starting in [fromMs, toMs), ordered by start time then meter index. */
  transmissions(fromMs: number, toMs: number): SimTransmission[];
}

const DEFAULT_LINK_MODES: Readonly<Record<LinkMode, number>> = { T1: 50, C1A: 10, C1B: 25, S1: 15 };
const LINK_MODE_ORDER: readonly LinkMode[] = ['T1', 'C1A', 'C1B', 'S1'];
const DEFAULT_INTERVAL_MS = { min: 10_000, max: 120_000 };
const MIN_INTERVAL_MS = 2_000;
const DEFAULT_JITTER = 0.1;
const MAX_JITTER = 0.45;
const DEFAULT_TWO_KINDS = 0.3;
const DEFAULT_DISTANCE_M = { min: 5, max: 400 };
const DEFAULT_CAPTURE_DB = 6;
/** The CC1101 reports RSSI in 0.5 dB steps. */
const RSSI_STEP_DB = 0.5;
const ID_MIN = 10_000_000;
const ID_MAX = 99_999_999;
const ID_OFFSET = 4;
const KEY_BYTES = 16;
/** Label of a meter's own random stream (key, converter id); telegram streams use the telegram number alone. */
const OWN_STREAM = 0x6b6579;
const DLL_ADDRESS_OFFSET = 2;
const DLL_ADDRESS_BYTES = 8;
/** ELL: CI, CC, ACC (EN 13757-4 §13.2). */
const ELL_ACC_AT = 2;
/** Largest L a format-B (C1B) frame can have. */
const MAX_FORMAT_B_L = 251;

/** Chip rates (EN 13757-4): T and C modes 100 kchip/s, S mode 32.768 kchip/s. */
const CHIPS_PER_MS: Readonly<Record<WmbusPhy, number>> = { T1C1: 100, S1: 32.768 };
/**
 * Chips before the stream: minimum preambles of EN 13757-4 (T: 19 chip pairs, C: 16, S: 279) and the sync
 * word the receiver matches (T1/C1 0x543D, S1 0x547696 = 18 chips after the preamble).
 */
const OVERHEAD_CHIPS: Readonly<Record<LinkMode, number>> = { T1: 38 + 10, C1A: 32 + 16, C1B: 32 + 16, S1: 558 + 18 };
/** Longest telegram (S1, L = 255: 580 chip bytes) is under 160 ms; collisions are looked for this far around a window. */
const COLLISION_MARGIN_MS = 200;

interface MeterState extends SimMeter {
  readonly seed: number;
  /** Offsets of the access numbers (ELL, TPL) per frame kind, changed per telegram. */
  readonly accOffsets: readonly (readonly number[])[];
  /** How each frame kind is encrypted, undefined when it is sent as it is. */
  readonly layouts: readonly (SecurityLayout | undefined)[];
  /** Air time per frame kind. */
  readonly airtimesMs: readonly number[];
}

interface Candidate {
  meter: MeterState;
  sequence: number;
  atMs: number;
  endMs: number;
  rssiDbm: number;
  random: SeededRandom;
}

function pickWeighted(weights: Readonly<Record<LinkMode, number>>, random: SimRandom): LinkMode {
  let total = 0;
  for (const m of LINK_MODE_ORDER) total += Math.max(0, weights[m]);
  let r = random.next() * total;
  for (const m of LINK_MODE_ORDER) {
    r -= Math.max(0, weights[m]);
    if (r < 0) return m;
  }
  return 'T1';
}

function uniform(random: SimRandom, min: number, max: number): number {
  return min + random.next() * (max - min);
}

function roundRssi(dbm: number): number {
  return Math.round(dbm / RSSI_STEP_DB) * RSSI_STEP_DB;
}

function airtimeMs(frame: Uint8Array, mode: LinkMode): number {
  const stream = encodeStream(frame, mode);
  const phy: WmbusPhy = mode === 'S1' ? 'S1' : 'T1C1';
  return (OVERHEAD_CHIPS[mode] + 8 * (stream?.length ?? 0)) / CHIPS_PER_MS[phy];
}

/**
 * Writes the addresses into a copy of a (plaintext) template: the DLL bytes 2–9 and, with a long TPL
 * header, the meter's id there. The long header keeps the template's manufacturer, version and type
 * (the meter's), or takes `long` so that a second frame kind names the same meter as the first.
 */
function personalise(template: Uint8Array, dll: Uint8Array, long: MeterAddress | undefined, meterIdBytes: Uint8Array): Uint8Array {
  const frame = template.slice();
  frame.set(dll, DLL_ADDRESS_OFFSET);
  const parsed = parseHeader(frame, { ellPlaintext: true });
  if (parsed.ok && parsed.header.tpl?.kind === 'long') {
    const at = parsed.header.tpl.offset + 1;
    frame.set(meterIdBytes, at);
    if (long !== undefined) {
      frame[at + 4] = long.mField & 0xff;
      frame[at + 5] = long.mField >> 8;
      frame[at + 6] = long.version;
      frame[at + 7] = long.deviceType;
    }
  }
  return frame;
}

/**
 * Offsets of the access numbers that step per telegram: those of the ELL and the TPL header. A frame the
 * meter does not encrypt keeps its TPL ACC unless its payload is plaintext, since a mode-5 IV holds it.
 */
function accOffsets(frame: Uint8Array, layout: SecurityLayout | undefined): number[] {
  if (layout !== undefined) return [...layout.accOffsets];
  const parsed = parseHeader(frame);
  if (!parsed.ok) return [];
  const { ell, tpl, securityMode } = parsed.header;
  const out: number[] = [];
  if (ell !== undefined) out.push(ell.offset + ELL_ACC_AT);
  if (securityMode === 0 && tpl?.kind === 'short') out.push(tpl.offset + 1);
  if (securityMode === 0 && tpl?.kind === 'long') out.push(tpl.offset + 1 + DLL_ADDRESS_BYTES);
  return out;
}

interface Template {
  /** Plaintext where the template was encrypted and its key known. */
  readonly frame: Uint8Array;
  readonly layout: SecurityLayout | undefined;
  readonly driver?: string;
}

/** A template as a meter sends it before encryption: ciphertext templates decrypted with their corpus key. */
function plainTemplate(source: Uint8Array | MeterTemplate): Template {
  const t: { frame: Uint8Array; key?: Uint8Array } = source instanceof Uint8Array ? { frame: source } : source;
  const layout = securityLayout(t.frame);
  const driver = source instanceof Uint8Array ? undefined : source.driver;
  if (layout === undefined || isPlaintext(t.frame, layout)) return { frame: t.frame, layout, driver };
  const decrypted = t.key === undefined ? undefined : decryptFrame(t.frame, layout, t.key);
  if (decrypted?.ok === true) return { frame: decrypted.frame, layout, driver };
  // Ciphertext without a usable key: it goes on the air as it is, with no key in the site's list.
  return { frame: t.frame, layout: undefined, driver };
}

/** A 16-byte AES key drawn from a meter's own random stream. */
function drawKey(random: SimRandom): Uint8Array {
  const key = new Uint8Array(KEY_BYTES);
  for (let i = 0; i < KEY_BYTES; i++) key[i] = random.int(0, 0xff);
  return key;
}

function hasLongHeader(frame: Uint8Array): boolean {
  const parsed = parseHeader(frame, { ellPlaintext: true });
  return parsed.ok && parsed.header.tpl?.kind === 'long';
}

function bcdId(value: number): string {
  let s = String(value);
  while (s.length < 8) s = '0' + s;
  return s;
}

class SimPopulation implements Population {
  readonly meters: readonly MeterState[];

  constructor(
    meters: MeterState[],
    private readonly bitErrorRate: number,
    private readonly collisions: boolean,
    private readonly captureDb: number,
    private readonly fadingSdDb: number,
  ) {
    this.meters = meters;
  }

  transmissions(fromMs: number, toMs: number): SimTransmission[] {
    if (!(toMs > fromMs)) return [];
    const candidates = this.candidates(fromMs - COLLISION_MARGIN_MS, toMs + COLLISION_MARGIN_MS);
    const out: SimTransmission[] = [];
    for (let i = 0; i < candidates.length; i++) {
      const c = candidates[i];
      if (c.atMs < fromMs || c.atMs >= toMs) continue;
      out.push(this.build(c, this.collisions ? this.interferers(candidates, i) : []));
    }
    return out;
  }

  private candidates(fromMs: number, toMs: number): Candidate[] {
    const list: Candidate[] = [];
    for (const meter of this.meters) {
      const first = Math.max(0, Math.floor((fromMs - meter.phaseMs - meter.jitterMs) / meter.intervalMs));
      const last = Math.ceil((toMs - meter.phaseMs + meter.jitterMs) / meter.intervalMs);
      for (let k = first; k <= last; k++) {
        const random = createRandom(deriveSeed(meter.seed, k));
        const atMs = meter.phaseMs + k * meter.intervalMs + meter.jitterMs * (2 * random.next() - 1);
        if (atMs < fromMs || atMs >= toMs) continue;
        list.push({
          meter,
          sequence: k,
          atMs,
          endMs: atMs + meter.airtimesMs[k % meter.frames.length],
          rssiDbm: roundRssi(random.gaussian(meter.meanRssiDbm, this.fadingSdDb)),
          random,
        });
      }
    }
    list.sort((a, b) => a.atMs - b.atMs || a.meter.index - b.meter.index);
    return list;
  }

  /** Telegrams on the same channel overlapping candidate i that it does not capture, in list order. */
  private interferers(candidates: Candidate[], i: number): Candidate[] {
    const victim = candidates[i];
    const hits: Candidate[] = [];
    const consider = (other: Candidate): void => {
      if (other.meter.phy !== victim.meter.phy || other.endMs <= victim.atMs) return;
      if (victim.rssiDbm - other.rssiDbm >= this.captureDb) return;
      hits.push(other);
    };
    // The list is sorted by start, and no telegram is longer than the margin.
    let first = i;
    while (first > 0 && candidates[first - 1].atMs > victim.atMs - COLLISION_MARGIN_MS) first--;
    for (let j = first; j < i; j++) consider(candidates[j]);
    for (let j = i + 1; j < candidates.length && candidates[j].atMs < victim.endMs; j++) consider(candidates[j]);
    return hits;
  }

  private build(c: Candidate, interferers: Candidate[]): SimTransmission {
    const meter = c.meter;
    const kind = c.sequence % meter.frames.length;
    let frame: Uint8Array = meter.frames[kind].slice();
    for (const at of meter.accOffsets[kind]) frame[at] = c.sequence & 0xff;
    const layout = meter.layouts[kind];
    if (layout !== undefined && meter.key !== undefined) {
      if (layout.kind === 'mode7') setMessageCounter(frame, layout, messageCounter(frame, layout) + c.sequence);
      frame = encryptFrame(frame, layout, meter.key);
    }
    const stream = encodeStream(frame, meter.linkMode) as Uint8Array;
    const bitErrors = this.addBitErrors(stream, c.random);
    const chipsPerMs = CHIPS_PER_MS[meter.phy];
    const dataStartMs = c.atMs + OVERHEAD_CHIPS[meter.linkMode] / chipsPerMs;
    for (const other of interferers) {
      const from = Math.floor(((Math.max(c.atMs, other.atMs) - dataStartMs) * chipsPerMs) / 8);
      const to = Math.ceil(((Math.min(c.endMs, other.endMs) - dataStartMs) * chipsPerMs) / 8);
      for (let j = Math.max(0, from); j < Math.min(stream.length, to); j++) {
        stream[j] ^= 1 + c.random.int(0, 0xfe);
      }
    }
    return {
      atMs: c.atMs,
      meterIndex: meter.index,
      phy: meter.phy,
      stream,
      rssiDbm: c.rssiDbm,
      durationMs: c.endMs - c.atMs,
      frameKind: kind,
      sequence: c.sequence,
      collided: interferers.length > 0,
      bitErrors,
    };
  }

  private addBitErrors(stream: Uint8Array, random: SeededRandom): number {
    if (this.bitErrorRate <= 0) return 0;
    let clean = 1;
    for (let b = 0; b < 8; b++) clean *= 1 - this.bitErrorRate;
    const byteHit = 1 - clean;
    let flips = 0;
    for (let j = 0; j < stream.length; j++) {
      if (random.next() < byteHit) {
        stream[j] ^= 1 << random.int(0, 7);
        flips++;
      }
    }
    return flips;
  }
}

/** Builds `spec.meters` meters; every choice is drawn from `random`, so a seed gives the same population. */
export function createPopulation(spec: PopulationSpec, random: SimRandom): Population {
  const templates = (spec.frames ?? meterTemplates())
    .map(plainTemplate)
    .filter(({ frame: f }) => f.length >= 10 && f[0] === f.length - 1 && encodeStream(f, 'T1') !== undefined);
  const weights = { ...DEFAULT_LINK_MODES, ...spec.linkModes };
  const interval = spec.intervalMs ?? DEFAULT_INTERVAL_MS;
  const minInterval = Math.max(MIN_INTERVAL_MS, interval.min);
  const maxInterval = Math.max(minInterval, interval.max);
  const jitter = Math.min(MAX_JITTER, Math.max(0, spec.jitter ?? DEFAULT_JITTER));
  const twoKinds = spec.twoFrameKinds ?? DEFAULT_TWO_KINDS;
  const distance = spec.distanceM ?? DEFAULT_DISTANCE_M;
  const loss = { ...DEFAULT_PATH_LOSS, ...spec.pathLoss };
  const epoch = spec.epochMs ?? 0;
  const used = new Set<string>();
  const meters: MeterState[] = [];
  for (let index = 0; index < spec.meters && templates.length > 0; index++) {
    const seed = random.int(0, 0xffffffff);
    let linkMode = pickWeighted(weights, random);
    const first = templates[random.int(0, templates.length - 1)];
    if (linkMode === 'C1B' && first.frame[0] > MAX_FORMAT_B_L) linkMode = 'C1A';
    let id = bcdId(random.int(ID_MIN, ID_MAX));
    while (used.has(id)) id = bcdId(random.int(ID_MIN, ID_MAX));
    used.add(id);
    const idBytes = idBytesFromText(id) as Uint8Array;
    // The key and a converter's id come from the meter's own stream, so the draws above stay as they were.
    const own = createRandom(deriveSeed(seed, OWN_STREAM, 0));
    const key = drawKey(own);
    const long = hasLongHeader(first.frame);
    let converterId: string | undefined;
    if (long) {
      converterId = bcdId(own.int(ID_MIN, ID_MAX));
      while (used.has(converterId)) converterId = bcdId(own.int(ID_MIN, ID_MAX));
      used.add(converterId);
    }
    const dll = first.frame.slice(DLL_ADDRESS_OFFSET, DLL_ADDRESS_OFFSET + DLL_ADDRESS_BYTES);
    dll.set(converterId === undefined ? idBytes : (idBytesFromText(converterId) as Uint8Array), ID_OFFSET - DLL_ADDRESS_OFFSET);
    const kind0 = personalise(first.frame, dll, undefined, idBytes);
    const parsed0 = parseHeader(kind0, { ellPlaintext: true });
    const header0 = parsed0.ok ? parsed0.header : undefined;
    const frames = [kind0];
    const layouts = [first.layout];
    if (random.next() < twoKinds) {
      // A second kind of another size, with the same header layout so both carry the same identity.
      // Not one that would make a Diehl-family DLL read in another byte order (header.ts diehlTransform).
      const others = templates.filter(
        (t) =>
          t.frame.length !== first.frame.length &&
          hasLongHeader(t.frame) === long &&
          (linkMode !== 'C1B' || t.frame[0] <= MAX_FORMAT_B_L) &&
          diehlTransform(personalise(t.frame, dll, undefined, idBytes)) === 'none',
      );
      if (others.length > 0) {
        const second = others[random.int(0, others.length - 1)];
        frames.push(personalise(second.frame, dll, header0?.tpl?.address, idBytes));
        layouts.push(second.layout);
      }
    }
    const intervalMs = Math.round(uniform(random, minInterval, maxInterval));
    const distanceM = uniform(random, distance.min, distance.max);
    const pathLoss =
      loss.referenceLossDb + 10 * loss.exponent * Math.log10(Math.max(distanceM, loss.referenceDistanceM) / loss.referenceDistanceM);
    const meanRssiDbm = loss.txPowerDbm - pathLoss - random.gaussian(0, loss.shadowingSdDb);
    const address = header0?.tpl?.address ?? header0?.link.address;
    const encrypted = layouts.some((l) => l !== undefined);
    meters.push({
      index,
      seed,
      manufacturer: address?.manufacturer ?? '',
      mField: address?.mField ?? 0,
      id,
      version: address?.version ?? 0,
      deviceType: address?.deviceType ?? 0,
      linkMode,
      phy: linkMode === 'S1' ? 'S1' : 'T1C1',
      intervalMs,
      jitterMs: jitter * intervalMs,
      phaseMs: epoch + uniform(random, 0, intervalMs),
      distanceM,
      meanRssiDbm,
      frames,
      identity: header0?.identity ?? kind0.slice(DLL_ADDRESS_OFFSET, DLL_ADDRESS_OFFSET + DLL_ADDRESS_BYTES),
      ...(converterId !== undefined ? { converterId } : {}),
      ...(encrypted ? { key } : {}),
      ...(first.driver !== undefined ? { driver: first.driver } : {}),
      accOffsets: frames.map((f, k) => accOffsets(f, layouts[k])),
      layouts,
      airtimesMs: frames.map((f) => airtimeMs(f, linkMode)),
    });
  }
  return new SimPopulation(meters, spec.bitErrorRate ?? 0, spec.collisions !== false, spec.captureDb ?? DEFAULT_CAPTURE_DB, loss.fadingSdDb);
}
