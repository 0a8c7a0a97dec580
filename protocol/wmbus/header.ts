/**
 * Link and transport headers of a stored (CRC-free) frame: DLL (EN 13757-4), ELL (EN 13757-4 §13.2),
 * AFL (EN 13757-7 clause 6), TPL short/long header (EN 13757-7), plus the meter identity used for filtering.
 * Malformed input gives `{ ok: false }`, never an exception.
 */
import { IDENTITY_BYTES, IDENTITY_MEDIUM_INDEX, IDENTITY_VERSION_INDEX, idText, makeIdentity } from './identity';
import {
  AflHeader,
  DiehlTransform,
  EllHeader,
  HeaderError,
  HeaderOptions,
  HeaderResult,
  MeterAddress,
  TplHeader,
  TplHeaderKind,
} from './types';
import { freezeTable } from '../freeze';

const DLL_BYTES = 10;
const C_OFFSET = 1;
const M_OFFSET = 2;
const A_OFFSET = 4;
const CI_OFFSET = 10;

/** EN 13757-4 C-field values a meter sends spontaneously: SND_NR and SND_IR. */
const C_SND_NR = 0x44;
const C_SND_IR = 0x46;

const LETTER_BASE = 64;
const LETTER_BITS = 5;
const LETTER_MASK = 0x1f;

const CI_ELL_I = 0x8c;
const CI_ELL_II = 0x8d;
const CI_ELL_III = 0x8e;
const CI_ELL_IV = 0x8f;
const CI_ELL_V = 0x86;
const CI_AFL = 0x90;
const CI_SHORT_HEADER_RESPONSE = 0x7a;
const CI_NO_HEADER_RESPONSE = 0x78;
const CI_ALARM = 0x71;
const CI_MFCT_FIRST = 0xa0;
const CI_MFCT_LAST = 0xb7;

/** ELL: CC and ACC come first in every variant. */
const ELL_CC_ACC_BYTES = 2;
const ADDRESS_BYTES = 8;
const ID_BYTES = 4;
const SN_BYTES = 4;
const PAYLOAD_CRC_BYTES = 2;
/** SN bits 29–31 (EN 13757-4 §13.2.11): the encryption mode of the ELL. */
const SN_ENCRYPTION_SHIFT = 29;

/** AFL fragmentation control bits (EN 13757-7 clause 6). */
const AFL_FRAGMENT_ID_MASK = 0x00ff;
const AFL_KEY_INFO_PRESENT = 0x0200;
const AFL_MAC_PRESENT = 0x0400;
const AFL_COUNTER_PRESENT = 0x0800;
const AFL_LENGTH_PRESENT = 0x1000;
const AFL_CONTROL_PRESENT = 0x2000;
const AFL_MORE_FRAGMENTS = 0x4000;
const AFL_AUTH_TYPE_MASK = 0x0f;
/** AFL CI and AFLL come before the fields AFLL counts. */
const AFL_PREFIX_BYTES = 2;
const AFL_FCL_BYTES = 2;
const AFL_MCL_BYTES = 1;
const AFL_KI_BYTES = 2;
const AFL_MCR_BYTES = 4;
const AFL_ML_BYTES = 2;
/** MAC length by AFL authentication type (MCL bits 0–3); 0 = no MAC or unknown type. */
const AFL_MAC_BYTES: readonly number[] = freezeTable([0, 0, 0, 2, 4, 8, 12, 16, 12, 0, 0, 0, 0, 0, 0, 0]);

const SHORT_TPL_BYTES = 4;
const LONG_TPL_BYTES = ADDRESS_BYTES + SHORT_TPL_BYTES;
const SECURITY_MODE_SHIFT = 8;
const SECURITY_MODE_MASK = 0x1f;
/** Security mode 7 carries a configuration field extension byte (EN 13757-7). */
const SECURITY_MODE_WITH_CFG_EXT = 7;

/** APL record `07 79`: DIF 8-byte integer, VIF enhanced identification (id, M, version, type). */
const DIF_INT64 = 0x07;
const VIF_ENHANCED_ID = 0x79;
const ENHANCED_ID_RECORD_BYTES = 2 + ADDRESS_BYTES;

