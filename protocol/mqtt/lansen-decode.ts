/**
 * Reads the Lansen gateway MQTT packets lansen.ts writes (Lansen wM-Bus B4 gateway MQTT manual,
 * rev. K): the data packet with its wM-Bus container record, the status packet and the
 * ready-for-configuration packet, each an M-Bus long frame (EN 13757-2 §5) with a long transport
 * header (CI 0x72, EN 13757-7) and EN 13757-3 data records. For the tests and the simulator: the
 * device only encodes these packets, so this module is not in its image. Decoders never throw:
 * any malformation gives `{ ok: false, error }`.
 */
import { freezeTable } from '../freeze';
import { toHex } from '../text/utf8';
import { idText } from '../wmbus/identity';
import { manufacturerCode } from '../wmbus/header';
import {
  A_SECONDARY,
  BIT6,
  BIT7,
  BYTE,
  CENTURY,
  CI_LONG_HEADER,
  CONTAINER_RECORD,
  C_RSP_UD,
  C_SND_NR,
  DOW_SHIFT,
  DR1,
  DR11,
  DR12_DIB,
  DR13_DIB,
  DR14,
  DR15,
  DR16,
  DR17,
  DR18,
  DR19,
  DR2,
  DR23,
  DR3,
  DR4_DIB,
  DST_MASK,
  DST_SHIFT,
  FIVE_BITS,
  FOUR_BITS,
  FRAME_HEAD_BYTES,
  FRAME_TAIL_BYTES,
  GATEWAY_SERIAL_RECORD,
  ID_BYTES,
  INT8_MAX,
  MAX_L,
  NO_REPEATER_RSSI,
  RECEIVED_AT_RECORD,
  REPEATER_RECORD,
  REPEATER_RSSI_RECORD,
  RSSI_RECORD,
  SIX_BITS,
  START,
  STATUS_POWER_LOW,
  STOP,
  YEARS_PER_CENTURY,
  YEAR_HIGH_SHIFT,
  YEAR_LOW_BITS,
  YEAR_LOW_MASK,
  YEAR_LOW_SHIFT,
  readLe,
  type LansenStatus,
  type NumberRecord,
  type TypeIDateTime,
} from './lansen';

/** Byte offsets in a long frame: C-field, A-field, CI-field, then the long transport header. */
const C_OFFSET = 4;
const A_OFFSET = 5;
const CI_OFFSET = 6;
const HEADER_OFFSET = 7;
/** Long transport header (EN 13757-7): ID(4) M(2) version, device type, access, status, configuration(2). */
const LONG_HEADER_BYTES = 12;
const RECORDS_OFFSET = HEADER_OFFSET + LONG_HEADER_BYTES;

/** A record's DIB and VIB bytes in hex, as `readRecords` keys the records it finds. */
function recordKey(dib: readonly number[]): string {
  return toHex(Uint8Array.from(dib));
}

const KEY_GATEWAY_SERIAL = recordKey(GATEWAY_SERIAL_RECORD);
const KEY_RECEIVED_AT = recordKey(RECEIVED_AT_RECORD);
const KEY_RSSI = recordKey(RSSI_RECORD);
const KEY_REPEATER = recordKey(REPEATER_RECORD);
const KEY_REPEATER_RSSI = recordKey(REPEATER_RSSI_RECORD);
const KEY_CONTAINER = recordKey(CONTAINER_RECORD);

/** Lansen MQTT manual, container packet: DR3 0xFFFFFFFF = not received through a repeater. */
const NO_REPEATER = 'ffffffff';
/** EN 13757-3 Annex A type I: 6 bytes. */
const TYPE_I_BYTES = 6;
const MS_PER_SECOND = 1000;

