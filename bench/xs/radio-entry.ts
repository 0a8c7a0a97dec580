import { SortedKeys } from '../../protocol/collections/sorted-keys';
import { utf8Encode } from '../../protocol/text/utf8';
import { encodeStream } from '../../protocol/wmbus/encode';
import { parseHeader } from '../../protocol/wmbus/header';
import { IDENTITY_BYTES } from '../../protocol/wmbus/identity';
import { decodePhy } from '../../protocol/wmbus/phy';
import type { LinkMode } from '../../protocol/wmbus/types';
import { SimFlash } from '../../sim/drivers/flash';
import { meterFrames } from '../../sim/radio/meter-frames';
import { WindowFilter } from '../../tasks/radio/filter';
import { FrameStore } from '../../tasks/store/frame-store';

/**
 * The radio receive path inside XS: decode → header → recording rules (2000-ID white list,
 * per-window dedup) → frame store, driven step by step by bench/xs-radio.node.ts, which reads the
 * engine's compute meter and heap snapshots between steps.
 */
declare function issueCommand(request: ArrayBuffer): ArrayBuffer;
declare const performance: { now(): number };

const METERS = 2000;
const ID_OFFSET = 4;
const FRAME_STORE_BYTES = 1536 * 1024;

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

interface Bench {
  streams: Record<'T1' | 'C1A', Uint8Array[]>;
  whitelist: Uint8Array;
  flash: SimFlash;
  filter?: WindowFilter;
  store?: FrameStore;
  recorded: number;
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
  whitelist: packed,
  flash: new SimFlash({ size: FRAME_STORE_BYTES }),
  recorded: 0,
};

const api = {
  /** Decode only, `count` streams of one link mode; reports frames/s measured inside XS. */
  decode(kind: 'T1' | 'C1A', count: number): void {
    const streams = state.streams[kind];
    const t0 = performance.now();
    let ok = 0;
    for (let i = 0; i < count; i++) if (decodePhy(streams[i % streams.length], 'T1C1').ok) ok++;
    send({ kind, count, ok, ms: performance.now() - t0 });
  },
  /** Opens a listening window the way the radio task does: white list in a sorted packed set, an empty dedup set. */
  openWindow(): void {
    const wl = new SortedKeys(IDENTITY_BYTES, METERS);
    for (let i = 0; i < METERS; i++) wl.add(packed.subarray(i * IDENTITY_BYTES, (i + 1) * IDENTITY_BYTES));
    state.filter = new WindowFilter({ manufFilter: [], mediumFilter: [], whitelist: wl, mask: {} });
    state.store = FrameStore.open(state.flash);
    state.recorded = 0;
  },
  /** The full per-frame path for streams [from, to). */
  feed(kind: 'T1' | 'C1A', from: number, to: number): void {
    const streams = state.streams[kind];
    const filter = state.filter as WindowFilter;
    const store = state.store as FrameStore;
    const t0 = performance.now();
    for (let i = from; i < to; i++) {
      const d = decodePhy(streams[i % streams.length], 'T1C1');
      if (!d.ok) continue;
      const h = parseHeader(d.frame);
      if (!h.ok) continue;
      if (filter.judge(h.header.identity, d.frame.length) !== 'record') continue;
      store.append({ time: 1_790_000_000 + i, rssi: -80, frame: d.frame });
      state.recorded++;
    }
    send({ from, to, recorded: state.recorded, allHeard: filter.allWhitelistedHeard(), ms: performance.now() - t0 });
  },
  closeWindow(): void {
    state.filter = undefined;
    state.store = undefined;
  },
};

(globalThis as unknown as { bench: typeof api }).bench = api;
