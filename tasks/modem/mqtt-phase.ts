import type { Clock } from '../../protocol/ports/clock';
import type { Network, TlsOptions } from '../../protocol/ports/network';
import { mqttEndpoint } from '../../protocol/config/endpoints';
import type { Config, MqttConfig } from '../../protocol/config/types';
import type { Ack } from '../../protocol/files/ack';
import { AES_EXTENSION, BSON_EXTENSION, expectedInboxNames, parseInboxName } from '../../protocol/files/names';
import { MqttClient, type MqttMessage } from '../../protocol/mqtt/client';
import { messageFileName, mqttRoutes, type MqttRoutes } from '../../protocol/mqtt/routes';
import type { CommandRunner } from '../commands/runner';
import type { DecodedFile } from '../commands/types';
import type { Counters } from '../counters';
import { EVENTS, type EventRecorder } from '../log/events';
import type { FrameSource, Outbox, OutboxFile } from '../outbox';
import type { StoredFrame } from '../store/types';
import { LIMIT, MQTT_COMMIT_EVERY, MQTT_IN_FLIGHT } from './policy';
import type { SessionStep } from './types';
import { freezeTable } from '../../protocol/freeze';

/** One message a format makes of a stored frame. */
export interface FrameMessage {
  readonly topic: string;
  readonly payload: Uint8Array;
}

/** What the payload format makes of the box's data (tasks/modem/mqtt-payloads.ts). */
export interface MqttPayloads {
  /** A message per frame; undefined: frames go in BSON data files (`bson`). */
  readonly frame?: (frame: StoredFrame) => FrameMessage;
  /** Published at every connection (Lansen status packet); undefined: none. */
  readonly status?: () => Uint8Array | undefined;
  /** Published once the upload is done (Lansen ready-for-configuration). */
  readonly ready: () => Uint8Array;
}

/** Serial just past the newest frame ever published (persisted): a frame below it goes again as a resend. */
export interface PublishedMemory {
  get(): number;
  set(serial: number): void;
}

export interface MqttPhaseOptions {
  readonly clock: Clock;
  readonly uid: string;
  readonly config: Config;
  readonly network: Network;
  readonly outbox: Outbox;
  readonly frames: FrameSource;
  readonly counters: Counters;
  readonly events: EventRecorder;
  readonly runner: CommandRunner;
  readonly payloads: (routes: MqttRoutes) => MqttPayloads;
  readonly tls: (host: string) => TlsOptions;
  readonly published: PublishedMemory;
  /** True with `transport` `mqtt`: every outbox file goes to the broker. False (`both`): FTP carries them, MQTT the frames and its own ACKs. */
  readonly carryFiles: boolean;
  readonly decode: (bytes: Uint8Array, encrypted: boolean) => DecodedFile;
  /** Runs a session step under its time limit (UploadSession.stage). */
  readonly stage: <T>(step: SessionStep, limitMs: number, work: () => Promise<T>, abort?: () => void) => Promise<T>;
  /** After commands ran: queue the configuration copy when it changed. */
  readonly afterCommands: () => void;
  /** Data files for stored records the FileStore had no room for before; true when it made any (UploadSession.refillData). */
  readonly refill?: () => boolean;
  readonly trace: (line: string) => void;
}

export interface MqttPhaseResult {
  files: number;
  frames: number;
  /** Frames published again because no PUBACK of an earlier publish reached the box. */
  resent: number;
  /** Configuration and command messages run. */
  messages: number;
  restart: boolean;
}

interface Incoming {
  readonly message: MqttMessage;
  readonly done: () => void;
}

/** Top-level key of each inbox document, and the file name suffix it stands for (§4.2, §4.2.2.1, §5.6). */
const DOCUMENT_KINDS: readonly { readonly key: string; readonly suffix: string }[] = freezeTable([
  { key: 'config', suffix: '-cfg' },
  { key: 'wlFilter', suffix: '-wlFilter' },
  { key: 'cmd', suffix: '-cmd' },
]);

