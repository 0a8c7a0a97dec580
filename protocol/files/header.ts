import type { BsonDocument } from '../bson/types';
import { utf8Length } from './bson-size';
import { CRC_FIELD } from './trailer';

/**
 * The fields every uploaded file starts with (§5.3–§5.8): hub `uid`, the `source` that triggered
 * the upload, and the creation time. The parameter tables write the time key as `ts` or `TS`; every
 * JSON example of the manual (data, alarm, ACK, supervision, log) writes `TS`, so files carry `TS`.
 */
export const TIMESTAMP_KEY = 'TS';

/** What triggered an upload; the manual names schedule, magnet, usb, ftp and alarm. */
export type FileSource = 'schedule' | 'magnet' | 'usb' | 'ftp' | 'mqtt' | 'alarm' | 'ble' | 'sms' | 'diag' | 'request';

export interface FileHeader {
  readonly uid: string;
  readonly source: FileSource;
  /** Seconds since 1970-01-01 UTC. */
  readonly timeSec: number;
}

const TYPE_BYTES = 1;
const KEY_TERMINATOR_BYTES = 1;
const INT32_BYTES = 4;

/**
 * The `crc` int32 element the file codec appends last (§5.1.1.4): type byte, key + NUL, 4 value
 * bytes. Counted by anything that budgets the size of a finished file.
 */
export const CRC_ELEMENT_BYTES = TYPE_BYTES + utf8Length(CRC_FIELD) + KEY_TERMINATOR_BYTES + INT32_BYTES;

const INT32_MAX = 0x7fffffff;

/**
 * A time in seconds as a BSON value: int32 while it fits (until 2038-01-19), int64 after, so a
 * timestamp never silently turns into a double.
 */
export function secondsValue(timeSec: number): number | bigint {
  const s = Math.floor(timeSec);
  return s > INT32_MAX ? BigInt(s) : s;
}

/** `{ uid, source, TS }` in that order; the builders spread it at the front of each file. */
export function headerFields(header: FileHeader): BsonDocument {
  return { uid: header.uid, source: header.source, [TIMESTAMP_KEY]: secondsValue(header.timeSec) };
}
