/**
 * The MQTT 3.1.1 control packets (OASIS Standard, 29 October 2014) this codec encodes and decodes,
 * as plain values. Each packet is discriminated by `type`. Topic names, filters, the client id and
 * the user name are strings (§1.5.3 UTF-8); the will message, password and PUBLISH payload are
 * bytes. Packet identifiers are 1-65535 (§2.3.1).
 *
 * QoS 2 message flow (PUBREC, PUBREL, PUBCOMP and QoS 2 PUBLISH) is not supported in either
 * direction: the encoder refuses it and the decoder reports it as unsupported.
 */

/** §4.3: delivery quality of service. A PUBLISH here carries 0 or 1 only. */
export type MqttQos = 0 | 1 | 2;
export type MqttPublishQos = 0 | 1;

/** §3.1.2.5 and §3.1.3.2-3: the message the server publishes when the client goes away uncleanly. */
export interface MqttWill {
  readonly topic: string;
  readonly payload: Uint8Array;
  readonly qos: MqttQos;
  readonly retain: boolean;
}

/** §3.1: CONNECT, client to server. The protocol name `MQTT` and level 4 are implied. */
export interface MqttConnect {
  readonly type: 'connect';
  readonly clientId: string;
  readonly cleanSession: boolean;
  /** Seconds, 0-65535; 0 turns the keep-alive mechanism off (§3.1.2.10). */
  readonly keepAlive: number;
  readonly username?: string;
  /** §3.1.2.9: a password requires a user name. */
  readonly password?: Uint8Array;
  readonly will?: MqttWill;
}

/** §3.2.2.3 Table 3.1: CONNACK return codes. */
export type MqttConnackReturnCode = 0 | 1 | 2 | 3 | 4 | 5;

/** §3.2: CONNACK, server to client. */
export interface MqttConnack {
  readonly type: 'connack';
  /** §3.2.2.2: always false when the return code is not 0. */
  readonly sessionPresent: boolean;
  readonly returnCode: MqttConnackReturnCode;
}

/** §3.3: PUBLISH at QoS 0 has no packet identifier and never a DUP flag (§3.3.1.1). */
export interface MqttPublishQos0 {
  readonly type: 'publish';
  readonly topic: string;
  readonly payload: Uint8Array;
  readonly qos: 0;
  readonly retain: boolean;
  readonly dup: false;
}

/** §3.3: PUBLISH at QoS 1 carries a packet identifier; DUP is set on a resend (§3.3.1.1). */
export interface MqttPublishQos1 {
  readonly type: 'publish';
  readonly topic: string;
  readonly payload: Uint8Array;
  readonly qos: 1;
  readonly retain: boolean;
  readonly dup: boolean;
  readonly packetId: number;
}

export type MqttPublish = MqttPublishQos0 | MqttPublishQos1;

/** §3.4: PUBACK, either direction. */
export interface MqttPuback {
  readonly type: 'puback';
  readonly packetId: number;
}

/** §3.8.3: one topic filter and its requested QoS. */
export interface MqttSubscription {
  readonly topicFilter: string;
  readonly qos: MqttQos;
}

/** §3.8: SUBSCRIBE, client to server, at least one subscription. */
export interface MqttSubscribe {
  readonly type: 'subscribe';
  readonly packetId: number;
  readonly subscriptions: readonly MqttSubscription[];
}

/** §3.9.3: the granted QoS, or 0x80 for a refused subscription. */
export type MqttSubackReturnCode = 0 | 1 | 2 | 0x80;

/** §3.9: SUBACK, server to client, one return code per subscription in order. */
export interface MqttSuback {
  readonly type: 'suback';
  readonly packetId: number;
  readonly returnCodes: readonly MqttSubackReturnCode[];
}

/** §3.10: UNSUBSCRIBE, client to server, at least one topic filter. */
export interface MqttUnsubscribe {
  readonly type: 'unsubscribe';
  readonly packetId: number;
  readonly topicFilters: readonly string[];
}

/** §3.11: UNSUBACK, server to client. */
export interface MqttUnsuback {
  readonly type: 'unsuback';
  readonly packetId: number;
}

/** §3.12-3.14: PINGREQ, PINGRESP and DISCONNECT carry nothing but their type. */
export interface MqttPingreq {
  readonly type: 'pingreq';
}

export interface MqttPingresp {
  readonly type: 'pingresp';
}

export interface MqttDisconnect {
  readonly type: 'disconnect';
}

export type MqttPacket =
  | MqttConnect
  | MqttConnack
  | MqttPublish
  | MqttPuback
  | MqttSubscribe
  | MqttSuback
  | MqttUnsubscribe
  | MqttUnsuback
  | MqttPingreq
  | MqttPingresp
  | MqttDisconnect;

export type MqttPacketName = MqttPacket['type'];

/** One whole packet decoded, or why it is malformed or unsupported. */
export type MqttDecodeResult = { readonly ok: true; readonly packet: MqttPacket } | { readonly ok: false; readonly error: string };

/**
 * What one `MqttDecoder.push` yields: every packet completed by the bytes, and on failure the
 * packets completed before the fault and the fault itself.
 */
export type MqttPushResult =
  | { readonly ok: true; readonly packets: readonly MqttPacket[] }
  | { readonly ok: false; readonly packets: readonly MqttPacket[]; readonly error: string };

/**
 * Reads the variable header and payload `body` of a packet whose first byte is `first`; `base` is
 * the offset of `body` in the packet, for error messages. Never throws.
 */
export type MqttBodyDecoder = (first: number, body: Uint8Array, base: number) => MqttDecodeResult;

export interface MqttDecoderOptions {
  /** Largest whole packet accepted (fixed header included), in bytes; a larger one fails the stream. */
  readonly maxPacketSize: number;
  /**
   * How a packet's body is read. Default decode.ts `decodeMqttBody`: the packets a server sends,
   * as a client needs. decode-server.ts `decodeMqttFullBody` reads every type (tests, a broker).
   */
  readonly decodeBody?: MqttBodyDecoder;
}
