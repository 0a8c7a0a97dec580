import { BSON_BINARY_GENERIC, BsonBinary, BsonDocument } from '../bson/types';
import { bsonArrayElementSize, bsonDocumentSize } from './bson-size';
import { CRC_ELEMENT_BYTES, FileHeader, headerFields, secondsValue } from './header';

/** One received W-MBus frame as it goes into a data file (§5.3 `data[]` entry `{T, R, F}`). */
export interface DataRecord {
  /** `T`: receipt time, seconds since 1970-01-01 UTC. */
  readonly timeSec: number;
  /** `R`: RSSI level as recorded with the frame. */
  readonly rssi: number;
  /** `F`: the frame, header + payload without CRC. */
  readonly frame: Uint8Array;
}

/**
 * §5.3 table: `F` is binary "type 0x00"; the example beside it shows `$type: "80"`. The table is the
 * normative text, so frames go out as generic binary. Either subtype costs the same bytes.
 */
export const FRAME_BINARY_SUBTYPE = BSON_BINARY_GENERIC;

export function dataRecordDocument(record: DataRecord): BsonDocument {
  return { T: secondsValue(record.timeSec), R: record.rssi, F: new BsonBinary(record.frame, FRAME_BINARY_SUBTYPE) };
}

/** §5.3: `{ uid, source, TS, frameCount, data: [{T, R, F}…] }` (the codec appends `crc`). */
export function buildDataDocument(header: FileHeader, records: readonly DataRecord[]): BsonDocument {
  return { ...headerFields(header), frameCount: records.length, data: records.map(dataRecordDocument) };
}

/** Encoded size of the data file for `records`, `crc` element included. */
export function dataFileSize(header: FileHeader, records: readonly DataRecord[]): number {
  let size = emptyFileSize(header);
  for (let i = 0; i < records.length; i++) size += bsonArrayElementSize(i, dataRecordDocument(records[i]));
  return size;
}

function emptyFileSize(header: FileHeader): number {
  return bsonDocumentSize(buildDataDocument(header, [])) + CRC_ELEMENT_BYTES;
}

const AES_BLOCK_BYTES = 16;

/**
 * Largest plain file whose AES-128-CBC form (§4.2.1.2: fixed IV, nothing prepended) fits in
 * `cipherBytes`, counting a full padding block as PKCS#7 adds when the plain size is a multiple of
 * 16 (also an upper bound for zero padding).
 */
export function plainLimitForCipher(cipherBytes: number): number {
  return Math.floor(cipherBytes / AES_BLOCK_BYTES) * AES_BLOCK_BYTES - 1;
}

/** Records `[start, end)` that go into one file. */
export interface RecordRange {
  readonly start: number;
  readonly end: number;
}

export type SplitResult =
  | { readonly ok: true; readonly ranges: RecordRange[] }
  | { readonly ok: false; readonly error: string; readonly index: number };

export interface SplitOptions {
  /** The files will be AES-encrypted: the limit applies to the ciphertext. */
  readonly encrypted?: boolean;
}

/**
 * Cuts `records` (in order) into consecutive ranges whose data files each encode to at most
 * `maxFileBytes`. Sizes are summed per record, never by encoding. Fails, naming the record, only
 * when one record is too large for a file on its own. No records: no ranges.
 */
export function splitDataRecords(
  header: FileHeader,
  records: readonly DataRecord[],
  maxFileBytes: number,
  options: SplitOptions = {},
): SplitResult {
  const limit = options.encrypted === true ? plainLimitForCipher(maxFileBytes) : maxFileBytes;
  const base = emptyFileSize(header);
  const ranges: RecordRange[] = [];
  let start = 0;
  let size = base;
  for (let i = 0; i < records.length; i++) {
    const record = dataRecordDocument(records[i]);
    let element = bsonArrayElementSize(i - start, record);
    if (size + element > limit && i > start) {
      ranges.push({ start, end: i });
      start = i;
      size = base;
      element = bsonArrayElementSize(0, record);
    }
    if (size + element > limit) {
      return { ok: false, error: `record ${i} (${records[i].frame.length}-byte frame) does not fit in a ${maxFileBytes}-byte file`, index: i };
    }
    size += element;
  }
  if (start < records.length) ranges.push({ start, end: records.length });
  return { ok: true, ranges };
}
