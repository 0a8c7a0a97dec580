import { freezeTable } from '../freeze';
import type { MqttConnackReturnCode, MqttPacketName } from './types';

/** MQTT 3.1.1 §2.2.1 Table 2.1: the control packet type in bits 7-4 of the first byte. */
export const PACKET_TYPE = freezeTable({
  connect: 1,
  connack: 2,
  publish: 3,
  puback: 4,
  pubrec: 5,
  pubrel: 6,
  pubcomp: 7,
  subscribe: 8,
  suback: 9,
  unsubscribe: 10,
  unsuback: 11,
  pingreq: 12,
  pingresp: 13,
  disconnect: 14,
} as const);

/** Table 2.1 names by type number, for error messages; 0 and 15 are reserved. */
export const PACKET_NAMES: readonly string[] = freezeTable([
  'packet type 0',
  'CONNECT',
  'CONNACK',
  'PUBLISH',
  'PUBACK',
  'PUBREC',
  'PUBREL',
  'PUBCOMP',
  'SUBSCRIBE',
  'SUBACK',
  'UNSUBSCRIBE',
  'UNSUBACK',
  'PINGREQ',
  'PINGRESP',
  'DISCONNECT',
  'packet type 15',
]);

/** §2.2.1 Table 2.1: types 0 and 15 are reserved (forbidden). */
export const RESERVED_TYPE_LOW = 0;
export const RESERVED_TYPE_HIGH = 15;

export const TYPE_SHIFT = 4;
export const FLAGS_MASK = 0x0f;

/**
 * §2.2.2 Table 2.2: the fixed-header flags every packet but PUBLISH must carry. SUBSCRIBE,
 * UNSUBSCRIBE and PUBREL have 0b0010 (§3.6.1, §3.8.1, §3.10.1); the rest 0b0000.
 */
export const REQUIRED_FLAGS: readonly number[] = freezeTable([0, 0, 0, 0, 0, 0, 0b0010, 0, 0b0010, 0, 0b0010, 0, 0, 0, 0, 0]);

/** §3.3.1: PUBLISH flags: DUP bit 3, QoS bits 2-1, RETAIN bit 0. */
export const PUBLISH_DUP = 0b1000;
export const PUBLISH_QOS_SHIFT = 1;
export const PUBLISH_QOS_MASK = 0b11;
export const PUBLISH_RETAIN = 0b0001;

/** §2.2.3: remaining length, 7 bits a byte, bit 7 continues; at most 4 bytes. */
export const LENGTH_CONTINUE = 0x80;
export const LENGTH_BITS = 0x7f;
export const LENGTH_MAX_BYTES = 4;
export const MAX_REMAINING_LENGTH = 268_435_455;
/** One type-and-flags byte and up to 4 length bytes. */
export const MAX_FIXED_HEADER = 1 + LENGTH_MAX_BYTES;

/** §1.5.3: a UTF-8 string is prefixed by its byte length in two bytes, so at most 65 535 bytes. */
export const MAX_STRING_BYTES = 0xffff;
/** §1.5.2 and §2.3.1: two-byte big-endian integers; packet identifiers are non-zero. */
export const MAX_UINT16 = 0xffff;
export const UINT16_BYTES = 2;

/** §3.1.2.1-2: protocol name `MQTT` (length-prefixed) and protocol level 4 for 3.1.1. */
export const PROTOCOL_NAME = 'MQTT';
export const PROTOCOL_LEVEL = 4;

/** §3.1.2.3 Figure 3.4: CONNECT flags. Bit 0 is reserved and must be 0. */
export const CONNECT_FLAG = freezeTable({
  reserved: 0x01,
  cleanSession: 0x02,
  will: 0x04,
  willRetain: 0x20,
  password: 0x40,
  username: 0x80,
} as const);
export const WILL_QOS_SHIFT = 3;
export const WILL_QOS_MASK = 0b11;

/** §3.2.2.1: CONNACK acknowledge flags: bits 7-1 reserved 0, bit 0 session present. */
export const CONNACK_SESSION_PRESENT = 0x01;
export const CONNACK_LENGTH = 2;

/** §3.2.2.3 Table 3.1: CONNACK return codes by name. */
export const CONNACK_RETURN_CODE = freezeTable({
  accepted: 0,
  unacceptableProtocolVersion: 1,
  identifierRejected: 2,
  serverUnavailable: 3,
  badUserNameOrPassword: 4,
  notAuthorized: 5,
} as const);

/** Table 3.1 in words, indexed by return code. */
export const CONNACK_MESSAGES: readonly string[] = freezeTable([
  'connection accepted',
  'connection refused: the server does not support MQTT protocol level 4',
  'connection refused: the client identifier is not allowed by the server',
  'connection refused: the MQTT service is unavailable',
  'connection refused: the user name or password is malformed',
  'connection refused: the client is not authorized to connect',
]);

/** The words for a CONNACK return code; codes 6-255 are reserved (Table 3.1). */
export function connackMessage(code: number): string {
  return code >= 0 && code < CONNACK_MESSAGES.length && Number.isInteger(code) ? CONNACK_MESSAGES[code] : `reserved CONNACK return code ${code}`;
}

export function isConnackReturnCode(code: number): code is MqttConnackReturnCode {
  return Number.isInteger(code) && code >= 0 && code < CONNACK_MESSAGES.length;
}

/** §3.8.3.1: requested QoS in bits 1-0, bits 7-2 reserved 0. */
export const SUBSCRIBE_QOS_MASK = 0b11;
/** §3.9.3: SUBACK return code for a refused subscription. */
export const SUBACK_FAILURE = 0x80;

/** §4.3: the highest QoS level; §3.3.1.2 makes 3 malformed. */
export const MAX_QOS = 2;

/** §4.7.1: wildcards, which a topic name (PUBLISH, will) must not contain (§3.3.2.1). */
export const WILDCARD_MULTI = '#';
export const WILDCARD_SINGLE = '+';

export type ControlPacketType = (typeof PACKET_TYPE)[MqttPacketName];
