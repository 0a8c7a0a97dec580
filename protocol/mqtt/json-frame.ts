/**
 * One received frame as a JSON MQTT message, for home-automation users (wmbusmeters, Home Assistant,
 * Node-RED). The fields follow wmbusmeters' conventions: `id` is the meter id as printed on the meter
 * (8 digits, the A-field bytes most significant first, what wmbusmeters reports as "id" and matches
 * meters by), `manufacturer` the 3-letter EN 13757-3 code, `time` ISO 8601 UTC with a `Z` like
 * wmbusmeters' "timestamp", and `frame` the whole telegram in lower-case hex, L-field first and
 * without DLL CRCs: the form wmbusmeters takes as a telegram on its command line or from a pipe, so
 * a user's own decoder gets the raw telegram. The id, manufacturer, version and type are those wmbusmeters
 * reports: the long transport header's or APL enhanced id's when the frame has one, else the DLL's.
 * No device-type name: protocol/wmbus holds no such table. Never throws: a field the header cannot
 * give is null. The device only writes the message; json-frame-decode.ts reads it back (tests,
 * simulator).
 */
import { utf8Encode, toHex } from '../text/utf8';
import { parseHeader } from '../wmbus/header';
import type { MeterAddress } from '../wmbus/types';

/** What the message needs of a stored frame (tasks/store/types.ts `StoredFrame`). */
export interface JsonFrameInput {
  /** Reception time, UTC seconds since 1970. */
  readonly time: number;
  /** RSSI, dBm. */
  readonly rssi: number;
  /** The telegram, L-field first, DLL CRCs removed. */
  readonly frame: Uint8Array;
}

/** The message, key order as written. */
export interface FrameJson {
  readonly id: string | null;
  readonly manufacturer: string | null;
  readonly version: number | null;
  readonly type: number | null;
  readonly rssi: number;
  readonly time: string;
  /** The CI-field of the frame (byte 10, after the DLL), null when the frame ends before it. */
  readonly ci: number | null;
  readonly frame: string;
  readonly gateway: string;
}

/** EN 13757-4 DLL: L C M(2) A(6); the CI-field follows. */
const DLL_BYTES = 10;
const CI_OFFSET = 10;
const UNKNOWN_LEVEL = 'unknown';

/**
 * The meter address wmbusmeters would report, or undefined. When a transport header runs past the
 * end of the frame the DLL alone still gives one: parseHeader on the 10 DLL bytes reads only them.
 */
function meterAddress(frame: Uint8Array): MeterAddress | undefined {
  const full = parseHeader(frame);
  if (full.ok) return full.header.meter;
  if (frame.length < DLL_BYTES) return undefined;
  const dll = parseHeader(frame.subarray(0, DLL_BYTES));
  return dll.ok ? dll.header.link.address : undefined;
}

const MS_PER_SECOND = 1000;
/** `toISOString`'s milliseconds: `.000Z`. */
const ISO_MILLIS = 5;

/** UTC seconds as `YYYY-MM-DDThh:mm:ssZ`. */
export function isoTime(seconds: number): string {
  return new Date(Math.floor(seconds) * MS_PER_SECOND).toISOString().slice(0, -ISO_MILLIS) + 'Z';
}

/** The fields of the message for a frame (see the module comment). */
export function frameJson(frame: JsonFrameInput, gateway: { readonly uid: string }): FrameJson {
  const meter = meterAddress(frame.frame);
  return {
    id: meter === undefined ? null : meter.id,
    manufacturer: meter === undefined ? null : meter.manufacturer,
    version: meter === undefined ? null : meter.version,
    type: meter === undefined ? null : meter.deviceType,
    rssi: frame.rssi,
    time: isoTime(frame.time),
    ci: frame.frame.length > CI_OFFSET ? frame.frame[CI_OFFSET] : null,
    frame: toHex(frame.frame),
    gateway: gateway.uid,
  };
}

/** UTF-8 JSON, no whitespace, keys in the order of `FrameJson`. */
export function encodeFrameJson(frame: JsonFrameInput, gateway: { readonly uid: string }): Uint8Array {
  const j = frameJson(frame, gateway);
  // Built field by field so the key order does not depend on how the object was made.
  const text =
    `{"id":${JSON.stringify(j.id)},"manufacturer":${JSON.stringify(j.manufacturer)},"version":${JSON.stringify(j.version)}` +
    `,"type":${JSON.stringify(j.type)},"rssi":${JSON.stringify(j.rssi)},"time":${JSON.stringify(j.time)},"ci":${JSON.stringify(j.ci)}` +
    `,"frame":${JSON.stringify(j.frame)},"gateway":${JSON.stringify(j.gateway)}}`;
  return utf8Encode(text);
}

/**
 * `<prefix>/<manufacturer>/<id>`, the levels a user subscribes to per meter; `unknown` for a level
 * the header cannot give.
 */
export function frameTopic(prefix: string, frame: { readonly frame: Uint8Array }): string {
  const meter = meterAddress(frame.frame);
  return `${prefix}/${meter === undefined ? UNKNOWN_LEVEL : meter.manufacturer}/${meter === undefined ? UNKNOWN_LEVEL : meter.id}`;
}
