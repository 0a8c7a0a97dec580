/** Helpers shared by the configuration suites (not a suite itself). */
import { parseExtendedJson } from '../../protocol/bson/ejson';
import { BsonDocument, BsonValue } from '../../protocol/bson/types';
import { applyConfigFile } from '../../protocol/config/apply';
import { defaultConfig } from '../../protocol/config/defaults';
import { Config } from '../../protocol/config/types';

/** A file written in the manual's extended JSON notation. */
export function ejson(text: string): BsonDocument {
  const parsed = parseExtendedJson(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

/** `{ config: { a: { b: value } }, crc: 0 }` for the path `a.b`. */
export function fileWith(path: string, value: BsonValue): BsonDocument {
  const keys = path.split('.');
  let node: BsonValue = value;
  for (let i = keys.length - 1; i >= 0; i--) node = { [keys[i]]: node };
  return { config: node, crc: 0 };
}

export function accepted(doc: BsonDocument, current: Config = defaultConfig()): { config: Config; changed: string[] } {
  const r = applyConfigFile(current, doc);
  if (!r.ok) throw new Error(`rejected: ${r.field}: ${r.reason}`);
  return r;
}

export function rejected(doc: BsonDocument, current: Config = defaultConfig()): { field: string; reason: string } {
  const r = applyConfigFile(current, doc);
  if (r.ok) throw new Error(`accepted, changed ${r.changed.join(', ')}`);
  return r;
}

export function bytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.split(/\s+/).filter((h) => h !== '').map((h) => parseInt(h, 16)));
}

/** Recursively freezes a configuration so that any write to it throws in strict mode. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !(value instanceof Uint8Array)) {
    for (const v of Object.values(value as object)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