/** Diehl-family M-fields whose A-field may be sent in a non-standard order (DME, EWT, HYD, SAP, SPL). */
const M_DME = 0x11a5;
const M_EWT = 0x16f4;
const M_HYD = 0x2324;
const M_SAP = 0x4c30;
const M_SPL = 0x4e0c;
const DIEHL_FAMILY: readonly number[] = freezeTable([M_DME, M_EWT, M_HYD, M_SAP, M_SPL]);
/** Diehl: CFG bit 12 marks "real data" frames, which use the swapped A-field. */
const DIEHL_REAL_DATA_CFG_BIT = 0x1000;
const DIEHL_PRIOS_LAST = 0xa7;
const DIEHL_PRIOS_SCR_FIRST = 0xb1;
const DIEHL_PRIOS_SCR_LAST = 0xb3;
/** Diehl frames are only classified once CI and CFG (bytes 13–14) are present. */
const DIEHL_MIN_BYTES = 15;
/** Sappel PRIOS frames carry no version/type: they are read as version 0, water meter. */
const SAP_PRIOS_VERSION = 0x00;
const SAP_PRIOS_TYPE = 0x07;

export function manufacturerCode(mField: number): string {
  return (
    String.fromCharCode(((mField >> (2 * LETTER_BITS)) & LETTER_MASK) + LETTER_BASE) +
    String.fromCharCode(((mField >> LETTER_BITS) & LETTER_MASK) + LETTER_BASE) +
    String.fromCharCode((mField & LETTER_MASK) + LETTER_BASE)
  );
}

function u16(bytes: Uint8Array, offset: number): number {
  return bytes[offset] | (bytes[offset + 1] << 8);
}

function u32(bytes: Uint8Array, offset: number): number {
  return (bytes[offset] | (bytes[offset + 1] << 8) | (bytes[offset + 2] << 16) | (bytes[offset + 3] << 24)) >>> 0;
}

/** Address laid out M(2) ID(4) VER TYPE (DLL, ELL receiver). */
function addressMFirst(bytes: Uint8Array, offset: number): MeterAddress {
  const mField = u16(bytes, offset);
  return {
    mField,
    manufacturer: manufacturerCode(mField),
    id: idText(bytes, offset + 2),
    version: bytes[offset + 6],
    deviceType: bytes[offset + 7],
  };
}

/** Address laid out ID(4) M(2) VER TYPE (TPL long header, APL enhanced id). */
function addressIdFirst(bytes: Uint8Array, offset: number): MeterAddress {
  const mField = u16(bytes, offset + 4);
  return {
    mField,
    manufacturer: manufacturerCode(mField),
    id: idText(bytes, offset),
    version: bytes[offset + 6],
    deviceType: bytes[offset + 7],
  };
}

/** Which rewrite a Diehl-family frame needs before its A-field reads as id, version, type. */
export function diehlTransform(frame: Uint8Array): DiehlTransform {
  if (frame.length < DIEHL_MIN_BYTES) return 'none';
  const c = frame[C_OFFSET];
  const mField = u16(frame, M_OFFSET);
  if ((c !== C_SND_NR && c !== C_SND_IR) || DIEHL_FAMILY.indexOf(mField) < 0) return 'none';
  const ci = frame[CI_OFFSET];
  if (ci === CI_ALARM) return 'swapping';
  if (ci === CI_SHORT_HEADER_RESPONSE) {
    return (u16(frame, CI_OFFSET + 3) & DIEHL_REAL_DATA_CFG_BIT) !== 0 ? 'swapping' : 'none';
  }
  if (ci >= CI_MFCT_FIRST && ci <= DIEHL_PRIOS_LAST) return mField === M_SAP ? 'sapPrios' : 'swapping';
  if (ci >= DIEHL_PRIOS_SCR_FIRST && ci <= DIEHL_PRIOS_SCR_LAST) return 'swapping';
  return 'none';
}

function dllAddress(frame: Uint8Array, transform: DiehlTransform): MeterAddress {
  const address = addressMFirst(frame, M_OFFSET);
  if (transform === 'swapping') {
    // Sent as version, type, id: the id starts two bytes later.
    address.id = idText(frame, A_OFFSET + 2);
    address.version = frame[A_OFFSET];
    address.deviceType = frame[A_OFFSET + 1];
  } else if (transform === 'sapPrios') {
    address.version = SAP_PRIOS_VERSION;
    address.deviceType = SAP_PRIOS_TYPE;
  }
  return address;
}

