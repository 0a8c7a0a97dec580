/**
 * How a simulated meter encrypts its telegrams under its own key and address, and how a template from
 * the corpus is turned back into plaintext with the corpus key. Three schemes:
 * - TPL security mode 5 (EN 13757-7 §9.4.4, OMS Vol. 2 §9.2.3): AES-128-CBC, IV = M-field, A-field of
 *   the meter (long TPL header if there is one, else the DLL) and 8 × ACC, over the number of blocks in
 *   CFG bits 4–7; the plaintext starts with 2F 2F;
 * - TPL security mode 7 (EN 13757-7 §9.4.6, OMS Vol. 2 §9.2.4): AES-128-CBC with IV 0 under a message
 *   key derived by AES-CMAC from the master key, the AFL message counter and the meter id; the AFL
 *   carries the CMAC of MCL, MCR, ML (if present) and the TPL from its CI to the end of the frame;
 * - ELL with encryption (EN 13757-4 §13.2.12, CI 0x8D, SN bits 29–31 = 1): AES-128-CTR, IV = M-field,
 *   A-field (DLL), CC, SN, FN (0) and BC, over the payload CRC and the payload.
 * Frames here are CRC-free with L = length − 1. Host-side simulator code: it stays out of the device image.
 */
import { Aes128 } from '../../protocol/crypto/aes128';
import { aesCbcEncrypt } from '../../protocol/crypto/cbc';
import { AES_BLOCK_BYTES, BlockCipher } from '../../protocol/crypto/types';
import { freezeTable } from '../../protocol/freeze';
import { crc16 } from '../../protocol/wmbus/crc16';
import { parseHeader } from '../../protocol/wmbus/header';
import { aesCmac } from './cmac';
import { aesCtr } from './ctr';

export type MeterSecurity = 'mode5' | 'mode7' | 'ell';

/** Where a frame's security fields lie (offsets into the frame). */
export interface SecurityLayout {
  readonly kind: MeterSecurity;
  /** Start and end of the encrypted bytes. */
  readonly from: number;
  readonly to: number;
  /** Access numbers that change per telegram (ELL ACC, TPL ACC). */
  readonly accOffsets: readonly number[];
  /** Mode 7: the AFL message counter (4 bytes LE) and the MAC and its length. */
  readonly mcrOffset: number;
  readonly macOffset: number;
  readonly macBytes: number;
}

export type DecryptResult = { ok: true; frame: Uint8Array } | { ok: false; error: string };

const DLL_ADDRESS_OFFSET = 2;
const ADDRESS_BYTES = 8;
const ID_IN_IDENTITY = 2;
const ID_BYTES = 4;
const SECURITY_MODE_5 = 5;
const SECURITY_MODE_7 = 7;
/** CFG bits 4–7: the number of encrypted 16-byte blocks (EN 13757-7 §7.5.8). */
const CFG_BLOCKS_SHIFT = 4;
const CFG_BLOCKS_MASK = 0x0f;
/** EN 13757-7 §9.4.2: the decrypted payload starts with two 2F bytes. */
const VERIFICATION_BYTE = 0x2f;
const CI_ELL_II = 0x8d;
/** ELL II: CI, CC, ACC, SN (4), then the payload CRC (EN 13757-4 §13.2.8). */
const ELL_CC = 1;
const ELL_ACC = 2;
const ELL_SN = 3;
const ELL_SN_BYTES = 4;
const ELL_CRC = 7;
const ELL_CRC_BYTES = 2;
/** SN bits 29–31 = 1: AES-128-CTR (EN 13757-4 §13.2.11). */
const ELL_ENCRYPTION_CTR = 1;
/** AFL (EN 13757-7 §6): CI, AFLL, FCL (2), then MCL, KI, MCR, MAC, ML as the FCL announces them. */
const AFL_MCL_AT = 4;
const AFL_MCL_BYTES = 1;
const AFL_KI_BYTES = 2;
const AFL_KEY_INFO_PRESENT = 0x0200;
const AFL_COUNTER_PRESENT = 0x0800;
const AFL_LENGTH_PRESENT = 0x1000;
const AFL_PREFIX_BYTES = 2;
const AFL_MCR_BYTES = 4;
const AFL_ML_BYTES = 2;
/** MAC length by AFL authentication type (MCL bits 0–3), as header.ts reads it. */
const AFL_MAC_BYTES: readonly number[] = freezeTable([0, 0, 0, 2, 4, 8, 12, 16, 12, 0, 0, 0, 0, 0, 0, 0]);
const AFL_AUTH_TYPE_MASK = 0x0f;
/** OMS Vol. 2 §9.2.4 key derivation: constant 00 (Kenc, meter to other) / 01 (Kmac), counter, id, 07 padding. */
const KDF_ENC = 0x00;
const KDF_MAC = 0x01;
const KDF_PADDING = 0x07;
const KDF_COUNTER = 1;
const KDF_ID = 5;

