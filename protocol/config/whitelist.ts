/**
 * The radio white list file (§4.2.2.1): `{ wlFilter: [ { id: <binary> }, … ], crc }`, each id the
 * 8 bytes M-field (2) + A-field (6) of a meter, at most 2000 of them. `wlFilter: null` erases the list.
 * The list replaces the previous one as a whole; an empty list means no white-list filtering.
 */
import { BSON_BINARY_GENERIC, BsonBinary, BsonDocument, BsonValue } from '../bson/types';
import { fail, trimmedEntries } from './check';
import { ConfigError } from './types';
import { bsonTypeOf, isDocument } from './values';
import { freezeTable } from '../freeze';

export const MAX_WHITELIST_IDS = 2000;
/** M-field 2 bytes + A-field 6 bytes (identification number 4, version 1, medium 1). */
export const WHITELIST_ID_LENGTH = 8;
/**
 * File name endings after `<uid>`. §4.2.2.1 names the file `<uid>-wFilter.bson` twice while the
 * §4.2.2 note says `<uid>-wlFilter.bson` (the key inside is `wlFilter`); the inbox accepts both and
 * the first is the project's name.
 */
export const WHITELIST_FILE_SUFFIXES: readonly string[] = freezeTable(['-wlFilter.bson', '-wFilter.bson']);

const LIST_KEY = 'wlFilter';
const ID_KEY = 'id';
const CRC_KEY = 'crc';

export type WhitelistResult = { ok: true; ids: Uint8Array[]; erased: boolean } | ConfigError;

/** Parses a decoded white-list file; any bad entry rejects the whole file. */
export function parseWhitelistFile(doc: BsonDocument): WhitelistResult {
  const top = trimmedEntries(doc, '');
  if (!top.ok) return top;
  let list: BsonValue | undefined;
  for (const [key, value] of top.entries) {
    if (key === LIST_KEY) list = value;
    else if (key !== CRC_KEY) return fail(key, 'unknown key (keys are case-sensitive, §4.2)');
  }
  if (list === undefined) return fail(LIST_KEY, 'missing');
  if (list === null) return { ok: true, ids: [], erased: true };
  if (!Array.isArray(list)) return fail(LIST_KEY, `expected array or null, got ${bsonTypeOf(list)}`);
  if (list.length > MAX_WHITELIST_IDS) return fail(LIST_KEY, `too many entries: ${list.length}, at most ${MAX_WHITELIST_IDS}`);
  const ids: Uint8Array[] = [];
  for (let i = 0; i < list.length; i++) {
    const field = `${LIST_KEY}[${i}]`;
    const entry = list[i];
    if (!isDocument(entry)) return fail(field, `expected document, got ${bsonTypeOf(entry)}`);
    const keys = trimmedEntries(entry, field);
    if (!keys.ok) return keys;
    let id: BsonValue | undefined;
    for (const [key, value] of keys.entries) {
      if (key === ID_KEY) id = value;
      else return fail(`${field}.${key}`, 'unknown key');
    }
    if (id === undefined) return fail(`${field}.${ID_KEY}`, 'missing');
    if (!(id instanceof BsonBinary)) return fail(`${field}.${ID_KEY}`, `expected binary, got ${bsonTypeOf(id)}`);
    if (id.bytes.length !== WHITELIST_ID_LENGTH) {
      return fail(`${field}.${ID_KEY}`, `${id.bytes.length} bytes, expected ${WHITELIST_ID_LENGTH} (M-field 2 + A-field 6)`);
    }
    ids.push(id.bytes.slice());
  }
  return { ok: true, ids, erased: false };
}

/** The file for a list of ids (empty list: the erase form `wlFilter: null`); the file codec adds `crc`. */
export function whitelistToDocument(ids: readonly Uint8Array[]): BsonDocument {
  const list: BsonValue = ids.length === 0 ? null : ids.map((id) => ({ [ID_KEY]: new BsonBinary(id.slice(), BSON_BINARY_GENERIC) }));
  return { [LIST_KEY]: list };
}
