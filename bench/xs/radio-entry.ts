import { utf8Encode } from '../../protocol/text/utf8';
import { encodeStream } from '../../protocol/wmbus/encode';
import { MAX_ON_AIR_BYTES } from '../../protocol/wmbus/blocks';
import { IDENTITY_FROM_DLL, identityFlags, parseHeader } from '../../protocol/wmbus/header';
import { IDENTITY_BYTES } from '../../protocol/wmbus/identity';
import { PORTABLE_KERNELS, type WmbusKernels } from '../../protocol/wmbus/kernels';
import { decodePhy } from '../../protocol/wmbus/phy';
import type { LinkMode, PhyOptions } from '../../protocol/wmbus/types';
import { Esp32Flash, type FlashClass, type FlashPartition } from '../../drivers/esp32/flash';
import type { Flash } from '../../drivers/flash/types';
import { SimFlash } from '../../sim/drivers/flash';
import { EnergyLedger } from '../../drivers/power/ledger';
import { meterFrames } from '../../sim/radio/meter-frames';
import { type RadioCounters, zeroCounters } from '../../tasks/counters';
import { WindowFilter, whitelistTable } from '../../tasks/radio/filter';
import { ReceivePath } from '../../tasks/radio/receive';
import { crc16Ccitt } from '../../protocol/checksum/crc16-ccitt';
import { FRAME_RECORD_OVERHEAD, FrameStore } from '../../tasks/store/frame-store';
import type { FrameStoreOptions } from '../../tasks/store/types';

/**
 * The radio receive path inside XS: decode → filter identity → recording rules (2000-ID white
 * list, per-window dedup) → frame store, driven step by step by bench/xs-radio.node.ts, which reads
 * the engine's compute meter and heap snapshots between steps. The whole path is the firmware's
 * own `ReceivePath`; the stages call what it calls, with the same options.
 *
 * Kernels: the native ones when the engine was built with them (a global `wmbusNative`, see
 * sim/xs/wmbus-xsnap.node.ts), else the portable TypeScript ones.
 */
declare function issueCommand(request: ArrayBuffer): ArrayBuffer;
declare const performance: { now(): number };

const NATIVE = (globalThis as { wmbusNative?: WmbusKernels }).wmbusNative;
const KERNELS: WmbusKernels = NATIVE ?? PORTABLE_KERNELS;
const RECORD_CRC = NATIVE?.crc16Ccitt ?? crc16Ccitt;
/** What tasks/app.ts hands the store: the board's native record CRC when it has one, else the store's own. */
const STORE_OPTIONS: FrameStoreOptions = { recordCrc: NATIVE?.crc16Ccitt };
/** FrameStore record: commit, kind, n, T (4), R, then F. */
const RECORD_PREFIX = 8;
const MAX_FRAME_BYTES = 255;

const METERS = 2000;
const ID_OFFSET = 4;
const FRAME_STORE_BYTES = 1536 * 1024;
const SECTOR_BYTES = 4096;
const ERASED = 0xff;

/**
 * The device's flash as the frame store sees it: the ESP32 driver over a RAM partition whose read,
 * write and erase are single native calls, as the Moddable `flash` module's are on the device.
 */
class RamPartition implements FlashPartition {
  readonly byteLength = FRAME_STORE_BYTES;
  readonly blockSize = SECTOR_BYTES;
  private readonly mem = new Uint8Array(FRAME_STORE_BYTES).fill(ERASED);

  read(offset: number, byteLength: number): ArrayBuffer {
    return this.mem.buffer.slice(offset, offset + byteLength);
  }

  write(offset: number, byteLength: number, buffer: ArrayBuffer): void {
    this.mem.set(new Uint8Array(buffer, 0, byteLength), offset);
  }

  erase(sector: number): void {
    this.mem.fill(ERASED, sector * SECTOR_BYTES, (sector + 1) * SECTOR_BYTES);
  }
}

/**
 * The RAM partition with a write that keeps nothing: metering appends on it leaves out the
 * stand-in's own write (a JS method and a metered copy of every programmed byte), which on the
 * device is one native call whose time is the flash program time.
 */
class StubWritePartition extends RamPartition {
  override write(): void {}
}

function deviceFlash(partition: FlashClass = RamPartition): Esp32Flash {
  let t = 0;
  const ledger = new EnergyLedger({ now: () => t++ } as unknown as ConstructorParameters<typeof EnergyLedger>[0]);
  return new Esp32Flash(partition, 'framestore', ledger);
}

