/**
 * Lansen LAN-WMBUS-G2 gateway MQTT packets (Lansen wM-Bus B4 gateway MQTT manual, rev. K): the data
 * packet that carries one received telegram in a wM-Bus container record (topic LAS/W/D/<serial>),
 * the status packet and the ready-for-configuration packet. Each is an M-Bus long frame (EN 13757-2
 * §5: 68 L L 68 C A CI … checksum 16) with a long transport header (CI 0x72, EN 13757-7) and
 * EN 13757-3 data records. Pure codecs: bytes in, bytes out. The device only writes these packets:
 * their decoders, which never throw, are in lansen-decode.ts (tests, simulator), outside the device
 * image; the constants they share are exported here.
 */
import { freezeTable } from '../freeze';
import { idBytesFromText } from '../wmbus/identity';

/**
 * Lansen addresses a gateway by an 8-digit serial (topics LAS/W/x/<serial>, the BCD fabrication
 * number record of every packet), this product by its uid: the serial is the uid's decimal digits,
 * the last 8, left-padded with zeros (`WE_000123` → `00000123`).
 */
export function gatewaySerial(uid: string): string {
  let digits = '';
  for (let i = 0; i < uid.length; i++) {
    const c = uid.charCodeAt(i);
    if (c >= CODE_0 && c <= CODE_9) digits += uid[i];
  }
  if (digits.length > SERIAL_DIGITS) digits = digits.slice(digits.length - SERIAL_DIGITS);
  while (digits.length < SERIAL_DIGITS) digits = '0' + digits;
  return digits;
}

export interface LansenTopics {
  readonly data: string;
  readonly config: string;
  readonly response: string;
  readonly ready: string;
}

/** Lansen MQTT manual, "MQTT traffic": data D, configuration C, configuration response R, ready I. */
export function lansenTopics(serial: string): LansenTopics {
  return { data: `LAS/W/D/${serial}`, config: `LAS/W/C/${serial}`, response: `LAS/W/R/${serial}`, ready: `LAS/W/I/${serial}` };
}

const CODE_0 = 0x30;
const CODE_9 = 0x39;
const SERIAL_DIGITS = 8;

/** EN 13757-2 §5.1 long frame: start, L, L, start, …, checksum, stop. */
export const START = 0x68;
export const STOP = 0x16;
/** Start, L, L, start before the C-field; checksum and stop after the data. */
export const FRAME_HEAD_BYTES = 4;
export const FRAME_TAIL_BYTES = 2;
export const MAX_L = 0xff;
export const BYTE = 0xff;

/** Lansen MQTT manual, container packet: C RSP_UD 0x08; status and ready packets: SND_NR 0x44. */
export const C_RSP_UD = 0x08;
export const C_SND_NR = 0x44;
/** EN 13757-2 §5.3: primary address 0xFD, secondary addressing. */
export const A_SECONDARY = 0xfd;
export const CI_LONG_HEADER = 0x72;

/** `LAS` as an EN 13757-3 manufacturer code: ((L-64)<<10)|((A-64)<<5)|(S-64). */
const M_LAS = 0x3033;
/**
 * The gateway's own address in the status and ready headers: Lansen's manual shows it in the
 * configuration response header (LAS/W/R): serial (BCD), version 0x0A, device type 0x31
 * (EN 13757-3 device type table: communication controller / MUC).
 */
const GATEWAY_VERSION = 0x0a;
const GATEWAY_DEVICE_TYPE = 0x31;
/** EN 13757-7 status byte bit 2: power low. */
export const STATUS_POWER_LOW = 0x04;

/** wM-Bus DLL of the contained telegram: L C M(2) ID(4) version type (EN 13757-4). */
const DLL_M_OFFSET = 2;
const DLL_ID_OFFSET = 4;
const DLL_VERSION_OFFSET = 8;
const DLL_TYPE_OFFSET = 9;
export const ID_BYTES = 4;

