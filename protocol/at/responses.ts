import { parseFields, parseParams, splitHead } from './params';
import type { AtParse, Registration, RegistrationKind } from './types';
import { freezeTable } from '../freeze';

/** TS 27.007 §8.5: `<rssi>` 0..31 maps to −113..−51 dBm, 99 = not known. */
const CSQ_UNKNOWN = 99;
const CSQ_MAX = 31;
const CSQ_DBM_BASE = -113;
const CSQ_DBM_STEP = 2;
const BER_MAX = 7;

export interface Csq {
  readonly rssi: number;
  readonly ber: number;
  /** Received power in dBm; undefined when the modem reports 99 (not known). */
  readonly dbm?: number;
}

export function parseCsq(line: string): AtParse<Csq> {
  return parseFields(line, '+CSQ', (f) => {
    const rssi = f.int(0, 'rssi', 0, CSQ_UNKNOWN);
    const ber = f.int(1, 'ber', 0, CSQ_UNKNOWN);
    if (rssi > CSQ_MAX && rssi !== CSQ_UNKNOWN) f.fail(`<rssi> ${rssi} is neither 0..31 nor 99`);
    if (ber > BER_MAX && ber !== CSQ_UNKNOWN) f.fail(`<ber> ${ber} is neither 0..7 nor 99`);
    return rssi === CSQ_UNKNOWN ? { rssi, ber } : { rssi, ber, dbm: CSQ_DBM_BASE + CSQ_DBM_STEP * rssi };
  });
}

/** Quectel AT+QCSQ: `<sinr>` is reported in 1/5 dB steps from 0 (−20 dB) to 250 (+30 dB). */
const SINR_STEPS_PER_DB = 5;
const SINR_OFFSET_DB = -20;
const SINR_MAX = 250;

export type QcsqSysmode = 'NOSERVICE' | 'GSM' | 'eMTC' | 'NBIoT';

export interface Qcsq {
  readonly sysmode: QcsqSysmode;
  readonly rssiDbm?: number;
  readonly rsrpDbm?: number;
  readonly sinrDb?: number;
  readonly rsrqDb?: number;
}

export function parseQcsq(line: string): AtParse<Qcsq> {
  return parseFields(line, '+QCSQ', (f): Qcsq => {
    const sysmode = f.str(0, 'sysmode');
    switch (sysmode) {
      case 'NOSERVICE':
        return { sysmode };
      case 'GSM':
        return { sysmode, rssiDbm: f.int(1, 'rssi', -150, 0) };
      case 'eMTC':
      case 'NBIoT': {
        const sinr = f.int(3, 'sinr', 0, SINR_MAX);
        return {
          sysmode,
          rssiDbm: f.int(1, 'rssi', -150, 0),
          rsrpDbm: f.int(2, 'rsrp', -160, 0),
          sinrDb: sinr / SINR_STEPS_PER_DB + SINR_OFFSET_DB,
          rsrqDb: f.int(4, 'rsrq', -40, 0),
        };
      }
      default:
        return f.fail(`unknown <sysmode> '${sysmode}'`);
    }
  });
}

const REGISTERED_HOME = 1;
const REGISTERED_ROAMING = 5;
const REG_STAT_MAX = 10;

/**
 * `+CREG` / `+CGREG` / `+CEREG`. The read-command response starts with `<n>`
 * (`+CEREG: 2,1,"1A2B","01A2B3C4",8`), the URC does not (`+CEREG: 1,"1A2B","01A2B3C4",8`).
 * `solicited` says which form the caller expects; when omitted, a second unquoted integer
 * marks the response form.
 */
