/**
 * The MQTT 3.1.1 packets only a client sends (§2.2.1 Table 2.1): CONNECT with its will,
 * SUBSCRIBE, UNSUBSCRIBE, PINGREQ and DISCONNECT, and a decoder of every type that composes them
 * with decode.ts, the server-to-client half the device's client uses. For the tests (which compare
 * both directions with mqtt-packet) and a broker; the device never receives these packets, so this
 * module is not in its image. Never throws: faults come back as `{ ok: false, error }`.
 */
import {
  CONNECT_FLAG,
  MAX_QOS,
  PACKET_NAMES,
  PACKET_TYPE,
  PROTOCOL_LEVEL,
  PROTOCOL_NAME,
  SUBSCRIBE_QOS_MASK,
  TYPE_SHIFT,
  WILL_QOS_MASK,
  WILL_QOS_SHIFT,
} from './format';
import { Reader, decodeMqttBody, decodeMqttWith, exactLength, fail, fixedHeaderError, guarded, hex2 } from './decode';
import { MqttDecoder } from './decoder';
import { topicFilterError, topicNameError } from './topic';
import type { MqttConnect, MqttDecodeResult, MqttPacket, MqttQos, MqttSubscription, MqttWill } from './types';

function connect(r: Reader): MqttConnect {
  // §3.1.2.1 [MQTT-3.1.2-1]: the protocol name is `MQTT`.
  const protocol = r.string('protocol name');
  if (protocol !== PROTOCOL_NAME) fail(`CONNECT protocol name '${protocol}' is not '${PROTOCOL_NAME}' (MQTT 3.1.1 §3.1.2.1)`);
  const level = r.byte('protocol level');
  if (level !== PROTOCOL_LEVEL) fail(`CONNECT protocol level ${level} is not ${PROTOCOL_LEVEL} (MQTT 3.1.1 §3.1.2.2)`);
  const flags = r.byte('connect flags');
  // §3.1.2.3 [MQTT-3.1.2-3]: the reserved flag is 0.
  if ((flags & CONNECT_FLAG.reserved) !== 0) fail('CONNECT reserved connect flag (bit 0) is set (MQTT 3.1.1 §3.1.2.3)');
  const hasWill = (flags & CONNECT_FLAG.will) !== 0;
  const willQos = (flags >> WILL_QOS_SHIFT) & WILL_QOS_MASK;
  const willRetain = (flags & CONNECT_FLAG.willRetain) !== 0;
  // §3.1.2.6-7 [MQTT-3.1.2-11, -13]: without a will, will QoS and will retain are 0.
  if (!hasWill && (willQos !== 0 || willRetain)) fail('CONNECT sets will QoS or will retain without the will flag (MQTT 3.1.1 §3.1.2.6-7)');
  if (willQos > MAX_QOS) fail('CONNECT will QoS 3 is malformed (MQTT 3.1.1 §3.1.2.6)');
  const hasUsername = (flags & CONNECT_FLAG.username) !== 0;
  const hasPassword = (flags & CONNECT_FLAG.password) !== 0;
  // §3.1.2.9 [MQTT-3.1.2-22]: no password without a user name.
  if (hasPassword && !hasUsername) fail('CONNECT sets the password flag without the user name flag (MQTT 3.1.1 §3.1.2.9)');
  const keepAlive = r.uint16('keep alive');
  const clientId = r.string('client identifier');
  let will: MqttWill | undefined;
  if (hasWill) {
    const at = r.offset;
    const topic = r.string('will topic');
    const topicError = topicNameError(topic);
    if (topicError) fail(`CONNECT will topic at offset ${at}: ${topicError}`);
    will = { topic, payload: r.binary('will message'), qos: willQos as MqttQos, retain: willRetain };
  }
  const username = hasUsername ? r.string('user name') : undefined;
  const password = hasPassword ? r.binary('password') : undefined;
  r.end();
  const packet: MqttConnect = { type: 'connect', clientId, cleanSession: (flags & CONNECT_FLAG.cleanSession) !== 0, keepAlive };
  return {
    ...packet,
    ...(username !== undefined ? { username } : {}),
    ...(password !== undefined ? { password } : {}),
    ...(will !== undefined ? { will } : {}),
  };
}

