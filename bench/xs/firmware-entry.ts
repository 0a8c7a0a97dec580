import type { Clock } from '../../protocol/ports/clock';
import type { Ota, OtaSlot } from '../../drivers/ota/types';
import type { Hash, HashAlgorithm, HashFactory } from '../../protocol/crypto/types';
import { utf8Encode } from '../../protocol/text/utf8';
import { FirmwareUpdater, type InstallSink } from '../../tasks/firmware/updater';

/**
 * A firmware image streamed into `FirmwareUpdater.beginInstall` inside XS, driven step by step by
 * bench/xs-firmware.node.ts, which reads the engine's compute meter and heap snapshots between
 * steps. Each chunk is asked of the host (`issueCommand`) as the modem driver's read hands one
 * over on the device: a fresh buffer per chunk, never the whole image.
 */
declare function issueCommand(request: ArrayBuffer): ArrayBuffer;
declare const performance: { now(): number };

const BOARD_ID = 'wmbus-esp32-v1';
const FACTORY_SLOT: OtaSlot = 0;
const UPDATE_SLOT: OtaSlot = 1;

function send(reply: Record<string, unknown>): ArrayBuffer {
  const bytes = utf8Encode(JSON.stringify(reply));
  return issueCommand(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
}

function hexBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/**
 * The update slot in RAM, allocated once before the measurement starts (it stands for flash, not
 * for the heap the install uses). `write` is one native copy, `read` a view, as the slot's
 * esp_ota_write / esp_partition_read are one native call each on the device.
 */
class RamOta implements Ota {
  readonly runningSlot = FACTORY_SLOT;
  readonly inactiveSlot = UPDATE_SLOT;
  readonly pendingVerify = false;
  readonly rolledBack = false;
  private readonly slot: Uint8Array;
  private size = 0;
  private written = 0;
  private completed = false;
  booted = false;

  constructor(readonly slotBytes: number) {
    this.slot = new Uint8Array(slotBytes);
  }

  begin(size: number): void {
    if (size > this.slotBytes) throw new Error('ota: too large');
    this.size = size;
    this.written = 0;
    this.completed = false;
  }

  write(bytes: Uint8Array): void {
    if (this.written + bytes.length > this.size) throw new Error('ota: write past the announced size');
    this.slot.set(bytes, this.written);
    this.written += bytes.length;
  }

  complete(): void {
    if (this.written !== this.size) throw new Error('ota: short image');
    this.completed = true;
  }

  read(offset: number, length: number): Uint8Array {
    if (!this.completed || offset + length > this.size) throw new Error('ota: nothing to read there');
    return this.slot.subarray(offset, offset + length);
  }

  abort(): void {
    this.completed = false;
  }

  setBoot(): void {
    this.booted = true;
  }

  markValid(): void {}

  rollback(): boolean {
    return false;
  }
}

/**
 * BENCH ONLY, NOT A HASH: stands in for a native digest whose work the XS meter does not see.
 * `update` only counts the bytes it is given; `digest` returns the value the host computed for this
 * image beforehand. It lets the bench measure what an install costs in XS when SHA-256/SHA-512 run
 * in C, with every other step (header checks, slot write, read-back, Ed25519 point arithmetic)
 * unchanged. A product build must never use anything like it.
 */
function unmeteredStandIn(digests: Readonly<Record<HashAlgorithm, Uint8Array>>, counted: Record<HashAlgorithm, number>): HashFactory {
  return (algorithm: HashAlgorithm): Hash => {
    const standIn: Hash = {
      update(data: Uint8Array) {
        counted[algorithm] += data.length;
        return this;
      },
      digest: () => digests[algorithm].slice(),
    };
    return standIn;
  };
}

const clock: Clock = { now: () => 0, set: () => undefined, setTimer: () => 0, clearTimer: () => undefined };

let ota: RamOta | undefined;
let updater: FirmwareUpdater | undefined;
let sink: InstallSink | undefined;
let imageBytes = 0;
let next = 0;
let largestChunk = 0;
const counted: Record<HashAlgorithm, number> = { 'SHA-256': 0, 'SHA-512': 0 };

function chunk(index: number): Uint8Array {
  return new Uint8Array(send({ chunk: index }));
}

const bench = {
  noop(): void {
    send({});
  },
  /** `standInHex`: the image's payload SHA-256 and signature SHA-512, to install with the bench-only stand-in instead of the portable hashes. */
  setup(slotBytes: number, image: number, publicKeyHex: string, standInHex?: { sha256: string; sha512: string }): void {
    ota = new RamOta(slotBytes);
    const hashes =
      standInHex === undefined ? undefined : unmeteredStandIn({ 'SHA-256': hexBytes(standInHex.sha256), 'SHA-512': hexBytes(standInHex.sha512) }, counted);
    updater = new FirmwareUpdater({ ota, clock, boardId: BOARD_ID, restart: () => undefined, publicKey: hexBytes(publicKeyHex), hashes });
    imageBytes = image;
    send({ ok: true });
  },
  begin(): void {
    if (updater === undefined) throw new Error('setup first');
    sink = updater.beginInstall(imageBytes);
    next = 0;
    largestChunk = 0;
    send({ ok: sink.result === undefined });
  },
  /** Chunks [from, to) asked of the host and dropped: what the transport alone costs. */
  pull(from: number, to: number): void {
    const start = performance.now();
    let bytes = 0;
    for (let i = from; i < to; i++) bytes += chunk(i).length;
    send({ ms: performance.now() - start, bytes });
  },
  /** The next `count` chunks pushed into the install. */
  push(count: number): void {
    if (sink === undefined) throw new Error('begin first');
    const start = performance.now();
    let wanted = true;
    for (let i = 0; i < count && wanted; i++) {
      const c = chunk(next++);
      largestChunk = Math.max(largestChunk, c.length);
      wanted = sink.push(c);
    }
    send({ ms: performance.now() - start, ok: wanted });
  },
  finish(): void {
    if (sink === undefined || ota === undefined) throw new Error('begin first');
    const start = performance.now();
    const result = sink.finish();
    send({ ms: performance.now() - start, ok: result.ok, error: result.ok ? '' : `${result.check}: ${result.error}`, booted: ota.booted, largestChunk, counted });
  },
};

(globalThis as { bench?: typeof bench }).bench = bench;
