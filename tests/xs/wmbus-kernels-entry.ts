import { KeyTable, probeKeyTable } from '../../protocol/collections/key-table';
import { utf8Encode } from '../../protocol/text/utf8';
import { encodeStream } from '../../protocol/wmbus/encode';
import { PORTABLE_KERNELS, type WmbusKernels } from '../../protocol/wmbus/kernels';
import { decodePhy } from '../../protocol/wmbus/phy';
import type { LinkMode, PhyOptions, WmbusPhy } from '../../protocol/wmbus/types';
import { meterFrames } from '../../sim/radio/meter-frames';
import { createRandom } from '../../sim/world/random';
import { steeredFrames } from '../wmbus/steered-frames';

/**
 * Runs inside the xsnap worker that has the C kernels (sim/xs/wmbus-xsnap.node.ts): calls the
 * native bindings and the portable kernels with the same arguments and reports every difference
 * (tests/xs/wmbus-kernels.test.ts). Outcomes compare as text: a value, or the name of what was thrown.
 */
declare function issueCommand(request: ArrayBuffer): ArrayBuffer;

const native = (globalThis as { wmbusNative?: WmbusKernels }).wmbusNative as WmbusKernels;
const portable = PORTABLE_KERNELS;
const random = createRandom(0x419);
const differences: string[] = [];
let calls = 0;

function send(value: unknown): void {
  const bytes = utf8Encode(JSON.stringify(value));
  issueCommand(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
}

function hex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += (b[i] < 16 ? '0' : '') + b[i].toString(16);
  return s;
}

function outcome(run: () => unknown): string {
  try {
    return String(run());
  } catch (e) {
    return (e as Error).name;
  }
}

function same(label: string, a: () => unknown, b: () => unknown): void {
  calls++;
  const x = outcome(a);
  const y = outcome(b);
  if (x !== y) differences.push(`${label}: native ${x}, portable ${y}`);
}

function bytes(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = random.int(0, 255);
  return b;
}

/** A decoder's result and what it wrote, for both kernels, from the same inputs. */
function decodeBoth(name: 'decode3of6' | 'decodeManchester', chips: Uint8Array, outLength: number, count: number, offset: number): void {
  const a = new Uint8Array(outLength);
  const b = new Uint8Array(outLength);
  same(`${name}(${chips.length} chips, out ${outLength}, ${count}, ${offset})`, () => native[name](chips, a, count, offset) && hex(a), () => portable[name](chips, b, count, offset) && hex(b));
}

const frames = meterFrames();
for (let i = 0; i < 500; i++) {
  const b = bytes(random.int(0, 300));
  const start = random.int(-2, b.length + 2);
  const end = random.int(start - 2, b.length + 2);
  same(`crc16(${b.length}, ${start}, ${end})`, () => native.crc16(b, start, end), () => portable.crc16(b, start, end));
  // A view with an offset into its buffer: the binding must start at the view, not the buffer.
  const view = b.subarray(Math.min(3, b.length));
  same(`crc16(view of ${view.length})`, () => native.crc16(view, 0, view.length), () => portable.crc16(view, 0, view.length));
}
for (let i = 0; i < 400; i++) {
  const f = frames[i % frames.length];
  const t1 = encodeStream(f, 'T1') as Uint8Array;
  const s1 = encodeStream(f, 'S1') as Uint8Array;
  if (i % 3 === 0) t1[random.int(0, t1.length - 1)] ^= 1 << random.int(0, 7);
  if (i % 3 === 0) s1[random.int(0, s1.length - 1)] ^= 1 << random.int(0, 7);
  const count = f.length + random.int(-2, 2);
  const outLength = f.length + random.int(-2, 2);
  decodeBoth('decode3of6', t1, outLength, count, random.int(-1, 1));
  decodeBoth('decodeManchester', s1, outLength, count, random.int(-1, 1));
  const onAir = (encodeStream(f, 'C1A') as Uint8Array).subarray(2);
  if (i % 2 === 0) onAir[random.int(0, onAir.length - 1)] ^= 1 << random.int(0, 7);
  const a = new Uint8Array(f.length + (i % 7 === 0 ? random.int(-12, 2) : 0));
  const b = new Uint8Array(a.length);
  same(`stripBlocksA(${onAir.length}, frame ${a.length})`, () => native.stripBlocksA(onAir, a) && hex(a), () => portable.stripBlocksA(onAir, b) && hex(b));
}
// Filter identity: real frames, their truncations and steered random frames, under every flag set.
const identityFrames = [...frames, ...frames.slice(0, 4).flatMap((f) => Array.from({ length: f.length }, (_, n) => f.subarray(0, n))), ...steeredFrames(0x1de, 600)];
for (const f of identityFrames) {
  for (let flags = 0; flags < 4; flags++) {
    const a = new Uint8Array(8);
    const b = new Uint8Array(8);
    same(`filterIdentity(${hex(f)}, ${flags})`, () => `${native.filterIdentity(f, a, flags)} ${hex(a)}`, () => `${portable.filterIdentity(f, b, flags)} ${hex(b)}`);
  }
}
same('filterIdentity into 7 bytes', () => native.filterIdentity(frames[0], new Uint8Array(7), 0), () => 'RangeError');