/** EN 13757-7 CI-field table: the header that follows a transport-layer CI. */
export function tplHeaderKind(ci: number): TplHeaderKind {
  if (ci >= CI_MFCT_FIRST && ci <= CI_MFCT_LAST) return 'mfct';
  switch (ci) {
    case 0x5a: case 0x61: case 0x65: case 0x67: case 0x6a: case 0x6e: case 0x74: case 0x7a:
    case 0x7b: case 0x7d: case 0x7f: case 0x88: case 0x8a: case 0x9e: case 0xc1: case 0xc4:
      return 'short';
    case 0x53: case 0x55: case 0x5b: case 0x5f: case 0x60: case 0x64: case 0x68: case 0x6b:
    case 0x6c: case 0x6d: case 0x6f: case 0x72: case 0x73: case 0x75: case 0x7c: case 0x7e:
    case 0x80: case 0x82: case 0x84: case 0x85: case 0x87: case 0x8b: case 0x9f: case 0xc0:
    case 0xc2: case 0xc3: case 0xc5:
      return 'long';
    case 0x50: case 0x51: case 0x54: case 0x5c: case 0x66: case 0x69: case 0x70: case 0x71:
    case 0x78: case 0x79: case 0x83: case 0x89: case 0xb8: case 0xb9: case 0xba: case 0xbb:
    case 0xbc: case 0xbd: case 0xbe: case 0xbf:
      return 'none';
    default:
      return 'other';
  }
}

/** `tplHeaderKind` of every CI value, so the hot path indexes an array instead of walking the switch. */
const TPL_KIND_OF_CI: readonly TplHeaderKind[] = freezeTable(Array.from({ length: 0x100 }, (_, ci) => tplHeaderKind(ci)));

function isEll(ci: number): boolean {
  return ci === CI_ELL_V || (ci >= CI_ELL_I && ci <= CI_ELL_IV);
}

type Step<T> = { ok: true; value: T; next: number; stop: boolean } | { ok: false };

function parseEll(frame: Uint8Array, offset: number, plaintext: boolean): Step<EllHeader> {
  const ci = frame[offset];
  let pos = offset + 1;
  if (pos + ELL_CC_ACC_BYTES > frame.length) return { ok: false };
  const ell: EllHeader = { ci, offset, cc: frame[pos], acc: frame[pos + 1] };
  pos += ELL_CC_ACC_BYTES;
  if (ci === CI_ELL_V) {
    ell.variable = true;
    return { ok: true, value: ell, next: pos, stop: true };
  }
  if (ci === CI_ELL_III || ci === CI_ELL_IV) {
    if (pos + ADDRESS_BYTES > frame.length) return { ok: false };
    ell.receiver = addressMFirst(frame, pos);
    pos += ADDRESS_BYTES;
  }
  if (ci === CI_ELL_II || ci === CI_ELL_IV) {
    if (pos + SN_BYTES + PAYLOAD_CRC_BYTES > frame.length) return { ok: false };
    const sn = u32(frame, pos);
    ell.sessionNumber = sn;
    ell.snEncryption = sn >>> SN_ENCRYPTION_SHIFT;
    pos += SN_BYTES;
    // EN 13757-4 §13.2.12: with encryption the payload CRC and everything after it are ciphertext.
    if (ell.snEncryption !== 0 && !plaintext) return { ok: true, value: ell, next: pos, stop: true };
    ell.payloadCrc = u16(frame, pos);
    pos += PAYLOAD_CRC_BYTES;
  }
  return { ok: true, value: ell, next: pos, stop: false };
}

