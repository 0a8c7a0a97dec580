/**
 * One received W-MBus frame as the data file carries it (seed manual §5.3, data table):
 * `T` receipt time, `R` RSSI, `F` the frame (header + payload, DLL CRCs removed).
 */
export interface FrameRecord {
  /** `T`: receipt time, UTC seconds since 1970 (uint32). Passed in by the caller; the store reads no clock. */
  readonly time: number;
  /** `R`: RSSI in dBm, int8 (−128…127). */
  readonly rssi: number;
  /** `F`: the frame, 1–255 bytes. */
  readonly frame: Uint8Array;
}

/** A record read back from flash. `serial` numbers every frame ever appended, in order. */
export interface StoredFrame extends FrameRecord {
  readonly serial: number;
}

/**
 * Upload position: the serial of the first record not yet uploaded. Opaque to callers: take it
 * from `pending()`, hand it back to `commitUpload()` once the server has the records.
 */
export type UploadCursor = number;

export interface PendingBatch {
  /** Oldest not-yet-uploaded records, in append order. */
  readonly records: StoredFrame[];
  /** Cursor just past the last record of `records` (unchanged cursor when `records` is empty). */
  readonly cursor: UploadCursor;
}

export interface FrameStoreStats {
  /** Records held (uploaded or not). */
  readonly records: number;
  /** Records not yet uploaded. */
  readonly pendingRecords: number;
  /** Flash bytes taken by live sectors (a closed sector counts whole, the head up to its write point). */
  readonly bytesUsed: number;
  /** Flash bytes usable for live data: the partition less the one sector always kept erased. */
  readonly capacityBytes: number;
  /** Records dropped to make room, lifetime (persisted at each sector switch). */
  readonly overwritten: number;
  /** Of `overwritten`, the records dropped before they were uploaded. */
  readonly overwrittenPending: number;
  /** Half-written records found at `open` (a power cut during an append or commit). */
  readonly recoveredTornRecords: number;
}

/** The oldest sector's records were dropped to make room (reported before its erase). */
export interface OverwriteEvent {
  /** Partition sector index that was dropped. */
  readonly sector: number;
  /** Serial of the first record dropped. */
  readonly firstSerial: number;
  /** Records dropped. */
  readonly records: number;
  /** Of `records`, those not uploaded yet: data lost for the server. */
  readonly pendingRecords: number;
}

/** CRC-16/CCITT-FALSE of `bytes[start, end)`: the record check (protocol/checksum/crc16-ccitt.ts). */
export type RecordCrc = (bytes: Uint8Array, start: number, end: number) => number;

export interface FrameStoreOptions {
  /** Called once per dropped sector so the caller can write it to the log. */
  readonly onOverwrite?: (event: OverwriteEvent) => void;
  /** The record CRC in native code where the board has it; the portable one otherwise. */
  readonly recordCrc?: RecordCrc;
}

/** Where the ring stands; for diagnostics and tests. */
export interface FrameStoreLayout {
  readonly sectorCount: number;
  readonly sectorSize: number;
  /** Sector being written, −1 before the first record. */
  readonly head: number;
  /** Oldest live sector, −1 when nothing is stored. */
  readonly tail: number;
  /** Sectors after the head already erased and verified blank: room that needs no erase. */
  readonly erasedAhead: number;
  /** Sequence number the next sector will get. */
  readonly nextSequence: number;
  /** Serial the next appended frame will get. */
  readonly nextSerial: number;
}

/**
 * Circular store of received frames on a raw flash partition. Appends and the upload cursor
 * survive a power cut at any instant; see docs/frame-store.md.
 */
export interface FrameLog {
  /** Stores one frame. Throws RangeError for a record outside the field ranges above. */
  append(record: FrameRecord): void;
  /** Up to `max` oldest not-yet-uploaded records and the cursor to commit once they are delivered. */
  pending(max: number): PendingBatch;
  /**
   * Marks every record before `cursor` uploaded and persists that. A cursor at or behind the
   * current one changes nothing (true); one past the newest record is refused (false).
   */
  commitUpload(cursor: UploadCursor): boolean;
  stats(): FrameStoreStats;
  /**
   * Erases ahead (dropping the oldest records, reported through `onOverwrite`) until `bytes` of
   * records can be appended without any erase: call before a listening window. Returns the
   * number of sector erases done.
   */
  prepare(bytes: number): number;
  /** Factory reset: every record and the counters go; survives a power cut midway. */
  erase(): void;
  /**
   * Every stored record from `fromSerial` (default: the oldest) to the newest, read from flash one
   * sector at a time. Appending while iterating is allowed; the iteration stops at a sector the
   * ring dropped in between.
   */
  records(fromSerial?: number): IterableIterator<StoredFrame>;
  layout(): FrameStoreLayout;
}