/** Lansen MQTT manual, container packet: DR3 0xFFFFFFFF = not received through a repeater; DR4 0xFF = not used. */
export const NO_REPEATER_RSSI = 0xff;
const MAX_REPEATER_RSSI = 100;
const MAX_TELEGRAM_BYTES = 0xff;
const INT8_MIN = -128;
export const INT8_MAX = 127;

/**
 * Record signatures (DIB and VIB bytes) of the Lansen MQTT manual.
 * Container and status packets, bytes 20–25: DIF 8-digit BCD, VIF fabrication number: the gateway serial.
 */
export const GATEWAY_SERIAL_RECORD: readonly number[] = freezeTable([0x0c, 0x78]);
/** Container DR1: 48-bit, VIF 0x6D type I date and time (EN 13757-3 Annex A): reception time. */
export const RECEIVED_AT_RECORD: readonly number[] = freezeTable([0x06, 0x6d]);
/** Container DR2: 8-bit, VIF extension 0xFD, VIFE 0x71 RSSI. */
export const RSSI_RECORD: readonly number[] = freezeTable([0x01, 0xfd, 0x71]);
/** Container DR3: 8-digit BCD, DIFE subunit 1, VIF fabrication number: repeater serial. */
export const REPEATER_RECORD: readonly number[] = freezeTable([0x8c, 0x40, 0x78]);
/** Container DR4: 8-bit, DIFE subunit 1, VIF 0xFD, VIFE RSSI, relative deviation, multiplier 0.01. */
export const REPEATER_RSSI_RECORD: readonly number[] = freezeTable([0x81, 0x40, 0xfd, 0xf1, 0x94, 0x74]);
/** Container DR5: variable length, VIF 0xFD, VIFE 0x3B data container for the wireless M-Bus protocol. */
export const CONTAINER_RECORD: readonly number[] = freezeTable([0x0d, 0xfd, 0x3b]);

/** EN 13757-3 Annex A type I (48-bit date and time), field by field. */
export interface TypeIDateTime {
  /** Full year, 2000–2099 (the type carries 0–99). */
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  /** 1 Monday … 7 Sunday, 0 not specified. */
  readonly dayOfWeek: number;
  /** 1–53, 0 not specified. */
  readonly week: number;
  /** Bit 7: time during daylight saving. */
  readonly summerTime: boolean;
  /** Bit 8: leap year. */
  readonly leapYear: boolean;
  /** Bit 16: time invalid. */
  readonly invalid: boolean;
  /** Bit 15: sign of the daylight saving deviation, true = +. */
  readonly dstPositive: boolean;
  /** Bits 47–48: daylight saving deviation in hours, 0–3. */
  readonly dstHours: number;
}

export const SIX_BITS = 0x3f;
export const FIVE_BITS = 0x1f;
export const FOUR_BITS = 0x0f;
export const BIT6 = 0x40;
export const BIT7 = 0x80;
export const DOW_SHIFT = 5;
export const YEAR_LOW_SHIFT = 5;
export const YEAR_LOW_MASK = 0x07;
export const YEAR_HIGH_SHIFT = 4;
export const YEAR_LOW_BITS = 3;
export const DST_SHIFT = 6;
export const DST_MASK = 0x03;
export const CENTURY = 2000;
export const YEARS_PER_CENTURY = 100;

const MS_PER_SECOND = 1000;
/** Date's getUTCDay: 0 Sunday … 6 Saturday; type I counts 1 Monday … 7 Sunday. */
const ISO_SUNDAY = 7;

/**
 * A UTC instant as type I fields, written the way the Lansen manual's example does
 * (2000-01-01 00:01:02 → 02 01 C0 01 01 00): day of week set; week, summer time, leap year and
 * daylight saving deviation left 0. This product's clock is UTC, so no summer time. A time outside
 * 2000–2099 (a clock never set) is marked invalid (bit 16) with every field 0.
 */
