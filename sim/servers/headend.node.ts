import { parseExtendedJson } from '../../protocol/bson/ejson';
import { utf8Decode, utf8Encode } from '../../protocol/text/utf8';
import { encodeFile } from '../../protocol/files/codec';
import type { HostSocketEvent, HostSocketId, HostSockets, HostStreamRequest } from '../net/types';
import type { SiteMqttMessage } from '../scenario';
import { connectObserver, type MqttObserver, type ObservedMessage } from './mqtt-observer.node';
import type { MqttSite } from './mqtt-site';

/**
 * The operator's head-end at an MQTT site: a client of the simulator's broker (the independent
 * observer on npm mqtt-packet) subscribed to every topic before the run, recording every message
 * the broker delivers in order, and answering each ready packet of the box with the scenario's
 * configuration and command files that are due (`Scenario.mqtt.messages`), QoS 1, on
 * `<configuration topic>/<name>` (the bare topic for an empty name).
 *
 * Determinism: the broker, the head-end and the box's sockets are real and run in real time, the
 * box on virtual time. `wrap` puts the head-end in the box's host sockets: while files are still
 * to be sent, it reads the topics of the box's PUBLISH packets, and the settle after a ready packet
 * went out waits until the broker has delivered it to the head-end, lets the head-end answer, waits
 * for the broker's PUBACKs (mosquitto forwards a message to its subscribers before it acknowledges
 * it) and hands over what reached the box in that same settle. So the files reach the box at the
 * virtual time its ready packet left, whatever the real latency.
 */
export interface HeadEndOptions {
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password: string;
  readonly site: MqttSite;
  readonly messages: readonly SiteMqttMessage[];
  /** Start of the run: `atMinutes` counts from here. */
  readonly startMs: number;
  /** The run's virtual time. */
  readonly now: () => number;
}

export interface HeadEnd {
  /** Every message the broker delivered to the head-end, in order (its own probes left out). */
  delivered(): ObservedMessage[];
  /** Names of the scenario's files published so far, in order. */
  readonly sent: readonly string[];
  /** The box's host sockets with the head-end in their settle (see above); `brokerPort` names the broker's connections. */
  wrap(sockets: HostSockets, brokerPort: number): HostSockets;
  /**
   * Waits until every message the broker has routed so far has reached the head-end: a probe to
   * itself on SYNC_TOPIC comes back after them (the broker queues a client's deliveries in order).
   */
  drain(): Promise<void>;
  close(): Promise<void>;
}

/** A topic of the head-end's own, outside every format's topics; a probe's payload is its number. */
export const SYNC_TOPIC = 'sim/headend/sync';
const CLIENT_ID = 'sim-headend';
const EVERYTHING = '#';
const MS_PER_MINUTE = 60_000;
/** Real time the box's connection gets to hand over what the broker forwarded to it (it is there already on the loopback). */
const DELIVERY_PATIENCE_MS = 2_000;
/** Real time a probe or the box's ready packet may take to reach the head-end. */
const PROBE_TIMEOUT_MS = 10_000;

interface Outgoing {
  readonly atMs: number;
  readonly name: string;
  readonly bytes: Uint8Array;
}

/** The scenario's files as the box's inbox holds them: BSON with the CRC trailer, as a USB file. */
function encodeMessages(messages: readonly SiteMqttMessage[], startMs: number): Outgoing[] {
  return messages.map((m) => {
    const doc = parseExtendedJson(JSON.stringify(m.json));
    if (!doc.ok) throw new Error(`mqtt message ${m.name}: ${doc.error}`);
    return { atMs: startMs + m.atMinutes * MS_PER_MINUTE, name: m.name, bytes: encodeFile(doc.value, { encryption: false }) };
  });
}

