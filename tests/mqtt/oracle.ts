/**
 * The npm `mqtt-packet` package (v9) as an independent MQTT 3.1.1 implementation: our packet
 * model converted to its packet objects, its generator's bytes, and its parser's output.
 */
import * as mqtt from 'mqtt-packet';
import type { MqttPacket } from '../../protocol/mqtt/types';

const V311 = { protocolVersion: 4 };

const buf = (bytes: Uint8Array): Buffer => Buffer.from(bytes);

/** Our packet as the object `mqtt.generate` takes. */
export function toOracle(p: MqttPacket): mqtt.Packet {
  switch (p.type) {
    case 'connect':
      return {
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion: 4,
        clientId: p.clientId,
        clean: p.cleanSession,
        keepalive: p.keepAlive,
        ...(p.username !== undefined ? { username: p.username } : {}),
        ...(p.password !== undefined ? { password: buf(p.password) } : {}),
        ...(p.will ? { will: { topic: p.will.topic, payload: buf(p.will.payload), qos: p.will.qos, retain: p.will.retain } } : {}),
      } as mqtt.IConnectPacket;
    case 'connack':
      return { cmd: 'connack', returnCode: p.returnCode, sessionPresent: p.sessionPresent };
    case 'publish':
      return { cmd: 'publish', topic: p.topic, payload: buf(p.payload), qos: p.qos, retain: p.retain, dup: p.dup, ...(p.qos === 1 ? { messageId: p.packetId } : {}) };
    case 'puback':
      return { cmd: 'puback', messageId: p.packetId };
    case 'subscribe':
      return { cmd: 'subscribe', messageId: p.packetId, subscriptions: p.subscriptions.map((s) => ({ topic: s.topicFilter, qos: s.qos })) };
    case 'suback':
      return { cmd: 'suback', messageId: p.packetId, granted: [...p.returnCodes] };
    case 'unsubscribe':
      return { cmd: 'unsubscribe', messageId: p.packetId, unsubscriptions: [...p.topicFilters] };
    case 'unsuback':
      // The typings ask for MQTT 5 reason codes (`granted`), which a 3.1.1 UNSUBACK has not (§3.11).
      return { cmd: 'unsuback', messageId: p.packetId } as mqtt.IUnsubackPacket;
    case 'pingreq':
    case 'pingresp':
    case 'disconnect':
      return { cmd: p.type };
  }
}

/** `mqtt.generate` of our packet, as a plain Uint8Array. */
export function oracleBytes(p: MqttPacket): Uint8Array {
  return new Uint8Array(mqtt.generate(toOracle(p), V311));
}

/** Every packet `mqtt-packet`'s parser finds in `bytes`, and its first error. */
export function oracleParse(bytes: Uint8Array): { packets: mqtt.Packet[]; error?: string } {
  const parser = mqtt.parser(V311);
  const packets: mqtt.Packet[] = [];
  let error: string | undefined;
  parser.on('packet', (p: mqtt.Packet) => packets.push(p));
  parser.on('error', (e: Error) => (error = error ?? e.message));
  parser.parse(Buffer.from(bytes));
  return error === undefined ? { packets } : { packets, error };
}
