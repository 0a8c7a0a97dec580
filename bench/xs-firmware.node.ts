import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { buildImage, IMAGE_HEADER_BYTES as HEADER_BYTES, IMAGE_SIGNATURE_BYTES as SIGNATURE_BYTES } from '../protocol/firmware/image';
import { utf8Decode } from '../protocol/text/utf8';
import { bundleForXs } from '../sim/xs/bundle.node';
import { startXs, type XsWorker } from '../sim/xs/xsnap.node';
import type { BenchResult } from './types';

/** The image streamed: 1 MiB of payload (an ESP32 app is 1-2 MiB), in 1 KiB chunks. */
const PAYLOAD_BYTES = 1024 * 1024;
const CHUNK_BYTES = 1024;
const SLOT_BYTES = 2 * 1024 * 1024;
/** Chunks pushed between two heap snapshots (64 KiB). */
const SAMPLE_CHUNKS = 64;
const BYTES_PER_KIB = 1024;
const BOARD_ID = 'wmbus-esp32-v1';

/** What bench/xs/firmware-entry.ts reports (`chunk`: a request for the image's chunk of that index). */
type Reply = Partial<{
  ms: number;
  ok: boolean;
  error: string;
  booted: boolean;
  largestChunk: number;
  chunk: number;
  counted: { 'SHA-256': number; 'SHA-512': number };
}>;

/** xsnap's worker, with the heap snapshot the runner's interface leaves out. */
type Worker = XsWorker & { makeSnapshotStream(): AsyncIterable<Uint8Array> };

/** Live XS heap (every slot and chunk after a collection) as the size of a snapshot. */
async function liveHeapBytes(worker: Worker): Promise<number> {
  const sizes: number[] = [];
  for await (const part of worker.makeSnapshotStream()) sizes.push(part.length);
  return sizes.reduce((a, b) => a + b, 0);
}

const POINT_BYTES = 32;

/** A payload that is not all one byte, signed with a key made for the run. */
function signedImage(): { image: Uint8Array; publicKeyHex: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const payload = new Uint8Array(PAYLOAD_BYTES);
  for (let i = 0; i < payload.length; i++) payload[i] = (i * 7 + (i >>> 10)) & 0xff;
  const image = buildImage({ boardId: BOARD_ID, version: 'bench', versionNumber: 1 }, payload, (m) => new Uint8Array(sign(null, m, privateKey)));
  const der = publicKey.export({ format: 'der', type: 'spki' });
  return { image, publicKeyHex: Buffer.from(der.subarray(der.length - 32)).toString('hex') };
}

/** The digests the image checks compute, worked out here for the bench-only stand-in of bench/xs/firmware-entry.ts. */
function standInDigests(image: Uint8Array, publicKeyHex: string): { sha256: string; sha512: string } {
  const signedEnd = image.length - SIGNATURE_BYTES;
  const sha256 = createHash('sha256').update(image.subarray(HEADER_BYTES, signedEnd)).digest('hex');
  // RFC 8032 §5.1.7: k = SHA-512(R || A || M), M being header and payload.
  const sha512 = createHash('sha512')
    .update(image.subarray(signedEnd, signedEnd + POINT_BYTES))
    .update(Buffer.from(publicKeyHex, 'hex'))
    .update(image.subarray(0, signedEnd))
    .digest('hex');
  return { sha256, sha512 };
}

interface InstallFigures {
  readonly heapPeak: number;
  readonly stream: number;
  readonly finish: number;
  readonly streamMs: number;
  readonly finishMs: number;
  readonly counted: Reply['counted'];
}

