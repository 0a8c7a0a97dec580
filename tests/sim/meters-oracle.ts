/**
 * An independent decryptor of wM-Bus telegrams for the simulated-meter tests, on Node's crypto (OpenSSL)
 * rather than the simulator's AES, CMAC and CTR: TPL security mode 5 (EN 13757-7 §9.4.4), mode 7 with the
 * OMS key derivation and AFL MAC (OMS Vol. 2 §9.2.4), and the encrypting ELL (EN 13757-4 §13.2.12).
 * Offsets come from the firmware's header parser; the cryptography does not.
 */
import * as crypto from 'node:crypto';
import { crc16 } from '../../protocol/wmbus/crc16';
import { parseHeader } from '../../protocol/wmbus/header';

export type OracleResult =
  | { readonly ok: true; readonly scheme: 'mode5' | 'mode7' | 'ell'; readonly plain: Buffer }
  | { readonly ok: false; readonly scheme: 'mode5' | 'mode7' | 'ell' | 'none'; readonly error: string };

const BLOCK = 16;

function ecb(key: Buffer, block: Buffer): Buffer {
  const c = crypto.createCipheriv('aes-128-ecb', key, null);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(block), c.final()]);
}

function doubled(b: Buffer): Buffer {
  const out = Buffer.alloc(BLOCK);
  for (let i = 0; i < BLOCK; i++) out[i] = ((b[i] << 1) | (i < BLOCK - 1 ? b[i + 1] >> 7 : 0)) & 0xff;
  if (b[0] & 0x80) out[BLOCK - 1] ^= 0x87;
  return out;
}

/** RFC 4493 AES-CMAC built on OpenSSL's AES-ECB, written apart from sim/radio/cmac.ts. */
export function oracleCmac(key: Buffer, msg: Buffer): Buffer {
  const k1 = doubled(ecb(key, Buffer.alloc(BLOCK)));
  const k2 = doubled(k1);
  const n = Math.max(1, Math.ceil(msg.length / BLOCK));
  const full = msg.length > 0 && msg.length % BLOCK === 0;
  const last = Buffer.alloc(BLOCK);
  msg.copy(last, 0, (n - 1) * BLOCK);
  if (!full) last[msg.length - (n - 1) * BLOCK] = 0x80;
  const sub = full ? k1 : k2;
  let x: Buffer = Buffer.alloc(BLOCK);
  for (let b = 0; b < n; b++) {
    const m = b === n - 1 ? last.map((v, i) => v ^ sub[i]) : msg.subarray(b * BLOCK, (b + 1) * BLOCK);
    x = ecb(key, Buffer.from(x.map((v, i) => v ^ m[i])));
  }
  return x;
}

function cbcDecrypt(key: Buffer, iv: Buffer, data: Buffer): Buffer {
  const d = crypto.createDecipheriv('aes-128-cbc', key, iv);
  d.setAutoPadding(false);
  return Buffer.concat([d.update(data), d.final()]);
}

/** Decrypts one CRC-free telegram with `key`; `none` when the frame is not encrypted by one of the three schemes. */
export function oracleDecrypt(frameBytes: Uint8Array, key: Buffer): OracleResult {
  const f = Buffer.from(frameBytes);
  if (f[10] === 0x8d && f.length > 19 && f.readUInt32LE(13) >>> 29 === 1) {
    // IV: M, A (DLL), CC, SN, FN = 0, BC = 0.
    const iv = Buffer.concat([f.subarray(2, 10), f.subarray(11, 12), f.subarray(13, 17), Buffer.alloc(3)]);
    const d = crypto.createDecipheriv('aes-128-ctr', key, iv);
    const plain = Buffer.concat([d.update(f.subarray(17)), d.final()]);
    const ok = crc16(plain, 2) === plain.readUInt16LE(0);
    return ok ? { ok, scheme: 'ell', plain } : { ok, scheme: 'ell', error: 'ELL payload CRC' };
  }
  const parsed = parseHeader(f);
  if (!parsed.ok) return { ok: false, scheme: 'none', error: parsed.error };
  const { tpl, afl, securityMode, payloadOffset } = parsed.header;
  if (tpl?.cfg === undefined || (securityMode !== 5 && securityMode !== 7)) return { ok: false, scheme: 'none', error: 'not encrypted' };
  const blocks = (tpl.cfg >> 4) & 0x0f;
  const data = f.subarray(payloadOffset, payloadOffset + BLOCK * blocks);
  // The meter's address: M, id, version, type of the long TPL header, else of the DLL.
  const address = tpl.kind === 'long'
    ? Buffer.concat([f.subarray(tpl.offset + 5, tpl.offset + 7), f.subarray(tpl.offset + 1, tpl.offset + 5), f.subarray(tpl.offset + 7, tpl.offset + 9)])
    : f.subarray(2, 10);
  let plain: Buffer;
  if (securityMode === 5) {
    plain = cbcDecrypt(key, Buffer.concat([address, Buffer.alloc(8, tpl.acc ?? 0)]), data);
    if (plain[0] !== 0x2f || plain[1] !== 0x2f) return { ok: false, scheme: 'mode5', error: 'no 2F2F' };
    return { ok: true, scheme: 'mode5', plain };
  }
  if (afl?.mcl === undefined || afl.messageCounter === undefined || afl.mac === undefined) return { ok: false, scheme: 'mode7', error: 'no AFL MAC' };
  const mcr = Buffer.alloc(4);
  mcr.writeUInt32LE(afl.messageCounter);
  const kdf = (dc: number) => oracleCmac(key, Buffer.concat([Buffer.from([dc]), mcr, address.subarray(2, 6), Buffer.alloc(7, 7)]));
  const tplStart = afl.offset + 2 + afl.length;
  const mac = oracleCmac(kdf(1), Buffer.concat([Buffer.from([afl.mcl]), mcr, f.subarray(tplStart)])).subarray(0, afl.mac.length);
  if (!mac.equals(Buffer.from(afl.mac))) return { ok: false, scheme: 'mode7', error: 'AFL MAC' };
  plain = cbcDecrypt(kdf(0), Buffer.alloc(BLOCK), data);
  if (plain[0] !== 0x2f || plain[1] !== 0x2f) return { ok: false, scheme: 'mode7', error: 'no 2F2F' };
  return { ok: true, scheme: 'mode7', plain };
}