const MS_PER_SECOND = 1000;

/**
 * The MQTT part of a session (docs/mqtt.md): connect, status, every outbox file and every frame
 * not yet delivered, published at the configured QoS with up to MQTT_IN_FLIGHT awaiting their
 * PUBACK; the frame store's upload cursor moves past a frame only once its PUBACK (and every older
 * one's) arrived. Then the ready packet, the subscription to the configuration topic and the listen
 * window: each message is a configuration or command file run by the session's CommandRunner,
 * acknowledged by an ACK file on the response topic, and PUBACKed only once handled, so a box cut
 * in the middle gets it again. A connection lost mid-upload costs resends, never a frame.
 */
export class MqttPhase {
  private client: MqttClient | undefined;
  private readonly incoming: Incoming[] = [];
  private wake: (() => void) | undefined;
  private readonly result: MqttPhaseResult = { files: 0, frames: 0, resent: 0, messages: 0, restart: false };
  private readonly routes: MqttRoutes;
  private readonly payloads: MqttPayloads;
  private readonly mqtt: MqttConfig;

  constructor(private readonly o: MqttPhaseOptions) {
    this.mqtt = o.config.remote.mqtt;
    this.routes = mqttRoutes(this.mqtt.format, this.mqtt.prefix, o.uid);
    this.payloads = o.payloads(this.routes);
  }

  get counts(): MqttPhaseResult {
    return this.result;
  }

  close(): void {
    this.client?.close('session aborted');
  }

  async run(attempt: number): Promise<MqttPhaseResult> {
    const client = this.connectClient();
    this.client = client;
    try {
      await this.o.stage('connect', LIMIT.connectMs, () => client.connect(), () => client.close('connect: time limit'));
      if (attempt === 1) this.trace(`connected to ${this.mqtt.addr ?? ''} as ${this.clientId()}`);
      await this.publishStatus(client);
      await this.publishFiles(client);
      // Each pass deletes the files it delivered: the room goes to the next of the backlog, oldest first.
      while (this.o.refill?.() === true) await this.publishFiles(client);
      if (this.payloads.frame !== undefined) await this.publishFrames(client, this.payloads.frame);
      // Subscribed before it says it is ready: a head-end answering the ready packet at once is heard.
      if (this.mqtt.listen > 0) await this.subscribe(client);
      await this.o.stage('upload', LIMIT.connectMs, () => client.publish(this.routes.ready, this.payloads.ready(), { qos: this.mqtt.qos }));
      if (this.mqtt.listen > 0) await this.listen(client);
      await client.disconnect();
    } finally {
      client.close();
      this.release();
    }
    return this.result;
  }

  private clientId(): string {
    return this.mqtt.clientId ?? this.o.uid;
  }

  private connectClient(): MqttClient {
    const m = this.mqtt;
    const endpoint = mqttEndpoint(this.o.config);
    if (endpoint === undefined) throw new Error('no MQTT broker configured (remote.mqtt.addr)');
    return new MqttClient(this.o.network, this.o.clock, {
      host: endpoint.host,
      port: endpoint.port,
      ...(endpoint.tls ? { tls: this.o.tls(endpoint.host) } : {}),
      clientId: this.clientId(),
      cleanSession: m.cleanSession,
      keepAliveSec: m.keepAlive,
      ...(m.user !== null ? { username: m.user } : {}),
      ...(m.pass !== null ? { password: m.pass } : {}),
      timeoutMs: LIMIT.connectMs,
      onMessage: (msg) => this.arrived(msg),
    });
  }

  private async publishStatus(client: MqttClient): Promise<void> {
    const payload = this.payloads.status?.();
    if (payload === undefined) return;
    await this.o.stage('upload', LIMIT.connectMs, () => client.publish(this.routes.status, payload, { qos: this.mqtt.qos }));
  }