export function parseRegistration(line: string, solicited?: boolean): AtParse<Registration> {
  const head = splitHead(line.trim());
  const kind = head?.name.slice(1) as RegistrationKind | undefined;
  if (!head || (kind !== 'CREG' && kind !== 'CGREG' && kind !== 'CEREG')) {
    return { ok: false, error: `registration: not a +CREG/+CGREG/+CEREG line: '${line}'` };
  }
  return parseParams(head.rest, head.name, (f): Registration => {
    const withN = solicited ?? (f.length >= 2 && !f.isQuoted(1) && /^\d+$/.test(f.str(1, 'stat')));
    const base = withN ? 1 : 0;
    const stat = f.int(base, 'stat', 0, REG_STAT_MAX);
    const out: { -readonly [K in keyof Registration]: Registration[K] } = {
      kind,
      stat,
      registered: stat === REGISTERED_HOME || stat === REGISTERED_ROAMING,
    };
    if (withN) out.n = f.int(0, 'n', 0, 5);
    const area = f.hex(base + 1, 'lac/tac');
    const cellId = f.hex(base + 2, 'ci');
    const act = f.optInt(base + 3, 'AcT', 0, 15);
    if (area !== undefined) out.area = area;
    if (cellId !== undefined) out.cellId = cellId;
    if (act !== undefined) out.act = act;
    return out;
  });
}

export interface Cops {
  readonly mode: number;
  readonly format?: number;
  readonly operator?: string;
  /** 0 GSM, 8 LTE-M, 9 NB-IoT. */
  readonly act?: number;
}

export function parseCops(line: string): AtParse<Cops> {
  return parseFields(line, '+COPS', (f): Cops => {
    const mode = f.int(0, 'mode', 0, 4);
    if (!f.has(1)) return { mode };
    const format = f.int(1, 'format', 0, 2);
    const operator = f.quoted(2, 'oper');
    const act = f.optInt(3, 'AcT', 0, 15);
    return act === undefined ? { mode, format, operator } : { mode, format, operator, act };
  });
}

export type Qnwinfo =
  | { readonly service: false }
  | { readonly service: true; readonly act: string; readonly operator: string; readonly band: string; readonly channel: number };

export function parseQnwinfo(line: string): AtParse<Qnwinfo> {
  const head = splitHead(line.trim());
  if (head && head.name === '+QNWINFO' && /^no service$/i.test(head.rest.trim())) return { ok: true, value: { service: false } };
  return parseFields(line, '+QNWINFO', (f): Qnwinfo => ({
    service: true,
    act: f.quoted(0, 'Act'),
    operator: f.quoted(1, 'oper'),
    band: f.quoted(2, 'band'),
    channel: f.looseInt(3, 'channel'),
  }));
}

const IMEI_DIGITS = 15;

/** Luhn check digit over the first 14 digits (3GPP TS 23.003 §B.2). */
function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 0x30;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** `AT+CGSN` answers the bare IMEI; `AT+CGSN=1` answers `+CGSN: "<IMEI>"`. */
export function parseImei(line: string): AtParse<string> {
  const head = splitHead(line.trim());
  let text = line.trim();
  if (head) {
    if (head.name !== '+CGSN' && head.name !== '+GSN') return { ok: false, error: `IMEI: unexpected response '${head.name}'` };
    text = head.rest.trim().replace(/^"(.*)"$/, '$1');
  }
  if (!/^\d+$/.test(text)) return { ok: false, error: `IMEI: not digits: '${text}'` };
  if (text.length !== IMEI_DIGITS) return { ok: false, error: `IMEI: ${text.length} digits, expected ${IMEI_DIGITS}` };
  if (!luhnValid(text)) return { ok: false, error: `IMEI: check digit mismatch in ${text}` };
  return { ok: true, value: text };
}

/** `+QCCID: <ICCID>`: 19 or 20 digits (ITU-T E.118), some SIMs pad with a trailing F. */
export function parseQccid(line: string): AtParse<string> {
  return parseFields(line, '+QCCID', (f) => {
    const iccid = f.str(0, 'ICCID').toUpperCase();
    if (!/^\d{18,20}F?$/.test(iccid)) f.fail(`malformed ICCID '${iccid}'`);
    return iccid;
  });
}

export interface Cnum {
  readonly alpha?: string;
  readonly number: string;
  /** 145 = international (leading +), 129 = national. */
  readonly type: number;
}

