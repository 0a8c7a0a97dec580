import type { Clock, TimerId } from '../ports/clock';
import type { Network, TlsOptions } from '../ports/network';
import { isIpv4 } from '../net/address';
import { resolveHost } from '../net/resolve';
import { StreamConnection } from '../net/stream';
import { utf8Encode } from '../text/utf8';
import { MqttDecoder } from './decoder';
import { encodeMqtt } from './encode';
import { SUBACK_FAILURE, connackMessage } from './format';
import { topicFilterError, topicNameError } from './topic';
import type { MqttPacket, MqttWill } from './types';

export type { MqttWill } from './types';

const DEFAULT_KEEP_ALIVE_SEC = 60;
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_PACKET_BYTES = 70_000;
const MS_PER_SECOND = 1000;
/** §2.3.1: packet identifiers are 1-65535. */
const MAX_PACKET_ID = 0xffff;

export type MqttErrorKind =
  /** The server refused the connection; `code` is the CONNACK return code (§3.2.2.3). */
  | 'refused'
  /** No answer within the operation timeout; the connection was dropped. */
  | 'timeout'
  /** DNS failure, connection refused or dropped. */
  | 'network'
  /** The server sent bytes or packets MQTT 3.1.1 does not allow here; the connection was dropped. */
  | 'protocol'
  /** The client was closed (or is not connected). */
  | 'closed'
  /** The server refused a subscription; `code` is the SUBACK return code 0x80 (§3.9.3). */
  | 'subscription'
  /** A bad argument (wildcard in a topic name, field out of range…); nothing was sent. */
  | 'argument';

export class MqttError extends Error {
  override readonly name = 'MqttError';

