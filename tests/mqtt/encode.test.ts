import { MqttEncodeError, encodeMqtt } from '../../protocol/mqtt/encode';
import type { MqttPacket } from '../../protocol/mqtt/types';
import { oracleBytes } from './oracle';
import { SAMPLES, expectSameBytes, publishWithRemainingLength } from './packets';

describe('MQTT 3.1.1 encoder against mqtt-packet', () => {
  test('the samples cover every packet type the codec handles', () => {
    expect(new Set(SAMPLES.map(([, p]) => p.type))).toEqual(
      new Set(['connect', 'connack', 'publish', 'puback', 'subscribe', 'suback', 'unsubscribe', 'unsuback', 'pingreq', 'pingresp', 'disconnect']),
    );
  });

  test.each(SAMPLES)('%s: our bytes equal mqtt.generate byte for byte', (_name, packet) => {
    expect(encodeMqtt(packet)).toEqual(oracleBytes(packet));
  });

  test.each(SAMPLES)('%s: the encoder returns a plain Uint8Array', (_name, packet) => {
    expect(Object.getPrototypeOf(encodeMqtt(packet))).toBe(Uint8Array.prototype);
  });

  test.each([
    [0x7f, [0x7f]],
    [0x80, [0x80, 0x01]],
    [16_383, [0xff, 0x7f]],
    [16_384, [0x80, 0x80, 0x01]],
    [2_097_151, [0xff, 0xff, 0x7f]],
    [2_097_152, [0x80, 0x80, 0x80, 0x01]],
  ])('§2.2.3: remaining length %i is written as %j and the packet equals mqtt.generate', (remaining, lengthBytes) => {
    const packet = publishWithRemainingLength(remaining);
    const bytes = encodeMqtt(packet);
    expect([...bytes.subarray(1, 1 + lengthBytes.length)]).toEqual(lengthBytes);
    expect(bytes.length).toBe(1 + lengthBytes.length + remaining);
    expectSameBytes(bytes, oracleBytes(packet));
  });

  test('§2.2.3: remaining length 0 is a single 0x00 byte (PINGREQ is C0 00, DISCONNECT E0 00)', () => {
    expect([...encodeMqtt({ type: 'pingreq' })]).toEqual([0xc0, 0x00]);
    expect([...encodeMqtt({ type: 'disconnect' })]).toEqual([0xe0, 0x00]);
  });

  test('§3.8.1: SUBSCRIBE carries fixed-header flags 0b0010', () => {
    expect(encodeMqtt({ type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: 'a', qos: 0 }] })[0]).toBe(0x82);
  });

  test('§3.10.1: UNSUBSCRIBE carries fixed-header flags 0b0010', () => {
    expect(encodeMqtt({ type: 'unsubscribe', packetId: 1, topicFilters: ['a'] })[0]).toBe(0xa2);
  });

  test('§3.3.1: a resent QoS 1 PUBLISH sets DUP (bit 3), QoS 1 (bit 1) and RETAIN (bit 0)', () => {
    expect(encodeMqtt({ type: 'publish', topic: 't', payload: new Uint8Array(0), qos: 1, retain: true, dup: true, packetId: 7 })[0]).toBe(0x3b);
  });
});