/** The 6 type I bytes at `offset` as fields (no range checks; see `typeIToUtc`). */
export function decodeTypeI(bytes: Uint8Array, offset = 0): TypeIDateTime {
  const b = bytes.subarray(offset, offset + TYPE_I_BYTES);
  return {
    year: CENTURY + (((b[3] >> YEAR_LOW_SHIFT) & YEAR_LOW_MASK) | ((b[4] >> YEAR_HIGH_SHIFT) << YEAR_LOW_BITS)),
    month: b[4] & FOUR_BITS,
    day: b[3] & FIVE_BITS,
    hour: b[2] & FIVE_BITS,
    minute: b[1] & SIX_BITS,
    second: b[0] & SIX_BITS,
    dayOfWeek: b[2] >> DOW_SHIFT,
    week: b[5] & SIX_BITS,
    summerTime: (b[0] & BIT6) !== 0,
    leapYear: (b[0] & BIT7) !== 0,
    invalid: (b[1] & BIT7) !== 0,
    dstPositive: (b[1] & BIT6) !== 0,
    dstHours: (b[5] >> DST_SHIFT) & DST_MASK,
  };
}

/**
 * The fields read as a UTC instant (seconds since 1970), or null when they do not form a date.
 * The flags are not applied: a Lansen gateway writes its local time with the summer-time flag, this
 * product writes UTC.
 */
export function typeIToUtc(t: TypeIDateTime): number | null {
  if (t.year >= CENTURY + YEARS_PER_CENTURY || t.hour > 23 || t.minute > 59 || t.second > 59) return null;
  const ms = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);
  // Date.UTC rolls 31 April over to 1 May: a day or month out of range reads back different.
  const d = new Date(ms);
  if (d.getUTCMonth() !== t.month - 1 || d.getUTCDate() !== t.day) return null;
  return ms / MS_PER_SECOND;
}

function int8(value: number): number {
  return value > INT8_MAX ? value - 0x100 : value;
}

/** The address in a long transport header. */
export interface LansenAddress {
  /** Identification number as printed (8 digits, BCD for Lansen). */
  readonly id: string;
  readonly manufacturer: string;
  readonly mField: number;
  readonly version: number;
  readonly deviceType: number;
}

interface FrameHeader {
  readonly c: number;
  readonly address: LansenAddress;
  readonly access: number;
  readonly status: number;
  readonly configuration: number;
}

type Parsed<T> = ({ readonly ok: true } & T) | { readonly ok: false; readonly error: string };

/** Checks start, L-fields, stop and checksum, and reads the long header. */
function parseFrame(bytes: Uint8Array, c: number): Parsed<{ header: FrameHeader; end: number }> {
  if (bytes.length < FRAME_HEAD_BYTES + FRAME_TAIL_BYTES) return { ok: false, error: `truncated: ${bytes.length} bytes is shorter than a long frame` };
  if (bytes[0] !== START || bytes[3] !== START) return { ok: false, error: 'bad start: a long frame begins 68 L L 68' };
  const n = bytes.length - FRAME_HEAD_BYTES - FRAME_TAIL_BYTES;
  const l1 = bytes[1];
  const l2 = bytes[2];
  const lengthOk = n > MAX_L ? l1 + l2 === n : l1 === n && l2 === n;
  if (!lengthOk) return { ok: false, error: `length mismatch: L-fields ${l1}, ${l2} for ${n} bytes between start and checksum` };
  const end = FRAME_HEAD_BYTES + n;
  if (bytes[end + 1] !== STOP) return { ok: false, error: 'bad stop: a long frame ends with 16' };
  let sum = 0;
  for (let i = FRAME_HEAD_BYTES; i < end; i++) sum += bytes[i];
  if ((sum & BYTE) !== bytes[end]) {
    return { ok: false, error: `checksum: frame carries 0x${toHex(bytes.subarray(end, end + 1))}, bytes sum to 0x${toHex(Uint8Array.of(sum & BYTE))}` };
  }
  if (end < RECORDS_OFFSET) return { ok: false, error: 'truncated: the long transport header is incomplete' };
  if (bytes[C_OFFSET] !== c) return { ok: false, error: `C-field 0x${toHex(bytes.subarray(C_OFFSET, C_OFFSET + 1))}, expected 0x${toHex(Uint8Array.of(c))}` };
  if (bytes[A_OFFSET] !== A_SECONDARY || bytes[CI_OFFSET] !== CI_LONG_HEADER) return { ok: false, error: 'not an A 0xFD, CI 0x72 long-header frame' };
  const mField = bytes[HEADER_OFFSET + 4] | (bytes[HEADER_OFFSET + 5] << 8);
  return {
    ok: true,
    end,
    header: {
      c,
      address: {
        id: idText(bytes, HEADER_OFFSET),
        manufacturer: manufacturerCode(mField),
        mField,
        version: bytes[HEADER_OFFSET + 6],
        deviceType: bytes[HEADER_OFFSET + 7],
      },
      access: bytes[HEADER_OFFSET + 8],
      status: bytes[HEADER_OFFSET + 9],
      configuration: readLe(bytes, HEADER_OFFSET + 10, 2),
    },
  };
}