export function typeIFromUtc(seconds: number): TypeIDateTime {
  const d = new Date(Math.floor(seconds) * MS_PER_SECOND);
  const year = d.getUTCFullYear();
  const none = { week: 0, summerTime: false, leapYear: false, dstPositive: false, dstHours: 0 };
  if (year < CENTURY || year >= CENTURY + YEARS_PER_CENTURY) {
    return { year: CENTURY, month: 0, day: 0, hour: 0, minute: 0, second: 0, dayOfWeek: 0, ...none, invalid: true };
  }
  return {
    year,
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    dayOfWeek: d.getUTCDay() === 0 ? ISO_SUNDAY : d.getUTCDay(),
    ...none,
    invalid: false,
  };
}

/** EN 13757-3 Annex A type I: 6 bytes, least significant first. */
export function encodeTypeI(t: TypeIDateTime): Uint8Array {
  const y = (t.year - CENTURY) & 0x7f;
  return Uint8Array.of(
    (t.second & SIX_BITS) | (t.summerTime ? BIT6 : 0) | (t.leapYear ? BIT7 : 0),
    (t.minute & SIX_BITS) | (t.dstPositive ? BIT6 : 0) | (t.invalid ? BIT7 : 0),
    (t.hour & FIVE_BITS) | ((t.dayOfWeek & YEAR_LOW_MASK) << DOW_SHIFT),
    (t.day & FIVE_BITS) | ((y & YEAR_LOW_MASK) << YEAR_LOW_SHIFT),
    (t.month & FOUR_BITS) | ((y >> YEAR_LOW_BITS) << YEAR_HIGH_SHIFT),
    (t.week & SIX_BITS) | ((t.dstHours & DST_MASK) << DST_SHIFT),
  );
}

/** Whether `serial` is 8 decimal digits (it is written as BCD). */
function isSerial(serial: string): boolean {
  if (serial.length !== SERIAL_DIGITS) return false;
  for (let i = 0; i < serial.length; i++) {
    const c = serial.charCodeAt(i);
    if (c < CODE_0 || c > CODE_9) return false;
  }
  return true;
}

function serialBytes(serial: string): Uint8Array {
  const bytes = isSerial(serial) ? idBytesFromText(serial) : undefined;
  if (bytes === undefined) throw new RangeError(`Lansen gateway serial '${serial}' is not 8 decimal digits`);
  return bytes;
}

function pushLe(out: number[], value: number, count: number): void {
  let v = value;
  for (let i = 0; i < count; i++) {
    out.push(v & BYTE);
    v = Math.floor(v / 0x100);
  }
}

function pushAll(out: number[], bytes: ArrayLike<number>): void {
  for (let i = 0; i < bytes.length; i++) out.push(bytes[i]);
}

export function readLe(bytes: Uint8Array, offset: number, count: number): number {
  let v = 0;
  for (let i = count - 1; i >= 0; i--) v = v * 0x100 + bytes[offset + i];
  return v;
}

/**
 * A long frame around `body` (C-field onwards). EN 13757-2 §5.1: checksum = sum of C-field to the
 * last data byte, mod 256. Lansen MQTT manual: a frame longer than 255 bytes splits its length over
 * both L-fields, which add up to it; this codec writes 0xFF in the first and the rest in the second.
 */
function longFrame(body: readonly number[]): Uint8Array {
  const n = body.length;
  const out = new Uint8Array(FRAME_HEAD_BYTES + n + FRAME_TAIL_BYTES);
  out[0] = START;
  out[1] = n > MAX_L ? MAX_L : n;
  out[2] = n > MAX_L ? n - MAX_L : n;
  out[3] = START;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    out[FRAME_HEAD_BYTES + i] = body[i];
    sum += body[i];
  }
  out[FRAME_HEAD_BYTES + n] = sum & BYTE;
  out[FRAME_HEAD_BYTES + n + 1] = STOP;
  return out;
}

/** C-field, A-field, CI 0x72 and the long transport header. */
function header(c: number, id: ArrayLike<number>, mField: number, version: number, deviceType: number, access: number, status: number): number[] {
  const out = [c, A_SECONDARY, CI_LONG_HEADER];
  pushAll(out, id);
  pushLe(out, mField, 2);
  out.push(version & BYTE, deviceType & BYTE, access & BYTE, status & BYTE);
  // Configuration field 00 00: no encryption (Lansen MQTT manual: "Encryption off").
  out.push(0, 0);
  return out;
}

