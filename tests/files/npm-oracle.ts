/** Our BSON value model converted to what the npm `bson` package serialises the same way. */
import { Binary, Double, Long } from 'bson';
import { BsonBinary, BsonDocument, BsonDouble, BsonValue } from '../../protocol/bson/types';

export function toNpm(value: BsonValue): unknown {
  if (typeof value === 'bigint') return Long.fromBigInt(value);
  if (value instanceof BsonBinary) return new Binary(value.bytes, value.subtype);
  if (value instanceof BsonDouble) return new Double(value.value);
  if (Array.isArray(value)) return value.map(toNpm);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) out[key] = toNpm((value as BsonDocument)[key]);
    return out;
  }
  return value;
}

export function toNpmDocument(doc: BsonDocument): Record<string, unknown> {
  return toNpm(doc) as Record<string, unknown>;
}
