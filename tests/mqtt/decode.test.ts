import { decodeMqtt } from '../../protocol/mqtt/decode';
import { decodeMqttFull } from '../../protocol/mqtt/decode-server';
import { encodeMqtt } from '../../protocol/mqtt/encode';
import { CONNACK_MESSAGES, CONNACK_RETURN_CODE, PACKET_TYPE, TYPE_SHIFT, connackMessage } from '../../protocol/mqtt/format';
import type { MqttConnackReturnCode, MqttPacket } from '../../protocol/mqtt/types';
import { MALFORMED } from './malformed';
import { oracleBytes, oracleParse } from './oracle';
import { SAMPLES, expectSameBytes, publishWithRemainingLength } from './packets';

describe('MQTT 3.1.1 decoder of every packet type against mqtt-packet', () => {
  test.each(SAMPLES)('%s: mqtt.generate bytes decode into the same fields', (_name, packet) => {
    expect(decodeMqttFull(oracleBytes(packet))).toEqual({ ok: true, packet });
  });

  test.each(SAMPLES)('%s: our bytes parse in mqtt-packet as one packet of the same type', (_name, packet) => {
    const parsed = oracleParse(encodeMqtt(packet));
    expect(parsed.error).toBeUndefined();
    expect(parsed.packets.map((p) => p.cmd)).toEqual([packet.type]);
  });

  test('a decoded payload is a copy, not a view of the input bytes', () => {
    const bytes = oracleBytes({ type: 'publish', topic: 't', payload: Uint8Array.of(1, 2, 3), qos: 0, retain: false, dup: false });
    const result = decodeMqttFull(bytes);
    bytes.fill(0);
    expect(result).toMatchObject({ ok: true, packet: { payload: Uint8Array.of(1, 2, 3) } });
  });

  test.each([
    ['PINGREQ', { type: 'pingreq' }],
    ['PINGRESP', { type: 'pingresp' }],
    ['DISCONNECT', { type: 'disconnect' }],
  ] as const)('§2.2.3: remaining length 0: %s from mqtt.generate decodes', (_name, packet: MqttPacket) => {
    const bytes = oracleBytes(packet);
    expect([...bytes.subarray(1)]).toEqual([0x00]);
    expect(decodeMqttFull(bytes)).toEqual({ ok: true, packet });
  });

  test.each([127, 128, 16_383, 16_384, 2_097_151, 2_097_152])('§2.2.3: a PUBLISH of remaining length %i from mqtt.generate decodes with its whole payload', (remaining) => {
    const packet = publishWithRemainingLength(remaining);
    const result = decodeMqttFull(oracleBytes(packet));
    if (!result.ok || result.packet.type !== 'publish') throw new Error(`not decoded: ${JSON.stringify(result)}`);
    const { payload, ...fields } = result.packet;
    const { payload: expectedPayload, ...expectedFields } = packet as typeof result.packet;
    expect(fields).toEqual(expectedFields);
    expect(payload.length).toBe(remaining - 3);
    expectSameBytes(payload, expectedPayload);
  });

  test('§2.2.3: 3.1.1 does not require the shortest remaining length, so C0 80 00 is a PINGREQ (as mqtt-packet agrees)', () => {
    const bytes = Uint8Array.of(0xc0, 0x80, 0x00);
    expect(decodeMqttFull(bytes)).toEqual({ ok: true, packet: { type: 'pingreq' } });
    expect(oracleParse(bytes).packets.map((p) => p.cmd)).toEqual(['pingreq']);
  });

  test('a byte string longer than the packet it starts with is refused', () => {
    expect(decodeMqttFull(Uint8Array.of(0xc0, 0x00, 0x00))).toEqual({ ok: false, error: '3 bytes given, the fixed header declares 2 (remaining length 0)' });
  });

  test('a byte string shorter than its declared packet is refused', () => {
    expect(decodeMqttFull(Uint8Array.of(0x40, 0x02, 0x00))).toEqual({ ok: false, error: '3 bytes given, the fixed header declares 4 (remaining length 2)' });
  });

  test('a fixed header without its remaining length is refused', () => {
    expect(decodeMqttFull(Uint8Array.of(0xc0))).toEqual({ ok: false, error: 'fixed header truncated: remaining length byte 1 missing (MQTT 3.1.1 §2.2.3)' });
  });

  test('no bytes are refused', () => {
    expect(decodeMqttFull(new Uint8Array(0))).toEqual({ ok: false, error: 'no bytes: a packet needs at least its 2-byte fixed header (MQTT 3.1.1 §2.2)' });
  });

  test.each(MALFORMED)('%s is refused with an error naming it', (_fault, bytes, error) => {
    expect(decodeMqttFull(Uint8Array.from(bytes))).toEqual({ ok: false, error });
  });
});