// Key-table probe: KeyTables filled through each probe, then the same lookups through both.
for (const [width, hashBytes, count] of [[8, 6, 300], [9, 6, 70_000]] as const) {
  const a = new KeyTable(width, hashBytes, undefined, native.probeKeys);
  const b = new KeyTable(width, hashBytes, undefined, probeKeyTable);
  const keys: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const key = bytes(width);
    if (i > 0 && random.next() < 0.3) key.set(keys[i - 1].subarray(0, hashBytes));
    keys.push(key);
    const added = a.add(key);
    if (added !== b.add(key) && differences.length < 20) differences.push(`add #${i}: native ${String(added)}`);
  }
  calls += count;
  for (let i = 0; i < 2000; i++) {
    const key = random.next() < 0.7 ? keys[random.int(0, count - 1)].slice() : bytes(width);
    if (random.next() < 0.4) key[random.int(hashBytes - 1, width - 1)] ^= 1 << random.int(0, 7);
    const ignore = [0, 1 << (width - 1), 1 << (width - 2)][random.int(0, 2)];
    same(`KeyTable(${width}).find #${i}`, () => a.find(key, ignore), () => b.find(key, ignore));
  }
}
// The bindings: a key at an offset (and `keys` itself as the key), slots as a view into a larger buffer.
const probeKeys = new Uint8Array([1, 2, 3, 4, 5, 6]);
const probeSlots = new Uint16Array(8);
for (let i = 0; i < 3; i++) probeSlots[probeKeyTable(probeKeys, 2, 1, probeSlots, 7, probeKeys, 2 * i, 0)] = i + 1;
const wideSlots = new Uint16Array(12);
wideSlots.set(probeSlots, 2);
for (let i = 0; i < 3; i++) {
  same(`probeKeys(keys as key, offset ${2 * i})`, () => native.probeKeys(probeKeys, 2, 1, probeSlots, 7, probeKeys, 2 * i, 0), () => portable.probeKeys(probeKeys, 2, 1, probeSlots, 7, probeKeys, 2 * i, 0));
  same(`probeKeys(slots view, offset ${2 * i})`, () => native.probeKeys(probeKeys, 2, 1, wideSlots.subarray(2, 10), 7, probeKeys, 2 * i, 0), () => portable.probeKeys(probeKeys, 2, 1, probeSlots, 7, probeKeys, 2 * i, 0));
}
same('probeKeys with a key past its bytes', () => native.probeKeys(probeKeys, 2, 1, probeSlots, 7, probeKeys, 5, 0), () => 'RangeError');
same('probeKeys with slots not mask + 1 entries', () => native.probeKeys(probeKeys, 2, 1, probeSlots, 15, probeKeys, 0, 0), () => 'RangeError');
same('probeKeys with a mask that is not 2^n - 1', () => native.probeKeys(probeKeys, 2, 1, probeSlots.subarray(0, 6), 5, probeKeys, 0, 0), () => 'RangeError');
same('probeKeys with 8-bit slots', () => native.probeKeys(probeKeys, 2, 1, new Uint8Array(8) as unknown as Uint16Array, 7, probeKeys, 0, 0), () => 'RangeError');
same('probeKeys on a full table', () => native.probeKeys(probeKeys, 2, 1, Uint16Array.of(1, 2), 1, Uint8Array.of(9, 9), 0, 0), () => 'RangeError');
same('probeKeys naming a key past the keys', () => native.probeKeys(probeKeys, 2, 1, Uint16Array.of(4, 4, 4, 4), 3, probeKeys, 0, 0), () => 'RangeError');

same('crc16 of a non-buffer', () => native.crc16([1, 2] as unknown as Uint8Array, 0, 1), () => 'TypeError');
same('decode3of6 into a non-buffer', () => native.decode3of6(new Uint8Array(3), {} as Uint8Array, 1, 0), () => 'TypeError');

// The whole decoder with each set of kernels, on every link mode, good and damaged streams.
const modes: [LinkMode, WmbusPhy][] = [['T1', 'T1C1'], ['C1A', 'T1C1'], ['C1B', 'T1C1'], ['S1', 'S1']];
const scratch = new Uint8Array(300);
for (const [mode, phy] of modes) {
  for (let i = 0; i < 200; i++) {
    const stream = encodeStream(frames[i % frames.length], mode) as Uint8Array;
    if (i >= frames.length) stream[random.int(0, stream.length - 1)] ^= 1 << random.int(0, 7);
    const result = (kernels: WmbusKernels): string => {
      const options: PhyOptions = { kernels, scratch: i % 2 === 0 ? scratch : undefined };
      const r = decodePhy(stream, phy, options);
      return r.ok ? `${r.mode} ${hex(r.frame)}` : `${r.error} ${r.mode}`;
    };
    same(`decodePhy ${mode} #${i}`, () => result(native), () => result(portable));
  }
}

send({ calls, differences: differences.slice(0, 20), count: differences.length });
