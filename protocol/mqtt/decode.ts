/**
 * The MQTT 3.1.1 decoder of the device's client: the packets a server sends (CONNACK, PUBLISH,
 * PUBACK, SUBACK, UNSUBACK, PINGRESP). A packet only a client sends (CONNECT, SUBSCRIBE,
 * UNSUBSCRIBE, PINGREQ, DISCONNECT; §2.2.1 Table 2.1 gives each type's direction) is a protocol
 * error here. decode-server.ts reads those, and composes both halves into a decoder of every type
 * for the tests and a broker; it is not in the device image. Its parts (`Reader`, `fail`,
 * `guarded`) are exported for it.
 */
import { isUtf8, utf8Decode } from '../text/utf8';
import {
  CONNACK_LENGTH,
  CONNACK_SESSION_PRESENT,
  FLAGS_MASK,
  LENGTH_BITS,
  LENGTH_CONTINUE,
  LENGTH_MAX_BYTES,
  MAX_QOS,
  PACKET_NAMES,
  PACKET_TYPE,
  PUBLISH_DUP,
  PUBLISH_QOS_MASK,
  PUBLISH_QOS_SHIFT,
  PUBLISH_RETAIN,
  REQUIRED_FLAGS,
  RESERVED_TYPE_HIGH,
  RESERVED_TYPE_LOW,
  SUBACK_FAILURE,
  TYPE_SHIFT,
  UINT16_BYTES,
  isConnackReturnCode,
} from './format';
import { topicNameError } from './topic';
import type { MqttBodyDecoder, MqttDecodeResult, MqttPacket, MqttSubackReturnCode } from './types';

/** Internal: aborts a decode; turned into `{ ok: false }` at the public boundary (`guarded`). */
class DecodeFailure {
  constructor(readonly message: string) {}
}

/** Aborts the decode inside `guarded` with `message`. */
export function fail(message: string): never {
  throw new DecodeFailure(message);
}

const BINARY_DIGITS = 4;

export function hex2(value: number): string {
  return `0x${value.toString(16).padStart(2, '0')}`;
}

function bytesWord(count: number): string {
  return count === 1 ? '1 byte' : `${count} bytes`;
}

function flagBits(flags: number): string {
  return `0b${flags.toString(2).padStart(BINARY_DIGITS, '0')}`;
}

/**
 * Why the first byte of a packet cannot start a packet this codec accepts, or undefined.
 * MQTT 3.1.1 §2.2.1: types 0 and 15 are reserved; §2.2.2: reserved flag bits must hold the
 * values of Table 2.2; §3.3.1.2: PUBLISH with both QoS bits set is malformed. QoS 2 flow
 * (PUBREC, PUBREL, PUBCOMP, QoS 2 PUBLISH) is well-formed but unsupported here.
 */
export function fixedHeaderError(first: number): string | undefined {
  const type = first >> TYPE_SHIFT;
  const flags = first & FLAGS_MASK;
  const name = PACKET_NAMES[type];
  if (type === RESERVED_TYPE_LOW || type === RESERVED_TYPE_HIGH) return `${name} is reserved (MQTT 3.1.1 §2.2.1)`;
  if (type === PACKET_TYPE.pubrec || type === PACKET_TYPE.pubrel || type === PACKET_TYPE.pubcomp) {
    return `${name} belongs to QoS 2 flow, which this codec does not support`;
  }
  if (type === PACKET_TYPE.publish) {
    const qos = (flags >> PUBLISH_QOS_SHIFT) & PUBLISH_QOS_MASK;
    if (qos > MAX_QOS) return 'PUBLISH QoS 3 is malformed: both QoS bits are set (MQTT 3.1.1 §3.3.1.2)';
    if (qos === MAX_QOS) return 'PUBLISH QoS 2 is not supported: this codec implements QoS 0 and 1 only';
    // §3.3.1.1 [MQTT-3.3.1-2]: DUP is 0 on every QoS 0 message.
    if (qos === 0 && (flags & PUBLISH_DUP) !== 0) return 'PUBLISH QoS 0 with the DUP flag set (MQTT 3.1.1 §3.3.1.1)';
    return undefined;
  }
  const required = REQUIRED_FLAGS[type];
  if (flags !== required) return `${name} fixed-header flags ${flagBits(flags)} must be ${flagBits(required)} (MQTT 3.1.1 §2.2.2)`;
  return undefined;
}

/** The variable header and payload of one packet, read front to back. Offsets name the byte in the whole packet. */
export class Reader {
  private pos = 0;

  constructor(
    private readonly body: Uint8Array,
    private readonly base: number,
    private readonly packet: string,
  ) {}