export async function startHeadEnd(options: HeadEndOptions): Promise<HeadEnd> {
  const outgoing = encodeMessages(options.messages, options.startMs);
  const routes = options.site.routes;
  const observer: MqttObserver = await connectObserver({ host: options.host, port: options.port, username: options.username, password: options.password, clientId: CLIENT_ID });
  await observer.subscribe(EVERYTHING, 1);
  const sent: string[] = [];
  const done = new Set<Outgoing>();
  let probes = 0;
  let readiesAnswered = 0;

  const drain = async (): Promise<void> => {
    const text = String(++probes);
    const back = observer.waitFor((m) => m.topic === SYNC_TOPIC && utf8Decode(m.payload) === text, PROBE_TIMEOUT_MS);
    await observer.publish(SYNC_TOPIC, utf8Encode(text), 0);
    await back;
  };

  /** Publishes the files due at a ready packet, and waits for the broker's PUBACKs; true when there were any. */
  const answerReady = async (): Promise<boolean> => {
    const now = options.now();
    const due = outgoing.filter((o) => o.atMs <= now && !done.has(o));
    if (due.length === 0) return false;
    for (const o of due) {
      done.add(o);
      sent.push(o.name);
    }
    await Promise.all(due.map((o) => observer.publish(o.name === '' ? routes.config : `${routes.config}/${o.name}`, o.bytes, 1)));
    return true;
  };

  /** Waits for the box's `count`th ready packet to reach the head-end, then answers the ones not answered yet. */
  const answerReadies = async (count: number): Promise<boolean> => {
    let seen = 0;
    await observer
      .waitFor((m) => m.topic === routes.ready && ++seen >= count, PROBE_TIMEOUT_MS)
      .catch(() => undefined);
    let published = false;
    for (; readiesAnswered < Math.min(count, seen); readiesAnswered++) if (await answerReady()) published = true;
    return published;
  };

  return {
    delivered: () => observer.messages.filter((m) => m.topic !== SYNC_TOPIC),
    sent,
    wrap: (inner, brokerPort) => new HeadEndSockets(inner, brokerPort, routes.ready, { unsent: () => done.size < outgoing.length, answerReadies }),
    drain,
    close: () => observer.close(),
  };
}

interface HeadEndHooks {
  unsent(): boolean;
  answerReadies(count: number): Promise<boolean>;
}

/** MQTT 3.1.1 §2.2.1 control packet types. */
const PACKET = { connect: 1, connack: 2, publish: 3, puback: 4, subscribe: 8, suback: 9, unsubscribe: 10, unsuback: 11, pingreq: 12, pingresp: 13, disconnect: 14 } as const;
/** What a client sends that the broker answers (a QoS 1 PUBLISH too; DISCONNECT: by closing). */
const REQUESTS: readonly number[] = [PACKET.connect, PACKET.subscribe, PACKET.unsubscribe, PACKET.pingreq, PACKET.disconnect];
const ANSWERS: readonly number[] = [PACKET.connack, PACKET.puback, PACKET.suback, PACKET.unsuback, PACKET.pingresp];
const TYPE_SHIFT = 4;
const QOS_MASK = 0x06;
const LENGTH_BYTES_MAX = 4;
const CONTINUATION = 0x80;
const LENGTH_BITS = 0x7f;
const LENGTH_SHIFT = 7;
const BYTE_SHIFT = 8;

interface PacketHead {
  readonly type: number;
  /** PUBLISH: a QoS above 0 (the broker answers with PUBACK). */
  readonly acknowledged: boolean;
  /** PUBLISH: its topic. */
  readonly topic?: string;
}

/** The packets of one direction of an MQTT byte stream (§2.2: fixed header, remaining length; §3.3.2.1 topic name). */
class PacketStream {
  private pending = new Uint8Array(0);

  push(bytes: Uint8Array): PacketHead[] {
    const buf = new Uint8Array(this.pending.length + bytes.length);
    buf.set(this.pending);
    buf.set(bytes, this.pending.length);
    const heads: PacketHead[] = [];
    let at = 0;
    for (;;) {
      let length = 0;
      let i = 1;
      let complete = false;
      for (; i <= LENGTH_BYTES_MAX && at + i < buf.length; i++) {
        const b = buf[at + i];
        length |= (b & LENGTH_BITS) << (LENGTH_SHIFT * (i - 1));
        if ((b & CONTINUATION) === 0) {
          complete = true;
          break;
        }
      }
      const body = at + i + 1;
      if (!complete || body + length > buf.length) break;
      const type = buf[at] >> TYPE_SHIFT;
      if (type === PACKET.publish) {
        const topic = utf8Decode(buf, body + 2, body + 2 + ((buf[body] << BYTE_SHIFT) | buf[body + 1]));
        heads.push({ type, acknowledged: (buf[at] & QOS_MASK) !== 0, topic });
      } else heads.push({ type, acknowledged: false });
      at = body + length;
    }
    this.pending = buf.slice(at);
    return heads;
  }
}

