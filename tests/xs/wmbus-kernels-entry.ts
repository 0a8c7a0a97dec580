import { utf8Encode } from '../../protocol/text/utf8';
import { encodeStream } from '../../protocol/wmbus/encode';
import { PORTABLE_KERNELS, type WmbusKernels } from '../../protocol/wmbus/kernels';
import { decodePhy } from '../../protocol/wmbus/phy';
import type { LinkMode, PhyOptions, WmbusPhy } from '../../protocol/wmbus/types';
import { meterFrames } from '../../sim/radio/meter-frames';
import { createRandom } from '../../sim/world/random';

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