/** One EN 13757-3 data record: its DIB and VIB bytes in hex, and where its data lies. */
interface DataRecord {
  readonly key: string;
  readonly offset: number;
  readonly length: number;
}

/** EN 13757-3 §6.3 data field: data bytes per DIF low nibble (0x0D variable, read from LVAR). */
const DATA_BYTES: readonly number[] = freezeTable([0, 1, 2, 3, 4, 4, 6, 8, 0, 1, 2, 3, 4, -1, 6, 0]);
const DIF_VARIABLE = 0x0d;
const DIF_IDLE_FILLER = 0x2f;
const DIF_MANUFACTURER = 0x0f;
const DIF_MORE_RECORDS = 0x1f;
const EXTENSION_BIT = 0x80;

/**
 * The data records of `bytes[start, end)`. LVAR is read as a byte count: the only variable-length
 * records of Lansen packets are the telegram container (whose count may exceed 0xBF, which
 * EN 13757-3 reserves for other encodings) and ASCII strings.
 */
function readRecords(bytes: Uint8Array, start: number, end: number): Parsed<{ records: DataRecord[] }> {
  const records: DataRecord[] = [];
  let pos = start;
  while (pos < end) {
    const dif = bytes[pos];
    if (dif === DIF_IDLE_FILLER) {
      pos += 1;
      continue;
    }
    if (dif === DIF_MANUFACTURER || dif === DIF_MORE_RECORDS) break;
    const keyStart = pos;
    pos += 1;
    let ext = dif & EXTENSION_BIT;
    while (ext !== 0 && pos < end) {
      ext = bytes[pos] & EXTENSION_BIT;
      pos += 1;
    }
    if (pos >= end) return { ok: false, error: `truncated record at byte ${keyStart}` };
    ext = EXTENSION_BIT;
    while (ext !== 0 && pos < end) {
      ext = bytes[pos] & EXTENSION_BIT;
      pos += 1;
    }
    if (ext !== 0) return { ok: false, error: `truncated record at byte ${keyStart}` };
    const key = toHex(bytes.subarray(keyStart, pos));
    let length = DATA_BYTES[dif & FOUR_BITS];
    if ((dif & FOUR_BITS) === DIF_VARIABLE) {
      if (pos >= end) return { ok: false, error: `truncated record at byte ${keyStart}` };
      length = bytes[pos];
      pos += 1;
    }
    if (pos + length > end) return { ok: false, error: `truncated record at byte ${keyStart}: ${length} data bytes announced, ${end - pos} left` };
    records.push({ key, offset: pos, length });
    pos += length;
  }
  return { ok: true, records };
}

function findRecord(records: readonly DataRecord[], key: string, length: number): DataRecord | undefined {
  for (const r of records) if (r.key === key && (length < 0 || r.length === length)) return r;
  return undefined;
}

function missing(name: string, key: string): { ok: false; error: string } {
  return { ok: false, error: `missing record ${name} (${key})` };
}

