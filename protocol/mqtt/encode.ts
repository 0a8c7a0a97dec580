import { isUtf8, utf8Encode } from '../text/utf8';
import {
  CONNACK_SESSION_PRESENT,
  CONNECT_FLAG,
  LENGTH_BITS,
  LENGTH_CONTINUE,
  MAX_QOS,
  MAX_REMAINING_LENGTH,
  MAX_STRING_BYTES,
  MAX_UINT16,
  PACKET_TYPE,
  PROTOCOL_LEVEL,
  PROTOCOL_NAME,
  PUBLISH_DUP,
  PUBLISH_QOS_SHIFT,
  PUBLISH_RETAIN,
  REQUIRED_FLAGS,
  SUBACK_FAILURE,
  TYPE_SHIFT,
  WILL_QOS_SHIFT,
  isConnackReturnCode,
  type ControlPacketType,
} from './format';
import { topicFilterError, topicNameError } from './topic';
import type { MqttConnect, MqttPacket, MqttPublish, MqttSubscribe, MqttSuback, MqttUnsubscribe } from './types';

/**
 * A packet that cannot be put on the wire: a field out of range, a string that is not valid
 * MQTT UTF-8, or QoS 2 flow, which this codec does not implement.
 */
export class MqttEncodeError extends Error {
  override readonly name = 'MqttEncodeError';
}

function fail(message: string): never {
  throw new MqttEncodeError(message);
}

/**
 * The variable header and payload, gathered as parts and joined once their length is known.
 * Single bytes are kept as numbers, so a field byte costs no typed-array allocation.
 */
class Body {
  readonly parts: (Uint8Array | number)[] = [];
  length = 0;

  bytes(bytes: Uint8Array): void {
    this.parts.push(bytes);
    this.length += bytes.length;
  }

  byte(value: number): void {
    this.parts.push(value);
    this.length++;
  }

  /** §1.5.2: a two-byte big-endian integer. */
  uint16(value: number, what: string): void {
    if (!Number.isInteger(value) || value < 0 || value > MAX_UINT16) fail(`${what} ${value} is not an integer 0-${MAX_UINT16} (MQTT 3.1.1 §1.5.2)`);
    this.byte(value >> 8);
    this.byte(value & 0xff);
  }

  /** §2.3.1: packet identifiers are 1-65535. */
  packetId(value: number, packet: string): void {
    if (!Number.isInteger(value) || value < 1 || value > MAX_UINT16) fail(`${packet} packet identifier ${value} is not 1-${MAX_UINT16} (MQTT 3.1.1 §2.3.1)`);
    this.uint16(value, 'packet identifier');
  }

  /** §1.5.3: length-prefixed UTF-8 without U+0000 or surrogate halves. */
  string(text: string, what: string): void {
    const bytes = utf8Encode(text);
    if (!isUtf8(bytes)) fail(`${what} holds an unpaired surrogate, which is not UTF-8 (MQTT 3.1.1 §1.5.3)`);
    if (bytes.indexOf(0) >= 0) fail(`${what} holds U+0000, which MQTT 3.1.1 §1.5.3 forbids`);
    this.binary(bytes, what);
  }

  /** §3.1.3.4-5: length-prefixed bytes (will message, password). */
  binary(bytes: Uint8Array, what: string): void {
    if (bytes.length > MAX_STRING_BYTES) fail(`${what} is ${bytes.length} bytes, above the ${MAX_STRING_BYTES} a two-byte length allows (MQTT 3.1.1 §1.5.3)`);
    this.uint16(bytes.length, `${what} length`);
    this.bytes(bytes);
  }
}

/** §2.2.3: the remaining length in 1-4 bytes, least significant group first. */
function remainingLength(length: number): Uint8Array {
  if (length > MAX_REMAINING_LENGTH) fail(`remaining length ${length} exceeds the ${MAX_REMAINING_LENGTH} four length bytes can express (MQTT 3.1.1 §2.2.3)`);
  const out: number[] = [];
  let rest = length;
  do {
    let digit = rest & LENGTH_BITS;
    rest = Math.floor(rest / (LENGTH_BITS + 1));
    if (rest > 0) digit |= LENGTH_CONTINUE;
    out.push(digit);
  } while (rest > 0);
  return Uint8Array.from(out);
}

