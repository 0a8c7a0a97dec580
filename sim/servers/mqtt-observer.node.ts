import * as mqtt from 'mqtt-packet';
import * as net from 'node:net';
import * as tls from 'node:tls';

/**
 * An independent MQTT 3.1.1 client for tests and the simulator, built on npm `mqtt-packet` over
 * Node sockets (not the firmware's client): it watches what reaches the broker and publishes as
 * the operator's side would. QoS 1 messages it receives are acknowledged at once.
 */
export interface ObserverOptions {
  readonly host: string;
  readonly port: number;
  readonly username?: string;
  readonly password?: string;
  /** CA certificate (PEM): connect with TLS and verify the broker against it. */
  readonly ca?: string | Uint8Array;
  readonly clientId?: string;
  /** False: a persistent session, so the broker queues QoS 1 messages while the observer is away (default true). */
  readonly cleanSession?: boolean;
}

export interface ObservedMessage {
  readonly topic: string;
  readonly payload: Uint8Array;
  readonly qos: number;
  readonly dup: boolean;
  readonly retain: boolean;
}

export interface MqttObserver {
  /** Resolves on the SUBACK; rejects when the broker refuses the filter (0x80). */
  subscribe(filter: string, qos: 0 | 1): Promise<void>;
  /** QoS 0 resolves once written, QoS 1 on its PUBACK. */
  publish(topic: string, payload: Uint8Array, qos: 0 | 1, retain?: boolean): Promise<void>;
  /** Every message received, in order. */
  readonly messages: ObservedMessage[];
  /** The first message, received or still to come, for which `predicate` holds. */
  waitFor(predicate: (message: ObservedMessage) => boolean, timeoutMs: number): Promise<ObservedMessage>;
  /** DISCONNECT, then closes the socket. */
  close(): Promise<void>;
}

const V311 = { protocolVersion: 4 } as const;
const SUBACK_FAILURE = 0x80;
const MAX_PACKET_ID = 0xffff;

type Waiter = { resolve: (packet: mqtt.Packet) => void; reject: (error: Error) => void };

let observers = 0;

export function connectObserver(options: ObserverOptions): Promise<MqttObserver> {
  const clientId = options.clientId ?? `observer-${process.pid}-${++observers}`;
  const socket: net.Socket = options.ca
    ? tls.connect({ host: options.host, port: options.port, ca: typeof options.ca === 'string' ? options.ca : Buffer.from(options.ca) })
    : net.connect({ host: options.host, port: options.port });
  const parser = mqtt.parser(V311);
  const messages: ObservedMessage[] = [];
  const watchers = new Set<(message: ObservedMessage) => void>();
  const acks = new Map<number, Waiter>();
  let connack: Waiter | undefined;
  let failure: Error | undefined;
  let lastId = 0;

  const write = (packet: mqtt.Packet): Promise<void> =>
    new Promise((resolve, reject) => {
      if (failure) return reject(failure);
      socket.write(mqtt.generate(packet, V311), (e) => (e ? reject(e) : resolve()));
    });

  const fail = (error: Error): void => {
    if (failure) return;
    failure = error;
    connack?.reject(error);
    for (const w of acks.values()) w.reject(error);
    acks.clear();
  };

  const request = (build: (messageId: number) => mqtt.Packet): Promise<mqtt.Packet> => {
    lastId = lastId === MAX_PACKET_ID ? 1 : lastId + 1;
    const messageId = lastId;
    return new Promise((resolve, reject) => {
      acks.set(messageId, { resolve, reject });
      write(build(messageId)).catch(reject);
    });
  };

  parser.on('packet', (packet: mqtt.Packet) => {
    if (packet.cmd === 'connack') {
      connack?.resolve(packet);
      connack = undefined;
    } else if (packet.cmd === 'publish') {
      const message: ObservedMessage = { topic: packet.topic, payload: new Uint8Array(packet.payload as Buffer), qos: packet.qos, dup: packet.dup, retain: packet.retain };
      messages.push(message);
      if (packet.qos === 1 && packet.messageId !== undefined) write({ cmd: 'puback', messageId: packet.messageId }).catch(() => undefined);
      for (const watch of [...watchers]) watch(message);
    } else if (packet.messageId !== undefined) {
      const waiter = acks.get(packet.messageId);
      acks.delete(packet.messageId);
      waiter?.resolve(packet);
    }
  });
  parser.on('error', (e: Error) => {
    fail(new Error(`observer: malformed packet from the broker: ${e.message}`));
    socket.destroy();
  });
  socket.on('data', (chunk: Buffer) => parser.parse(chunk));
  socket.on('error', (e: Error) => fail(e));
  socket.on('close', () => fail(new Error('observer: connection closed')));

  const observer: MqttObserver = {
    messages,
    subscribe: async (filter, qos) => {
      const ack = (await request((messageId) => ({ cmd: 'subscribe', messageId, subscriptions: [{ topic: filter, qos }] }))) as mqtt.ISubackPacket;
      if (ack.granted[0] === SUBACK_FAILURE) throw new Error(`observer: the broker refused the subscription to '${filter}' (SUBACK 0x80)`);
    },
    publish: async (topic, payload, qos, retain = false) => {
      const packet = (messageId?: number): mqtt.IPublishPacket => ({ cmd: 'publish', topic, payload: Buffer.from(payload), qos, retain, dup: false, ...(messageId !== undefined ? { messageId } : {}) });
      if (qos === 0) await write(packet());
      else await request(packet);
    },
    waitFor: (predicate, timeoutMs) => {
      const found = messages.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          watchers.delete(watch);
          reject(new Error(`observer: no matching message within ${timeoutMs} ms (${messages.length} received)`));
        }, timeoutMs);
        const watch = (message: ObservedMessage): void => {
          if (!predicate(message)) return;
          clearTimeout(timer);
          watchers.delete(watch);
          resolve(message);
        };
        watchers.add(watch);
      });
    },
    close: async () => {
      if (!failure) await write({ cmd: 'disconnect' }).catch(() => undefined);
      if (socket.destroyed) return;
      await new Promise<void>((resolve) => {
        socket.once('close', () => resolve());
        socket.end();
      });
    },
  };

  return new Promise<MqttObserver>((resolve, reject) => {
    connack = {
      resolve: (packet) => {
        const code = (packet as mqtt.IConnackPacket).returnCode ?? 0;
        if (code === 0) resolve(observer);
        else {
          socket.destroy();
          reject(new Error(`observer: the broker refused the connection (CONNACK ${code})`));
        }
      },
      reject,
    };
    socket.once(options.ca ? 'secureConnect' : 'connect', () => {
      const connect: mqtt.IConnectPacket = {
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion: 4,
        clientId,
        clean: options.cleanSession ?? true,
        keepalive: 0,
        ...(options.username !== undefined ? { username: options.username } : {}),
        ...(options.password !== undefined ? { password: Buffer.from(options.password, 'utf8') } : {}),
      };
      write(connect).catch(reject);
    });
  });
}