export type ContainerResult =
  | {
      readonly ok: true;
      /** Gateway serial (8 digits). */
      readonly serial: string;
      /** DR1 read as UTC seconds (see `typeIToUtc`), null when its fields are not a date. */
      readonly time: number | null;
      /** DR1 field by field, flags included. */
      readonly receivedAt: TypeIDateTime;
      /** DR2, dBm. */
      readonly rssi: number;
      /** DR5: the telegram, L-field first. */
      readonly telegram: Uint8Array;
      /** DR3, null for 0xFFFFFFFF (not through a repeater). */
      readonly repeater: string | null;
      /** DR4, null for 0xFF (not used). */
      readonly repeaterRssi: number | null;
      /** Transport header: the contained telegram's meter. */
      readonly meter: LansenAddress;
      readonly access: number;
      readonly status: number;
      readonly configuration: number;
    }
  | { readonly ok: false; readonly error: string };

/** Reads a Lansen data packet; any malformation gives `{ ok: false, error }`. */
export function decodeContainer(bytes: Uint8Array): ContainerResult {
  const frame = parseFrame(bytes, C_RSP_UD);
  if (!frame.ok) return frame;
  const parsed = readRecords(bytes, RECORDS_OFFSET, frame.end);
  if (!parsed.ok) return parsed;
  const records = parsed.records;
  const serial = findRecord(records, KEY_GATEWAY_SERIAL, ID_BYTES);
  if (serial === undefined) return missing('gateway serial', KEY_GATEWAY_SERIAL);
  const at = findRecord(records, KEY_RECEIVED_AT, TYPE_I_BYTES);
  if (at === undefined) return missing('DR1 reception time', KEY_RECEIVED_AT);
  const rssi = findRecord(records, KEY_RSSI, 1);
  if (rssi === undefined) return missing('DR2 RSSI', KEY_RSSI);
  const repeater = findRecord(records, KEY_REPEATER, ID_BYTES);
  if (repeater === undefined) return missing('DR3 repeater serial', KEY_REPEATER);
  const repeaterRssi = findRecord(records, KEY_REPEATER_RSSI, 1);
  if (repeaterRssi === undefined) return missing('DR4 repeater RSSI', KEY_REPEATER_RSSI);
  const container = findRecord(records, KEY_CONTAINER, -1);
  if (container === undefined) return missing('DR5 wM-Bus telegram', KEY_CONTAINER);
  const receivedAt = decodeTypeI(bytes, at.offset);
  const repeaterId = idText(bytes, repeater.offset);
  const rr = bytes[repeaterRssi.offset];
  return {
    ok: true,
    serial: idText(bytes, serial.offset),
    time: typeIToUtc(receivedAt),
    receivedAt,
    rssi: int8(bytes[rssi.offset]),
    telegram: bytes.slice(container.offset, container.offset + container.length),
    repeater: repeaterId === NO_REPEATER ? null : repeaterId,
    repeaterRssi: rr === NO_REPEATER_RSSI ? null : rr,
    meter: frame.header.address,
    access: frame.header.access,
    status: frame.header.status,
    configuration: frame.header.configuration,
  };
}

/** The status records `decodeStatus` requires and those it reads when present (lansen.ts `encodeStatus` writes them). */
const REQUIRED: readonly NumberRecord[] = freezeTable([DR1, DR2, DR3, DR11, DR17, DR18, DR19]);
const OPTIONAL: readonly NumberRecord[] = freezeTable([DR14, DR15, DR16, DR23]);

export type StatusResult =
  | {
      readonly ok: true;
      readonly serial: string;
      readonly status: LansenStatus;
      /** DR10 field by field. */
      readonly clock: TypeIDateTime;
      readonly gateway: LansenAddress;
      readonly access: number;
    }
  | { readonly ok: false; readonly error: string };

function readNumber(bytes: Uint8Array, record: DataRecord, spec: NumberRecord): number {
  const v = readLe(bytes, record.offset, spec.bytes);
  const max = 2 ** (8 * spec.bytes);
  return spec.signed && v >= max / 2 ? v - max : v;
}