/** One connection of the box to the broker, both directions read. */
class BrokerConnection {
  readonly up = new PacketStream();
  readonly down = new PacketStream();
  /** Requests of the box the broker has not answered yet. */
  outstanding = 0;
}

/**
 * HostSockets that settle the head-end with the real sockets. While the head-end has files to send,
 * the settle after the box sent a ready packet waits for it to reach the head-end, lets it answer
 * and hands over what the answer brought the box. And when every open socket is a broker
 * connection whose requests are all answered, nothing can come (the head-end only publishes inside
 * a settle): a patient settle (the emulator waiting for a reply before a jump of virtual time, as in
 * a listen window) returns as soon as the sockets are quiet, instead of spending its patience.
 */
class HeadEndSockets implements HostSockets {
  private readonly broker = new Map<HostSocketId, BrokerConnection>();
  private readiesSent = 0;
  private readiesSettled = 0;

  constructor(
    private readonly inner: HostSockets,
    private readonly brokerPort: number,
    private readonly readyTopic: string,
    private readonly hooks: HeadEndHooks,
  ) {}

  openStream(request: HostStreamRequest): HostSocketId {
    const id = this.inner.openStream(request);
    if (request.port === this.brokerPort) this.broker.set(id, new BrokerConnection());
    return id;
  }

  openDatagram(): HostSocketId {
    return this.inner.openDatagram();
  }

  resolve(host: string): HostSocketId {
    return this.inner.resolve(host);
  }

  send(id: HostSocketId, bytes: Uint8Array, address?: string, port?: number): void {
    const c = this.broker.get(id);
    if (c !== undefined) {
      for (const p of c.up.push(bytes)) {
        if (REQUESTS.includes(p.type) || (p.type === PACKET.publish && p.acknowledged)) c.outstanding++;
        if (p.type === PACKET.publish && p.topic === this.readyTopic && this.hooks.unsent()) this.readiesSent++;
      }
    }
    this.inner.send(id, bytes, address, port);
  }

  close(id: HostSocketId): void {
    this.broker.delete(id);
    this.inner.close(id);
  }

  busy(): boolean {
    return this.inner.busy();
  }

  openCount(): number {
    return this.inner.openCount();
  }

  async settle(patienceMs?: number): Promise<HostSocketEvent[]> {
    const events = await this.inner.settle(this.nothingDue() ? 0 : patienceMs);
    this.read(events);
    // The broker answers every request the box sent (CONNACK, PUBACK, SUBACK…): collect them all in
    // this settle, so how the answers to a window of publishes split into segments in real time
    // never decides at which virtual time the box sees them.
    while (this.answersDue() && events.length > 0) {
      const more = await this.inner.settle(DELIVERY_PATIENCE_MS);
      if (more.length === 0) break;
      this.read(more);
      events.push(...more);
    }
    if (this.readiesSettled === this.readiesSent) return events;
    this.readiesSettled = this.readiesSent;
    if (await this.hooks.answerReadies(this.readiesSent)) {
      const delivered = await this.inner.settle(DELIVERY_PATIENCE_MS);
      this.read(delivered);
      events.push(...delivered);
    }
    return events;
  }

  closeAll(): void {
    this.broker.clear();
    this.inner.closeAll();
  }

  /** A broker connection has a request of the box not answered yet. */
  private answersDue(): boolean {
    for (const c of this.broker.values()) if (c.outstanding > 0) return true;
    return false;
  }

  /** Every open socket is a broker connection with no request unanswered. */
  private nothingDue(): boolean {
    if (this.broker.size === 0 || this.inner.openCount() !== this.broker.size) return false;
    for (const c of this.broker.values()) if (c.outstanding > 0) return false;
    return true;
  }

  private read(events: readonly HostSocketEvent[]): void {
    for (const e of events) {
      const c = this.broker.get(e.id);
      if (c === undefined) continue;
      if (e.type === 'data') {
        for (const p of c.down.push(e.bytes)) if (ANSWERS.includes(p.type)) c.outstanding = Math.max(0, c.outstanding - 1);
      } else if (e.type === 'end' || e.type === 'error') this.broker.delete(e.id);
    }
  }
}