  /**
   * Outbox files as BSON, in upload order. Data files always (they hold frames); the others only
   * when MQTT carries the files (`transport` `mqtt`).
   */
  private async publishFiles(client: MqttClient, only?: (file: OutboxFile) => boolean): Promise<void> {
    const o = this.o;
    const files = o.outbox.list().filter((f) => (only !== undefined ? only(f) : f.kind === 'data' || o.carryFiles));
    await this.pipeline(
      client,
      files,
      (f) => {
        const bytes = o.outbox.read(f);
        return bytes === undefined ? undefined : { topic: this.routes.files[f.kind], payload: bytes, dup: false };
      },
      (f) => {
        o.outbox.delivered(f, o.frames);
        // §5.7 counters.alarms: alarm files sent (docs/alarms.md).
        if (f.kind === 'alarm') o.counters.value.wake.alarms++;
        this.result.files++;
        if (f.range !== undefined) this.result.frames += f.range.to - f.range.from;
      },
    );
  }

  /**
   * Every frame past the store's cursor, one message each. The cursor is committed every
   * MQTT_COMMIT_EVERY acknowledged frames and when the pass ends or fails: a cut loses at most
   * that many PUBACKs, which become resends (counted) at the next connection.
   */
  private async publishFrames(client: MqttClient, make: (frame: StoredFrame) => FrameMessage): Promise<void> {
    const o = this.o;
    const start = o.outbox.settle(o.frames);
    const published = o.published.get();
    let acked = start;
    let committed = start;
    let highest = published;
    const commit = (): void => {
      if (acked > committed && o.frames.commitUpload(acked)) committed = acked;
      if (highest > o.published.get()) o.published.set(highest);
    };
    try {
      await this.pipeline(
        client,
        o.frames.records(start),
        (frame) => {
          const m = make(frame);
          const dup = frame.serial < published;
          if (dup) {
            this.result.resent++;
            o.counters.value.modem.framesResent++;
          }
          highest = Math.max(highest, frame.serial + 1);
          return { topic: m.topic, payload: m.payload, dup };
        },
        (frame) => {
          acked = frame.serial + 1;
          this.result.frames++;
          if (acked - committed >= MQTT_COMMIT_EVERY) commit();
        },
      );
    } finally {
      commit();
    }
  }

  /**
   * Publishes `items` with up to MQTT_IN_FLIGHT unacknowledged, calling `delivered` for each in
   * order once its PUBACK (QoS 1) or its hand-over to the socket (QoS 0) happened.
   */
  private async pipeline<T>(
    client: MqttClient,
    items: Iterable<T>,
    build: (item: T) => { topic: string; payload: Uint8Array; dup: boolean } | undefined,
    delivered: (item: T) => void,
  ): Promise<void> {
    const window: { item: T; sent: Promise<number> }[] = [];
    const settleOldest = async (): Promise<void> => {
      const oldest = window.shift() as { item: T; sent: Promise<number> };
      await oldest.sent;
      delivered(oldest.item);
    };
    for (const item of items) {
      // Refilled by halves: the publishes of a refill leave in one socket write (one AT+QISEND on
      // the BG95) instead of one write per PUBACK.
      if (window.length >= MQTT_IN_FLIGHT) while (window.length > MQTT_IN_FLIGHT / 2) await settleOldest();
      const m = build(item);
      if (m === undefined) continue;
      const sent = client.publish(m.topic, m.payload, { qos: this.mqtt.qos, dup: m.dup });
      // Awaited in order below; a rejection is taken there, not as an unhandled one.
      sent.catch(() => undefined);
      window.push({ item, sent });
    }
    while (window.length > 0) await settleOldest();
  }

  private arrived(msg: MqttMessage): Promise<void> {
    return new Promise<void>((resolve) => {
      this.incoming.push({ message: msg, done: resolve });
      const wake = this.wake;
      this.wake = undefined;
      wake?.();
    });
  }