function parseAfl(frame: Uint8Array, offset: number): Step<AflHeader> {
  if (offset + AFL_PREFIX_BYTES > frame.length) return { ok: false };
  const length = frame[offset + 1];
  const end = offset + AFL_PREFIX_BYTES + length;
  if (end > frame.length || length < AFL_FCL_BYTES) return { ok: false };
  let pos = offset + AFL_PREFIX_BYTES;
  const fcl = u16(frame, pos);
  pos += AFL_FCL_BYTES;
  const afl: AflHeader = {
    ci: frame[offset],
    offset,
    length,
    fcl,
    fragmentId: fcl & AFL_FRAGMENT_ID_MASK,
    moreFragments: (fcl & AFL_MORE_FRAGMENTS) !== 0,
  };
  // EN 13757-7 clause 6: optional fields MCL, KI, MCR, MAC, ML, each announced by an FCL bit. AFLL bounds
  // the whole layer, so the TPL is found after it whatever the optional fields hold.
  if ((fcl & AFL_CONTROL_PRESENT) !== 0) {
    if (pos + AFL_MCL_BYTES > end) return { ok: false };
    afl.mcl = frame[pos];
    pos += AFL_MCL_BYTES;
  }
  if ((fcl & AFL_KEY_INFO_PRESENT) !== 0) {
    if (pos + AFL_KI_BYTES > end) return { ok: false };
    afl.keyInfo = u16(frame, pos);
    pos += AFL_KI_BYTES;
  }
  if ((fcl & AFL_COUNTER_PRESENT) !== 0) {
    if (pos + AFL_MCR_BYTES > end) return { ok: false };
    afl.messageCounter = u32(frame, pos);
    pos += AFL_MCR_BYTES;
  }
  if ((fcl & AFL_MAC_PRESENT) !== 0) {
    // The MAC length comes from the authentication type; without it the rest of the AFL is skipped.
    const macBytes = afl.mcl === undefined ? 0 : AFL_MAC_BYTES[afl.mcl & AFL_AUTH_TYPE_MASK];
    if (macBytes === 0 || pos + macBytes > end) return { ok: true, value: afl, next: end, stop: false };
    afl.mac = frame.slice(pos, pos + macBytes);
    pos += macBytes;
  }
  if ((fcl & AFL_LENGTH_PRESENT) !== 0 && pos + AFL_ML_BYTES <= end) afl.messageLength = u16(frame, pos);
  return { ok: true, value: afl, next: end, stop: false };
}

function parseTpl(frame: Uint8Array, offset: number): Step<TplHeader> {
  const ci = frame[offset];
  const kind = tplHeaderKind(ci);
  const tpl: TplHeader = { ci, offset, kind };
  let pos = offset + 1;
  if (kind === 'long') {
    if (pos + LONG_TPL_BYTES > frame.length) return { ok: false };
    tpl.address = addressIdFirst(frame, pos);
    pos += ADDRESS_BYTES;
  } else if (kind !== 'short') {
    return { ok: true, value: tpl, next: pos, stop: false };
  }
  if (pos + SHORT_TPL_BYTES > frame.length) return { ok: false };
  tpl.acc = frame[pos];
  tpl.status = frame[pos + 1];
  tpl.cfg = u16(frame, pos + 2);
  pos += SHORT_TPL_BYTES;
  if (((tpl.cfg >> SECURITY_MODE_SHIFT) & SECURITY_MODE_MASK) === SECURITY_MODE_WITH_CFG_EXT) {
    if (pos + 1 > frame.length) return { ok: false };
    tpl.cfgExt = frame[pos];
    pos += 1;
  }
  return { ok: true, value: tpl, next: pos, stop: false };
}

/**
 * Parses every header of a CRC-free frame. The filter identity comes from a long TPL header when
 * `longHeader` is true (the default) and there is one, else from the DLL. A frame whose ELL, AFL or
 * TPL header is cut short fails as 'truncated' with its link layer, which a concentrator still
 * records the frame under.
 */
export function parseHeader(frame: Uint8Array, options?: HeaderOptions): HeaderResult {
  if (frame.length < DLL_BYTES) return { ok: false, error: 'length' };
  const diehl = diehlTransform(frame);
  const link = {
    l: frame[0],
    lMatchesLength: frame[0] === frame.length - 1,
    c: frame[C_OFFSET],
    address: dllAddress(frame, diehl),
    diehl,
  };
  let ell: EllHeader | undefined;
  let afl: AflHeader | undefined;
  let tpl: TplHeader | undefined;
  let pos = CI_OFFSET;
  let stop = false;
  if (pos < frame.length && isEll(frame[pos])) {
    const step = parseEll(frame, pos, options?.ellPlaintext === true);
    if (!step.ok) return { ok: false, error: 'truncated', link };
    ell = step.value;
    pos = step.next;
    stop = step.stop;
  }
  if (!stop && pos < frame.length && frame[pos] === CI_AFL) {
    const step = parseAfl(frame, pos);
    if (!step.ok) return { ok: false, error: 'truncated', link };
    afl = step.value;
    pos = step.next;
  }
  if (!stop && pos < frame.length) {
    const step = parseTpl(frame, pos);
    if (!step.ok) return { ok: false, error: 'truncated', link };
    tpl = step.value;
    pos = step.next;
  }
  const securityMode =
    tpl?.cfg === undefined ? null : (tpl.cfg >> SECURITY_MODE_SHIFT) & SECURITY_MODE_MASK;
  let enhancedId: MeterAddress | undefined;
  if (
    tpl?.ci === CI_NO_HEADER_RESPONSE &&
    pos + ENHANCED_ID_RECORD_BYTES <= frame.length &&
    frame[pos] === DIF_INT64 &&
    frame[pos + 1] === VIF_ENHANCED_ID
  ) {
    enhancedId = addressIdFirst(frame, pos + 2);
  }
  const longTpl = tpl?.address !== undefined ? tpl : undefined;
  const useLong = longTpl?.address !== undefined && options?.longHeader !== false;
  const identity =
    useLong && longTpl?.address !== undefined
      ? makeIdentity(
          longTpl.address.mField,
          frame.subarray(longTpl.offset + 1, longTpl.offset + 1 + ID_BYTES),
          longTpl.address.version,
          longTpl.address.deviceType,
        )
      : frame.slice(M_OFFSET, M_OFFSET + IDENTITY_BYTES);
  const meter = enhancedId ?? longTpl?.address ?? link.address;
  const meterSource = enhancedId !== undefined ? 'apl' : longTpl !== undefined ? 'tpl' : 'dll';
  return {
    ok: true,
    header: {
      link,
      ell,
      afl,
      tpl,
      securityMode,
      enhancedId,
      meter,
      meterSource,
      identity,
      identitySource: useLong ? 'tpl' : 'dll',
      payloadOffset: pos,
    },
  };
}

