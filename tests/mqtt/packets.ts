/** Sample packets of every MQTT 3.1.1 type this codec handles, each in the shapes that change its bytes. */
import type { MqttPacket } from '../../protocol/mqtt/types';
import { utf8Encode } from '../../protocol/text/utf8';

const text = (s: string): Uint8Array => utf8Encode(s);

export const SAMPLES: readonly (readonly [name: string, packet: MqttPacket])[] = [
  ['CONNECT, clean session, client id only', { type: 'connect', clientId: 'wmbus-0001', cleanSession: true, keepAlive: 60 }],
  ['CONNECT, persistent session, keep-alive off', { type: 'connect', clientId: 'wmbus-0001', cleanSession: false, keepAlive: 0 }],
  ['CONNECT, empty client id (server assigns one, §3.1.3.1)', { type: 'connect', clientId: '', cleanSession: true, keepAlive: 65535 }],
  ['CONNECT with user name only', { type: 'connect', clientId: 'c', cleanSession: true, keepAlive: 30, username: 'meter' }],
  ['CONNECT with user name and password', { type: 'connect', clientId: 'c', cleanSession: true, keepAlive: 30, username: 'meter', password: Uint8Array.of(0x00, 0xff, 0x70, 0x77) }],
  [
    'CONNECT with a QoS 1 retained will',
    { type: 'connect', clientId: 'c', cleanSession: true, keepAlive: 120, will: { topic: 'wmbus/c/status', payload: text('offline'), qos: 1, retain: true } },
  ],
  ['CONNECT with a QoS 0 will and an empty will message', { type: 'connect', clientId: 'c', cleanSession: false, keepAlive: 10, will: { topic: 'w', payload: new Uint8Array(0), qos: 0, retain: false } }],
  ['CONNECT with a QoS 2 will', { type: 'connect', clientId: 'c', cleanSession: true, keepAlive: 10, will: { topic: 'w', payload: text('x'), qos: 2, retain: false } }],
  [
    'CONNECT with will, user name, password and a non-ASCII client id',
    { type: 'connect', clientId: 'zähler-€-𝄞', cleanSession: true, keepAlive: 300, username: 'ü', password: text('pässword'), will: { topic: 'a/ö', payload: text('gone'), qos: 1, retain: false } },
  ],
  ['CONNACK accepted, no session', { type: 'connack', sessionPresent: false, returnCode: 0 }],
  ['CONNACK accepted, session present', { type: 'connack', sessionPresent: true, returnCode: 0 }],
  ['CONNACK refused: not authorized', { type: 'connack', sessionPresent: false, returnCode: 5 }],
  ['PUBLISH QoS 0', { type: 'publish', topic: 'wmbus/c/frames', payload: Uint8Array.of(1, 2, 3), qos: 0, retain: false, dup: false }],
  ['PUBLISH QoS 0 retained, empty payload', { type: 'publish', topic: 'wmbus/c/status', payload: new Uint8Array(0), qos: 0, retain: true, dup: false }],
  ['PUBLISH QoS 1', { type: 'publish', topic: 'wmbus/c/frames', payload: text('{"n":1}'), qos: 1, retain: false, dup: false, packetId: 1 }],
  ['PUBLISH QoS 1 resent with DUP, retained', { type: 'publish', topic: 't', payload: text('again'), qos: 1, retain: true, dup: true, packetId: 65535 }],
  ['PUBACK', { type: 'puback', packetId: 258 }],
  ['SUBSCRIBE one filter', { type: 'subscribe', packetId: 10, subscriptions: [{ topicFilter: 'wmbus/c/cmd', qos: 1 }] }],
  [
    'SUBSCRIBE several filters with wildcards',
    {
      type: 'subscribe',
      packetId: 11,
      subscriptions: [
        { topicFilter: 'wmbus/+/cmd', qos: 0 },
        { topicFilter: 'wmbus/c/#', qos: 1 },
        { topicFilter: '#', qos: 2 },
      ],
    },
  ],
  ['SUBACK with every return code incl. failure 0x80', { type: 'suback', packetId: 11, returnCodes: [0, 1, 2, 0x80] }],
  ['UNSUBSCRIBE one filter', { type: 'unsubscribe', packetId: 12, topicFilters: ['wmbus/c/cmd'] }],
  ['UNSUBSCRIBE several filters', { type: 'unsubscribe', packetId: 13, topicFilters: ['a/+', 'b/#', 'c'] }],
  ['UNSUBACK', { type: 'unsuback', packetId: 13 }],
  ['PINGREQ', { type: 'pingreq' }],
  ['PINGRESP', { type: 'pingresp' }],
  ['DISCONNECT', { type: 'disconnect' }],
];

/** A QoS 0 PUBLISH on topic `t` whose remaining length is exactly `remaining` (2 + 1 topic bytes + payload). */
export function publishWithRemainingLength(remaining: number): MqttPacket {
  const payload = new Uint8Array(remaining - 3);
  for (let i = 0; i < payload.length; i++) payload[i] = i & 0xff;
  return { type: 'publish', topic: 't', payload, qos: 0, retain: false, dup: false };
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Byte-for-byte equality. Jest's `toEqual` walks a typed array element by element, which takes
 * tens of seconds for the 2 MiB packets, so large arrays are compared at once and a mismatch
 * reported by its first differing offset.
 */
export function expectSameBytes(actual: Uint8Array, expected: Uint8Array): void {
  const SMALL = 4096;
  if (actual.length <= SMALL && expected.length <= SMALL) {
    expect(actual).toEqual(expected);
    return;
  }
  expect(actual.length).toBe(expected.length);
  let first = -1;
  if (!Buffer.from(actual.buffer, actual.byteOffset, actual.length).equals(expected)) {
    first = actual.findIndex((b, i) => b !== expected[i]);
  }
  expect({ firstDifferingOffset: first }).toEqual({ firstDifferingOffset: -1 });
}
