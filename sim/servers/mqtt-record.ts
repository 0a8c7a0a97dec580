import { toExtendedJson } from '../../protocol/bson/ejson';
import { decodeFile } from '../../protocol/files/codec';
import { decodeFrameJson } from '../../protocol/mqtt/json-frame-decode';
import { decodeContainer, decodeReady, decodeStatus } from '../../protocol/mqtt/lansen-decode';
import { toHex, utf8Decode } from '../../protocol/text/utf8';
import type { MqttSite } from './mqtt-site';

/** A delivered message as `--out DIR` writes it, one JSON line each in `DIR/mqtt/messages.jsonl`. */
export interface MessageRecord {
  readonly topic: string;
  readonly qos: number;
  readonly retain: boolean;
  readonly dup: boolean;
  /** The payload's bytes, hex. */
  readonly payload: string;
  /** What the topic says the payload is, decoded (absent when the topic says nothing, or `error`). */
  readonly decoded?: unknown;
  readonly error?: string;
}

export interface DeliveredMessage {
  readonly topic: string;
  readonly payload: Uint8Array;
  readonly qos: number;
  readonly dup: boolean;
  readonly retain: boolean;
}

type Decoded = { readonly decoded: unknown } | { readonly error: string } | undefined;

/** Byte arrays as hex, for JSON. */
function plain(value: unknown): unknown {
  if (value instanceof Uint8Array) return toHex(value);
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = plain(v);
    return out;
  }
  return value;
}

function result<T extends { readonly ok: boolean }>(packet: string, r: T): Decoded {
  if (!r.ok) return { error: (r as unknown as { error: string }).error };
  const { ok: _ok, ...rest } = r as unknown as Record<string, unknown>;
  return { decoded: { packet, ...(plain(rest) as Record<string, unknown>) } };
}

/** A device file (BSON with its CRC trailer) as extended JSON, as `wmbus bson2json` shows it. */
function file(bytes: Uint8Array, encrypted: boolean): Decoded {
  if (encrypted) return undefined;
  const r = decodeFile(bytes, { encrypted: false });
  return r.ok ? { decoded: toExtendedJson(r.doc) } : { error: `${r.error}: ${r.detail}` };
}

function json(bytes: Uint8Array): Decoded {
  try {
    return { decoded: JSON.parse(utf8Decode(bytes)) as unknown };
  } catch (e) {
    return { error: `not JSON: ${(e as Error).message}` };
  }
}

/** A Lansen data-topic packet: a frame's container (RSP_UD), else the status packet (SND_NR). */
function lansenData(bytes: Uint8Array): Decoded {
  const container = decodeContainer(bytes);
  if (container.ok) return result('container', container);
  const status = decodeStatus(bytes);
  return status.ok ? result('status', status) : { error: `neither a container (${container.error}) nor a status packet (${status.error})` };
}

function decodeByTopic(site: MqttSite, topic: string, bytes: Uint8Array): Decoded {
  const r = site.routes;
  const lansen = r.format === 'lansen';
  if (lansen && topic === r.data) return lansenData(bytes);
  if (lansen && topic === r.ready) return result('ready', decodeReady(bytes));
  if (!lansen && (topic === r.status || topic === r.ready)) return json(bytes);
  const files = Object.values(r.files);
  if (topic === r.config || topic.startsWith(r.config + '/') || topic === r.response || files.includes(topic)) return file(bytes, site.encrypted);
  // Below the prefix but not the box's own level: a JSON frame on <prefix>/<manufacturer>/<id>.
  if (r.format === 'json' && topic.startsWith(r.prefix + '/') && !topic.startsWith(`${r.prefix}/${site.uid}/`)) {
    const frame = decodeFrameJson(bytes);
    return frame.ok ? { decoded: frame.value } : { error: frame.error };
  }
  return undefined;
}

/** The line `--out` writes for a delivered message. */
export function messageRecord(site: MqttSite, m: DeliveredMessage): MessageRecord {
  const d = decodeByTopic(site, m.topic, m.payload);
  return { topic: m.topic, qos: m.qos, retain: m.retain, dup: m.dup, payload: toHex(m.payload), ...d };
}