export function parseCnum(line: string): AtParse<Cnum> {
  return parseFields(line, '+CNUM', (f): Cnum => {
    const alpha = f.optStr(0);
    const number = f.quoted(1, 'number');
    const type = f.int(2, 'type', 0, 255);
    return alpha === undefined ? { number, type } : { alpha, number, type };
  });
}

const CPIN_STATES = freezeTable(['READY', 'SIM PIN', 'SIM PUK', 'SIM PIN2', 'SIM PUK2', 'PH-SIM PIN', 'PH-NET PIN', 'NOT INSERTED', 'NOT READY'] as const);
export type CpinState = (typeof CPIN_STATES)[number];

export function parseCpin(line: string): AtParse<CpinState> {
  const head = splitHead(line.trim());
  if (!head || head.name !== '+CPIN') return { ok: false, error: `+CPIN: unexpected line '${line}'` };
  const state = head.rest.trim().replace(/^"(.*)"$/, '$1');
  const known = CPIN_STATES.find((s) => s === state);
  return known ? { ok: true, value: known } : { ok: false, error: `+CPIN: unknown state '${state}'` };
}

export interface OpenResult {
  readonly connectId: number;
  /** 0 = success; otherwise a Quectel TCP/IP error code (e.g. 563 socket in use, 566 cannot connect). */
  readonly error: number;
}

/** Quectel BG95 supports connect IDs 0..11. */
const CONNECT_ID_MAX = 11;

export function parseQiopen(line: string): AtParse<OpenResult> {
  return parseFields(line, '+QIOPEN', (f) => ({ connectId: f.int(0, 'connectID', 0, CONNECT_ID_MAX), error: f.int(1, 'err', 0, 65535) }));
}

export function parseQsslopen(line: string): AtParse<OpenResult> {
  // -1: the SSL handshake failed (a server certificate that does not verify, among others).
  return parseFields(line, '+QSSLOPEN', (f) => ({ connectId: f.int(0, 'clientID', 0, CONNECT_ID_MAX), error: f.int(1, 'err', -1, 65535) }));
}

export type Qird =
  /** Header of a read: `<len>` bytes follow (with the sender for UDP services). */
  | { readonly kind: 'data'; readonly length: number; readonly remoteAddress?: string; readonly remotePort?: number }
  /** Answer to `AT+QIRD=<id>,0`: byte counters of the connection. */
  | { readonly kind: 'counters'; readonly total: number; readonly read: number; readonly unread: number };

export function parseQird(line: string): AtParse<Qird> {
  return parseFields(line, '+QIRD', (f): Qird => {
    const length = f.int(0, 'read_actual_length', 0);
    if (f.length === 1) return { kind: 'data', length };
    if (f.isQuoted(1)) return { kind: 'data', length, remoteAddress: f.quoted(1, 'remoteIP'), remotePort: f.int(2, 'remote_port', 0, 65535) };
    return { kind: 'counters', total: length, read: f.int(1, 'have_read_length', 0), unread: f.int(2, 'unread_length', 0) };
  });
}

export interface Qisend {
  readonly total: number;
  readonly acked: number;
  readonly unacked: number;
}

/** Answer to `AT+QISEND=<id>,0`: bytes sent, acknowledged by the peer, and still unacknowledged. */
export function parseQisend(line: string): AtParse<Qisend> {
  return parseFields(line, '+QISEND', (f) => ({
    total: f.int(0, 'total_send_length', 0),
    acked: f.int(1, 'ackedbytes', 0),
    unacked: f.int(2, 'unackedbytes', 0),
  }));
}

export function parseQsslrecv(line: string): AtParse<number> {
  return parseFields(line, '+QSSLRECV', (f) => f.int(0, 'havereadlen', 0));
}

export type Qidnsgip =
  | { readonly kind: 'header'; readonly error: number; readonly count: number; readonly ttl: number }
  | { readonly kind: 'address'; readonly address: string };

/**
 * The result of `AT+QIDNSGIP` arrives as URCs after OK: `+QIURC: "dnsgip",<err>,<count>,<ttl>`
 * and then `<count>` lines `+QIURC: "dnsgip","<address>"`.
 */
