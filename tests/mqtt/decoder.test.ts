import { fullMqttDecoder } from '../../protocol/mqtt/decode-server';
import { MqttDecoder } from '../../protocol/mqtt/decoder';
import { encodeMqtt } from '../../protocol/mqtt/encode';
import type { MqttPacket } from '../../protocol/mqtt/types';
import { utf8Encode } from '../../protocol/text/utf8';
import { MALFORMED } from './malformed';
import { oracleBytes } from './oracle';
import { SAMPLES, concat, expectSameBytes, publishWithRemainingLength } from './packets';

const LARGE = 4 * 1024 * 1024;

/** Feeds `chunks` in order and gathers every packet; fails the test on any error. */
function decodeAll(chunks: readonly Uint8Array[], decoder = fullMqttDecoder(LARGE)): MqttPacket[] {
  const packets: MqttPacket[] = [];
  for (const chunk of chunks) {
    const result = decoder.push(chunk);
    if (!result.ok) throw new Error(result.error);
    packets.push(...result.packets);
  }
  return packets;
}

/** A few packets whose fields span every kind of field boundary: strings, binary, packet ids, 2-byte lengths. */
const SPLIT_SAMPLES: readonly (readonly [name: string, packet: MqttPacket])[] = [
  [
    'CONNECT with will, user name and password',
    { type: 'connect', clientId: 'wmbus-0001', cleanSession: true, keepAlive: 60, username: 'meter', password: utf8Encode('secret'), will: { topic: 'wmbus/0001/status', payload: utf8Encode('offline'), qos: 1, retain: true } },
  ],
  ['PUBLISH QoS 1 with a 2-byte remaining length', { type: 'publish', topic: 'wmbus/0001/frames', payload: new Uint8Array(200).fill(0x5a), qos: 1, retain: false, dup: true, packetId: 4660 }],
  ['SUBACK', { type: 'suback', packetId: 7, returnCodes: [1, 0x80, 0] }],
  ['CONNACK', { type: 'connack', sessionPresent: true, returnCode: 0 }],
];

describe('MqttDecoder of every packet type: bytes as a socket delivers them', () => {
  test.each(SPLIT_SAMPLES)('%s split at every byte offset into two reads decodes the same', (_name, packet) => {
    const bytes = oracleBytes(packet);
    for (let cut = 0; cut <= bytes.length; cut++) {
      expect(decodeAll([bytes.subarray(0, cut), bytes.subarray(cut)])).toEqual([packet]);
    }
  });

  test.each(SPLIT_SAMPLES)('%s delivered one byte at a time decodes the same', (_name, packet) => {
    const bytes = oracleBytes(packet);
    expect(decodeAll(Array.from(bytes, (b) => Uint8Array.of(b)))).toEqual([packet]);
  });

  test.each(SPLIT_SAMPLES)('%s yields nothing until its last byte arrives', (_name, packet) => {
    const bytes = oracleBytes(packet);
    const decoder = fullMqttDecoder(LARGE);
    expect(decoder.push(bytes.subarray(0, bytes.length - 1))).toEqual({ ok: true, packets: [] });
    expect(decoder.partial).toBe(true);
    expect(decoder.push(bytes.subarray(bytes.length - 1))).toEqual({ ok: true, packets: [packet] });
    expect(decoder.partial).toBe(false);
  });

  test('every sample packet in one read comes out in order', () => {
    const stream = concat(...SAMPLES.map(([, p]) => oracleBytes(p)));
    expect(decodeAll([stream])).toEqual(SAMPLES.map(([, p]) => p));
  });

  test('every sample packet in one stream split at every offset into two reads comes out in order', () => {
    const stream = concat(...SAMPLES.map(([, p]) => oracleBytes(p)));
    const expected = SAMPLES.map(([, p]) => p);
    for (let cut = 0; cut <= stream.length; cut++) {
      expect(decodeAll([stream.subarray(0, cut), stream.subarray(cut)])).toEqual(expected);
    }
  });

  test('a read ending inside one packet and carrying the next ones completes both', () => {
    const first = encodeMqtt({ type: 'puback', packetId: 1 });
    const rest = concat(encodeMqtt({ type: 'pingresp' }), encodeMqtt({ type: 'unsuback', packetId: 2 }));
    const decoder = fullMqttDecoder(64);
    expect(decoder.push(first.subarray(0, 3))).toEqual({ ok: true, packets: [] });
    expect(decoder.push(concat(first.subarray(3), rest))).toEqual({ ok: true, packets: [{ type: 'puback', packetId: 1 }, { type: 'pingresp' }, { type: 'unsuback', packetId: 2 }] });
  });

  test('an empty read changes nothing', () => {
    const decoder = fullMqttDecoder(64);
    expect(decoder.push(new Uint8Array(0))).toEqual({ ok: true, packets: [] });
    expect(decoder.partial).toBe(false);
  });

  test.each([
    [0, 1],
    [127, 1],
    [128, 2],
    [16_383, 2],
    [16_384, 3],
    [2_097_151, 3],
    [2_097_152, 4],
  ])('§2.2.3: remaining length %i (%i length bytes) decodes in 1000-byte reads', (remaining, lengthBytes) => {
    const packet: MqttPacket = remaining === 0 ? { type: 'pingreq' } : publishWithRemainingLength(remaining);
    const bytes = oracleBytes(packet);
    expect(bytes.length).toBe(1 + lengthBytes + remaining);
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i += 1000) chunks.push(bytes.subarray(i, i + 1000));
    const [decoded, ...others] = decodeAll(chunks);
    expect(others).toEqual([]);
    if (packet.type !== 'publish' || decoded.type !== 'publish') {
      expect(decoded).toEqual(packet);
      return;
    }
    expect(decoded.topic).toBe(packet.topic);
    expectSameBytes(decoded.payload, packet.payload);
  });

  test('the decoder counts the packets it decodes', () => {
    const decoder = fullMqttDecoder(64);
    decoder.push(concat(encodeMqtt({ type: 'pingresp' }), encodeMqtt({ type: 'pingresp' })));
    expect(decoder.stats).toEqual({ packets: 2, errors: 0 });
  });
});

