/** Malformed and unsupported packets, each with the error that names its fault. */
import * as mqtt from 'mqtt-packet';

const M = 0x4d;
const Q = 0x51;
const T = 0x54;
const a = 0x61;
/** CONNECT variable header up to the connect flags: protocol name `MQTT`, level 4. */
const CONNECT_START = [0x00, 0x04, M, Q, T, T, 0x04];

export const MALFORMED: readonly (readonly [fault: string, bytes: readonly number[], error: string])[] = [
  ['§2.2.1: packet type 0 is reserved', [0x00, 0x00], 'packet type 0 is reserved (MQTT 3.1.1 §2.2.1)'],
  ['§2.2.1: packet type 15 is reserved', [0xf0, 0x00], 'packet type 15 is reserved (MQTT 3.1.1 §2.2.1)'],
  ['§2.2.2: SUBSCRIBE must carry flags 0b0010', [0x80, 0x06, 0x00, 0x01, 0x00, 0x01, a, 0x00], 'SUBSCRIBE fixed-header flags 0b0000 must be 0b0010 (MQTT 3.1.1 §2.2.2)'],
  ['§2.2.2: UNSUBSCRIBE must carry flags 0b0010', [0xa0, 0x05, 0x00, 0x01, 0x00, 0x01, a], 'UNSUBSCRIBE fixed-header flags 0b0000 must be 0b0010 (MQTT 3.1.1 §2.2.2)'],
  ['§2.2.2: CONNACK must carry flags 0b0000', [0x21, 0x02, 0x00, 0x00], 'CONNACK fixed-header flags 0b0001 must be 0b0000 (MQTT 3.1.1 §2.2.2)'],
  ['§2.2.2: PINGREQ must carry flags 0b0000', [0xc8, 0x00], 'PINGREQ fixed-header flags 0b1000 must be 0b0000 (MQTT 3.1.1 §2.2.2)'],
  ['§3.3.1.2: PUBLISH with QoS 3 (both QoS bits set)', [0x36, 0x03, 0x00, 0x01, T], 'PUBLISH QoS 3 is malformed: both QoS bits are set (MQTT 3.1.1 §3.3.1.2)'],
  ['PUBLISH QoS 2 is refused on decode (QoS 2 flow unsupported)', [0x34, 0x05, 0x00, 0x01, T, 0x00, 0x01], 'PUBLISH QoS 2 is not supported: this codec implements QoS 0 and 1 only'],
  ['PUBREC is QoS 2 flow, refused', [0x50, 0x02, 0x00, 0x01], 'PUBREC belongs to QoS 2 flow, which this codec does not support'],
  ['PUBREL is QoS 2 flow, refused', [0x62, 0x02, 0x00, 0x01], 'PUBREL belongs to QoS 2 flow, which this codec does not support'],
  ['PUBCOMP is QoS 2 flow, refused', [0x70, 0x02, 0x00, 0x01], 'PUBCOMP belongs to QoS 2 flow, which this codec does not support'],
  ['§3.3.1.1: a QoS 0 PUBLISH with DUP set', [0x38, 0x03, 0x00, 0x01, T], 'PUBLISH QoS 0 with the DUP flag set (MQTT 3.1.1 §3.3.1.1)'],
  ['§2.2.3: a remaining length that does not end within 4 bytes', [0x30, 0xff, 0xff, 0xff, 0xff, 0x7f], 'remaining length does not end within 4 bytes (MQTT 3.1.1 §2.2.3)'],
  ['a PUBLISH QoS 1 truncated before its packet identifier', [0x32, 0x04, 0x00, 0x01, T, 0x00], 'PUBLISH truncated: packet identifier at offset 5 needs 2 bytes, 1 left in the packet'],
  ['a PUBLISH too short for its topic length', [0x30, 0x01, 0x00], 'PUBLISH truncated: topic name length at offset 2 needs 2 bytes, 1 left in the packet'],
  ['a CONNECT truncated after its protocol name', [0x10, 0x06, 0x00, 0x04, M, Q, T, T], 'CONNECT truncated: protocol level at offset 8 needs 1 byte, 0 left in the packet'],
  ['a SUBSCRIBE filter without its requested QoS byte', [0x82, 0x05, 0x00, 0x01, 0x00, 0x01, a], 'SUBSCRIBE truncated: requested QoS at offset 7 needs 1 byte, 0 left in the packet'],
  ['a topic name whose length runs past the packet', [0x30, 0x05, 0x00, 0x0a, a, a, a], 'PUBLISH topic name of 10 bytes at offset 2 runs past the packet end (3 bytes left)'],
  ['a client identifier whose length runs past the packet', [0x10, 0x0e, ...CONNECT_START, 0x02, 0x00, 0x3c, 0x00, 0x05, a, a], 'CONNECT client identifier of 5 bytes at offset 12 runs past the packet end (2 bytes left)'],
  ['§1.5.3: a topic name that is not UTF-8 (C3 28)', [0x30, 0x04, 0x00, 0x02, 0xc3, 0x28], 'PUBLISH topic name at offset 2 is not well-formed UTF-8 (MQTT 3.1.1 §1.5.3)'],
  ['§1.5.3: a topic name with an over-long form of "/" (C0 AF)', [0x30, 0x04, 0x00, 0x02, 0xc0, 0xaf], 'PUBLISH topic name at offset 2 is not well-formed UTF-8 (MQTT 3.1.1 §1.5.3)'],
  ['§1.5.3 [MQTT-1.5.3-1]: a topic name with an encoded surrogate U+D800', [0x30, 0x05, 0x00, 0x03, 0xed, 0xa0, 0x80], 'PUBLISH topic name at offset 2 is not well-formed UTF-8 (MQTT 3.1.1 §1.5.3)'],
  ['§1.5.3 [MQTT-1.5.3-2]: a topic name with U+0000', [0x30, 0x05, 0x00, 0x03, a, 0x00, a], 'PUBLISH topic name at offset 2 contains U+0000 (MQTT 3.1.1 §1.5.3)'],
  ['§1.5.3: a user name that is not UTF-8', [0x10, 0x10, ...CONNECT_START, 0x82, 0x00, 0x00, 0x00, 0x01, a, 0x00, 0x01, 0xff], 'CONNECT user name at offset 15 is not well-formed UTF-8 (MQTT 3.1.1 §1.5.3)'],
  ['§3.3.2.1: a PUBLISH topic name with a wildcard', [0x30, 0x05, 0x00, 0x03, a, 0x2f, 0x23], "PUBLISH topic at offset 2: name 'a/#' contains a wildcard (MQTT 3.1.1 §3.3.2.1)"],
  ['§2.3.1: packet identifier 0', [0x40, 0x02, 0x00, 0x00], 'PUBACK packet identifier at offset 2 is 0 (MQTT 3.1.1 §2.3.1 requires 1-65535)'],
  ['§3.4.1: a PUBACK with remaining length 3', [0x40, 0x03, 0x00, 0x01, 0x00], 'PUBACK remaining length 3 must be 2 (MQTT 3.1.1 §3.4.1)'],
  ['§3.11.1: an UNSUBACK with remaining length 1', [0xb0, 0x01, 0x01], 'UNSUBACK remaining length 1 must be 2 (MQTT 3.1.1 §3.11.1)'],
  ['§3.12.1: a PINGREQ with remaining length 1', [0xc0, 0x01, 0x00], 'PINGREQ remaining length 1 must be 0 (MQTT 3.1.1 §3.12.1)'],
  ['§3.14.1: a DISCONNECT with remaining length 2', [0xe0, 0x02, 0x00, 0x00], 'DISCONNECT remaining length 2 must be 0 (MQTT 3.1.1 §3.14.1)'],
  ['§3.2.1: a CONNACK with remaining length 3', [0x20, 0x03, 0x00, 0x00, 0x00], 'CONNACK remaining length 3 must be 2 (MQTT 3.1.1 §3.2.1)'],
  ['§3.2.2.3: CONNACK return code 6 is reserved', [0x20, 0x02, 0x00, 0x06], 'CONNACK return code 6 is reserved (MQTT 3.1.1 §3.2.2.3)'],
  ['§3.2.2.2: a refusing CONNACK with session present', [0x20, 0x02, 0x01, 0x05], 'CONNACK sets session present with return code 5 (MQTT 3.1.1 §3.2.2.2)'],
  ['§3.2.2.1: CONNACK acknowledge flags with a reserved bit', [0x20, 0x02, 0x02, 0x00], 'CONNACK acknowledge flags 0x02 set reserved bits 7-1 (MQTT 3.1.1 §3.2.2.1)'],
  ['§3.9.3: SUBACK return code 0x03 is reserved', [0x90, 0x03, 0x00, 0x01, 0x03], 'SUBACK return code 0x03 at offset 4 is reserved (MQTT 3.1.1 §3.9.3)'],
  ['§3.9.3: a SUBACK without return codes', [0x90, 0x02, 0x00, 0x01], 'SUBACK has no return code (MQTT 3.1.1 §3.9.3)'],
  ['§3.8.3.1: SUBSCRIBE requested QoS 3', [0x82, 0x06, 0x00, 0x01, 0x00, 0x01, a, 0x03], 'SUBSCRIBE requested QoS 3 at offset 7 is malformed (MQTT 3.1.1 §3.8.3.1)'],
  ['§3.8.3.1: SUBSCRIBE requested QoS byte with a reserved bit', [0x82, 0x06, 0x00, 0x01, 0x00, 0x01, a, 0x04], 'SUBSCRIBE requested QoS byte 0x04 sets reserved bits 7-2 (MQTT 3.1.1 §3.8.3.1)'],
  ['§3.8.3: a SUBSCRIBE without topic filters', [0x82, 0x02, 0x00, 0x01], 'SUBSCRIBE has no topic filter (MQTT 3.1.1 §3.8.3)'],
  ['§4.7.1.2: a SUBSCRIBE filter with `#` inside a level', [0x82, 0x07, 0x00, 0x01, 0x00, 0x02, a, 0x23, 0x00], "SUBSCRIBE topic filter at offset 4 'a#' uses '#' other than as the whole last level (MQTT 3.1.1 §4.7.1.2)"],
  ['§3.10.3: an UNSUBSCRIBE without topic filters', [0xa2, 0x02, 0x00, 0x01], 'UNSUBSCRIBE has no topic filter (MQTT 3.1.1 §3.10.3)'],
  ['§3.1.2.1: a CONNECT of MQTT 3.1 (protocol name MQIsdp)', [...mqtt.generate({ cmd: 'connect', protocolId: 'MQIsdp', protocolVersion: 3, clientId: 'c', clean: true, keepalive: 0 })], "CONNECT protocol name 'MQIsdp' is not 'MQTT' (MQTT 3.1.1 §3.1.2.1)"],
  ['§3.1.2.2: a CONNECT of MQTT 5 (protocol level 5)', [...mqtt.generate({ cmd: 'connect', protocolVersion: 5, clientId: 'c', clean: true, keepalive: 0 })], 'CONNECT protocol level 5 is not 4 (MQTT 3.1.1 §3.1.2.2)'],
  ['§3.1.2.3: CONNECT with the reserved connect flag set', [0x10, 0x0c, ...CONNECT_START, 0x03, 0x00, 0x3c, 0x00, 0x00], 'CONNECT reserved connect flag (bit 0) is set (MQTT 3.1.1 §3.1.2.3)'],
  ['§3.1.2.9: CONNECT with a password flag but no user name flag', [0x10, 0x0f, ...CONNECT_START, 0x42, 0x00, 0x3c, 0x00, 0x00, 0x00, 0x01, a], 'CONNECT sets the password flag without the user name flag (MQTT 3.1.1 §3.1.2.9)'],
  ['§3.1.2.6: CONNECT with will QoS but no will flag', [0x10, 0x0c, ...CONNECT_START, 0x0a, 0x00, 0x3c, 0x00, 0x00], 'CONNECT sets will QoS or will retain without the will flag (MQTT 3.1.1 §3.1.2.6-7)'],
  ['§3.1.2.6: CONNECT with will QoS 3', [0x10, 0x0c, ...CONNECT_START, 0x1e, 0x00, 0x3c, 0x00, 0x00], 'CONNECT will QoS 3 is malformed (MQTT 3.1.1 §3.1.2.6)'],
  ['a CONNECT with a byte after its last field', [0x10, 0x0d, ...CONNECT_START, 0x02, 0x00, 0x3c, 0x00, 0x00, 0xff], 'CONNECT has 1 byte after its last field at offset 14'],
];