function readString(bytes: Uint8Array, record: DataRecord): string {
  let s = '';
  for (let i = record.offset + record.length - 1; i >= record.offset; i--) s += String.fromCharCode(bytes[i]);
  return s;
}

/** The status records of `bytes[start, end)`; records this product does not keep (DR5–DR9, DR20–DR22) are skipped. */
function decodeStatusRecords(bytes: Uint8Array, start = 0, end = bytes.length): Parsed<{ status: LansenStatus; clock: TypeIDateTime; serial: string | null }> {
  const parsed = readRecords(bytes, start, end);
  if (!parsed.ok) return parsed;
  const records = parsed.records;
  const values: Record<string, number | string | boolean> = {};
  for (const spec of REQUIRED) {
    const key = recordKey(spec.dib);
    const r = findRecord(records, key, spec.bytes);
    if (r === undefined) return missing(spec.field, key);
    values[spec.field] = readNumber(bytes, r, spec);
  }
  for (const spec of OPTIONAL) {
    const r = findRecord(records, recordKey(spec.dib), spec.bytes);
    if (r !== undefined) values[spec.field] = readNumber(bytes, r, spec);
  }
  const dr4Key = recordKey(DR4_DIB);
  const dr4 = findRecord(records, dr4Key, 1);
  if (dr4 === undefined) return missing('listening (DR4)', dr4Key);
  const dr10 = findRecord(records, KEY_RECEIVED_AT, TYPE_I_BYTES);
  if (dr10 === undefined) return missing('time (DR10)', KEY_RECEIVED_AT);
  const clock = decodeTypeI(bytes, dr10.offset);
  const time = typeIToUtc(clock);
  if (time === null) return { ok: false, error: 'time (DR10) is not a date' };
  const imei = findRecord(records, recordKey(DR12_DIB), -1);
  if (imei !== undefined) values.imei = readString(bytes, imei);
  const iccid = findRecord(records, recordKey(DR13_DIB), -1);
  if (iccid !== undefined) values.iccid = readString(bytes, iccid);
  values.listening = bytes[dr4.offset] !== 0;
  values.time = time;
  const serial = findRecord(records, KEY_GATEWAY_SERIAL, ID_BYTES);
  return { ok: true, status: values as unknown as LansenStatus, clock, serial: serial === undefined ? null : idText(bytes, serial.offset) };
}

/** Reads a Lansen status packet; any malformation gives `{ ok: false, error }`. */
export function decodeStatus(bytes: Uint8Array): StatusResult {
  const frame = parseFrame(bytes, C_SND_NR);
  if (!frame.ok) return frame;
  const r = decodeStatusRecords(bytes, RECORDS_OFFSET, frame.end);
  if (!r.ok) return r;
  if (r.serial === null) return missing('gateway serial', KEY_GATEWAY_SERIAL);
  const lowBattery = (frame.header.status & STATUS_POWER_LOW) !== 0;
  return {
    ok: true,
    serial: r.serial,
    status: { ...r.status, lowBattery },
    clock: r.clock,
    gateway: frame.header.address,
    access: frame.header.access,
  };
}

export type ReadyResult =
  | { readonly ok: true; readonly serial: string; readonly gateway: LansenAddress; readonly access: number; readonly status: number }
  | { readonly ok: false; readonly error: string };

/** Reads a ready-for-configuration packet; any malformation gives `{ ok: false, error }`. */
export function decodeReady(bytes: Uint8Array): ReadyResult {
  const frame = parseFrame(bytes, C_SND_NR);
  if (!frame.ok) return frame;
  if (frame.end !== RECORDS_OFFSET) return { ok: false, error: `not a ready packet: ${frame.end - RECORDS_OFFSET} bytes after the header` };
  const h = frame.header;
  return { ok: true, serial: h.address.id, gateway: h.address, access: h.access, status: h.status };
}
