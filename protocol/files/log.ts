import type { BsonDocument } from '../bson/types';
import { FileHeader, headerFields, secondsValue } from './header';

/** One event of the log (§5.8 `log[]` entry). */
export interface LogRecord {
  /** `T`: seconds since 1970-01-01 UTC. */
  readonly timeSec: number;
  /** `C`: event code (tasks/log/events.ts). */
  readonly code: number;
  /** `D`: optional event data. */
  readonly data?: string;
}

export function logRecordDocument(record: LogRecord): BsonDocument {
  const doc: BsonDocument = { T: secondsValue(record.timeSec), C: record.code };
  if (record.data !== undefined) doc.D = record.data;
  return doc;
}

/** §5.8: `{ uid, source, TS, log: [{T, C, D}…] }` (the codec appends `crc`). */
export function buildLogDocument(header: FileHeader, records: readonly LogRecord[]): BsonDocument {
  return { ...headerFields(header), log: records.map(logRecordDocument) };
}