/** What `encodeContainer` writes besides the frame; defaults are this product's (no repeater). */
export interface ContainerOptions {
  /** Access number of the transport header; default the low byte of the frame's store serial, else 0. */
  readonly access?: number;
  /** Status byte of the transport header; default 0. */
  readonly status?: number;
  /** DR3: serial (8 digits) of the repeater the telegram came through; default none (0xFFFFFFFF). */
  readonly repeater?: string;
  /** DR4: the repeater's relative RSSI 0 (best) – 100; default not used (0xFF). */
  readonly repeaterRssi?: number;
  /** DR1 as type I fields, to write flags as another gateway did; default `typeIFromUtc(frame.time)`. */
  readonly receivedAt?: TypeIDateTime;
}

/** A received frame as the store keeps it (tasks/store/types.ts `StoredFrame`). */
export interface ContainerFrame {
  /** Reception time, UTC seconds since 1970. */
  readonly time: number;
  /** RSSI, dBm. */
  readonly rssi: number;
  /** The telegram, L-field first, DLL CRCs removed. */
  readonly frame: Uint8Array;
  /** The store's serial of the frame: its low byte is the default access number. */
  readonly serial?: number;
}

/**
 * The Lansen data packet (topic LAS/W/D/<serial>) carrying one received telegram. As in the
 * manual's example packet, the transport header holds the address of the contained telegram's
 * meter (its DLL ID, M, version, device type), and the gateway serial is the BCD record after it.
 * DR1 reception time is UTC. RangeError for a serial that is not 8 digits or a telegram of 0 or more
 * than 255 bytes.
 */
export function encodeContainer(frame: ContainerFrame, serial: string, options: ContainerOptions = {}): Uint8Array {
  const telegram = frame.frame;
  if (telegram.length === 0 || telegram.length > MAX_TELEGRAM_BYTES) {
    throw new RangeError(`Lansen container: a telegram of ${telegram.length} bytes does not fit (1-255)`);
  }
  const gateway = serialBytes(serial);
  const repeater = options.repeater === undefined ? Uint8Array.of(BYTE, BYTE, BYTE, BYTE) : serialBytes(options.repeater);
  // A telegram shorter than its DLL leaves the missing address bytes 0.
  const dll = new Uint8Array(DLL_TYPE_OFFSET + 1);
  dll.set(telegram.subarray(0, DLL_TYPE_OFFSET + 1));
  const access = options.access ?? (frame.serial === undefined ? 0 : frame.serial & BYTE);
  const out = header(C_RSP_UD, dll.subarray(DLL_ID_OFFSET, DLL_ID_OFFSET + ID_BYTES), readLe(dll, DLL_M_OFFSET, 2), dll[DLL_VERSION_OFFSET], dll[DLL_TYPE_OFFSET], access, options.status ?? 0);
  pushAll(out, GATEWAY_SERIAL_RECORD);
  pushAll(out, gateway);
  pushAll(out, RECEIVED_AT_RECORD);
  pushAll(out, encodeTypeI(options.receivedAt ?? typeIFromUtc(frame.time)));
  pushAll(out, RSSI_RECORD);
  // DR2: RSSI as a signed byte (two's complement, as the manual's status DR14 says of the same VIFE).
  out.push(Math.max(INT8_MIN, Math.min(INT8_MAX, Math.round(frame.rssi))) & BYTE);
  pushAll(out, REPEATER_RECORD);
  pushAll(out, repeater);
  pushAll(out, REPEATER_RSSI_RECORD);
  const rr = options.repeaterRssi;
  out.push(rr === undefined || rr < 0 || rr > MAX_REPEATER_RSSI ? NO_REPEATER_RSSI : rr);
  pushAll(out, CONTAINER_RECORD);
  out.push(telegram.length);
  pushAll(out, telegram);
  return longFrame(out);
}

