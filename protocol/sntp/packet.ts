/**
 * SNTP v4 packets (RFC 4330 §4): 48 bytes, big-endian, timestamps as 32.32 fixed-point seconds
 * since 1900-01-01 00:00 UTC.
 */
export const NTP_PACKET_SIZE = 48;
export const NTP_PORT = 123;
export const NTP_VERSION = 4;
export const MODE_CLIENT = 3;
export const MODE_SERVER = 4;
/** RFC 4330 §4: leap indicator 3 = clock not synchronized. */
export const LEAP_ALARM = 3;
/** RFC 4330 §4 stratum: 0 kiss-o'-death, 1 primary, 2..15 secondary, 16+ reserved (unsynchronized). */
export const STRATUM_KISS = 0;
export const STRATUM_MAX = 15;

/** Seconds from 1900-01-01 (NTP era 0) to 1970-01-01 (Unix epoch). */
export const NTP_UNIX_OFFSET_S = 2_208_988_800;
const ERA_SECONDS = 0x1_0000_0000;
const FRACTION_SCALE = 0x1_0000_0000;
const MS_PER_S = 1000;
const MSB = 0x8000_0000;

const OFFSET_ROOT_DELAY = 4;
const OFFSET_ROOT_DISPERSION = 8;
const OFFSET_REFERENCE_ID = 12;
const OFFSET_REFERENCE = 16;
const OFFSET_ORIGINATE = 24;
const OFFSET_RECEIVE = 32;
const OFFSET_TRANSMIT = 40;
const SHORT_SCALE = 0x1_0000;

export type SntpParse<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string; readonly kiss?: string };

/** The raw 64-bit timestamp: whole seconds (mod 2^32) and fraction. */
export interface NtpTimestamp {
  readonly seconds: number;
  readonly fraction: number;
}

/** Unix milliseconds → NTP timestamp (era wraps: 2036-02-07 06:28:16 UTC is seconds 0 of era 1). */
export function msToNtp(ms: number): NtpTimestamp {
  const wholeMs = Math.floor(ms / MS_PER_S) * MS_PER_S;
  const secondsTotal = wholeMs / MS_PER_S + NTP_UNIX_OFFSET_S;
  const seconds = ((secondsTotal % ERA_SECONDS) + ERA_SECONDS) % ERA_SECONDS;
  const fraction = Math.min(FRACTION_SCALE - 1, Math.round(((ms - wholeMs) / MS_PER_S) * FRACTION_SCALE));
  return { seconds, fraction };
}

/**
 * NTP timestamp → Unix milliseconds. Without a pivot, RFC 4330 §3's rule: seconds with the most
 * significant bit set lie in 1968–2036 (era 0), the others in 2036–2104 (era 1) — right whatever
 * the device's RTC says. With `pivotMs`, the era that puts the result closest to it (RFC 5905 §6).
 */
export function ntpToMs(ts: NtpTimestamp, pivotMs?: number): number {
  let era: number;
  if (pivotMs === undefined) {
    era = ts.seconds >= MSB ? 0 : 1;
  } else {
    const pivot = pivotMs / MS_PER_S + NTP_UNIX_OFFSET_S;
    era = Math.round((pivot - ts.seconds) / ERA_SECONDS);
  }
  const seconds = era * ERA_SECONDS + ts.seconds - NTP_UNIX_OFFSET_S;
  return seconds * MS_PER_S + (ts.fraction / FRACTION_SCALE) * MS_PER_S;
}

function readU32(b: Uint8Array, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}

function writeU32(b: Uint8Array, at: number, v: number): void {
  b[at] = (v >>> 24) & 0xff;
  b[at + 1] = (v >>> 16) & 0xff;
  b[at + 2] = (v >>> 8) & 0xff;
  b[at + 3] = v & 0xff;
}

function readTimestamp(b: Uint8Array, at: number): NtpTimestamp {
  return { seconds: readU32(b, at), fraction: readU32(b, at + 4) };
}

function isZero(ts: NtpTimestamp): boolean {
  return ts.seconds === 0 && ts.fraction === 0;
}

/**
 * RFC 4330 §5 client request: LI 0, VN 4, mode 3, every other field zero except the transmit
 * timestamp, which carries T1 so the reply's originate timestamp can be matched against it.
 */
export function buildRequest(transmitMs: number): Uint8Array {
  const p = new Uint8Array(NTP_PACKET_SIZE);
  p[0] = (0 << 6) | (NTP_VERSION << 3) | MODE_CLIENT;
  const t = msToNtp(transmitMs);
  writeU32(p, OFFSET_TRANSMIT, t.seconds);
  writeU32(p, OFFSET_TRANSMIT + 4, t.fraction);
  return p;
}

export interface SntpPacket {
  readonly leap: number;
  readonly version: number;
  readonly mode: number;
  readonly stratum: number;
  readonly poll: number;
  /** log2 seconds (signed). */
  readonly precision: number;
  readonly rootDelayMs: number;
  readonly rootDispersionMs: number;
  /** Reference identifier: 4 ASCII characters for stratum 0/1 (kiss code, source), else an IPv4 address. */
  readonly referenceId: string;
  readonly reference: NtpTimestamp;
  readonly originate: NtpTimestamp;
  readonly receive: NtpTimestamp;
  readonly transmit: NtpTimestamp;
}

function referenceText(b: Uint8Array, stratum: number): string {
  const bytes = b.subarray(OFFSET_REFERENCE_ID, OFFSET_REFERENCE_ID + 4);
  if (stratum <= 1) {
    let s = '';
    for (const c of bytes) if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c);
    return s;
  }
  return Array.from(bytes).join('.');
}

