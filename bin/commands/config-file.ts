import { readFileSync } from 'fs';
import { parseExtendedJson } from '../../protocol/bson/ejson';
import type { BsonDocument } from '../../protocol/bson/types';
import type { Config } from '../../protocol/config/types';
import { ENCRYPTED_SUFFIX, decodeFile } from '../../protocol/files/codec';
import { errorMessage, jsonText } from './input';

const JSON_SUFFIX = '.json';

export type LoadedFile = { ok: true; doc: BsonDocument } | { ok: false; field: string; reason: string } | { ok: 'unreadable'; error: string };

/** Reads a configuration-type file as the hub would: BSON through the file codec (CRC per `crcMode`, `.aes` with the key), or extended JSON. */
export function loadConfigTypeFile(path: string, current: Config, key: Uint8Array | undefined): LoadedFile {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch (e) {
    // Not something the device would ACK: the file never reached it.
    return { ok: 'unreadable', error: `cannot read ${path}: ${errorMessage(e)}` };
  }
  if (path.endsWith(JSON_SUFFIX)) {
    const text = jsonText(bytes, path);
    if (!text.ok) return { ok: false, field: 'json', reason: text.error };
    const parsed = parseExtendedJson(text.value);
    return parsed.ok ? { ok: true, doc: parsed.value } : { ok: false, field: 'json', reason: parsed.error };
  }
  const decoded = decodeFile(bytes, {
    encrypted: path.endsWith(ENCRYPTED_SUFFIX),
    key: key ?? current.security.key ?? undefined,
    crcMode: current.security.crcMode,
  });
  return decoded.ok ? { ok: true, doc: decoded.doc } : { ok: false, field: decoded.error, reason: decoded.detail };
}