/**
 * The status packet values this product has (Lansen MQTT manual, "Status packet", DR numbers in
 * brackets). Left out, because this product has no such setting: DR5–DR9 (seconds to the next
 * listen/sleep change, listen timer, pause timer, listening weekdays, start time) and DR20–DR22
 * (upload weekdays, upload time, upload interval) describe Lansen's fixed listen/pause and upload
 * timers; this product schedules listening and uploads with cron expressions (protocol/cron), which
 * those fields cannot express. The manual has no temperature record.
 */
export interface LansenStatus {
  /** DR1: packets published over MQTT since power-up. */
  readonly packetsSent: number;
  /** DR2: meters in the whitelist (Lansen: routing slots used, at most 2000). */
  readonly whitelistSize: number;
  /** DR3: firmware version as a 16-bit number. */
  readonly firmwareVersion: number;
  /** DR4: the radio is listening now. */
  readonly listening: boolean;
  /** DR10: current time, UTC seconds since 1970. */
  readonly time: number;
  /** DR11: battery voltage, mV. */
  readonly batteryMv: number;
  /** DR12: modem IMEI (15 digits), when known. */
  readonly imei?: string;
  /** DR13: SIM ICCID (19–20 digits), when known. */
  readonly iccid?: string;
  /** DR14: LTE-M signal strength at the modem, dBm, when known. */
  readonly modemRssi?: number;
  /** DR15: hardware model, when the board has one. */
  readonly hardwareModel?: number;
  /** DR16: hardware version, when the board has one. */
  readonly hardwareVersion?: number;
  /** DR17: days since power-up. */
  readonly uptimeDays: number;
  /** DR18: seconds the modem has been on since power-up. */
  readonly modemOnSeconds: number;
  /** DR19: seconds the radio has listened since power-up. */
  readonly radioListenSeconds: number;
  /** DR23: SNTP attempts since the last successful one, when counted. */
  readonly ntpRetries?: number;
  /** Transport header status bit 2 (EN 13757-7: power low). */
  readonly lowBattery?: boolean;
}

export type StatusField = Exclude<keyof LansenStatus, 'lowBattery' | 'listening' | 'time' | 'imei' | 'iccid'>;

export interface NumberRecord {
  readonly field: StatusField;
  readonly dib: readonly number[];
  readonly bytes: number;
  readonly signed: boolean;
}

/** Lansen MQTT manual, status packet: DIB/VIB bytes and data size of each numeric record kept. */
export const DR1: NumberRecord = freezeTable({ field: 'packetsSent', dib: [0x04, 0xfd, 0x3a], bytes: 4, signed: false });
export const DR2: NumberRecord = freezeTable({ field: 'whitelistSize', dib: [0x82, 0x40, 0xfd, 0x3a], bytes: 2, signed: false });
export const DR3: NumberRecord = freezeTable({ field: 'firmwareVersion', dib: [0x02, 0xfd, 0x0f], bytes: 2, signed: false });
export const DR4_DIB: readonly number[] = freezeTable([0x81, 0x80, 0x40, 0xfd, 0x3a]);
export const DR11: NumberRecord = freezeTable({ field: 'batteryMv', dib: [0x02, 0xfd, 0x46], bytes: 2, signed: false });
export const DR12_DIB: readonly number[] = freezeTable([0xcd, 0x02, 0xfd, 0x3a]);
export const DR13_DIB: readonly number[] = freezeTable([0x8d, 0x03, 0xfd, 0x3a]);
export const DR14: NumberRecord = freezeTable({ field: 'modemRssi', dib: [0x01, 0xfd, 0x71], bytes: 1, signed: true });
export const DR15: NumberRecord = freezeTable({ field: 'hardwareModel', dib: [0x01, 0xfd, 0x0c], bytes: 1, signed: false });
export const DR16: NumberRecord = freezeTable({ field: 'hardwareVersion', dib: [0x01, 0xfd, 0x0d], bytes: 1, signed: false });
export const DR17: NumberRecord = freezeTable({ field: 'uptimeDays', dib: [0x02, 0x23], bytes: 2, signed: false });
export const DR18: NumberRecord = freezeTable({ field: 'modemOnSeconds', dib: [0x04, 0x24], bytes: 4, signed: false });
export const DR19: NumberRecord = freezeTable({ field: 'radioListenSeconds', dib: [0x84, 0x40, 0x24], bytes: 4, signed: false });
export const DR23: NumberRecord = freezeTable({ field: 'ntpRetries', dib: [0x82, 0x05, 0xfd, 0x3a], bytes: 2, signed: false });
/** The records kept, in the manual's order; DR4 (flag), DR10 (time), DR12/DR13 (strings) are written apart. */
const HEAD_RECORDS: readonly NumberRecord[] = freezeTable([DR1, DR2, DR3]);
const MODEM_RECORDS: readonly NumberRecord[] = freezeTable([DR14, DR15, DR16, DR17, DR18, DR19, DR23]);