/** §2.2.1 Table 2.1: the direction of flow of each type. */
const CLIENT_TO_SERVER: readonly (keyof typeof PACKET_TYPE)[] = ['connect', 'subscribe', 'unsubscribe', 'pingreq', 'disconnect'];
const FROM_SERVER = SAMPLES.filter(([, p]) => !CLIENT_TO_SERVER.includes(p.type));
const FROM_CLIENT = SAMPLES.filter(([, p]) => CLIENT_TO_SERVER.includes(p.type));
const MALFORMED_FROM_SERVER = MALFORMED.filter(([, bytes]) => !CLIENT_TO_SERVER.some((t) => PACKET_TYPE[t] === bytes[0] >> TYPE_SHIFT));

describe("§2.2.1 Table 2.1: the device's decoder reads what a server sends", () => {
  test('the samples hold every type a server sends: CONNACK, PUBLISH, PUBACK, SUBACK, UNSUBACK, PINGRESP', () => {
    expect([...new Set(FROM_SERVER.map(([, p]) => p.type))]).toEqual(['connack', 'publish', 'puback', 'suback', 'unsuback', 'pingresp']);
  });

  test.each(FROM_SERVER)('%s, which a server sends, decodes as the decoder of every type reads it', (_name, packet) => {
    expect(decodeMqtt(oracleBytes(packet))).toEqual({ ok: true, packet });
  });

  test.each(FROM_CLIENT)('%s, which only a client sends, is refused: a server does not send it', (_name, packet) => {
    const name = packet.type.toUpperCase();
    expect(decodeMqtt(oracleBytes(packet))).toEqual({ ok: false, error: `a server does not send ${name} (MQTT 3.1.1 §2.2.1 Table 2.1: client to server only)` });
  });

  test.each(MALFORMED_FROM_SERVER)('%s (not a client-only type) is refused with the same error', (_fault, bytes, error) => {
    expect(decodeMqtt(Uint8Array.from(bytes))).toEqual({ ok: false, error });
  });
});

describe('§3.2.2.3 Table 3.1: CONNACK return codes', () => {
  const CODES: readonly (readonly [name: keyof typeof CONNACK_RETURN_CODE, code: MqttConnackReturnCode, message: string])[] = [
    ['accepted', 0, 'connection accepted'],
    ['unacceptableProtocolVersion', 1, 'connection refused: the server does not support MQTT protocol level 4'],
    ['identifierRejected', 2, 'connection refused: the client identifier is not allowed by the server'],
    ['serverUnavailable', 3, 'connection refused: the MQTT service is unavailable'],
    ['badUserNameOrPassword', 4, 'connection refused: the user name or password is malformed'],
    ['notAuthorized', 5, 'connection refused: the client is not authorized to connect'],
  ];

  test('there are exactly six return codes, 0-5', () => {
    expect(Object.values(CONNACK_RETURN_CODE)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(CONNACK_MESSAGES).toHaveLength(6);
  });

  test.each(CODES)('%s is return code %i', (name, code) => {
    expect(CONNACK_RETURN_CODE[name]).toBe(code);
  });

  test.each(CODES)('%s (code %i) reads "%s"', (_name, code, message) => {
    expect(connackMessage(code)).toBe(message);
  });

  test.each(CODES)('%s (code %i): our CONNACK equals mqtt.generate and decodes back', (_name, code) => {
    const packet: MqttPacket = { type: 'connack', sessionPresent: false, returnCode: code };
    expect(encodeMqtt(packet)).toEqual(oracleBytes(packet));
    expect(decodeMqttFull(oracleBytes(packet))).toEqual({ ok: true, packet });
  });

  test('codes 6-255 are reserved and read as such', () => {
    expect(connackMessage(6)).toBe('reserved CONNACK return code 6');
    expect(connackMessage(255)).toBe('reserved CONNACK return code 255');
  });
});