function u16(bytes: Uint8Array, at: number): number {
  return bytes[at] | (bytes[at + 1] << 8);
}

/**
 * The security layout of a frame whose encrypted part reads as plaintext (a template stored decrypted, or
 * one just decrypted), or of an air frame: the offsets are the same. Undefined when the frame uses none
 * of the three schemes or its header does not hold together (the frame is then sent as it is).
 */
export function securityLayout(frame: Uint8Array): SecurityLayout | undefined {
  // Read as on air: behind an encrypting ELL the parser stops at the SN, whatever the bytes after it hold.
  const parsed = parseHeader(frame);
  if (!parsed.ok) return undefined;
  const { ell, afl, tpl, securityMode, payloadOffset } = parsed.header;
  const accOffsets: number[] = [];
  if (ell !== undefined) accOffsets.push(ell.offset + ELL_ACC);
  if (ell?.ci === CI_ELL_II && ell.snEncryption === ELL_ENCRYPTION_CTR) {
    return { kind: 'ell', from: ell.offset + ELL_CRC, to: frame.length, accOffsets, mcrOffset: -1, macOffset: -1, macBytes: 0 };
  }
  if (tpl?.cfg === undefined || (securityMode !== SECURITY_MODE_5 && securityMode !== SECURITY_MODE_7)) return undefined;
  accOffsets.push(tpl.offset + 1 + (tpl.kind === 'long' ? ADDRESS_BYTES : 0));
  const to = payloadOffset + AES_BLOCK_BYTES * ((tpl.cfg >> CFG_BLOCKS_SHIFT) & CFG_BLOCKS_MASK);
  if (to > frame.length || to === payloadOffset) return undefined;
  if (securityMode === SECURITY_MODE_5) {
    return { kind: 'mode5', from: payloadOffset, to, accOffsets, mcrOffset: -1, macOffset: -1, macBytes: 0 };
  }
  if (afl?.mcl === undefined || (afl.fcl & AFL_COUNTER_PRESENT) === 0 || afl.mac === undefined) return undefined;
  let at = afl.offset + AFL_MCL_AT + AFL_MCL_BYTES;
  if ((afl.fcl & AFL_KEY_INFO_PRESENT) !== 0) at += AFL_KI_BYTES;
  return {
    kind: 'mode7',
    from: payloadOffset,
    to,
    accOffsets,
    mcrOffset: at,
    macOffset: at + AFL_MCR_BYTES,
    macBytes: AFL_MAC_BYTES[afl.mcl & AFL_AUTH_TYPE_MASK],
  };
}

/** The meter's 8-byte address as the IV starts with it: M, id, version, type (long TPL header, else DLL). */
function meterAddress(frame: Uint8Array): Uint8Array {
  const parsed = parseHeader(frame, { ellPlaintext: true });
  return parsed.ok ? parsed.header.identity : frame.slice(DLL_ADDRESS_OFFSET, DLL_ADDRESS_OFFSET + ADDRESS_BYTES);
}

function ellCrcMatches(frame: Uint8Array, layout: SecurityLayout): boolean {
  return crc16(frame, layout.from + ELL_CRC_BYTES, frame.length) === u16(frame, layout.from);
}

function mode5Iv(frame: Uint8Array, layout: SecurityLayout): Uint8Array {
  const iv = new Uint8Array(AES_BLOCK_BYTES);
  iv.set(meterAddress(frame));
  iv.fill(frame[layout.accOffsets[layout.accOffsets.length - 1]], ADDRESS_BYTES);
  return iv;
}

