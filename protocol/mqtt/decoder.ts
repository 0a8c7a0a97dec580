import { decodeMqttBody, fixedHeaderError } from './decode';
import { LENGTH_BITS, LENGTH_CONTINUE, LENGTH_MAX_BYTES, MAX_FIXED_HEADER, MAX_REMAINING_LENGTH } from './format';
import type { MqttBodyDecoder, MqttDecoderOptions, MqttPacket, MqttPushResult } from './types';

/** The smallest packet: a type byte and a one-byte remaining length of 0 (PINGREQ, §3.12). */
const MIN_PACKET_SIZE = 2;

/** What the next byte is: the type byte, a remaining-length byte, or a body byte. */
const STAGE_TYPE = 0;
const STAGE_LENGTH = 1;
const STAGE_BODY = 2;

/**
 * Turns a byte stream (as a socket delivers it, split anywhere) into MQTT 3.1.1 packets: by
 * default those a server sends (`MqttDecoderOptions.decodeBody`).
 *
 * Each fixed header is checked as soon as it arrives (§2.2.1-2.2.3), before any body byte is
 * buffered, so a wrong flag or an oversized length is refused at once. A remaining length may use
 * up to 4 bytes; 3.1.1 does not require its shortest form (MQTT 5 §1.5.5 added that), so a
 * longer form of a small value is accepted.
 *
 * After the first malformed or unsupported packet the decoder stays failed: every later `push`
 * returns the same error and no packets, until `reset()`. The stream cannot be resynchronised
 * (§4.8: the receiver closes the network connection), so the client drops the connection and
 * resets the decoder for the next one.
 */
export class MqttDecoder {
  private stage: number = STAGE_TYPE;
  private first = 0;
  private length = 0;
  private lengthBytes = 0;
  private multiplier = 1;
  private body = new Uint8Array(0);
  private filled = 0;
  private failure: string | undefined;
  private readonly maxPacketSize: number;
  private readonly decodeBody: MqttBodyDecoder;
  readonly stats = { packets: 0, errors: 0 };

  constructor(options: MqttDecoderOptions) {
    const max = options.maxPacketSize;
    // An invalid maximum is a programming error, not bad input: it fails the first push.
    this.maxPacketSize = Number.isInteger(max) && max >= MIN_PACKET_SIZE ? Math.min(max, MAX_FIXED_HEADER + MAX_REMAINING_LENGTH) : 0;
    if (this.maxPacketSize === 0) this.failure = `maxPacketSize ${max} is not an integer of at least ${MIN_PACKET_SIZE}`;
    this.decodeBody = options.decodeBody ?? decodeMqttBody;
  }

  /** The error that failed the stream, if any. */
  get error(): string | undefined {
    return this.failure;
  }

  /** Whether part of a packet has been received. */
  get partial(): boolean {
    return this.stage !== STAGE_TYPE;
  }

  /** Forgets any partial packet and a failure, for a new connection. */
  reset(): void {
    this.stage = STAGE_TYPE;
    this.body = new Uint8Array(0);
    this.filled = 0;
    if (this.maxPacketSize !== 0) this.failure = undefined;
  }

  /** Consumes `bytes` and returns every packet they complete. Never throws. */
  push(bytes: Uint8Array): MqttPushResult {
    const packets: MqttPacket[] = [];
    if (this.failure !== undefined) return { ok: false, packets, error: this.failure };
    let i = 0;
    while (i < bytes.length) {
      let error: string | undefined;
      if (this.stage === STAGE_TYPE) {
        this.first = bytes[i++];
        error = fixedHeaderError(this.first);
        this.stage = STAGE_LENGTH;
        this.length = 0;
        this.lengthBytes = 0;
        this.multiplier = 1;
      } else if (this.stage === STAGE_LENGTH) {
        error = this.lengthByte(bytes[i++], packets);
      } else {
        const count = Math.min(bytes.length - i, this.body.length - this.filled);
        this.body.set(bytes.subarray(i, i + count), this.filled);
        this.filled += count;
        i += count;
        if (this.filled === this.body.length) error = this.complete(packets);
      }
      if (error !== undefined) {
        this.failure = error;
        this.stats.errors++;
        return { ok: false, packets, error };
      }
    }
    return { ok: true, packets };
  }

  /** §2.2.3: one remaining-length byte; a clear bit 7 ends the field. */
  private lengthByte(digit: number, packets: MqttPacket[]): string | undefined {
    this.length += (digit & LENGTH_BITS) * this.multiplier;
    this.lengthBytes++;
    if ((digit & LENGTH_CONTINUE) !== 0) {
      if (this.lengthBytes === LENGTH_MAX_BYTES) return `remaining length does not end within ${LENGTH_MAX_BYTES} bytes (MQTT 3.1.1 §2.2.3)`;
      this.multiplier *= LENGTH_BITS + 1;
      return undefined;
    }
    const size = 1 + this.lengthBytes + this.length;
    if (size > this.maxPacketSize) return `packet of ${size} bytes (remaining length ${this.length}) exceeds the ${this.maxPacketSize}-byte maximum`;
    this.body = new Uint8Array(this.length);
    this.filled = 0;
    this.stage = STAGE_BODY;
    return this.length === 0 ? this.complete(packets) : undefined;
  }

  private complete(packets: MqttPacket[]): string | undefined {
    const result = this.decodeBody(this.first, this.body, 1 + this.lengthBytes);
    this.stage = STAGE_TYPE;
    this.body = new Uint8Array(0);
    if (!result.ok) return result.error;
    this.stats.packets++;
    packets.push(result.packet);
    return undefined;
  }
}