function send(value: unknown): void {
  const bytes = utf8Encode(JSON.stringify(value));
  issueCommand(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
}

/** One frame per meter, each with its own id, from the real corpus templates with a short or no TPL header. */
function meterFramesWithIds(): Uint8Array[] {
  const templates = meterFrames().filter((f) => {
    const h = parseHeader(f);
    return h.ok && h.header.identitySource === 'dll';
  });
  const out: Uint8Array[] = [];
  for (let i = 0; i < METERS; i++) {
    const f = templates[i % templates.length].slice();
    const id = 10_000_000 + i;
    const digits = String(id);
    for (let b = 0; b < 4; b++) f[ID_OFFSET + b] = parseInt(digits.substr(6 - 2 * b, 2), 16);
    out.push(f);
  }
  return out;
}

type Kind = 'T1' | 'C1A';

interface Bench {
  streams: Record<Kind, Uint8Array[]>;
  flash?: Flash;
  filter?: WindowFilter;
  store?: FrameStore;
  path?: ReceivePath;
  /** Inputs of the stages after decoding, made outside the metered calls. */
  frames: Uint8Array[];
  identities: Uint8Array[];
}

const frames = meterFramesWithIds();
const packed = new Uint8Array(METERS * IDENTITY_BYTES);
frames.forEach((f, i) => {
  const h = parseHeader(f);
  if (h.ok) packed.set(h.header.identity, i * IDENTITY_BYTES);
});
const state: Bench = {
  streams: {
    T1: frames.map((f) => encodeStream(f, 'T1' as LinkMode) as Uint8Array),
    C1A: frames.map((f) => encodeStream(f, 'C1A' as LinkMode) as Uint8Array),
  },
  frames: [],
  identities: [],
};
/** What the receive path passes to decodePhy. */
const phyOptions: PhyOptions = { bFormatLFieldAdaptation: true, kernels: KERNELS, scratch: new Uint8Array(MAX_ON_AIR_BYTES) };
const identityOut = new Uint8Array(IDENTITY_BYTES);
/** What the receive path passes to the filter identity kernel (`longHeader` true). */
const IDENTITY_FLAGS = identityFlags({ longHeader: true });

function radioCounters(): RadioCounters {
  return zeroCounters().radio;
}

/** A window's filter, built the way the radio task builds it. */
function windowFilter(): WindowFilter {
  return new WindowFilter({ manufFilter: [], mediumFilter: [], whitelist: whitelistTable(packed, KERNELS), mask: {}, kernels: KERNELS });
}

const api = {
  /** Nothing: the metering baseline of one evaluate call. */
  noop(): void {
    send({ kernels: KERNELS === PORTABLE_KERNELS ? 'portable' : 'native' });
  },
  /** Mean frame length (bytes, CRCs removed) of the bench's meters. */
  meanFrameBytes(): void {
    send({ bytes: frames.reduce((s, f) => s + f.length, 0) / frames.length });
  },
  /** Decode only, `count` streams of one link mode; reports frames/s measured inside XS. */
  decode(kind: Kind, count: number): void {
    const streams = state.streams[kind];
    const t0 = performance.now();
    let ok = 0;
    for (let i = 0; i < count; i++) if (decodePhy(streams[i % streams.length], 'T1C1', phyOptions).ok) ok++;
    send({ kind, count, ok, ms: performance.now() - t0 });
  },
  /** Decoded frames and their identities for the later stages (not metered as a stage). */
  prepareStages(): void {
    state.frames = state.streams.C1A.map((s) => {
      const d = decodePhy(s, 'T1C1');
      return d.ok ? d.frame : new Uint8Array(0);
    });
    state.identities = state.frames.map((f) => {
      const id = new Uint8Array(IDENTITY_BYTES);
      KERNELS.filterIdentity(f, id, IDENTITY_FLAGS);
      return id;
    });
    send({});
  },
  /** Stage 1: chip stream → CRC-checked frame. */
  stageDecode(kind: Kind, count: number): void {
    const streams = state.streams[kind];
    let ok = 0;
    for (let i = 0; i < count; i++) if (decodePhy(streams[i], 'T1C1', phyOptions).ok) ok++;
    send({ stage: 'decode', count: ok });
  },
  /** Stage 2: the filter identity of each decoded frame. */
  stageIdentity(count: number): void {
    let ok = 0;
    for (let i = 0; i < count; i++) if (KERNELS.filterIdentity(state.frames[i], identityOut, IDENTITY_FLAGS) === IDENTITY_FROM_DLL) ok++;
    send({ stage: 'identity', count: ok });
  },
  /** A fresh window filter (white list built here, outside the metered stage). */
  newFilter(): void {
    state.filter = windowFilter();
  },
  /** Stage 3: recording rules (white list, dedup) on a fresh filter. */
  stageFilter(count: number): void {
    const filter = state.filter as WindowFilter;
    let recorded = 0;
    for (let i = 0; i < count; i++) if (filter.judge(state.identities[i], state.frames[i].length) === 'record') recorded++;
    send({ stage: 'filter', count: recorded });
  },
  /**
   * A fresh frame store on a blank partition (mounting it is not metered with the appends): the
   * simulator's flash (program is a JS byte loop) or the device driver over a RAM partition.
   * `prepared`: room for the whole stage made ready first, as the radio task's `prepare` before a
   * window does, so the appends meet no sector blank check. `stubWrite`: the device driver over
   * `StubWritePartition`.
   */
  newStore(flash: 'sim' | 'device', prepared = false, stubWrite = false): void {
    const device = (): Esp32Flash => deviceFlash(stubWrite ? StubWritePartition : RamPartition);
    const store = FrameStore.open(flash === 'sim' ? new SimFlash({ size: FRAME_STORE_BYTES }) : device(), STORE_OPTIONS);
    if (prepared) store.prepare(state.frames.reduce((sum, f) => sum + f.length + FRAME_RECORD_OVERHEAD, 0));
    state.store = store;
  },
  /** Stage 4: appending each frame to the store, as the receive path does. */
  stageStore(count: number): void {
    const store = state.store as FrameStore;
    for (let i = 0; i < count; i++) store.append({ time: Math.floor((1_790_000_000_000 + i) / 1000), rssi: Math.round(-80.4), frame: state.frames[i] });
    send({ stage: 'store', count });
  },
  /**
   * The record CRC alone (CRC-16/CCITT over T, R and F, as FrameStore.append computes it): the
   * native `crc16Ccitt` when the engine has it, else a TypeScript table loop like the store's.
   */
  stageRecordCrc(count: number): void {
    const record = new Uint8Array(RECORD_PREFIX + MAX_FRAME_BYTES);
    let sum = 0;
    for (let i = 0; i < count; i++) {
      const n = state.frames[i].length;
      record.set(state.frames[i], RECORD_PREFIX);
      sum ^= RECORD_CRC(record, 1, RECORD_PREFIX + n);
    }
    send({ stage: 'crc', count, sum });
  },
  /**
   * Drops the stage state and makes the partition the next window records to, so the heap
   * snapshot taken before the window holds the partition but nothing of the stages. `flash` as in
   * `newStore`; 'device-stub' is the device driver over `StubWritePartition`.
   */
  prepareWindow(flash: 'sim' | 'device' | 'device-stub'): void {
    state.frames = [];
    state.identities = [];
    state.filter = undefined;
    state.store = undefined;
    state.flash = flash === 'sim' ? new SimFlash({ size: FRAME_STORE_BYTES }) : deviceFlash(flash === 'device-stub' ? StubWritePartition : RamPartition);
    send({});
  },
  /**
   * Opens a listening window the way the radio task does: white list table, empty dedup set,
   * receive path; `prepareBytes` > 0: the store's `prepare` for that many bytes first, as the task
   * does before each window.
   */
  openWindow(prepareBytes = 0): void {
    const store = FrameStore.open(state.flash as Flash, STORE_OPTIONS);
    if (prepareBytes > 0) store.prepare(prepareBytes);
    const settings = { phy: 'T1C1' as const, t1Only: false, bFormatLFieldAdaptation: true, longHeader: true, kernels: KERNELS };
    state.path = new ReceivePath(settings, windowFilter(), store, radioCounters());
  },
  /** The firmware's per-packet path for streams [from, to). */
  feed(kind: Kind, from: number, to: number): void {
    const streams = state.streams[kind];
    const path = state.path as ReceivePath;
    const t0 = performance.now();
    for (let i = from; i < to; i++) path.onPacket(streams[i % streams.length], -80.4, 1_790_000_000_000 + i);
    send({ from, to, recorded: path.recorded, allHeard: path.filter.allWhitelistedHeard(), ms: performance.now() - t0 });
  },
  closeWindow(): void {
    state.path = undefined;
    state.flash = undefined;
  },
};

(globalThis as unknown as { bench: typeof api }).bench = api;
