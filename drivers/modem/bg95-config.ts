import type { ModemNetworkConfig, ModemTechnology } from './types';
import { freezeTable } from '../../protocol/freeze';

/**
 * How the §4.2.3.1 modem settings map onto the BG95's network-selection configuration
 * (AT+QCFG="nwscanmode" / "iotopmode" / "nwscanseq" / "band"). Pure functions, so the emulator
 * decodes with the same tables the driver encodes with.
 */

/** AT+QCFG="nwscanmode": which RAT families the modem searches. */
export const NWSCANMODE = freezeTable({ auto: 0, gsmOnly: 1, lteOnly: 3 } as const);
/** AT+QCFG="iotopmode": which LTE flavour the modem searches. */
export const IOTOPMODE = freezeTable({ emtc: 0, nbiot: 1, both: 2 } as const);
/** AT+QCFG="nwscanseq": two digits per RAT, first searched first. */
const SCANSEQ_CODE: Readonly<Record<ModemTechnology, string>> = freezeTable({ '2G': '01', 'LTE-M': '02', 'NB-IoT': '03' });
/** §1.6.4: in auto mode the modem tries LTE-M, then falls back on 2G. */
export const AUTO_DEFAULT_SEQUENCE: readonly ModemTechnology[] = freezeTable(['LTE-M', '2G']);
/** §4.2.3.1: the NB-IoT bands the product supports; the absence of a `band` list means all of them. */
export const NB_IOT_BANDS: readonly number[] = freezeTable([1, 2, 3, 4, 5, 8, 12, 13, 18, 19, 20, 25, 28, 66, 85]);

/** One registration attempt: the scan configuration and the technologies it allows, in order. */
export interface ScanAttempt {
  readonly nwscanmode: number;
  /** Absent when LTE is not searched (the setting is then left as it is). */
  readonly iotopmode?: number;
  readonly nwscanseq: string;
  readonly technologies: readonly ModemTechnology[];
}

function attemptFor(technologies: readonly ModemTechnology[]): ScanAttempt {
  const lte = technologies.filter((t) => t !== '2G');
  const gsm = technologies.indexOf('2G') >= 0;
  const nwscanmode = lte.length === 0 ? NWSCANMODE.gsmOnly : gsm ? NWSCANMODE.auto : NWSCANMODE.lteOnly;
  const nwscanseq = technologies.map((t) => SCANSEQ_CODE[t]).join('');
  if (lte.length === 0) return { nwscanmode, nwscanseq, technologies };
  const iotopmode = lte.length === 2 ? IOTOPMODE.both : lte[0] === 'LTE-M' ? IOTOPMODE.emtc : IOTOPMODE.nbiot;
  return { nwscanmode, iotopmode, nwscanseq, technologies };
}

/**
 * The attempts `register` makes. A forced mode is one attempt. `auto` follows §1.6.4: the
 * scan sequence (LTE-M then 2G unless `scanseq` says otherwise), then a second attempt in 2G only
 * — when the sequence allows 2G at all.
 */
export function scanPlan(config: Pick<ModemNetworkConfig, 'mode' | 'scanseq'>): ScanAttempt[] {
  if (config.mode !== 'auto') return [attemptFor([config.mode])];
  const seq = distinct(config.scanseq ?? AUTO_DEFAULT_SEQUENCE);
  const first = attemptFor(seq.length > 0 ? seq : AUTO_DEFAULT_SEQUENCE);
  const plan = [first];
  if (first.technologies.indexOf('2G') >= 0) plan.push(attemptFor(['2G']));
  return plan;
}

function distinct(list: readonly ModemTechnology[]): ModemTechnology[] {
  const out: ModemTechnology[] = [];
  for (const t of list) if (out.indexOf(t) < 0 && SCANSEQ_CODE[t] !== undefined) out.push(t);
  return out;
}

/** The technologies a `nwscanseq` value lists, in order (unknown codes skipped). */
export function decodeScanSequence(seq: string): ModemTechnology[] {
  const out: ModemTechnology[] = [];
  for (let i = 0; i + 1 < seq.length; i += 2) {
    const code = seq.slice(i, i + 2);
    for (const t of Object.keys(SCANSEQ_CODE) as ModemTechnology[]) if (SCANSEQ_CODE[t] === code && out.indexOf(t) < 0) out.push(t);
  }
  return out;
}

const HEX = '0123456789abcdef';
const BITS_PER_NIBBLE = 4;

/** AT+QCFG="band" mask: bit n-1 set for band n, as `0x…` hex. */
export function bandMask(bands: readonly number[]): string {
  const nibbles: number[] = [];
  for (const b of bands) {
    if (!Number.isInteger(b) || b < 1) continue;
    const bit = b - 1;
    const i = Math.floor(bit / BITS_PER_NIBBLE);
    while (nibbles.length <= i) nibbles.push(0);
    nibbles[i] |= 1 << bit % BITS_PER_NIBBLE;
  }
  let s = '';
  for (let i = nibbles.length - 1; i >= 0; i--) s += HEX[nibbles[i]];
  return '0x' + (s === '' ? '0' : s);
}