function ellIv(frame: Uint8Array, layout: SecurityLayout): Uint8Array {
  const ell = layout.from - ELL_CRC;
  const iv = new Uint8Array(AES_BLOCK_BYTES);
  iv.set(frame.subarray(DLL_ADDRESS_OFFSET, DLL_ADDRESS_OFFSET + ADDRESS_BYTES));
  iv[ADDRESS_BYTES] = frame[ell + ELL_CC];
  iv.set(frame.subarray(ell + ELL_SN, ell + ELL_SN + ELL_SN_BYTES), ADDRESS_BYTES + 1);
  // FN (2 bytes) and BC stay 0: unfragmented, first block.
  return iv;
}

/** OMS Vol. 2 §9.2.4: Kenc (constant 00) or Kmac (01) for this message counter and meter id. */
export function mode7Key(master: Uint8Array, constant: number, counter: Uint8Array, id: Uint8Array, cipher: BlockCipher): Uint8Array {
  const input = new Uint8Array(AES_BLOCK_BYTES).fill(KDF_PADDING);
  input[0] = constant;
  input.set(counter.subarray(0, AFL_MCR_BYTES), KDF_COUNTER);
  input.set(id.subarray(0, ID_BYTES), KDF_ID);
  return aesCmac(master, input, cipher);
}

function mode7Keys(frame: Uint8Array, layout: SecurityLayout, key: Uint8Array, cipher: BlockCipher): { enc: Uint8Array; mac: Uint8Array } {
  const counter = frame.subarray(layout.mcrOffset, layout.mcrOffset + AFL_MCR_BYTES);
  const id = meterAddress(frame).subarray(ID_IN_IDENTITY, ID_IN_IDENTITY + ID_BYTES);
  return { enc: mode7Key(key, KDF_ENC, counter, id, cipher), mac: mode7Key(key, KDF_MAC, counter, id, cipher) };
}

/** The AFL MAC of a mode-7 air frame: CMAC(Kmac, MCL || MCR || ML || TPL..end), truncated. */
function mode7Mac(frame: Uint8Array, layout: SecurityLayout, kmac: Uint8Array, cipher: BlockCipher): Uint8Array {
  const parsed = parseHeader(frame);
  const afl = parsed.ok ? parsed.header.afl : undefined;
  const tplAt = afl === undefined ? frame.length : afl.offset + AFL_PREFIX_BYTES + afl.length;
  const mlAt = layout.macOffset + layout.macBytes;
  const hasMl = afl !== undefined && (afl.fcl & AFL_LENGTH_PRESENT) !== 0;
  const head = [frame[layout.mcrOffset - 1], ...frame.subarray(layout.mcrOffset, layout.mcrOffset + AFL_MCR_BYTES)];
  if (hasMl) head.push(...frame.subarray(mlAt, mlAt + AFL_ML_BYTES));
  const input = new Uint8Array(head.length + frame.length - tplAt);
  input.set(head);
  input.set(frame.subarray(tplAt), head.length);
  return aesCmac(kmac, input, cipher).subarray(0, layout.macBytes);
}

function cbcEncryptBlocks(plain: Uint8Array, key: Uint8Array, iv: Uint8Array, cipher: BlockCipher): Uint8Array {
  // cbc.ts always pads; the first blocks of its output are the unpadded CBC encryption.
  const r = aesCbcEncrypt(plain, key, { iv, cipher });
  return r.ok ? r.bytes.subarray(0, plain.length) : new Uint8Array(plain.length);
}

function cbcDecryptBlocks(data: Uint8Array, key: Uint8Array, iv: Uint8Array, cipher: BlockCipher): Uint8Array {
  const out = new Uint8Array(data.length);
  const previous = new Uint8Array(iv);
  const block = new Uint8Array(AES_BLOCK_BYTES);
  for (let at = 0; at < data.length; at += AES_BLOCK_BYTES) {
    const chunk = data.subarray(at, at + AES_BLOCK_BYTES);
    cipher.decryptBlock(key, chunk, block);
    for (let i = 0; i < AES_BLOCK_BYTES; i++) out[at + i] = block[i] ^ previous[i];
    previous.set(chunk);
  }
  return out;
}