  get left(): number {
    return this.body.length - this.pos;
  }

  get offset(): number {
    return this.base + this.pos;
  }

  private need(count: number, what: string): void {
    if (count > this.left) fail(`${this.packet} truncated: ${what} at offset ${this.offset} needs ${bytesWord(count)}, ${this.left} left in the packet`);
  }

  byte(what: string): number {
    this.need(1, what);
    return this.body[this.pos++];
  }

  /** §1.5.2: two bytes, big-endian. */
  uint16(what: string): number {
    this.need(UINT16_BYTES, what);
    const value = (this.body[this.pos] << 8) | this.body[this.pos + 1];
    this.pos += UINT16_BYTES;
    return value;
  }

  /** §2.3.1: a non-zero packet identifier. */
  packetId(): number {
    const at = this.offset;
    const id = this.uint16('packet identifier');
    if (id === 0) fail(`${this.packet} packet identifier at offset ${at} is 0 (MQTT 3.1.1 §2.3.1 requires 1-65535)`);
    return id;
  }

  /** §1.5.3 and §3.1.3.4: two length bytes, then that many bytes, which must lie inside the packet. */
  binary(what: string): Uint8Array {
    const at = this.offset;
    const length = this.uint16(`${what} length`);
    if (length > this.left) fail(`${this.packet} ${what} of ${length} bytes at offset ${at} runs past the packet end (${this.left} bytes left)`);
    return this.take(length);
  }

  /** §1.5.3: well-formed UTF-8 (no surrogate halves, no over-long forms) without U+0000. */
  string(what: string): string {
    const at = this.offset;
    const bytes = this.binary(what);
    if (!isUtf8(bytes)) fail(`${this.packet} ${what} at offset ${at} is not well-formed UTF-8 (MQTT 3.1.1 §1.5.3)`);
    if (bytes.indexOf(0) >= 0) fail(`${this.packet} ${what} at offset ${at} contains U+0000 (MQTT 3.1.1 §1.5.3)`);
    return utf8Decode(bytes);
  }

  /** A fresh copy of the next `count` bytes, so no packet shares memory with the input. */
  take(count: number): Uint8Array {
    const out = new Uint8Array(this.body.subarray(this.pos, this.pos + count));
    this.pos += count;
    return out;
  }

  rest(): Uint8Array {
    return this.take(this.left);
  }

  end(): void {
    if (this.left > 0) fail(`${this.packet} has ${bytesWord(this.left)} after its last field at offset ${this.offset}`);
  }
}

/** A packet whose remaining length its section fixes (`section` cites it). */
export function exactLength(body: Uint8Array, length: number, name: string, section: string): void {
  if (body.length !== length) fail(`${name} remaining length ${body.length} must be ${length} (MQTT 3.1.1 ${section})`);
}

function connack(r: Reader, body: Uint8Array): MqttPacket {
  exactLength(body, CONNACK_LENGTH, 'CONNACK', '§3.2.1');
  const flags = r.byte('acknowledge flags');
  // §3.2.2.1: bits 7-1 of the acknowledge flags are reserved 0.
  if ((flags & ~CONNACK_SESSION_PRESENT) !== 0) fail(`CONNACK acknowledge flags ${hex2(flags)} set reserved bits 7-1 (MQTT 3.1.1 §3.2.2.1)`);
  const code = r.byte('return code');
  if (!isConnackReturnCode(code)) fail(`CONNACK return code ${code} is reserved (MQTT 3.1.1 §3.2.2.3)`);
  const sessionPresent = flags === CONNACK_SESSION_PRESENT;
  // §3.2.2.2 [MQTT-3.2.2-4]: a refusal never claims a session.
  if (sessionPresent && code !== 0) fail(`CONNACK sets session present with return code ${code} (MQTT 3.1.1 §3.2.2.2)`);
  return { type: 'connack', sessionPresent, returnCode: code };
}

function publish(r: Reader, flags: number): MqttPacket {
  const at = r.offset;
  const topic = r.string('topic name');
  const topicError = topicNameError(topic);
  if (topicError) fail(`PUBLISH topic at offset ${at}: ${topicError}`);
  const retain = (flags & PUBLISH_RETAIN) !== 0;
  // fixedHeaderError has already refused QoS 2 and 3.
  if (((flags >> PUBLISH_QOS_SHIFT) & PUBLISH_QOS_MASK) === 0) return { type: 'publish', topic, payload: r.rest(), qos: 0, retain, dup: false };
  const packetId = r.packetId();
  return { type: 'publish', topic, payload: r.rest(), qos: 1, retain, dup: (flags & PUBLISH_DUP) !== 0, packetId };
}