function subscribe(r: Reader): MqttPacket {
  const packetId = r.packetId();
  const subscriptions: MqttSubscription[] = [];
  // §3.8.3 [MQTT-3.8.3-3]: at least one topic filter and QoS pair.
  if (r.left === 0) fail('SUBSCRIBE has no topic filter (MQTT 3.1.1 §3.8.3)');
  while (r.left > 0) {
    const at = r.offset;
    const topicFilter = r.string('topic filter');
    const filterError = topicFilterError(topicFilter);
    if (filterError) fail(`SUBSCRIBE topic filter at offset ${at} ${filterError}`);
    const options = r.byte('requested QoS');
    // §3.8.3.1 [MQTT-3-8.3-4]: bits 7-2 of the requested QoS byte are reserved 0.
    if ((options & ~SUBSCRIBE_QOS_MASK) !== 0) fail(`SUBSCRIBE requested QoS byte ${hex2(options)} sets reserved bits 7-2 (MQTT 3.1.1 §3.8.3.1)`);
    if (options > MAX_QOS) fail(`SUBSCRIBE requested QoS 3 at offset ${r.offset - 1} is malformed (MQTT 3.1.1 §3.8.3.1)`);
    subscriptions.push({ topicFilter, qos: options as MqttQos });
  }
  return { type: 'subscribe', packetId, subscriptions };
}

function unsubscribe(r: Reader): MqttPacket {
  const packetId = r.packetId();
  const topicFilters: string[] = [];
  // §3.10.3 [MQTT-3.10.3-2]: at least one topic filter.
  if (r.left === 0) fail('UNSUBSCRIBE has no topic filter (MQTT 3.1.1 §3.10.3)');
  while (r.left > 0) {
    const at = r.offset;
    const filter = r.string('topic filter');
    const filterError = topicFilterError(filter);
    if (filterError) fail(`UNSUBSCRIBE topic filter at offset ${at} ${filterError}`);
    topicFilters.push(filter);
  }
  return { type: 'unsubscribe', packetId, topicFilters };
}

/** A packet only a client sends, read by `read` once its fixed header is checked. */
function clientPacket(first: number, read: () => MqttPacket): MqttDecodeResult {
  return guarded(() => {
    const headerError = fixedHeaderError(first);
    if (headerError) fail(headerError);
    return read();
  });
}

/**
 * Decodes the variable header and payload `bytes` of a packet of any supported type whose first
 * byte is `first` (the `MqttDecoderOptions.decodeBody` of a broker or a test); `base` is the offset
 * of `bytes` in the packet, for error messages. Never throws.
 */
export function decodeMqttFullBody(first: number, bytes: Uint8Array, base: number): MqttDecodeResult {
  const type = first >> TYPE_SHIFT;
  const name = PACKET_NAMES[type];
  const r = new Reader(bytes, base, name);
  switch (type) {
    case PACKET_TYPE.connect:
      return clientPacket(first, () => connect(r));
    case PACKET_TYPE.subscribe:
      return clientPacket(first, () => subscribe(r));
    case PACKET_TYPE.unsubscribe:
      return clientPacket(first, () => unsubscribe(r));
    case PACKET_TYPE.pingreq:
      return clientPacket(first, () => {
        exactLength(bytes, 0, name, '§3.12.1');
        return { type: 'pingreq' };
      });
    case PACKET_TYPE.disconnect:
      return clientPacket(first, () => {
        exactLength(bytes, 0, name, '§3.14.1');
        return { type: 'disconnect' };
      });
    default:
      return decodeMqttBody(first, bytes, base);
  }
}

/** Decodes one whole packet of any supported type that must span `bytes` exactly. Never throws. */
export function decodeMqttFull(bytes: Uint8Array): MqttDecodeResult {
  return decodeMqttWith(bytes, decodeMqttFullBody);
}

/** A stream decoder of every supported type, as a broker needs. */
export function fullMqttDecoder(maxPacketSize: number): MqttDecoder {
  return new MqttDecoder({ maxPacketSize, decodeBody: decodeMqttFullBody });
}