describe('MqttDecoder of every packet type refuses malformed input and stays failed', () => {
  test.each(MALFORMED)('%s fails the stream with an error naming it', (_fault, bytes, error) => {
    const decoder = fullMqttDecoder(1024);
    expect(decoder.push(Uint8Array.from(bytes))).toEqual({ ok: false, packets: [], error });
    expect(decoder.error).toBe(error);
  });

  test.each(MALFORMED)('%s fails the same way delivered byte by byte', (_fault, bytes, error) => {
    const decoder = fullMqttDecoder(1024);
    const results = bytes.map((b) => decoder.push(Uint8Array.of(b)));
    expect(results.filter((r) => !r.ok)[0]).toEqual({ ok: false, packets: [], error });
  });

  test('§2.2.2: a wrong fixed-header flag fails at its first byte, before any length or body byte', () => {
    const decoder = fullMqttDecoder(1024);
    expect(decoder.push(Uint8Array.of(0x80))).toEqual({ ok: false, packets: [], error: 'SUBSCRIBE fixed-header flags 0b0000 must be 0b0010 (MQTT 3.1.1 §2.2.2)' });
  });

  test('§2.2.3: a remaining length still continuing at its fourth byte fails there, without waiting for a fifth', () => {
    const decoder = fullMqttDecoder(1024);
    expect(decoder.push(Uint8Array.of(0x30, 0x80, 0x80, 0x80))).toEqual({ ok: true, packets: [] });
    expect(decoder.push(Uint8Array.of(0x80))).toEqual({ ok: false, packets: [], error: 'remaining length does not end within 4 bytes (MQTT 3.1.1 §2.2.3)' });
  });

  test('a packet larger than the configured maximum fails as soon as its length is read', () => {
    const decoder = fullMqttDecoder(100);
    const packet = oracleBytes(publishWithRemainingLength(99));
    expect(packet.length).toBe(101);
    expect(decoder.push(packet.subarray(0, 2))).toEqual({ ok: false, packets: [], error: 'packet of 101 bytes (remaining length 99) exceeds the 100-byte maximum' });
  });

  test('a packet of exactly the configured maximum is accepted', () => {
    const decoder = fullMqttDecoder(100);
    const packet = publishWithRemainingLength(98);
    expect(decoder.push(oracleBytes(packet))).toEqual({ ok: true, packets: [packet] });
  });

  test('the largest remaining length 3.1.1 allows (268 435 455) fails a small maximum at its header, with no body buffered', () => {
    const decoder = fullMqttDecoder(1024);
    expect(decoder.push(Uint8Array.of(0x30, 0xff, 0xff, 0xff, 0x7f))).toEqual({ ok: false, packets: [], error: 'packet of 268435460 bytes (remaining length 268435455) exceeds the 1024-byte maximum' });
  });

  test('packets completed before a fault in the same read are still returned with the error', () => {
    const decoder = fullMqttDecoder(64);
    const result = decoder.push(concat(encodeMqtt({ type: 'pingresp' }), Uint8Array.of(0x36, 0x00), encodeMqtt({ type: 'pingresp' })));
    expect(result).toEqual({ ok: false, packets: [{ type: 'pingresp' }], error: 'PUBLISH QoS 3 is malformed: both QoS bits are set (MQTT 3.1.1 §3.3.1.2)' });
  });

  test('after a fault every later read returns the same error and no packets, even well-formed ones', () => {
    const decoder = fullMqttDecoder(64);
    decoder.push(Uint8Array.of(0x00, 0x00));
    expect(decoder.push(encodeMqtt({ type: 'pingresp' }))).toEqual({ ok: false, packets: [], error: 'packet type 0 is reserved (MQTT 3.1.1 §2.2.1)' });
    expect(decoder.error).toBe('packet type 0 is reserved (MQTT 3.1.1 §2.2.1)');
  });

  test('a fault is counted once, however many reads follow it', () => {
    const decoder = fullMqttDecoder(64);
    decoder.push(Uint8Array.of(0x00, 0x00));
    decoder.push(encodeMqtt({ type: 'pingresp' }));
    expect(decoder.stats).toEqual({ packets: 0, errors: 1 });
  });

  test('reset() forgets the fault and a partial packet, for the next connection', () => {
    const decoder = fullMqttDecoder(64);
    decoder.push(Uint8Array.of(0x40, 0x02, 0x00));
    decoder.reset();
    expect(decoder.partial).toBe(false);
    decoder.push(Uint8Array.of(0x00));
    decoder.reset();
    expect(decoder.error).toBeUndefined();
    expect(decoder.push(encodeMqtt({ type: 'pingresp' }))).toEqual({ ok: true, packets: [{ type: 'pingresp' }] });
  });

  test.each([0, 1, 1.5, Number.NaN])('a maximum packet size of %p is refused at the first read, even after reset()', (maxPacketSize) => {
    const decoder = fullMqttDecoder(maxPacketSize);
    decoder.reset();
    expect(decoder.push(encodeMqtt({ type: 'pingresp' }))).toEqual({ ok: false, packets: [], error: `maxPacketSize ${maxPacketSize} is not an integer of at least 2` });
  });
});