function suback(r: Reader): MqttPacket {
  const packetId = r.packetId();
  const returnCodes: MqttSubackReturnCode[] = [];
  if (r.left === 0) fail('SUBACK has no return code (MQTT 3.1.1 §3.9.3)');
  while (r.left > 0) {
    const at = r.offset;
    const code = r.byte('return code');
    // §3.9.3 [MQTT-3.9.3-2]: 0x00-0x02 granted QoS, 0x80 failure, all else reserved.
    if (code > MAX_QOS && code !== SUBACK_FAILURE) fail(`SUBACK return code ${hex2(code)} at offset ${at} is reserved (MQTT 3.1.1 §3.9.3)`);
    returnCodes.push(code as MqttSubackReturnCode);
  }
  return { type: 'suback', packetId, returnCodes };
}

function body(first: number, bytes: Uint8Array, base: number): MqttPacket {
  const headerError = fixedHeaderError(first);
  if (headerError) fail(headerError);
  const type = first >> TYPE_SHIFT;
  const name = PACKET_NAMES[type];
  const r = new Reader(bytes, base, name);
  switch (type) {
    case PACKET_TYPE.connack:
      return connack(r, bytes);
    case PACKET_TYPE.publish:
      return publish(r, first & FLAGS_MASK);
    case PACKET_TYPE.puback:
      exactLength(bytes, UINT16_BYTES, name, '§3.4.1');
      return { type: 'puback', packetId: r.packetId() };
    case PACKET_TYPE.suback:
      return suback(r);
    case PACKET_TYPE.unsuback:
      exactLength(bytes, UINT16_BYTES, name, '§3.11.1');
      return { type: 'unsuback', packetId: r.packetId() };
    case PACKET_TYPE.pingresp:
      exactLength(bytes, 0, name, '§3.13.1');
      return { type: 'pingresp' };
    default:
      // fixedHeaderError has refused the reserved and QoS 2 types: what is left goes client to server.
      return fail(`a server does not send ${name} (MQTT 3.1.1 §2.2.1 Table 2.1: client to server only)`);
  }
}

/** Runs a decode, turning a `fail` into `{ ok: false, error }`; never throws. */
export function guarded(run: () => MqttPacket): MqttDecodeResult {
  try {
    return { ok: true, packet: run() };
  } catch (e) {
    if (e instanceof DecodeFailure) return { ok: false, error: e.message };
    return { ok: false, error: `internal decoder error: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/**
 * Decodes the variable header and payload `bytes` of a packet a server sends whose first byte is
 * `first`; `base` is the offset of `bytes` in the packet, for error messages. Never throws.
 */
export function decodeMqttBody(first: number, bytes: Uint8Array, base: number): MqttDecodeResult {
  return guarded(() => body(first, bytes, base));
}

/**
 * Decodes one whole packet a server sends, which must span `bytes` exactly. Never throws:
 * malformed or unsupported input, or a packet only a client sends, gives `{ ok: false, error }`
 * naming the fault and its byte offset.
 */
export function decodeMqtt(bytes: Uint8Array): MqttDecodeResult {
  return decodeMqttWith(bytes, decodeMqttBody);
}

/** `decodeMqtt` with the body read by `decodeBody` once the fixed header is checked. */
export function decodeMqttWith(bytes: Uint8Array, decodeBody: MqttBodyDecoder): MqttDecodeResult {
  return guarded(() => {
    if (bytes.length === 0) fail('no bytes: a packet needs at least its 2-byte fixed header (MQTT 3.1.1 §2.2)');
    const headerError = fixedHeaderError(bytes[0]);
    if (headerError) fail(headerError);
    let length = 0;
    let multiplier = 1;
    let at = 1;
    // §2.2.3: 7 bits a byte, least significant first, bit 7 set on every byte but the last.
    for (;;) {
      if (at >= bytes.length) fail(`fixed header truncated: remaining length byte ${at} missing (MQTT 3.1.1 §2.2.3)`);
      const digit = bytes[at++];
      length += (digit & LENGTH_BITS) * multiplier;
      if ((digit & LENGTH_CONTINUE) === 0) break;
      if (at - 1 === LENGTH_MAX_BYTES) fail(`remaining length does not end within ${LENGTH_MAX_BYTES} bytes (MQTT 3.1.1 §2.2.3)`);
      multiplier *= LENGTH_BITS + 1;
    }
    if (bytes.length !== at + length) fail(`${bytes.length} bytes given, the fixed header declares ${at + length} (remaining length ${length})`);
    const result = decodeBody(bytes[0], bytes.subarray(at), at);
    return result.ok ? result.packet : fail(result.error);
  });
}
