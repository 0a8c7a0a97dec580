import { performance } from 'node:perf_hooks';
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
 * it) and for every file it published to reach the box, and hands that over in the same settle. So
 * the files reach the box at the virtual time its ready packet left, whatever the real latency.
 * The broker's answers to the box's own packets are owed replies of the inner sockets
 * (replies-owed.ts).
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
/** Real time the files the head-end published may take to reach the box before a settle gives up: only a hung broker takes it. */
const DELIVERY_GUARD_MS = 30_000;
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

  /** Publishes the files due at a ready packet, and waits for the broker's PUBACKs; how many there were. */
  const answerReady = async (): Promise<number> => {
    const now = options.now();
    const due = outgoing.filter((o) => o.atMs <= now && !done.has(o));
    if (due.length === 0) return 0;
    for (const o of due) {
      done.add(o);
      sent.push(o.name);
    }
    await Promise.all(due.map((o) => observer.publish(o.name === '' ? routes.config : `${routes.config}/${o.name}`, o.bytes, 1)));
    return due.length;
  };

  /** Waits for the box's `count`th ready packet to reach the head-end, then answers the ones not answered yet; how many files went. */
  const answerReadies = async (count: number): Promise<number> => {
    let seen = 0;
    await observer
      .waitFor((m) => m.topic === routes.ready && ++seen >= count, PROBE_TIMEOUT_MS)
      .catch(() => undefined);
    let published = 0;
    for (; readiesAnswered < Math.min(count, seen); readiesAnswered++) published += await answerReady();
    return published;
  };

  return {
    delivered: () => observer.messages.filter((m) => m.topic !== SYNC_TOPIC),
    sent,
    wrap: (inner, brokerPort) => new HeadEndSockets(inner, brokerPort, routes, { unsent: () => done.size < outgoing.length, answerReadies }),
    drain,
    close: () => observer.close(),
  };
}

interface HeadEndHooks {
  unsent(): boolean;
  answerReadies(count: number): Promise<number>;
}

/** MQTT 3.1.1 §2.2.1 control packet types. */
const PUBLISH = 3;
const TYPE_SHIFT = 4;
const LENGTH_BYTES_MAX = 4;
const CONTINUATION = 0x80;
const LENGTH_BITS = 0x7f;
const LENGTH_SHIFT = 7;
const BYTE_SHIFT = 8;

/** The topics of the PUBLISH packets of one direction of an MQTT byte stream (§2.2: fixed header, remaining length; §3.3.2.1 topic name). */
class PublishTopics {
  private pending = new Uint8Array(0);

  push(bytes: Uint8Array): string[] {
    const buf = new Uint8Array(this.pending.length + bytes.length);
    buf.set(this.pending);
    buf.set(bytes, this.pending.length);
    const topics: string[] = [];
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
      if (buf[at] >> TYPE_SHIFT === PUBLISH) topics.push(utf8Decode(buf, body + 2, body + 2 + ((buf[body] << BYTE_SHIFT) | buf[body + 1])));
      at = body + length;
    }
    this.pending = buf.slice(at);
    return topics;
  }
}

/** One connection of the box to the broker, both directions read. */
class BrokerConnection {
  readonly up = new PublishTopics();
  readonly down = new PublishTopics();
}

/**
 * HostSockets that settle the head-end with the real sockets. While the head-end has files to send,
 * the settle after the box sent a ready packet waits for it to reach the head-end, lets it answer
 * and waits until every file it published has reached the box (the head-end only publishes inside
 * a settle, so nothing else can come from it).
 */
class HeadEndSockets implements HostSockets {
  private readonly broker = new Map<HostSocketId, BrokerConnection>();
  private readiesSent = 0;
  private readiesSettled = 0;
  /** Files the head-end published that have not reached the box yet. */
  private deliveriesOwed = 0;

  constructor(
    private readonly inner: HostSockets,
    private readonly brokerPort: number,
    private readonly routes: MqttSite['routes'],
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

  ftpServer(port: number): void {
    this.inner.ftpServer?.(port);
  }

  resolve(host: string): HostSocketId {
    return this.inner.resolve(host);
  }

  send(id: HostSocketId, bytes: Uint8Array, address?: string, port?: number): void {
    const c = this.broker.get(id);
    if (c !== undefined) for (const topic of c.up.push(bytes)) if (topic === this.routes.ready && this.hooks.unsent()) this.readiesSent++;
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

  async settle(): Promise<HostSocketEvent[]> {
    // The inner settle has every broker answer the box is owed (CONNACK, PUBACKs, SUBACK…).
    const events = await this.inner.settle();
    this.read(events);
    if (this.readiesSettled === this.readiesSent) return events;
    this.readiesSettled = this.readiesSent;
    this.deliveriesOwed += await this.hooks.answerReadies(this.readiesSent);
    const start = performance.now();
    while (this.deliveriesOwed > 0 && this.broker.size > 0) {
      if (performance.now() - start >= DELIVERY_GUARD_MS) throw new Error(`head-end: ${this.deliveriesOwed} published file(s) still owed to the box after ${DELIVERY_GUARD_MS} ms of real time; the broker hangs`);
      const more = await this.inner.settle();
      this.read(more);
      events.push(...more);
    }
    this.deliveriesOwed = 0;
    return events;
  }

  closeAll(): void {
    this.broker.clear();
    this.inner.closeAll();
  }

  private read(events: readonly HostSocketEvent[]): void {
    for (const e of events) {
      const c = this.broker.get(e.id);
      if (c === undefined) continue;
      if (e.type === 'data') {
        for (const topic of c.down.push(e.bytes)) if (topic === this.routes.config || topic.startsWith(`${this.routes.config}/`)) this.deliveriesOwed = Math.max(0, this.deliveriesOwed - 1);
      } else if (e.type === 'end' || e.type === 'error') this.broker.delete(e.id);
    }
  }
}
