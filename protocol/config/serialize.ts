/**
 * The configuration copy the hub uploads to /CONFIG as `<uid>-<timestamp>-config.bson` (§5.2). It has
 * the shape of an input file, so renamed to `<uid>-cfg.bson` it configures a hub again (§4.2); the
 * info-only fields it carries are skipped on input.
 */
import { BSON_BINARY_GENERIC, BSON_BINARY_USER, BsonBinary, BsonDocument, BsonValue } from '../bson/types';
import { CONFIG_SCHEMA, FieldSpec } from './schema';
import { Config, ConfigInfo } from './types';
import { getPath, setPath } from './values';

/**
 * `{ config: { version, timestamp, uid, sn, …every variable… } }`; like the other file builders it
 * leaves the `crc` trailer to the file codec (§5.1.1.4). Binary subtypes follow the manual's
 * examples: 0x80 for the AES key (§4.2.1.2), 0x00 for the filters (§4.2.2).
 */
export function configToDocument(config: Config, info: ConfigInfo): BsonDocument {
  const body: BsonDocument = {
    version: info.version,
    // Appendix 9.1 types the timestamp as text.
    timestamp: String(info.timestamp),
    uid: info.uid,
    sn: info.sn,
  };
  for (const spec of CONFIG_SCHEMA) setPath(body as Record<string, unknown>, spec.path, toBson(spec, getPath(config, spec.path)));
  return { config: body };
}

function toBson(spec: FieldSpec, value: unknown): BsonValue {
  switch (spec.check.kind) {
    case 'bytes':
      return value instanceof Uint8Array ? new BsonBinary(value.slice(), BSON_BINARY_USER) : null;
    case 'codes': {
      const codes = value as (Uint8Array | number)[];
      const size = spec.check.size;
      if (codes.length === 0) return null;
      const bytes = new Uint8Array(codes.length * size);
      codes.forEach((code, i) => bytes.set(typeof code === 'number' ? [code] : code, i * size));
      return new BsonBinary(bytes, BSON_BINARY_GENERIC);
    }
    case 'schedule':
      return (value as { cron: string; data?: number | number[] }[]).map((t) => {
        const entry: BsonDocument = { cron: t.cron };
        if (t.data !== undefined) entry.data = Array.isArray(t.data) ? [...t.data] : t.data;
        return entry;
      });
    default:
      return Array.isArray(value) ? [...(value as BsonValue[])] : (value as BsonValue);
  }
}