/** Where `filterIdentity` took the identity from, or why there is none (same errors as `parseHeader`). */
export type FilterIdentityResult = 'dll' | 'tpl' | HeaderError;

/** `filterIdentityCode` results: an index into FILTER_IDENTITY_RESULTS (native/wmbus_kernels.c uses the same numbers). */
export const IDENTITY_FROM_DLL = 0;
export const IDENTITY_FROM_TPL = 1;
export const IDENTITY_LENGTH = 2;
/** A truncated upper header hides which identity the filters would use; `out` holds the DLL identity. */
export const IDENTITY_TRUNCATED = 3;
/**
 * A truncated upper header past the point that settles the filter identity (a short TPL header, a
 * long one missing only its configuration extension, or any header under IDENTITY_DLL_ONLY); `out`
 * holds that identity.
 */
export const IDENTITY_TRUNCATED_KNOWN = 4;
export const FILTER_IDENTITY_RESULTS: readonly FilterIdentityResult[] = freezeTable(['dll', 'tpl', 'length', 'truncated', 'truncated']);
/** `filterIdentityCode` flags: `longHeader` false, `ellPlaintext` true. */
export const IDENTITY_DLL_ONLY = 1;
export const IDENTITY_ELL_PLAINTEXT = 2;

/** The `filterIdentityCode` flags of header options. */
export function identityFlags(options?: HeaderOptions): number {
  return (options?.longHeader === false ? IDENTITY_DLL_ONLY : 0) | (options?.ellPlaintext === true ? IDENTITY_ELL_PLAINTEXT : 0);
}

/**
 * The radio task's fast path: only the 8-byte filter identity, written into `out`, and no objects.
 * It walks the headers exactly as `parseHeader` does, so for every frame it fails where `parseHeader`
 * fails and otherwise writes the identity `parseHeader` reports (tests/wmbus/filter-identity.test.ts).
 */
export function filterIdentity(frame: Uint8Array, out: Uint8Array, options?: HeaderOptions): FilterIdentityResult {
  return FILTER_IDENTITY_RESULTS[filterIdentityCode(frame, out, identityFlags(options))];
}

/**
 * `filterIdentity` as the receive path's kernel (WmbusKernels.filterIdentity, C twin in
 * native/wmbus_kernels.c): options as IDENTITY_* flags, the result as an IDENTITY_* code. `out` is
 * written for every code but IDENTITY_LENGTH, so a frame with a malformed upper header can still be
 * recorded under its DLL identity (tasks/radio/receive.ts). RangeError when `out` holds fewer than 8 bytes.
 */