describe('MQTT 3.1.1 encoder refuses what it cannot put on the wire', () => {
  const refuses = (packet: unknown, message: string | RegExp): void => {
    expect(() => encodeMqtt(packet as MqttPacket)).toThrow(MqttEncodeError);
    expect(() => encodeMqtt(packet as MqttPacket)).toThrow(message);
  };

  test('PUBLISH QoS 2 is refused: the codec implements QoS 0 and 1 only', () => {
    refuses({ type: 'publish', topic: 't', payload: new Uint8Array(0), qos: 2, retain: false, dup: false, packetId: 1 }, 'PUBLISH QoS 2 is not supported: this codec implements QoS 0 and 1 only');
  });

  test('PUBLISH QoS 3 is refused (§3.3.1.2)', () => {
    refuses({ type: 'publish', topic: 't', payload: new Uint8Array(0), qos: 3, retain: false, dup: false, packetId: 1 }, 'PUBLISH QoS 3 is not 0 or 1 (MQTT 3.1.1 §3.3.1.2)');
  });

  test('§3.3.1.1: a QoS 0 PUBLISH never sets DUP', () => {
    refuses({ type: 'publish', topic: 't', payload: new Uint8Array(0), qos: 0, retain: false, dup: true }, 'PUBLISH QoS 0 must not set DUP (MQTT 3.1.1 §3.3.1.1)');
  });

  test.each([0, 65536, 1.5])('§2.3.1: packet identifier %p is refused', (packetId) => {
    refuses({ type: 'puback', packetId }, `PUBACK packet identifier ${packetId} is not 1-65535 (MQTT 3.1.1 §2.3.1)`);
  });

  test('§3.3.2.1: a PUBLISH topic name must not contain a wildcard', () => {
    refuses({ type: 'publish', topic: 'a/+/b', payload: new Uint8Array(0), qos: 0, retain: false, dup: false }, "PUBLISH topic name 'a/+/b' contains a wildcard (MQTT 3.1.1 §3.3.2.1)");
  });

  test('§4.7.3: a PUBLISH topic name is at least one character', () => {
    refuses({ type: 'publish', topic: '', payload: new Uint8Array(0), qos: 0, retain: false, dup: false }, 'PUBLISH topic name is empty (MQTT 3.1.1 §4.7.3)');
  });

  test('§4.7.1.2: `#` is allowed only as the whole last level of a filter', () => {
    refuses({ type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: 'a/#/b', qos: 0 }] }, "SUBSCRIBE topic filter 'a/#/b' uses '#' other than as the whole last level (MQTT 3.1.1 §4.7.1.2)");
  });

  test('§4.7.1.3: `+` is allowed only as a whole level of a filter', () => {
    refuses({ type: 'unsubscribe', packetId: 1, topicFilters: ['a/b+'] }, "UNSUBSCRIBE topic filter 'a/b+' uses '+' other than as a whole level (MQTT 3.1.1 §4.7.1.3)");
  });

  test('§3.8.3: SUBSCRIBE needs at least one topic filter', () => {
    refuses({ type: 'subscribe', packetId: 1, subscriptions: [] }, 'SUBSCRIBE needs at least one topic filter (MQTT 3.1.1 §3.8.3)');
  });

  test('§3.10.3: UNSUBSCRIBE needs at least one topic filter', () => {
    refuses({ type: 'unsubscribe', packetId: 1, topicFilters: [] }, 'UNSUBSCRIBE needs at least one topic filter (MQTT 3.1.1 §3.10.3)');
  });

  test('§3.9.3: a SUBACK return code is 0, 1, 2 or 0x80', () => {
    refuses({ type: 'suback', packetId: 1, returnCodes: [3] }, 'SUBACK granted QoS 3 is not 0, 1 or 2 (MQTT 3.1.1 §4.3)');
  });

  test('§3.1.2.9: a CONNECT password needs a user name', () => {
    refuses({ type: 'connect', clientId: 'c', cleanSession: true, keepAlive: 0, password: Uint8Array.of(1) }, 'CONNECT has a password but no user name (MQTT 3.1.1 §3.1.2.9)');
  });

  test('§3.1.2.10: keep-alive is a two-byte integer', () => {
    refuses({ type: 'connect', clientId: 'c', cleanSession: true, keepAlive: 65536 }, 'keep alive 65536 is not an integer 0-65535 (MQTT 3.1.1 §1.5.2)');
  });

  test('§3.1.3.3: the will topic is a topic name, without wildcards', () => {
    refuses({ type: 'connect', clientId: 'c', cleanSession: true, keepAlive: 0, will: { topic: 'w/#', payload: new Uint8Array(0), qos: 0, retain: false } }, "will topic name 'w/#' contains a wildcard (MQTT 3.1.1 §3.3.2.1)");
  });

  test('§3.2.2.3: CONNACK return codes 6-255 are reserved', () => {
    refuses({ type: 'connack', sessionPresent: false, returnCode: 6 }, 'CONNACK return code 6 is reserved (MQTT 3.1.1 §3.2.2.3)');
  });

  test('§3.2.2.2: a refusing CONNACK never sets session present', () => {
    refuses({ type: 'connack', sessionPresent: true, returnCode: 4 }, 'CONNACK with a non-zero return code must not set session present (MQTT 3.1.1 §3.2.2.2)');
  });

  test('§1.5.3: a string longer than 65 535 UTF-8 bytes is refused', () => {
    refuses({ type: 'connect', clientId: 'x'.repeat(65536), cleanSession: true, keepAlive: 0 }, 'client identifier is 65536 bytes, above the 65535 a two-byte length allows (MQTT 3.1.1 §1.5.3)');
  });

  test('§1.5.3: a string of exactly 65 535 bytes is accepted and equals mqtt.generate', () => {
    const packet: MqttPacket = { type: 'connect', clientId: 'x'.repeat(65535), cleanSession: true, keepAlive: 0 };
    expectSameBytes(encodeMqtt(packet), oracleBytes(packet));
  });

  test('§1.5.3: a string with an unpaired surrogate is not UTF-8 and is refused', () => {
    refuses({ type: 'publish', topic: 'a\ud800', payload: new Uint8Array(0), qos: 0, retain: false, dup: false }, 'PUBLISH topic name holds an unpaired surrogate, which is not UTF-8 (MQTT 3.1.1 §1.5.3)');
  });

  test('§1.5.3: a string with U+0000 is refused', () => {
    refuses({ type: 'connect', clientId: 'a\u0000b', cleanSession: true, keepAlive: 0 }, 'client identifier holds U+0000, which MQTT 3.1.1 §1.5.3 forbids');
  });

  test('PUBREC and other QoS 2 flow packets are not in the model and are refused', () => {
    refuses({ type: 'pubrec', packetId: 1 }, "unknown packet type 'pubrec'");
  });
});