/** One install of `image` in a fresh XS machine; with `standIn`, hashed by the bench-only stand-in. */
async function installInXs(image: Uint8Array, publicKeyHex: string, standIn?: { sha256: string; sha512: string }): Promise<InstallFigures> {
  const chunks = Math.ceil(image.length / CHUNK_BYTES);
  const replies: Reply[] = [];
  const worker = (await startXs('firmware-bench', async (request) => {
    const reply = JSON.parse(utf8Decode(request)) as Reply;
    if (reply.chunk !== undefined) return image.subarray(reply.chunk * CHUNK_BYTES, (reply.chunk + 1) * CHUNK_BYTES).slice();
    replies.push(reply);
    return new Uint8Array(0);
  })) as unknown as Worker;
  const compute = async (code: string): Promise<number> => (await worker.evaluate(code)).meterUsage.compute ?? 0;
  const last = (): Reply => replies[replies.length - 1];
  try {
    await worker.evaluate(await bundleForXs('bench/xs/firmware-entry.ts'));
    const base = await compute('bench.noop()');
    await worker.evaluate(`bench.setup(${SLOT_BYTES}, ${image.length}, '${publicKeyHex}'${standIn === undefined ? '' : `, ${JSON.stringify(standIn)}`})`);
    const transport = (await compute(`bench.pull(0, ${chunks})`)) - base;
    const before = await liveHeapBytes(worker);
    await worker.evaluate('bench.begin()');
    if (last().ok !== true) throw new Error('the install refused to begin');
    let peak = await liveHeapBytes(worker);
    let streamUnits = 0;
    let streamMs = 0;
    for (let sent = 0; sent < chunks; sent += SAMPLE_CHUNKS) {
      streamUnits += (await compute(`bench.push(${Math.min(SAMPLE_CHUNKS, chunks - sent)})`)) - base;
      streamMs += last().ms ?? 0;
      if (last().ok !== true) throw new Error(`the install stopped after ${sent} chunks`);
      peak = Math.max(peak, await liveHeapBytes(worker));
    }
    const finishUnits = (await compute('bench.finish()')) - base;
    const done = last();
    if (done.ok !== true || done.booted !== true) throw new Error(`install failed: ${done.error}`);
    if ((done.largestChunk ?? Infinity) > CHUNK_BYTES) throw new Error(`a chunk of ${done.largestChunk} bytes`);
    peak = Math.max(peak, await liveHeapBytes(worker));
    return { heapPeak: peak - before, stream: streamUnits - transport, finish: finishUnits, streamMs, finishMs: done.ms ?? 0, counted: done.counted };
  } finally {
    await worker.close();
  }
}

/**
 * A signed 1 MiB image streamed into the firmware's own `FirmwareUpdater` (tasks/firmware/updater.ts)
 * inside the real XS engine, chunk by chunk from the host as the modem delivers it, into a RAM
 * stand-in for the update slot allocated before the first snapshot. Figures: compute units per KiB
 * for the stream (header checks, SHA-256, slot write; the host round trip of each chunk measured
 * alone and taken off), for `finish` (read-back of the slot, SHA-512 and the Ed25519 check) and in
 * all; the XS heap the install adds at most (snapshots every 64 KiB and after `finish`, less the
 * snapshot before `begin`). The simulator and the XS run hash with the portable TypeScript, and so
 * does the main measurement. A second install, figures `xs.firmware.unhashed.*`, runs with the
 * bench-only stand-in for a native digest (it counts bytes and returns digests computed here): what
 * is left in XS when SHA-256/SHA-512 run in C, as on the device (drivers/esp32/digest.ts).
 */
export async function benchXsFirmware(): Promise<BenchResult[]> {
  const { image, publicKeyHex } = signedImage();
  const portable = await installInXs(image, publicKeyHex);
  const unhashed = await installInXs(image, publicKeyHex, standInDigests(image, publicKeyHex));
  const payloadBytes = image.length - HEADER_BYTES - SIGNATURE_BYTES;
  const expected = { 'SHA-256': payloadBytes, 'SHA-512': 2 * POINT_BYTES + HEADER_BYTES + payloadBytes };
  if (JSON.stringify(unhashed.counted) !== JSON.stringify(expected)) throw new Error(`the stand-in was given ${JSON.stringify(unhashed.counted)}`);
  const kib = image.length / BYTES_PER_KIB;
  return [
    { name: 'xs.firmware.image', value: Math.round(kib), unit: 'KiB' },
    { name: 'xs.firmware.chunk', value: CHUNK_BYTES, unit: 'bytes' },
    { name: 'xs.firmware.heap_peak', value: Math.round(portable.heapPeak / 1024), unit: 'KB' },
    { name: 'xs.firmware.stream.compute', value: Math.round(portable.stream / kib), unit: 'units/KiB' },
    { name: 'xs.firmware.finish.compute', value: Math.round(portable.finish / kib), unit: 'units/KiB' },
    { name: 'xs.firmware.compute', value: Math.round((portable.stream + portable.finish) / kib), unit: 'units/KiB' },
    { name: 'xs.firmware.stream.ms', value: Math.round(portable.streamMs), unit: 'ms' },
    { name: 'xs.firmware.finish.ms', value: Math.round(portable.finishMs), unit: 'ms' },
    { name: 'xs.firmware.unhashed.stream.compute', value: Math.round(unhashed.stream / kib), unit: 'units/KiB' },
    { name: 'xs.firmware.unhashed.finish.compute', value: Math.round(unhashed.finish / kib), unit: 'units/KiB' },
    { name: 'xs.firmware.unhashed.compute', value: Math.round((unhashed.stream + unhashed.finish) / kib), unit: 'units/KiB' },
  ];
}

if (require.main === module) {
  benchXsFirmware().then(
    (results) => {
      for (const r of results) process.stdout.write(`${r.name} ${r.value} ${r.unit}\n`);
    },
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