  /** Messages not handled when the connection ends are not PUBACKed: the broker delivers them again. */
  private release(): void {
    this.incoming.length = 0;
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** The configuration topic, and below it the topics that name their file. */
  private async subscribe(client: MqttClient): Promise<void> {
    const routes = this.routes;
    await this.o.stage('listen', LIMIT.connectMs, () => client.subscribe(routes.config, 1));
    await this.o.stage('listen', LIMIT.connectMs, () => client.subscribe(routes.config + '/+', 1));
  }

  /**
   * Lansen's listen window (seed 002, battery gateway: 30 s after the upload): run what arrives,
   * leave when the window is over (a message being run finishes first) or a command needs a restart.
   */
  private async listen(client: MqttClient): Promise<void> {
    const o = this.o;
    const end = o.clock.now() + this.mqtt.listen * MS_PER_SECOND;
    while (!this.result.restart && client.connected) {
      const next = this.incoming.shift();
      if (next !== undefined) {
        await this.handle(client, next);
        continue;
      }
      const left = end - o.clock.now();
      if (left <= 0) break;
      // Woken by the next message or the end of the window, whichever comes first; the other is cancelled.
      await new Promise<void>((resolve) => {
        const timer = o.clock.setTimer(end, () => {
          this.wake = undefined;
          resolve();
        });
        this.wake = () => {
          o.clock.clearTimer(timer);
          resolve();
        };
      });
    }
  }

  private async handle(client: MqttClient, entry: Incoming): Promise<void> {
    const o = this.o;
    const msg = entry.message;
    o.runner.beginSession('mqtt');
    const named = this.fileName(msg);
    const acks: Ack[] = [];
    if (!named.ok) {
      o.events.record(EVENTS.inboxFileRejected, `${msg.topic}: ${named.error}`);
      acks.push({ type: 'cmd', cid: '', result: 'ko', data: `${msg.topic}: ${named.error}` });
    } else {
      const outcome = await o.runner.processInboxFile(named.name, msg.payload);
      for (const a of outcome.acks) acks.push(a.ack);
      if (o.runner.restartRequested) this.result.restart = true;
    }
    this.result.messages++;
    const ackFiles: string[] = [];
    for (const ack of acks) {
      const added = o.outbox.addAck(ack, 'mqtt');
      if (added.ok) ackFiles.push(added.file.id);
      else this.trace(`ack: ${added.error}`);
    }
    o.afterCommands();
    // Handled and its ACK stored: now the broker may forget it.
    entry.done();
    await this.publishFiles(client, (f) => ackFiles.indexOf(f.id) >= 0 || (o.carryFiles && f.kind !== 'data'));
  }

  /** The inbox file a message stands for: named by its topic, or by the document's top-level key. */
  private fileName(msg: MqttMessage): { ok: true; name: string } | { ok: false; error: string } {
    const o = this.o;
    const uid = o.uid;
    const given = messageFileName(this.routes, msg.topic);
    if (given !== undefined) {
      if (parseInboxName(given, uid) !== undefined) return { ok: true, name: given };
      return { ok: false, error: `"${given}" is not a file name for this box: ${expectedInboxNames(uid)}` };
    }
    const encrypted = o.config.security.encryption;
    const decoded = o.decode(msg.payload, encrypted);
    if (!decoded.ok) return { ok: false, error: decoded.detail ?? decoded.error };
    const kind = DOCUMENT_KINDS.find((k) => Object.prototype.hasOwnProperty.call(decoded.doc, k.key));
    if (kind === undefined) return { ok: false, error: 'neither a configuration (config), a white list (wlFilter) nor a command file (cmd)' };
    return { ok: true, name: uid + kind.suffix + BSON_EXTENSION + (encrypted ? AES_EXTENSION : '') };
  }

  private trace(line: string): void {
    this.o.trace(`mqtt: ${line}`);
  }
}