function packet(type: ControlPacketType, flags: number, body: Body): Uint8Array {
  const length = remainingLength(body.length);
  const out = new Uint8Array(1 + length.length + body.length);
  out[0] = (type << TYPE_SHIFT) | flags;
  out.set(length, 1);
  let at = 1 + length.length;
  for (const part of body.parts) {
    if (typeof part === 'number') {
      out[at++] = part;
    } else {
      out.set(part, at);
      at += part.length;
    }
  }
  return out;
}

function qosError(qos: number, what: string): void {
  if (qos !== 0 && qos !== 1 && qos !== MAX_QOS) fail(`${what} QoS ${qos} is not 0, 1 or 2 (MQTT 3.1.1 §4.3)`);
}

function connect(p: MqttConnect): Uint8Array {
  const body = new Body();
  // §3.1.2.1-2: protocol name and level.
  body.string(PROTOCOL_NAME, 'protocol name');
  body.byte(PROTOCOL_LEVEL);
  let flags = p.cleanSession ? CONNECT_FLAG.cleanSession : 0;
  if (p.will) {
    qosError(p.will.qos, 'will');
    const topic = topicNameError(p.will.topic);
    if (topic) fail(`will topic ${topic}`);
    flags |= CONNECT_FLAG.will | (p.will.qos << WILL_QOS_SHIFT) | (p.will.retain ? CONNECT_FLAG.willRetain : 0);
  }
  // §3.1.2.9 [MQTT-3.1.2-22]: no password without a user name.
  if (p.password !== undefined && p.username === undefined) fail('CONNECT has a password but no user name (MQTT 3.1.1 §3.1.2.9)');
  if (p.username !== undefined) flags |= CONNECT_FLAG.username;
  if (p.password !== undefined) flags |= CONNECT_FLAG.password;
  body.byte(flags);
  body.uint16(p.keepAlive, 'keep alive');
  // §3.1.3: payload fields in this order, each present only when its flag is set.
  body.string(p.clientId, 'client identifier');
  if (p.will) {
    body.string(p.will.topic, 'will topic');
    body.binary(p.will.payload, 'will message');
  }
  if (p.username !== undefined) body.string(p.username, 'user name');
  if (p.password !== undefined) body.binary(p.password, 'password');
  return packet(PACKET_TYPE.connect, REQUIRED_FLAGS[PACKET_TYPE.connect], body);
}

function publish(p: MqttPublish): Uint8Array {
  const qos: number = p.qos;
  // This codec implements QoS 0 and 1 only: QoS 2 needs PUBREC/PUBREL/PUBCOMP (§4.3.3).
  if (qos === MAX_QOS) fail('PUBLISH QoS 2 is not supported: this codec implements QoS 0 and 1 only');
  if (qos !== 0 && qos !== 1) fail(`PUBLISH QoS ${qos} is not 0 or 1 (MQTT 3.1.1 §3.3.1.2)`);
  // §3.3.1.1 [MQTT-3.3.1-2]: DUP is 0 on every QoS 0 message.
  if (p.qos === 0 && p.dup) fail('PUBLISH QoS 0 must not set DUP (MQTT 3.1.1 §3.3.1.1)');
  const topic = topicNameError(p.topic);
  if (topic) fail(`PUBLISH topic ${topic}`);
  const body = new Body();
  body.string(p.topic, 'PUBLISH topic name');
  if (p.qos === 1) body.packetId(p.packetId, 'PUBLISH');
  // §3.3.3: the payload is the rest of the packet, no length prefix.
  body.bytes(p.payload);
  const flags = (p.dup ? PUBLISH_DUP : 0) | (p.qos << PUBLISH_QOS_SHIFT) | (p.retain ? PUBLISH_RETAIN : 0);
  return packet(PACKET_TYPE.publish, flags, body);
}

