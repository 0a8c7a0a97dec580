/**
 * The simulated meters' cryptography (sim/radio/cmac.ts, ctr.ts, meter-security.ts) against published
 * vectors and the corpus's really-encrypted telegrams: each plaintext, recovered by the Node-crypto
 * oracle with the corpus key, encrypts back to the corpus ciphertext byte for byte.
 */
import { readFileSync } from 'node:fs';
import { aesCmac } from '../../sim/radio/cmac';
import { aesCtr } from '../../sim/radio/ctr';
import { meterTemplates } from '../../sim/radio/meter-frames';
import { decryptFrame, encryptFrame, securityLayout } from '../../sim/radio/meter-security';
import { CORPUS_PATH } from '../wmbus/corpus';
import { oracleDecrypt } from './meters-oracle';

const bytes = (hex: string): Uint8Array => new Uint8Array(Buffer.from(hex, 'hex'));
const hexOf = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** RFC 4493 §4 and NIST SP 800-38A appendix F: the key 2b7e1516… and the four plaintext blocks. */
const NIST_KEY = bytes('2b7e151628aed2a6abf7158809cf4f3c');
const NIST_PLAIN = bytes(
  '6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710',
);

interface EncryptedEntry {
  driver: string;
  telegram_hex: string;
  telegram_hex_crc_stripped?: string;
  aes_key?: string;
  security_mode: number | null;
  payload_encrypted_in_corpus: boolean | null;
  ell?: { sn_enc_bits?: number } | null;
}

/** The corpus entries whose payload really is AES ciphertext and whose key is given. */
function encryptedEntries(): EncryptedEntry[] {
  const all = JSON.parse(readFileSync(CORPUS_PATH, 'utf8')) as EncryptedEntry[];
  return all.filter((e) => e.payload_encrypted_in_corpus === true && e.aes_key?.length === 32);
}

function corpusFrame(e: EncryptedEntry): Uint8Array {
  return bytes(e.telegram_hex_crc_stripped ?? e.telegram_hex);
}

describe('AES-CMAC (RFC 4493)', () => {
  test.each([
    ['example 1: empty message', 0, 'bb1d6929e95937287fa37d129b756746'],
    ['example 2: one block', 16, '070a16b46b4d4144f79bdd9dd04a287c'],
    ['example 3: 40 bytes', 40, 'dfa66747de9ae63030ca32611497c827'],
    ['example 4: four blocks', 64, '51f0bebf7e3b9d92fc49741779363cfe'],
  ])('%s gives the RFC tag', (_name, length, tag) => {
    expect(hexOf(aesCmac(NIST_KEY, NIST_PLAIN.subarray(0, length)))).toBe(tag);
  });
});

describe('AES-128-CTR (NIST SP 800-38A F.5.1)', () => {
  const counter = bytes('f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff');
  const cipher =
    '874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff5ae4df3edbd5d35e5b4f09020db03eab1e031dda2fbe03d1792170a0f3009cee';

  test('encrypts the four blocks to the published ciphertext, the counter carrying past ff', () => {
    expect(hexOf(aesCtr(NIST_KEY, counter, NIST_PLAIN))).toBe(cipher);
  });

  test('decrypts by the same operation, a partial last block included', () => {
    expect(hexOf(aesCtr(NIST_KEY, counter, bytes(cipher).subarray(0, 37)))).toBe(hexOf(NIST_PLAIN.subarray(0, 37)));
  });

  test('refuses a counter block that is not 16 bytes', () => {
    expect(() => aesCtr(NIST_KEY, counter.subarray(0, 8), NIST_PLAIN)).toThrow(RangeError);
  });
});

describe('meter security against the corpus ciphertexts', () => {
  const entries = encryptedEntries();

  test('the corpus holds 24 mode-5, 1 mode-7 and 1 ELL entries with AES keys, and the oracle decrypts them all', () => {
    const counts: Record<string, number> = {};
    for (const e of entries) {
      const r = oracleDecrypt(corpusFrame(e), Buffer.from(e.aes_key as string, 'hex'));
      counts[r.ok ? r.scheme : `failed ${r.scheme}`] = (counts[r.ok ? r.scheme : `failed ${r.scheme}`] ?? 0) + 1;
    }
    expect(counts).toEqual({ mode5: 24, mode7: 1, ell: 1 });
  });

  test.each(['mode5', 'mode7', 'ell'])('every %s plaintext re-encrypts with the corpus key to the corpus ciphertext', (scheme) => {
    let checked = 0;
    for (const e of entries) {
      const air = corpusFrame(e);
      const key = Buffer.from(e.aes_key as string, 'hex');
      const oracle = oracleDecrypt(air, key);
      if (oracle.scheme !== scheme) continue;
      expect(oracle.ok).toBe(true);
      const layout = securityLayout(air);
      expect(layout?.kind).toBe(scheme);
      if (!oracle.ok || layout === undefined) continue;
      const plain = air.slice();
      plain.set(oracle.plain.subarray(0, layout.to - layout.from), layout.from);
      expect(hexOf(encryptFrame(plain, layout, new Uint8Array(key)))).toBe(hexOf(air));
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
  });

  test('the DES (mode 2) entry has no AES layout and is left alone', () => {
    const all = JSON.parse(readFileSync(CORPUS_PATH, 'utf8')) as EncryptedEntry[];
    const des = all.filter((e) => e.security_mode === 2 && e.payload_encrypted_in_corpus === true);
    expect(des.length).toBe(1);
    expect(securityLayout(corpusFrame(des[0]))).toBeUndefined();
  });

  test('a wrong key is reported, not passed off as plaintext', () => {
    const failures = new Set<string>();
    for (const e of entries) {
      const air = corpusFrame(e);
      const layout = securityLayout(air);
      if (layout === undefined) continue;
      const r = decryptFrame(air, layout, new Uint8Array(16).fill(0xa5));
      expect(r.ok).toBe(false);
      if (!r.ok) failures.add(r.error.split(' ')[0]);
    }
    expect(failures).toEqual(new Set(['decrypted', 'AFL', 'ELL']));
  });

  test('each ciphertext template of the built-in table decrypts with its corpus key', () => {
    const encrypted = meterTemplates().filter((t) => t.key !== undefined);
    expect(encrypted.map((t) => t.driver).sort()).toEqual(['apator162', 'engelmann_faw', 'kamwater', 'sensostar']);
    for (const t of encrypted) {
      const layout = securityLayout(t.frame);
      expect(layout !== undefined && decryptFrame(t.frame, layout, t.key as Uint8Array).ok).toBe(true);
    }
  });
});
