/** Shared types of the Wireless M-Bus receive codecs (EN 13757-4 link layer, EN 13757-7 / OMS headers). */
import type { WmbusKernels } from './kernels';

/** Receiver PHY setting: S1 alone, or T1 and C1 together (same channel and chip rate). Same values as `RadioPhy`. */
export type WmbusPhy = 'S1' | 'T1C1';

/** Link mode of one received frame; C1 is split by its frame format. */
export type LinkMode = 'T1' | 'C1A' | 'C1B' | 'S1';

/** EN 13757-4 frame format: A (a CRC per block, L without CRCs) or B (at most two CRCs, L with CRCs). */
export type FrameFormat = 'A' | 'B';

/**
 * Why a chip stream gave no frame. Each kind is counted separately by the radio task:
 * - `sync`: C1 second sync word is neither 0x54CD nor 0x543D;
 * - `3of6`, `manchester`: a chip group is not a valid code word;
 * - `length`: the L-field is out of range, or the stream ends before the frame does;
 * - `crc`: a block CRC does not match.
 */
export type WmbusError = 'sync' | '3of6' | 'manchester' | 'length' | 'crc';

/** The three counters the radio task keeps for bad packets. */
export type WmbusErrorClass = 'decode' | 'length' | 'crc';

export interface PhyOptions {
  /** Rewrite the L-field of format-B frames to its format-A meaning (WebdynEasy `BFormatLFieldAdaptation`, default true). */
  bFormatLFieldAdaptation?: boolean;
  /** The byte loops (CRC, chip decoding): a board's native ones, else the portable TypeScript ones. */
  kernels?: WmbusKernels;
  /**
   * T1 and S1: where the chips are decoded before the CRCs are checked, reused from frame to frame
   * (at least `MAX_ON_AIR_BYTES`; a smaller one is ignored). Without it each frame allocates its own.
   */
  scratch?: Uint8Array;
}

export type PhyResult =
  | {
      ok: true;
      mode: LinkMode;
      /** Link-layer frame without CRCs (L-field in format-A meaning unless adaptation is off). */
      frame: Uint8Array;
      format: FrameFormat;
    }
  | {
      ok: false;
      error: WmbusError;
      /** The link mode when it was recognised before the failure. */
      mode?: LinkMode;
    };

/** Result of checking and removing the DLL CRCs of an on-air frame. */
export type BlocksResult = { ok: true; frame: Uint8Array } | { ok: false; error: 'length' | 'crc' };

/** A meter address as printed on the meter (EN 13757-4 M-field + A-field, or the TPL long header). */
export interface MeterAddress {
  /** M-field as a 16-bit value (little-endian on air). */
  mField: number;
  /** Three-letter manufacturer code (EN 13757-3 / FLAG). */
  manufacturer: string;
  /** Identification number as printed: A-field bytes 3,2,1,0 in hex (BCD digits for most meters). */
  id: string;
  version: number;
  deviceType: number;
}

/** How a Diehl-family A-field was rewritten before reading it (the address is sent in a non-standard order). */
export type DiehlTransform = 'none' | 'swapping' | 'sapPrios';

export interface LinkHeader {
  /** L-field as stored in the frame. */
  l: number;
  /** Whether `l` equals the frame length minus one (format-A meaning). */
  lMatchesLength: boolean;
  c: number;
  /** Address after the Diehl rewrite (equal to the on-air fields when `diehl` is `none`). */
  address: MeterAddress;
  diehl: DiehlTransform;
}

/** Extended link layer (EN 13757-4 §13.2, CI 0x8C–0x8F; 0x86 ELL V). */
export interface EllHeader {
  ci: number;
  /** Offset of the ELL CI in the frame. */
  offset: number;
  cc: number;
  acc: number;
  /** Receiver address (ELL III / IV, CI 0x8E / 0x8F). */
  receiver?: MeterAddress;
  /** Session number as a 32-bit value (ELL II / IV). */
  sessionNumber?: number;
  /** SN bits 29–31: 0 none, 1 AES-CTR (payload after the SN is encrypted). */
  snEncryption?: number;
  /** Payload CRC (ELL II / IV), as stored (little-endian value); only meaningful once decrypted. */
  payloadCrc?: number;
  /** ELL V (CI 0x86): only CC and ACC are read; the optional fields after them are not interpreted. */
  variable?: boolean;
}

/** Authentication and fragmentation layer (EN 13757-7 §6, CI 0x90). */
export interface AflHeader {
  ci: number;
  offset: number;
  /** AFLL: number of bytes after the length byte. */
  length: number;
  /** Fragmentation control as a 16-bit value. */
  fcl: number;
  fragmentId: number;
  moreFragments: boolean;
  mcl?: number;
  keyInfo?: number;
  messageCounter?: number;
  mac?: Uint8Array;
  messageLength?: number;
}

/** TPL header kinds: short (ACC STS CFG), long (address + short), none, manufacturer specific (CI 0xA0–0xB7). */
export type TplHeaderKind = 'short' | 'long' | 'none' | 'mfct' | 'other';

export interface TplHeader {
  ci: number;
  offset: number;
  kind: TplHeaderKind;
  acc?: number;
  status?: number;
  /** Configuration field as a 16-bit value (little-endian on air). */
  cfg?: number;
  /** Configuration field extension (security mode 7). */
  cfgExt?: number;
  /** Meter address of a long header. */
  address?: MeterAddress;
}

/** Which address wmbusmeters reports as the meter: DLL, long TPL header, or an APL `07 79` enhanced-id record. */
export type AddressSource = 'dll' | 'tpl' | 'apl';

export interface WmbusHeader {
  link: LinkHeader;
  ell?: EllHeader;
  afl?: AflHeader;
  /** Absent when the frame ends after the DLL/ELL or the ELL encrypts everything after it. */
  tpl?: TplHeader;
  /** TPL security mode `(cfg >> 8) & 0x1F`; null without a standard TPL header. */
  securityMode: number | null;
  /** Identity from an APL `07 79` enhanced identification record right after a CI without header (QDS). */
  enhancedId?: MeterAddress;
  /** The meter address as reported (APL enhanced id, else long TPL header, else DLL). */
  meter: MeterAddress;
  meterSource: AddressSource;
  /** 8-byte filter identity (M-field 2 bytes + A-field 6 bytes as on air), see identity.ts. */
  identity: Uint8Array;
  identitySource: 'dll' | 'tpl';
  /** Offset of the application data (after all headers); equals the frame length when there is none. */
  payloadOffset: number;
}

export interface HeaderOptions {
  /** Take the filter identity from a long TPL header when there is one (WebdynEasy `longHeader`, default true). */
  longHeader?: boolean;
  /** The bytes after an encrypting ELL's session number are already plaintext (decrypted or stored so); default false. */
  ellPlaintext?: boolean;
}

/** `length`: shorter than the DLL (10 bytes); `truncated`: a header announced by a CI runs past the end. */
export type HeaderError = 'length' | 'truncated';

/** A 'truncated' failure carries the link layer, which is whole (only 'length' frames lack it). */
export type HeaderResult = { ok: true; header: WmbusHeader } | { ok: false; error: HeaderError; link?: LinkHeader };
