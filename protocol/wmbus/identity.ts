/**
 * The 8-byte meter identity used for filtering (WebdynEasy manual §4.2.2.1 "Whitelist"): the M-field
 * (2 bytes) followed by the A-field (6 bytes: id LSB first, version, device type), all as sent on air.
 * `skipVersionField` / `skipMediumField` (§4.2.2) leave the version / device-type byte out of comparisons.
 */

export const IDENTITY_BYTES = 8;
/** Offset of the version byte in an identity. */
export const IDENTITY_VERSION_INDEX = 6;
/** Offset of the device type (medium) byte in an identity. */
export const IDENTITY_MEDIUM_INDEX = 7;
const ID_BYTES = 4;
const ID_DIGITS = 8;
/** Offset of the M-field in the link layer (after L and C). */
const DLL_M_OFFSET = 2;
const HEX_DIGITS = '0123456789abcdef';
const MASKED_BYTE = 'xx';

export interface IdentityMask {
  skipVersionField?: boolean;
  skipMediumField?: boolean;
}

/** Identity from the DLL of a frame (bytes 2–9), or undefined when the frame is shorter than the DLL. */
export function dllIdentity(frame: Uint8Array): Uint8Array | undefined {
  if (frame.length < DLL_M_OFFSET + IDENTITY_BYTES) return undefined;
  return frame.slice(DLL_M_OFFSET, DLL_M_OFFSET + IDENTITY_BYTES);
}

/** Identity from fields: the M-field value, the 4 id bytes as on air (LSB first), version and device type. */
export function makeIdentity(mField: number, idBytes: Uint8Array, version: number, deviceType: number): Uint8Array {
  const out = new Uint8Array(IDENTITY_BYTES);
  out[0] = mField & 0xff;
  out[1] = (mField >> 8) & 0xff;
  for (let i = 0; i < ID_BYTES; i++) out[2 + i] = idBytes[i];
  out[IDENTITY_VERSION_INDEX] = version;
  out[IDENTITY_MEDIUM_INDEX] = deviceType;
  return out;
}

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  const lower = code | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

/**
 * The 4 on-air id bytes of an id as printed on the meter ("12345678" → 78 56 34 12).
 * Undefined unless the text is exactly 8 hex digits.
 */
export function idBytesFromText(id: string): Uint8Array | undefined {
  if (id.length !== ID_DIGITS) return undefined;
  const out = new Uint8Array(ID_BYTES);
  for (let i = 0; i < ID_BYTES; i++) {
    const hi = hexValue(id.charCodeAt(2 * i));
    const lo = hexValue(id.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) return undefined;
    out[ID_BYTES - 1 - i] = (hi << 4) | lo;
  }
  return out;
}

/** The id as printed from the 4 on-air bytes starting at `offset` (most significant byte first). */
export function idText(bytes: Uint8Array, offset: number): string {
  let s = '';
  for (let i = ID_BYTES - 1; i >= 0; i--) {
    const b = bytes[offset + i];
    s += HEX_DIGITS[b >> 4] + HEX_DIGITS[b & 0x0f];
  }
  return s;
}

function compared(index: number, mask: IdentityMask | undefined): boolean {
  if (index === IDENTITY_VERSION_INDEX) return mask?.skipVersionField !== true;
  if (index === IDENTITY_MEDIUM_INDEX) return mask?.skipMediumField !== true;
  return true;
}

/** Whether two identities are equal, ignoring the bytes the mask skips. */
export function identityMatches(a: Uint8Array, b: Uint8Array, mask?: IdentityMask): boolean {
  if (a.length !== IDENTITY_BYTES || b.length !== IDENTITY_BYTES) return false;
  for (let i = 0; i < IDENTITY_BYTES; i++) {
    if (a[i] !== b[i] && compared(i, mask)) return false;
  }
  return true;
}

/**
 * A lookup key (16 characters) equal for exactly the identities `identityMatches` finds equal under the
 * same mask, so a whitelist of up to 2000 entries can be a Set. Empty string for a malformed identity.
 */
export function identityKey(identity: Uint8Array, mask?: IdentityMask): string {
  if (identity.length !== IDENTITY_BYTES) return '';
  let s = '';
  for (let i = 0; i < IDENTITY_BYTES; i++) {
    const b = identity[i];
    s += compared(i, mask) ? HEX_DIGITS[b >> 4] + HEX_DIGITS[b & 0x0f] : MASKED_BYTE;
  }
  return s;
}