/**
 * Encrypts a plaintext frame under `key` as its layout says (same length); for an ELL it first writes
 * the payload CRC, for mode 7 it writes the AFL MAC.
 */
export function encryptFrame(plain: Uint8Array, layout: SecurityLayout, key: Uint8Array, cipher: BlockCipher = new Aes128()): Uint8Array {
  const frame = plain.slice();
  const body = frame.subarray(layout.from, layout.to);
  if (layout.kind === 'ell') {
    // EN 13757-4 §13.2.12: the CRC of the plaintext payload, before the payload (low byte first, as the corpus frames carry it).
    const crc = crc16(frame, layout.from + ELL_CRC_BYTES, frame.length);
    frame[layout.from] = crc & 0xff;
    frame[layout.from + 1] = crc >> 8;
    frame.set(aesCtr(key, ellIv(frame, layout), frame.subarray(layout.from, layout.to), cipher), layout.from);
  } else if (layout.kind === 'mode5') {
    frame.set(cbcEncryptBlocks(body, key, mode5Iv(frame, layout), cipher), layout.from);
  } else {
    const keys = mode7Keys(frame, layout, key, cipher);
    frame.set(cbcEncryptBlocks(body, keys.enc, new Uint8Array(AES_BLOCK_BYTES), cipher), layout.from);
    frame.set(mode7Mac(frame, layout, keys.mac, cipher), layout.macOffset);
  }
  return frame;
}

/** Decrypts an air frame with `key` and checks it (2F 2F, the AFL MAC, the ELL payload CRC). Never throws. */
export function decryptFrame(air: Uint8Array, layout: SecurityLayout, key: Uint8Array, cipher: BlockCipher = new Aes128()): DecryptResult {
  const frame = air.slice();
  const body = air.subarray(layout.from, layout.to);
  if (layout.kind === 'ell') {
    frame.set(aesCtr(key, ellIv(air, layout), body, cipher), layout.from);
    if (!ellCrcMatches(frame, layout)) return { ok: false, error: 'ELL payload CRC does not match (wrong key?)' };
    return { ok: true, frame };
  }
  if (layout.kind === 'mode5') {
    frame.set(cbcDecryptBlocks(body, key, mode5Iv(air, layout), cipher), layout.from);
  } else {
    const keys = mode7Keys(air, layout, key, cipher);
    const mac = mode7Mac(air, layout, keys.mac, cipher);
    for (let i = 0; i < layout.macBytes; i++) {
      if (mac[i] !== air[layout.macOffset + i]) return { ok: false, error: 'AFL MAC does not match (wrong key?)' };
    }
    frame.set(cbcDecryptBlocks(body, keys.enc, new Uint8Array(AES_BLOCK_BYTES), cipher), layout.from);
  }
  if (frame[layout.from] !== VERIFICATION_BYTE || frame[layout.from + 1] !== VERIFICATION_BYTE) {
    return { ok: false, error: 'decrypted payload does not start with 2F 2F (wrong key?)' };
  }
  return { ok: true, frame };
}

/** Whether the encrypted part of a frame already reads as plaintext (a template stored decrypted). */
export function isPlaintext(frame: Uint8Array, layout: SecurityLayout): boolean {
  if (layout.kind === 'ell') return ellCrcMatches(frame, layout);
  return frame[layout.from] === VERIFICATION_BYTE && frame[layout.from + 1] === VERIFICATION_BYTE;
}

/** Message counter of a mode-7 frame (AFL MCR, LE). */
export function messageCounter(frame: Uint8Array, layout: SecurityLayout): number {
  const at = layout.mcrOffset;
  return (u16(frame, at) | (u16(frame, at + 2) << 16)) >>> 0;
}

/** Writes a mode-7 message counter (AFL MCR, LE). */
export function setMessageCounter(frame: Uint8Array, layout: SecurityLayout, counter: number): void {
  for (let i = 0; i < AFL_MCR_BYTES; i++) frame[layout.mcrOffset + i] = (counter >>> (8 * i)) & 0xff;
}