function subscribe(p: MqttSubscribe): Uint8Array {
  // §3.8.3 [MQTT-3.8.3-3]: at least one topic filter.
  if (p.subscriptions.length === 0) fail('SUBSCRIBE needs at least one topic filter (MQTT 3.1.1 §3.8.3)');
  const body = new Body();
  body.packetId(p.packetId, 'SUBSCRIBE');
  for (const s of p.subscriptions) {
    const filter = topicFilterError(s.topicFilter);
    if (filter) fail(`SUBSCRIBE topic filter ${filter}`);
    qosError(s.qos, 'SUBSCRIBE requested');
    body.string(s.topicFilter, 'SUBSCRIBE topic filter');
    body.byte(s.qos);
  }
  return packet(PACKET_TYPE.subscribe, REQUIRED_FLAGS[PACKET_TYPE.subscribe], body);
}

function suback(p: MqttSuback): Uint8Array {
  if (p.returnCodes.length === 0) fail('SUBACK needs one return code per subscription (MQTT 3.1.1 §3.9.3)');
  const body = new Body();
  body.packetId(p.packetId, 'SUBACK');
  for (const code of p.returnCodes) {
    const value: number = code;
    if (value !== SUBACK_FAILURE) qosError(value, 'SUBACK granted');
    body.byte(value);
  }
  return packet(PACKET_TYPE.suback, REQUIRED_FLAGS[PACKET_TYPE.suback], body);
}

function unsubscribe(p: MqttUnsubscribe): Uint8Array {
  // §3.10.3 [MQTT-3.10.3-2]: at least one topic filter.
  if (p.topicFilters.length === 0) fail('UNSUBSCRIBE needs at least one topic filter (MQTT 3.1.1 §3.10.3)');
  const body = new Body();
  body.packetId(p.packetId, 'UNSUBSCRIBE');
  for (const f of p.topicFilters) {
    const filter = topicFilterError(f);
    if (filter) fail(`UNSUBSCRIBE topic filter ${filter}`);
    body.string(f, 'UNSUBSCRIBE topic filter');
  }
  return packet(PACKET_TYPE.unsubscribe, REQUIRED_FLAGS[PACKET_TYPE.unsubscribe], body);
}

/** A packet with only a packet identifier (PUBACK §3.4, UNSUBACK §3.11). */
function acknowledgement(type: ControlPacketType, packetId: number, name: string): Uint8Array {
  const body = new Body();
  body.packetId(packetId, name);
  return packet(type, REQUIRED_FLAGS[type], body);
}

/** A packet with a fixed header only (PINGREQ §3.12, PINGRESP §3.13, DISCONNECT §3.14). */
function empty(type: ControlPacketType): Uint8Array {
  return packet(type, REQUIRED_FLAGS[type], new Body());
}

/**
 * The wire bytes of one packet. Throws `MqttEncodeError` naming the field when the packet cannot
 * be encoded, including any QoS 2 PUBLISH.
 */
export function encodeMqtt(p: MqttPacket): Uint8Array {
  switch (p.type) {
    case 'connect':
      return connect(p);
    case 'connack': {
      const code: number = p.returnCode;
      if (!isConnackReturnCode(code)) fail(`CONNACK return code ${code} is reserved (MQTT 3.1.1 §3.2.2.3)`);
      // §3.2.2.2 [MQTT-3.2.2-4]: a refusal never claims a session.
      if (code !== 0 && p.sessionPresent) fail('CONNACK with a non-zero return code must not set session present (MQTT 3.1.1 §3.2.2.2)');
      const body = new Body();
      body.byte(p.sessionPresent ? CONNACK_SESSION_PRESENT : 0);
      body.byte(code);
      return packet(PACKET_TYPE.connack, REQUIRED_FLAGS[PACKET_TYPE.connack], body);
    }
    case 'publish':
      return publish(p);
    case 'puback':
      return acknowledgement(PACKET_TYPE.puback, p.packetId, 'PUBACK');
    case 'subscribe':
      return subscribe(p);
    case 'suback':
      return suback(p);
    case 'unsubscribe':
      return unsubscribe(p);
    case 'unsuback':
      return acknowledgement(PACKET_TYPE.unsuback, p.packetId, 'UNSUBACK');
    case 'pingreq':
      return empty(PACKET_TYPE.pingreq);
    case 'pingresp':
      return empty(PACKET_TYPE.pingresp);
    case 'disconnect':
      return empty(PACKET_TYPE.disconnect);
    default:
      return fail(`unknown packet type '${(p as { type: unknown }).type}'`);
  }
}