export function parseQidnsgip(line: string): AtParse<Qidnsgip> {
  return parseFields(line, '+QIURC', (f): Qidnsgip => {
    if (f.quoted(0, 'type') !== 'dnsgip') f.fail(`not a dnsgip report`);
    if (f.isQuoted(1)) return { kind: 'address', address: f.quoted(1, 'hostIPaddr') };
    const error = f.int(1, 'err', 0, 65535);
    if (error !== 0) return { kind: 'header', error, count: f.optInt(2, 'IP_count', 0) ?? 0, ttl: f.optInt(3, 'DNS_ttl', 0) ?? 0 };
    return { kind: 'header', error, count: f.int(2, 'IP_count', 0), ttl: f.int(3, 'DNS_ttl', 0) };
  });
}

export interface Qiact {
  readonly contextId: number;
  /** 1 = activated. */
  readonly state: number;
  /** 1 IPv4, 2 IPv6, 3 IPv4v6. */
  readonly type: number;
  readonly address: string;
}

export function parseQiact(line: string): AtParse<Qiact> {
  return parseFields(line, '+QIACT', (f) => ({
    contextId: f.int(0, 'contextID', 1, 16),
    state: f.int(1, 'context_state', 0, 1),
    type: f.int(2, 'context_type', 1, 3),
    address: f.optStr(3) ?? '',
  }));
}

export interface Qcfg {
  readonly name: string;
  /** Values as written (strings: `020301` scan sequences and `0x…` band masks must keep their form). */
  readonly values: readonly string[];
}

export function parseQcfg(line: string): AtParse<Qcfg> {
  return parseFields(line, '+QCFG', (f) => ({
    name: f.quoted(0, 'name'),
    values: f.params.slice(1).map((p) => p.text),
  }));
}

export interface ModemTime {
  /** UTC milliseconds since 1970. */
  readonly utcMs: number;
  /** Offset of the displayed local time from UTC in quarter hours (TS 27.007 §8.15). */
  readonly tzQuarters: number;
}

const QUARTER_HOUR_MS = 15 * 60 * 1000;
const TWO_DIGIT_YEAR_BASE = 2000;
const TZ_QUARTERS_MAX = 96;

/** `yy/MM/dd,hh:mm:ss±zz` (+CCLK) or `yyyy/MM/dd,hh:mm:ss±zz` (+QNTP); the zone may be absent. */
export function parseModemTime(text: string): AtParse<ModemTime> {
  const m = /^(\d{2}|\d{4})\/(\d{2})\/(\d{2}),(\d{2}):(\d{2}):(\d{2})(?:([+-])(\d{1,2}))?$/.exec(text.trim());
  if (!m) return { ok: false, error: `time: not yy/MM/dd,hh:mm:ss±zz: '${text}'` };
  const year = m[1].length === 2 ? TWO_DIGIT_YEAR_BASE + parseInt(m[1], 10) : parseInt(m[1], 10);
  const [month, day, hour, minute, second] = [m[2], m[3], m[4], m[5], m[6]].map((s) => parseInt(s, 10));
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) {
    return { ok: false, error: `time: field out of range in '${text}'` };
  }
  const tzQuarters = m[7] === undefined ? 0 : (m[7] === '-' ? -1 : 1) * parseInt(m[8], 10);
  if (Math.abs(tzQuarters) > TZ_QUARTERS_MAX) return { ok: false, error: `time: zone ${tzQuarters} quarter hours out of range` };
  const local = Date.UTC(year, month - 1, day, hour, minute, second);
  if (new Date(local).getUTCDate() !== day) return { ok: false, error: `time: no such date in '${text}'` };
  return { ok: true, value: { utcMs: local - tzQuarters * QUARTER_HOUR_MS, tzQuarters } };
}

export function parseCclk(line: string): AtParse<ModemTime> {
  const text = parseFields(line, '+CCLK', (f) => f.quoted(0, 'time'));
  return text.ok ? parseModemTime(text.value) : text;
}