function pushNumber(out: number[], record: NumberRecord, value: number | undefined): void {
  if (value === undefined) return;
  pushAll(out, record.dib);
  const max = 2 ** (8 * record.bytes);
  const v = Math.round(value);
  pushLe(out, record.signed ? (v < 0 ? v + max : v) & (max - 1) : Math.max(0, Math.min(max - 1, v)), record.bytes);
}

/** EN 13757-3: an LVAR string is sent last character first. */
function pushString(out: number[], dib: readonly number[], text: string | undefined): void {
  if (text === undefined) return;
  pushAll(out, dib);
  const n = Math.min(text.length, MAX_TELEGRAM_BYTES);
  out.push(n);
  for (let i = n - 1; i >= 0; i--) out.push(text.charCodeAt(i) & BYTE);
}

/** The gateway's own long header: its serial, LAS, version 0x0A, device type 0x31. */
function gatewayHeader(c: number, serial: string, access: number, status: number): number[] {
  return header(c, serialBytes(serial), M_LAS, GATEWAY_VERSION, GATEWAY_DEVICE_TYPE, access, status);
}

/** Header fields of the status and ready packets. */
export interface GatewayHeaderOptions {
  /** Access number; default 0. */
  readonly access?: number;
}

/**
 * The Lansen status packet (SND_NR; published on the data topic LAS/W/D/<serial>, the manual naming
 * no other topic for it) with the records `LansenStatus`
 * holds, in the manual's order; optional values left undefined are left out. DR10 is UTC.
 * RangeError for a serial that is not 8 digits.
 */
export function encodeStatus(status: LansenStatus, serial: string, options: GatewayHeaderOptions = {}): Uint8Array {
  const out = gatewayHeader(C_SND_NR, serial, options.access ?? 0, status.lowBattery === true ? STATUS_POWER_LOW : 0);
  pushAll(out, GATEWAY_SERIAL_RECORD);
  pushAll(out, serialBytes(serial));
  for (const r of HEAD_RECORDS) pushNumber(out, r, status[r.field]);
  pushAll(out, DR4_DIB);
  out.push(status.listening ? 1 : 0);
  pushAll(out, RECEIVED_AT_RECORD);
  pushAll(out, encodeTypeI(typeIFromUtc(status.time)));
  pushNumber(out, DR11, status.batteryMv);
  pushString(out, DR12_DIB, status.imei);
  pushString(out, DR13_DIB, status.iccid);
  for (const r of MODEM_RECORDS) pushNumber(out, r, status[r.field]);
  return longFrame(out);
}

/** Header fields of the ready packet. */
export interface ReadyOptions extends GatewayHeaderOptions {
  /** Status byte; default 0 (the manual's example shows 0x04, power low). */
  readonly status?: number;
}

/**
 * The ready-for-configuration packet (topic LAS/W/I/<serial>): the long header alone, with the
 * gateway's serial as its identification number. The manual's table ends at the configuration
 * field; the checksum and stop byte every long frame has follow it.
 */
export function encodeReady(serial: string, options: ReadyOptions = {}): Uint8Array {
  return longFrame(gatewayHeader(C_SND_NR, serial, options.access ?? 0, options.status ?? 0));
}