/** Decodes the 48-byte header (extension fields and MAC after it are ignored). */
export function parsePacket(bytes: Uint8Array): SntpParse<SntpPacket> {
  if (bytes.length < NTP_PACKET_SIZE) return { ok: false, error: `packet of ${bytes.length} bytes, expected at least ${NTP_PACKET_SIZE}` };
  const b0 = bytes[0];
  const stratum = bytes[1];
  const rootDelay = readU32(bytes, OFFSET_ROOT_DELAY) | 0;
  return {
    ok: true,
    value: {
      leap: b0 >> 6,
      version: (b0 >> 3) & 0x07,
      mode: b0 & 0x07,
      stratum,
      poll: bytes[2] << 24 >> 24,
      precision: bytes[3] << 24 >> 24,
      rootDelayMs: (rootDelay / SHORT_SCALE) * MS_PER_S,
      rootDispersionMs: (readU32(bytes, OFFSET_ROOT_DISPERSION) / SHORT_SCALE) * MS_PER_S,
      referenceId: referenceText(bytes, stratum),
      reference: readTimestamp(bytes, OFFSET_REFERENCE),
      originate: readTimestamp(bytes, OFFSET_ORIGINATE),
      receive: readTimestamp(bytes, OFFSET_RECEIVE),
      transmit: readTimestamp(bytes, OFFSET_TRANSMIT),
    },
  };
}

/**
 * RFC 4330 §5 reply checks against the request that was sent: the originate timestamp echoes our
 * transmit timestamp, mode 4, version 3 or 4, stratum 1..15 (0 = kiss-o'-death, reported with its
 * code), not in alarm (LI 3), non-zero receive and transmit timestamps.
 */
export function validateReply(reply: SntpPacket, request: Uint8Array): SntpParse<SntpPacket> {
  const sent = readTimestamp(request, OFFSET_TRANSMIT);
  if (reply.originate.seconds !== sent.seconds || reply.originate.fraction !== sent.fraction) {
    return { ok: false, error: 'originate timestamp does not match the request (stale or bogus reply)' };
  }
  if (reply.mode !== MODE_SERVER) return { ok: false, error: `mode ${reply.mode}, expected ${MODE_SERVER} (server)` };
  if (reply.version < 3 || reply.version > NTP_VERSION) return { ok: false, error: `unsupported version ${reply.version}` };
  if (reply.stratum === STRATUM_KISS) return { ok: false, error: `kiss-o'-death ${reply.referenceId || '(no code)'}`, kiss: reply.referenceId };
  if (reply.stratum > STRATUM_MAX) return { ok: false, error: `stratum ${reply.stratum}: server not synchronized` };
  if (reply.leap === LEAP_ALARM) return { ok: false, error: 'leap indicator 3: server clock not synchronized' };
  if (isZero(reply.transmit)) return { ok: false, error: 'transmit timestamp is zero' };
  if (isZero(reply.receive)) return { ok: false, error: 'receive timestamp is zero' };
  return { ok: true, value: reply };
}

export interface ClockOffset {
  /** θ = ((T2 − T1) + (T3 − T4)) / 2: add to the local clock to get the server's time. */
  readonly offsetMs: number;
  /** δ = (T4 − T1) − (T3 − T2): round trip minus the server's processing time. */
  readonly delayMs: number;
}

/** RFC 4330 §5 with T1 = request sent, T2 = server received, T3 = server sent, T4 = reply received (Unix ms). */
export function computeOffset(t1: number, t2: number, t3: number, t4: number): ClockOffset {
  return { offsetMs: (t2 - t1 + (t3 - t4)) / 2, delayMs: t4 - t1 - (t3 - t2) };
}

/** Builds a server reply (tests and the simulator's NTP server). */
export function buildReply(fields: {
  readonly leap?: number;
  readonly version?: number;
  readonly mode?: number;
  readonly stratum: number;
  readonly referenceId?: string | readonly number[];
  readonly originate: NtpTimestamp;
  readonly receiveMs: number;
  readonly transmitMs: number;
  readonly rootDelayMs?: number;
  readonly rootDispersionMs?: number;
}): Uint8Array {
  const p = new Uint8Array(NTP_PACKET_SIZE);
  p[0] = ((fields.leap ?? 0) << 6) | ((fields.version ?? NTP_VERSION) << 3) | (fields.mode ?? MODE_SERVER);
  p[1] = fields.stratum;
  p[3] = 0xec; // precision 2^-20 s
  writeU32(p, OFFSET_ROOT_DELAY, Math.round(((fields.rootDelayMs ?? 0) / MS_PER_S) * SHORT_SCALE));
  writeU32(p, OFFSET_ROOT_DISPERSION, Math.round(((fields.rootDispersionMs ?? 0) / MS_PER_S) * SHORT_SCALE));
  const ref = fields.referenceId ?? [];
  for (let i = 0; i < 4; i++) p[OFFSET_REFERENCE_ID + i] = typeof ref === 'string' ? (ref.charCodeAt(i) || 0) & 0x7f : ref[i] ?? 0;
  const put = (at: number, t: NtpTimestamp): void => {
    writeU32(p, at, t.seconds);
    writeU32(p, at + 4, t.fraction);
  };
  put(OFFSET_REFERENCE, msToNtp(fields.receiveMs));
  put(OFFSET_ORIGINATE, fields.originate);
  put(OFFSET_RECEIVE, msToNtp(fields.receiveMs));
  put(OFFSET_TRANSMIT, msToNtp(fields.transmitMs));
  return p;
}

/** The transmit timestamp of a packet (the originate value a reply must echo). */
export function transmitTimestamp(packet: Uint8Array): NtpTimestamp {
  return readTimestamp(packet, OFFSET_TRANSMIT);
}
