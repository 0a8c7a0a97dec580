/** The wM-Bus conformance corpus (real wmbusmeters telegrams, see /work/shared/corpus/README.md). */
import { readFileSync } from 'fs';
import { stripBlocks } from '../../protocol/wmbus/blocks';

export const CORPUS_PATH = process.env.WMBUS_CORPUS ?? '/work/shared/corpus/wmbus-telegrams.json';

export interface CorpusEntry {
  telegram_hex: string;
  dll_crc_present: boolean;
  frame_format: 'A' | 'B' | null;
  telegram_hex_crc_stripped?: string;
  l_field_given?: number;
  l_field_matches_length: boolean | null;
  c_field: string;
  m_field_hex: string;
  manufacturer: string;
  dll_id: string;
  version: string;
  device_type: string;
  diehl_address_transform?: 'SWAPPING' | 'SAP_PRIOS';
  ci_field: string;
  ell?: { ci: string; cc: string; acc: string; sn_hex?: string; sn_enc_bits?: number } | null;
  afl?: { ci: string; fc: string; mcl: string; counter_hex: string; mac_hex: string } | null;
  tpl_ci: string | null;
  tpl_header: 'short' | 'long' | 'none' | 'mfct_specific_ci';
  tpl_long_address?: { manufacturer: string; id: string; version: string; device_type: string } | null;
  apl_0779_enhanced_id?: { manufacturer: string; id: string; version: string; device_type: string };
  tpl_acc?: string | null;
  tpl_sts?: string | null;
  tpl_cfg?: string | null;
  security_mode: number | null;
  payload_encrypted_in_corpus: boolean | null;
  expected_id: string;
  id_source: 'dll' | 'tpl' | 'apl_0779_enhanced_id_record';
}

export function loadCorpus(): CorpusEntry[] {
  return JSON.parse(readFileSync(CORPUS_PATH, 'utf8')) as CorpusEntry[];
}

export function bytes(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

export function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

/** CRC-free corpus frames whose L-field is the frame length minus one. */
export function storedFrames(corpus: CorpusEntry[]): Uint8Array[] {
  return corpus
    .filter((e) => !e.dll_crc_present && e.l_field_matches_length === true)
    .map((e) => bytes(e.telegram_hex));
}

/** The 352 corpus telegrams as the store keeps them: CRCs stripped. */
export function crcFreeCorpusFrames(): Uint8Array[] {
  return loadCorpus().map((e) => {
    const onAir = bytes(e.telegram_hex);
    if (!e.dll_crc_present) return onAir;
    const r = stripBlocks(onAir, e.frame_format!);
    if (!r.ok) throw new Error('corpus CRC frame does not verify');
    return r.frame;
  });
}