/** Bands set in a `0x…` mask. */
export function bandsOfMask(mask: string): number[] {
  const hex = normaliseMask(mask);
  const out: number[] = [];
  for (let i = 0; i < hex.length; i++) {
    const nibble = HEX.indexOf(hex[hex.length - 1 - i]);
    for (let k = 0; k < BITS_PER_NIBBLE; k++) if ((nibble >> k) & 1) out.push(i * BITS_PER_NIBBLE + k + 1);
  }
  return out;
}

/** Lower-case hex without `0x` and leading zeros, for comparing masks the modem wrote back. */
export function normaliseMask(mask: string): string {
  const s = mask.trim().toLowerCase().replace(/^0x/, '').replace(/^0+/, '');
  return s === '' ? '0' : s;
}

/** The NB-IoT mask for §4.2.3.1 `band` (null or empty: every supported band). */
export function nbIotBandMask(bands: readonly number[] | null | undefined): string {
  return bandMask(bands === null || bands === undefined || bands.length === 0 ? NB_IOT_BANDS : bands);
}

interface TimerUnit {
  readonly bits: string;
  readonly seconds: number;
}

/** 3GPP TS 24.008 §10.5.7.4a GPRS Timer 3 (T3412 extended, the periodic TAU): units in bits 8–6. */
const TAU_UNITS: readonly TimerUnit[] = freezeTable([
  { bits: '011', seconds: 2 },
  { bits: '100', seconds: 30 },
  { bits: '101', seconds: 60 },
  { bits: '000', seconds: 600 },
  { bits: '001', seconds: 3_600 },
  { bits: '010', seconds: 36_000 },
  { bits: '110', seconds: 1_152_000 },
]);
/** 3GPP TS 24.008 §10.5.7.3 GPRS Timer 2 (T3324, the active time). */
const ACTIVE_UNITS: readonly TimerUnit[] = freezeTable([
  { bits: '000', seconds: 2 },
  { bits: '001', seconds: 60 },
  { bits: '010', seconds: 360 },
]);
const TIMER_VALUE_MAX = 31;
const TIMER_VALUE_BITS = 5;

function encodeTimer(seconds: number, units: readonly TimerUnit[]): string {
  for (const u of units) {
    const v = Math.ceil(Math.max(0, seconds) / u.seconds);
    if (v <= TIMER_VALUE_MAX) return u.bits + v.toString(2).padStart(TIMER_VALUE_BITS, '0');
  }
  const last = units[units.length - 1];
  return last.bits + TIMER_VALUE_MAX.toString(2);
}

function decodeTimer(bits: string, units: readonly TimerUnit[]): number | undefined {
  if (!/^[01]{8}$/.test(bits)) return undefined;
  const u = units.find((x) => x.bits === bits.slice(0, 3));
  return u === undefined ? undefined : u.seconds * parseInt(bits.slice(3), 2);
}

/** AT+CPSMS `<Requested_Periodic-TAU>`: the smallest representable period ≥ `seconds`. */
export function encodePeriodicTau(seconds: number): string {
  return encodeTimer(seconds, TAU_UNITS);
}

/** AT+CPSMS `<Requested_Active-Time>`. */
export function encodeActiveTime(seconds: number): string {
  return encodeTimer(seconds, ACTIVE_UNITS);
}

export function decodePeriodicTau(bits: string): number | undefined {
  return decodeTimer(bits, TAU_UNITS);
}

/** Undefined for a malformed value or the `deactivated` unit. */
export function decodeActiveTime(bits: string): number | undefined {
  return decodeTimer(bits, ACTIVE_UNITS);
}

/** Technology of an AT+QNWINFO `<Act>` (`eMTC`, `NBIoT`, `GSM`, `GPRS`, `EDGE`). */
export function technologyOfQnwinfo(act: string): ModemTechnology | undefined {
  const a = act.toUpperCase();
  if (a === 'EMTC' || a === 'CAT-M' || a === 'LTE CAT M1') return 'LTE-M';
  if (a === 'NBIOT' || a === 'CAT-NB' || a === 'LTE CAT NB1') return 'NB-IoT';
  if (a === 'GSM' || a === 'GPRS' || a === 'EDGE') return '2G';
  return undefined;
}

/** TS 27.007 `<AcT>` of +COPS / +CEREG: 0, 1, 3 GSM family, 8 E-UTRAN Cat M, 9 NB-IoT. */
export function technologyOfAct(act: number): ModemTechnology | undefined {
  if (act === 8) return 'LTE-M';
  if (act === 9) return 'NB-IoT';
  if (act === 0 || act === 1 || act === 3) return '2G';
  return undefined;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** 32-bit FNV-1a of a string's UTF-16 code units, as 8 hex digits: stored fingerprints, never the secret itself. */
export function fingerprint(text: string): string {
  let h = FNV_OFFSET;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h = Math.imul(h ^ (c & 0xff), FNV_PRIME) >>> 0;
    if (c > 0xff) h = Math.imul(h ^ (c >> 8), FNV_PRIME) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/** 32-bit FNV-1a of bytes (has a certificate already been uploaded?). */
export function fingerprintBytes(bytes: Uint8Array): string {
  let h = FNV_OFFSET;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], FNV_PRIME) >>> 0;
  return h.toString(16).padStart(8, '0') + bytes.length.toString(16);
}