describe("MqttDecoder as the device's client uses it: the packets a server sends", () => {
  const CLIENT_TO_SERVER: readonly MqttPacket['type'][] = ['connect', 'subscribe', 'unsubscribe', 'pingreq', 'disconnect'];
  const fromServer = SAMPLES.filter(([, p]) => !CLIENT_TO_SERVER.includes(p.type)).map(([, p]) => p);

  test('every sample a server sends, in one stream split at every offset into two reads, comes out in order', () => {
    const stream = concat(...fromServer.map((p) => oracleBytes(p)));
    for (let cut = 0; cut <= stream.length; cut++) {
      expect(decodeAll([stream.subarray(0, cut), stream.subarray(cut)], new MqttDecoder({ maxPacketSize: LARGE }))).toEqual(fromServer);
    }
  });

  test.each(SAMPLES.filter(([, p]) => CLIENT_TO_SERVER.includes(p.type)))('%s from a server fails the stream: a server does not send it', (_name, packet) => {
    const decoder = new MqttDecoder({ maxPacketSize: LARGE });
    const error = `a server does not send ${packet.type.toUpperCase()} (MQTT 3.1.1 §2.2.1 Table 2.1: client to server only)`;
    expect(decoder.push(concat(encodeMqtt({ type: 'pingresp' }), oracleBytes(packet)))).toEqual({ ok: false, packets: [{ type: 'pingresp' }], error });
    expect(decoder.stats).toEqual({ packets: 1, errors: 1 });
  });
});