export function filterIdentityCode(frame: Uint8Array, out: Uint8Array, flags: number): number {
  if (out.length < IDENTITY_BYTES) throw new RangeError('filterIdentity: out holds fewer than 8 bytes');
  const length = frame.length;
  if (length < DLL_BYTES) return IDENTITY_LENGTH;
  let pos = CI_OFFSET;
  let ci = frame[pos];
  if (pos < length && isEll(ci)) {
    pos += 1 + ELL_CC_ACC_BYTES;
    if (pos > length) return truncated(frame, out, flags);
    if (ci === CI_ELL_V) return dllIdentity(frame, out);
    if (ci === CI_ELL_III || ci === CI_ELL_IV) {
      pos += ADDRESS_BYTES;
      if (pos > length) return truncated(frame, out, flags);
    }
    if (ci === CI_ELL_II || ci === CI_ELL_IV) {
      if (pos + SN_BYTES + PAYLOAD_CRC_BYTES > length) return truncated(frame, out, flags);
      // EN 13757-4 §13.2.12: an encrypting ELL hides everything after its session number.
      if (frame[pos + SN_BYTES - 1] >>> (SN_ENCRYPTION_SHIFT - 24) !== 0 && (flags & IDENTITY_ELL_PLAINTEXT) === 0) {
        return dllIdentity(frame, out);
      }
      pos += SN_BYTES + PAYLOAD_CRC_BYTES;
    }
    ci = frame[pos];
  }
  if (pos < length && ci === CI_AFL) {
    const end = aflEnd(frame, pos);
    if (end < 0) return truncated(frame, out, flags);
    pos = end;
    ci = frame[pos];
  }
  if (pos >= length) return dllIdentity(frame, out);
  const kind = TPL_KIND_OF_CI[ci];
  let p = pos + 1;
  if (kind === 'long') {
    if (p + LONG_TPL_BYTES > length) return truncated(frame, out, flags);
    p += ADDRESS_BYTES;
  } else if (kind !== 'short') {
    return dllIdentity(frame, out);
  }
  // A long header passed its own check above, so only a short one (DLL identity) can fail here.
  if (p + SHORT_TPL_BYTES > length) {
    dllIdentity(frame, out);
    return IDENTITY_TRUNCATED_KNOWN;
  }
  const complete = (frame[p + 3] & SECURITY_MODE_MASK) !== SECURITY_MODE_WITH_CFG_EXT || p + SHORT_TPL_BYTES + 1 <= length;
  if (kind !== 'long' || (flags & IDENTITY_DLL_ONLY) !== 0) {
    dllIdentity(frame, out);
    return complete ? IDENTITY_FROM_DLL : IDENTITY_TRUNCATED_KNOWN;
  }
  // Long header address: ID (4) M (2) VER TYPE; the identity is M, ID, VER, TYPE.
  const a = pos + 1;
  out[0] = frame[a + ID_BYTES];
  out[1] = frame[a + ID_BYTES + 1];
  out[2] = frame[a];
  out[3] = frame[a + 1];
  out[4] = frame[a + 2];
  out[5] = frame[a + 3];
  out[IDENTITY_VERSION_INDEX] = frame[a + IDENTITY_VERSION_INDEX];
  out[IDENTITY_MEDIUM_INDEX] = frame[a + IDENTITY_MEDIUM_INDEX];
  return complete ? IDENTITY_FROM_TPL : IDENTITY_TRUNCATED_KNOWN;
}

/** A header cut short before the TPL settles the identity: known only when the filters use the DLL's anyway. */
function truncated(frame: Uint8Array, out: Uint8Array, flags: number): number {
  dllIdentity(frame, out);
  return (flags & IDENTITY_DLL_ONLY) !== 0 ? IDENTITY_TRUNCATED_KNOWN : IDENTITY_TRUNCATED;
}

function dllIdentity(frame: Uint8Array, out: Uint8Array): number {
  out.set(frame.subarray(M_OFFSET, M_OFFSET + IDENTITY_BYTES));
  return IDENTITY_FROM_DLL;
}

/** End of the AFL at `offset` (what `parseAfl` returns as next), or -1 where `parseAfl` fails. */
function aflEnd(frame: Uint8Array, offset: number): number {
  if (offset + AFL_PREFIX_BYTES > frame.length) return -1;
  const length = frame[offset + 1];
  const end = offset + AFL_PREFIX_BYTES + length;
  if (end > frame.length || length < AFL_FCL_BYTES) return -1;
  const fcl = u16(frame, offset + AFL_PREFIX_BYTES);
  // The optional fields parseAfl bounds-checks against the AFL's end; MAC and ML are skipped, never fail.
  let pos = offset + AFL_PREFIX_BYTES + AFL_FCL_BYTES;
  if ((fcl & AFL_CONTROL_PRESENT) !== 0) pos += AFL_MCL_BYTES;
  if ((fcl & AFL_KEY_INFO_PRESENT) !== 0) pos += AFL_KI_BYTES;
  if ((fcl & AFL_COUNTER_PRESENT) !== 0) pos += AFL_MCR_BYTES;
  return pos > end ? -1 : end;
}