  constructor(
    readonly kind: MqttErrorKind,
    /** CONNACK return code for 'refused', SUBACK 0x80 for 'subscription', else 0. */
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export interface MqttMessage {
  readonly topic: string;
  readonly payload: Uint8Array;
  readonly qos: 0 | 1;
  readonly retain: boolean;
  readonly dup: boolean;
}

export interface MqttClientOptions {
  /** Server name or dotted IPv4 address. */
  readonly host: string;
  readonly port: number;
  readonly tls?: TlsOptions;
  readonly clientId: string;
  /** §3.1.2.4; default true. */
  readonly cleanSession?: boolean;
  /** §3.1.2.10; default 60, 0 turns keep-alive off. */
  readonly keepAliveSec?: number;
  readonly username?: string;
  /** UTF-8 encoded into the CONNECT password bytes (§3.1.3.5). */
  readonly password?: string;
  readonly will?: MqttWill;
  /** Per operation (DNS+TCP+CONNACK, each PUBACK, SUBACK, UNSUBACK, PINGRESP), in ms; default 30 000. */
  readonly timeoutMs?: number;
  /** Largest incoming packet accepted, in bytes; default 70 000. */
  readonly maxPacketBytes?: number;
  /**
   * An incoming PUBLISH. Messages are handed over one at a time, in order. For QoS 1 the client
   * sends PUBACK only after the returned promise (if any) settles, so a message is acknowledged
   * once it was handled; a handler that throws or rejects leaves it unacknowledged.
   */
  readonly onMessage?: (message: MqttMessage) => void | Promise<void>;
  /** The connection is gone (once), with the reason. */
  readonly onClose?: (reason: string) => void;
}

type Acknowledgement = 'puback' | 'suback' | 'unsuback';

interface Pending<T> {
  readonly resolve: (value: T) => void;
  readonly reject: (error: MqttError) => void;
  timer: TimerId | undefined;
}

interface Awaiting extends Pending<MqttPacket> {
  readonly expect: Acknowledgement;
}

const noop = (): void => undefined;

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * MQTT 3.1.1 client (QoS 0 and 1) over a `Network`. QoS 1 publishes, subscriptions and pings may
 * be in flight together, each waiting for its acknowledgement with a deadline on the injected
 * clock; a missed deadline, a malformed packet or a lost socket drops the connection and rejects
 * everything pending.
 */
export class MqttClient {
  private readonly timeoutMs: number;
  private readonly keepAliveMs: number;
  private readonly decoder: MqttDecoder;
  private readonly tls: TlsOptions | undefined;
  private conn: StreamConnection | undefined;
  private state: 'idle' | 'connecting' | 'connected' | 'closed' = 'idle';
  /** Why the last connection ended; rejects calls made since. */
  private failure: MqttError | undefined;
  private connecting: Pending<{ sessionPresent: boolean }> | undefined;
  private readonly awaiting = new Map<number, Awaiting>();
  private readonly pings: Pending<void>[] = [];
  private publishesInFlight = 0;
  private lastPacketId = 0;
  private lastSent = 0;
  private keepAliveTimer: TimerId | undefined;
  private generation = 0;
  private inbound: Promise<void> = Promise.resolve();

  constructor(private readonly network: Network, private readonly clock: Clock, private readonly options: MqttClientOptions) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.keepAliveMs = (options.keepAliveSec ?? DEFAULT_KEEP_ALIVE_SEC) * MS_PER_SECOND;
    this.decoder = new MqttDecoder({ maxPacketSize: options.maxPacketBytes ?? DEFAULT_MAX_PACKET_BYTES });
    const tls = options.tls;
    // The certificate is checked against the host name when there is one, as the FTP client does.
    const serverName = tls?.serverName ?? (isIpv4(options.host) ? undefined : options.host);
    this.tls = tls ? { ...tls, ...(serverName !== undefined ? { serverName } : {}) } : undefined;
  }

  get connected(): boolean {
    return this.state === 'connected' && this.conn !== undefined && this.conn.isConnected;
  }

  /** QoS 1 publishes awaiting PUBACK. */
  get inFlight(): number {
    return this.publishesInFlight;
  }

  /** DNS, TCP (or TLS), CONNECT, and the server's CONNACK, all within `timeoutMs`. */
  connect(): Promise<{ sessionPresent: boolean }> {
    if (this.state === 'connecting' || this.state === 'connected') return Promise.reject(new MqttError('argument', 0, 'connect: already connected'));
    let bytes: Uint8Array;
    try {
      const o = this.options;
      bytes = encodeMqtt({
        type: 'connect',
        clientId: o.clientId,
        cleanSession: o.cleanSession ?? true,
        keepAlive: o.keepAliveSec ?? DEFAULT_KEEP_ALIVE_SEC,
        ...(o.username !== undefined ? { username: o.username } : {}),
        ...(o.password !== undefined ? { password: utf8Encode(o.password) } : {}),
        ...(o.will ? { will: o.will } : {}),
      });
    } catch (e) {
      return Promise.reject(new MqttError('argument', 0, `connect: ${errorMessage(e)}`));
    }
    this.state = 'connecting';
    this.failure = undefined;
    this.generation++;
    this.decoder.reset();
    return new Promise<{ sessionPresent: boolean }>((resolve, reject) => {
      this.connecting = { resolve, reject, timer: undefined };
      this.open(bytes).catch(noop);
    });
  }

  /**
   * QoS 0: resolves once handed to the socket. QoS 1: resolves on its PUBACK (§4.3.2); many may
   * be in flight at once, each with its own packet id; `dup` marks a resend. Resolves with the
   * packet id (0 for QoS 0).
   */
  publish(topic: string, payload: Uint8Array, options: { qos?: 0 | 1; retain?: boolean; dup?: boolean } = {}): Promise<number> {
    const qos = options.qos ?? 0;
    const retain = options.retain ?? false;
    const dup = options.dup ?? false;
    // §3.3.2.1 [MQTT-3.3.2-2]: no wildcard in a topic name.
    const bad = topicNameError(topic);
    if (bad !== undefined) return Promise.reject(new MqttError('argument', 0, `publish: topic ${bad}`));
    if (qos !== 0 && qos !== 1) return Promise.reject(new MqttError('argument', 0, `publish: QoS ${String(qos)} is not 0 or 1`));
    if (qos === 0) {
      // §3.3.1.1 [MQTT-3.3.1-2]: DUP is 0 on every QoS 0 message.
      if (dup) return Promise.reject(new MqttError('argument', 0, 'publish: a QoS 0 message cannot be marked DUP (MQTT 3.1.1 §3.3.1.1)'));
      const bytes = this.encode('publish', { type: 'publish', topic, payload, qos, retain, dup });
      if (bytes instanceof MqttError) return Promise.reject(bytes);
      return this.send(bytes).then(() => 0);
    }
    return this.request('PUBLISH', 'puback', (packetId) => ({ type: 'publish', topic, payload, qos, retain, dup, packetId })).then(
      (packet) => (packet.type === 'puback' ? packet.packetId : 0),
    );
  }

  /** §3.8: one topic filter; resolves with the granted QoS, rejects 'subscription' on 0x80 (§3.9.3). */
  subscribe(topicFilter: string, qos: 0 | 1): Promise<0 | 1> {
    const bad = topicFilterError(topicFilter);
    if (bad !== undefined) return Promise.reject(new MqttError('argument', 0, `subscribe: topic filter ${bad}`));
    if (qos !== 0 && qos !== 1) return Promise.reject(new MqttError('argument', 0, `subscribe: QoS ${String(qos)} is not 0 or 1`));
    return this.request('SUBSCRIBE', 'suback', (packetId) => ({ type: 'subscribe', packetId, subscriptions: [{ topicFilter, qos }] })).then((packet) => {
      const code = packet.type === 'suback' ? packet.returnCodes[0] : SUBACK_FAILURE;
      if (code === SUBACK_FAILURE) throw new MqttError('subscription', SUBACK_FAILURE, `subscribe: the server refused '${topicFilter}' (SUBACK 0x80, MQTT 3.1.1 §3.9.3)`);
      return code === 1 ? 1 : 0;
    });
  }

  /** §3.10: one topic filter; resolves on UNSUBACK (§3.11). */
  unsubscribe(topicFilter: string): Promise<void> {
    const bad = topicFilterError(topicFilter);
    if (bad !== undefined) return Promise.reject(new MqttError('argument', 0, `unsubscribe: topic filter ${bad}`));
    return this.request('UNSUBSCRIBE', 'unsuback', (packetId) => ({ type: 'unsubscribe', packetId, topicFilters: [topicFilter] })).then(noop);
  }

  /** §3.12: PINGREQ; resolves on the PINGRESP (§3.13). */
  ping(): Promise<void> {
    if (!this.connected) return Promise.reject(this.notConnected('ping'));
    return new Promise<void>((resolve, reject) => {
      const pending: Pending<void> = { resolve, reject, timer: this.deadline(`no PINGRESP within ${this.timeoutMs} ms (MQTT 3.1.1 §3.1.2.10)`) };
      this.pings.push(pending);
      this.send(encodeMqtt({ type: 'pingreq' })).catch(noop);
    });
  }

  /** §3.14: DISCONNECT, then closes the connection. Never rejects. */
  async disconnect(): Promise<void> {
    if (this.connected) await this.send(encodeMqtt({ type: 'disconnect' })).catch(noop);
    this.close('disconnected by the client');
  }

  /** Drops the connection now; every pending promise rejects with kind 'closed'. */
  close(reason = 'closed by the client'): void {
    this.shutdown(new MqttError('closed', 0, reason));
  }

  private async open(connectPacket: Uint8Array): Promise<void> {
    const generation = this.generation;
    const deadline = this.clock.now() + this.timeoutMs;
    let address: string;
    try {
      address = await resolveHost(this.network, this.clock, this.options.host, this.timeoutMs);
    } catch (e) {
      const kind = this.clock.now() >= deadline ? 'timeout' : 'network';
      if (generation === this.generation) this.shutdown(new MqttError(kind, 0, `connect: ${errorMessage(e)}`));
      return;
    }
    if (generation !== this.generation || this.state !== 'connecting' || !this.connecting) return;
    this.connecting.timer = this.clock.setTimer(deadline, () => this.shutdown(new MqttError('timeout', 0, `connect: no CONNACK within ${this.timeoutMs} ms`)));
    const target = `${address}:${this.options.port}`;
    const conn = new StreamConnection(
      this.network,
      { address, port: this.options.port, ...(this.tls ? { tls: this.tls } : {}) },
      {
        onData: (bytes) => this.received(conn, bytes),
        onClose: (reason) => {
          if (this.conn === conn) this.shutdown(new MqttError('network', 0, `connection to ${target} lost: ${reason}`));
        },
      },
    );
    this.conn = conn;
    try {
      await conn.opened;
    } catch (e) {
      if (this.conn === conn) this.shutdown(new MqttError('network', 0, `connect to ${target}: ${errorMessage(e)}`));
      return;
    }
    // §3.1.0 [MQTT-3.1.0-1]: CONNECT is the first packet the client sends.
    this.send(connectPacket).catch(noop);
  }

  /** Encodes a packet the caller built; a field the encoder refuses is an 'argument' error. */
  private encode(what: string, packet: MqttPacket): Uint8Array | MqttError {
    try {
      return encodeMqtt(packet);
    } catch (e) {
      return new MqttError('argument', 0, `${what}: ${errorMessage(e)}`);
    }
  }

  private notConnected(what: string): MqttError {
    return this.failure ?? new MqttError('closed', 0, `${what}: not connected`);
  }

  private send(bytes: Uint8Array): Promise<void> {
    const conn = this.conn;
    if (!conn || this.state === 'closed' || this.state === 'idle') return Promise.reject(this.notConnected('send'));
    this.lastSent = this.clock.now();
    return conn.send(bytes).catch((e: unknown) => {
      throw this.failure ?? new MqttError('network', 0, errorMessage(e));
    });
  }

  /** Sends a packet that takes a packet identifier and waits for its acknowledgement. */
  private request(name: string, expect: Acknowledgement, build: (packetId: number) => MqttPacket): Promise<MqttPacket> {
    if (!this.connected) return Promise.reject(this.notConnected(name.toLowerCase()));
    const packetId = this.nextPacketId();
    if (packetId === 0) return Promise.reject(new MqttError('argument', 0, `${name}: every packet identifier is in flight (MQTT 3.1.1 §2.3.1)`));
    const bytes = this.encode(name.toLowerCase(), build(packetId));
    if (bytes instanceof MqttError) return Promise.reject(bytes);
    return new Promise<MqttPacket>((resolve, reject) => {
      const reply = expect.toUpperCase();
      const timer = this.deadline(`${name} packet id ${packetId}: no ${reply} within ${this.timeoutMs} ms`);
      this.awaiting.set(packetId, { expect, resolve, reject, timer });
      if (expect === 'puback') this.publishesInFlight++;
      this.send(bytes).catch(noop);
    });
  }

  /** §2.3.1 [MQTT-2.3.1-2]: a new identifier for each packet, never one still in flight. */
  private nextPacketId(): number {
    for (let tries = 0; tries < MAX_PACKET_ID; tries++) {
      this.lastPacketId = this.lastPacketId === MAX_PACKET_ID ? 1 : this.lastPacketId + 1;
      if (!this.awaiting.has(this.lastPacketId)) return this.lastPacketId;
    }
    return 0;
  }

  /** An operation deadline: when it passes, the connection is dropped with kind 'timeout'. */
  private deadline(message: string): TimerId {
    return this.clock.setTimer(this.clock.now() + this.timeoutMs, () => this.shutdown(new MqttError('timeout', 0, message)));
  }

  private received(conn: StreamConnection, bytes: Uint8Array): void {
    if (this.conn !== conn) return;
    const result = this.decoder.push(bytes);
    for (const packet of result.packets) {
      if (this.conn !== conn || this.state === 'closed') return;
      this.dispatch(packet);
    }
    // §4.8: a malformed packet ends the connection.
    if (!result.ok && this.conn === conn) this.shutdown(new MqttError('protocol', 0, `malformed packet from the server: ${result.error}`));
  }

  private dispatch(packet: MqttPacket): void {
    if (this.state === 'connecting') {
      // §3.2 [MQTT-3.2.0-1]: the server's first packet is CONNACK.
      if (packet.type !== 'connack') return this.protocolError(`the server sent ${packet.type.toUpperCase()} before CONNACK (MQTT 3.1.1 §3.2)`);
      return this.connack(packet.returnCode, packet.sessionPresent);
    }
    switch (packet.type) {
      case 'publish':
        return this.incoming({ topic: packet.topic, payload: packet.payload, qos: packet.qos, retain: packet.retain, dup: packet.dup }, packet.qos === 1 ? packet.packetId : 0);
      case 'puback':
      case 'suback':
      case 'unsuback':
        return this.acknowledged(packet.type, packet.packetId, packet);
      case 'connack':
        return this.protocolError('a second CONNACK on the connection (MQTT 3.1.1 §3.2)');
      case 'pingresp': {
        const ping = this.pings.shift();
        if (!ping) return this.protocolError('PINGRESP without a PINGREQ (MQTT 3.1.1 §3.13)');
        this.clearTimer(ping);
        return ping.resolve();
      }
      default:
        return this.protocolError(`the server sent ${packet.type.toUpperCase()}, which only a client sends`);
    }
  }

  /** §3.2.2.3: return code 0 accepts the connection, 1-5 refuse it. */
  private connack(returnCode: number, sessionPresent: boolean): void {
    const pending = this.connecting;
    if (returnCode !== 0) {
      this.shutdown(new MqttError('refused', returnCode, connackMessage(returnCode)));
      return;
    }
    this.connecting = undefined;
    this.state = 'connected';
    if (pending) {
      this.clearTimer(pending);
      pending.resolve({ sessionPresent });
    }
    this.armKeepAlive(this.lastSent + this.keepAliveMs);
  }

  private acknowledged(type: Acknowledgement, packetId: number, packet: MqttPacket): void {
    const entry = this.awaiting.get(packetId);
    // §4.3.2: an acknowledgement answers a packet identifier in flight, of the matching kind.
    if (!entry || entry.expect !== type) return this.protocolError(`${type.toUpperCase()} for packet id ${packetId}, which is not awaiting one (MQTT 3.1.1 §2.3.1)`);
    if (packet.type === 'suback') {
      const codes = packet.returnCodes;
      // §3.9.3: one return code per requested filter, at most the QoS asked for (0 or 1 here).
      if (codes.length !== 1 || (codes[0] !== 0 && codes[0] !== 1 && codes[0] !== SUBACK_FAILURE)) {
        return this.protocolError(`SUBACK for packet id ${packetId} has return codes [${codes.join(', ')}] for one QoS 0/1 subscription (MQTT 3.1.1 §3.9.3)`);
      }
    }
    this.awaiting.delete(packetId);
    if (type === 'puback') this.publishesInFlight--;
    this.clearTimer(entry);
    entry.resolve(packet);
  }

  /** §4.6 [MQTT-4.6.0-2]: messages reach the handler in order and PUBACKs leave in that order. */
  private incoming(message: MqttMessage, packetId: number): void {
    const generation = this.generation;
    const handler = this.options.onMessage;
    this.inbound = this.inbound.then(async () => {
      try {
        await handler?.(message);
      } catch {
        return;
      }
      // §4.3.2: PUBACK once the message is ours; on a later connection the server resends instead.
      if (packetId !== 0 && generation === this.generation && this.connected) this.send(encodeMqtt({ type: 'puback', packetId })).catch(noop);
    });
  }

  /** §3.1.2.10: a PINGREQ when nothing was sent for the keep-alive interval. */
  private armKeepAlive(atMs: number): void {
    if (this.keepAliveMs <= 0 || this.state !== 'connected') return;
    this.keepAliveTimer = this.clock.setTimer(atMs, () => {
      this.keepAliveTimer = undefined;
      if (this.state !== 'connected') return;
      const now = this.clock.now();
      if (now - this.lastSent < this.keepAliveMs) return this.armKeepAlive(this.lastSent + this.keepAliveMs);
      // A PINGREQ still unanswered has its own deadline; do not stack another on it.
      if (this.pings.length === 0) this.ping().catch(noop);
      this.armKeepAlive(now + this.keepAliveMs);
    });
  }

  private protocolError(message: string): void {
    this.shutdown(new MqttError('protocol', 0, message));
  }

  private clearTimer(pending: { timer: TimerId | undefined }): void {
    if (pending.timer !== undefined) this.clock.clearTimer(pending.timer);
    pending.timer = undefined;
  }

  /** Ends the connection once: every timer cancelled, every pending promise rejected with `error`. */
  private shutdown(error: MqttError): void {
    if (this.state === 'closed' || this.state === 'idle') return;
    this.state = 'closed';
    this.failure = error;
    const conn = this.conn;
    this.conn = undefined;
    conn?.close(error.message);
    if (this.keepAliveTimer !== undefined) this.clock.clearTimer(this.keepAliveTimer);
    this.keepAliveTimer = undefined;
    const connecting = this.connecting;
    this.connecting = undefined;
    if (connecting) {
      this.clearTimer(connecting);
      connecting.reject(error);
    }
    const awaiting = [...this.awaiting.values()];
    this.awaiting.clear();
    this.publishesInFlight = 0;
    for (const entry of awaiting) {
      this.clearTimer(entry);
      entry.reject(error);
    }
    for (const ping of this.pings.splice(0)) {
      this.clearTimer(ping);
      ping.reject(error);
    }
    this.options.onClose?.(error.message);
  }
}
