import type { BsonDocument } from '../../protocol/bson/types';
import type { FileHeader } from '../../protocol/files/header';
import { buildLogDocument, LogRecord } from '../../protocol/files/log';
import { utf8Decode, utf8Encode } from '../../protocol/text/utf8';
import type { Clock } from '../../protocol/ports/clock';
import type { FileStore } from '../../drivers/files/types';
import { DEFAULT_LOG_LEVEL, EventDef, EventLevel, EventRecorder } from './events';

/**
 * The event log (§5.8) as a ring of segment files on the FileStore. Each event is written through
 * at once (the events worth keeping are the ones just before a crash), rewriting only the current
 * segment; a full segment starts the next one and, at the budget, the oldest segment is deleted
 * first. So the log never holds more than `maxSegments × segmentBytes ≤ budgetBytes`, each append
 * costs one segment write, and the FileStore's atomic writes mean a power cut loses at most the
 * event being written.
 *
 * Why the FileStore rather than a raw Flash region: the board's only raw partition belongs to the
 * frame store, and the FileStore already gives atomic replacement and wear levelling.
 *
 * Entry layout (little-endian): T u32 seconds, C u32 code, length u8, D UTF-8 (length bytes; 0 = no D).
 */

const ENTRY_HEADER_BYTES = 9;
const TIME_OFFSET = 0;
const CODE_OFFSET = 4;
const LENGTH_OFFSET = 8;
/** Longest `D` kept, in UTF-8 bytes; longer data is cut at a character boundary. */
export const MAX_EVENT_DATA_BYTES = 255;
export const MAX_ENTRY_BYTES = ENTRY_HEADER_BYTES + MAX_EVENT_DATA_BYTES;
const UTF8_CONTINUATION_MASK = 0xc0;
const UTF8_CONTINUATION = 0x80;
const MS_PER_SECOND = 1000;
const SEQUENCE_DIGITS = 10;

export const DEFAULT_LOG_BUDGET_BYTES = 16 * 1024;
export const DEFAULT_LOG_SEGMENT_BYTES = 1024;
export const DEFAULT_LOG_PREFIX = 'evlog-';

export interface EventLogOptions {
  /** Total bytes the log's segments may hold. */
  readonly budgetBytes?: number;
  /** Bytes per segment file; at least MAX_ENTRY_BYTES and at most half the budget. */
  readonly segmentBytes?: number;
  /** FileStore name prefix of the segments. */
  readonly prefix?: string;
  readonly level?: EventLevel;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** UTF-8 of `text`, cut back to a character boundary so it is at most `max` bytes. */
function truncatedUtf8(text: string, max: number): Uint8Array {
  const bytes = utf8Encode(text);
  if (bytes.length <= max) return bytes;
  let end = max;
  while (end > 0 && (bytes[end] & UTF8_CONTINUATION_MASK) === UTF8_CONTINUATION) end--;
  return bytes.slice(0, end);
}

function encodeEntry(timeSec: number, code: number, data: string | undefined): Uint8Array {
  const d = data === undefined ? new Uint8Array(0) : truncatedUtf8(data, MAX_EVENT_DATA_BYTES);
  const out = new Uint8Array(ENTRY_HEADER_BYTES + d.length);
  const view = new DataView(out.buffer);
  view.setUint32(TIME_OFFSET, timeSec >>> 0, true);
  view.setUint32(CODE_OFFSET, code >>> 0, true);
  out[LENGTH_OFFSET] = d.length;
  out.set(d, ENTRY_HEADER_BYTES);
  return out;
}

export class EventLog implements EventRecorder {
  readonly budgetBytes: number;
  readonly segmentBytes: number;
  readonly maxSegments: number;
  private readonly prefix: string;
  private levelValue: EventLevel;
  /** Segment sequence numbers on the store, oldest first. */
  private segments: number[] = [];
  /** Contents of the newest segment, kept to append without reading it back. */
  private current: Uint8Array = new Uint8Array(0);
  private writeFailures = 0;
  private damaged = 0;

  /** Throws RangeError for a budget or segment size that cannot hold a ring of two segments. */
  constructor(private readonly files: FileStore, private readonly clock: Clock, options: EventLogOptions = {}) {
    this.budgetBytes = options.budgetBytes ?? DEFAULT_LOG_BUDGET_BYTES;
    this.segmentBytes = options.segmentBytes ?? DEFAULT_LOG_SEGMENT_BYTES;
    this.prefix = options.prefix ?? DEFAULT_LOG_PREFIX;
    this.levelValue = options.level ?? DEFAULT_LOG_LEVEL;
    this.maxSegments = Math.floor(this.budgetBytes / this.segmentBytes);
    if (this.segmentBytes < MAX_ENTRY_BYTES) throw new RangeError(`log segment must hold ${MAX_ENTRY_BYTES} bytes`);
    if (this.maxSegments < 2) throw new RangeError('log budget must hold at least two segments');
    this.load();
  }

  /** §4.2.1 `logLevel`: 0 error … 3 debug. */
  get level(): EventLevel {
    return this.levelValue;
  }

  set level(level: EventLevel) {
    this.levelValue = level;
  }

  /** Segment writes the FileStore refused (the event was dropped). */
  get failedWrites(): number {
    return this.writeFailures;
  }

  /** Segment reads that met a truncated entry (the events before it are still returned). */
  get damagedReads(): number {
    return this.damaged;
  }

  record(event: EventDef, data?: string): boolean {
    if (event.level > this.levelValue) return false;
    const entry = encodeEntry(Math.floor(this.clock.now() / MS_PER_SECOND), event.code, data);
    const appendable = this.segments.length > 0 && this.current.length + entry.length <= this.segmentBytes;
    try {
      if (appendable) {
        const next = concat(this.current, entry);
        this.files.write(this.segmentName(this.segments[this.segments.length - 1]), next);
        this.current = next;
      } else {
        const seq = this.segments.length > 0 ? this.segments[this.segments.length - 1] + 1 : 1;
        // Delete before writing so the ring stays within budget at every instant.
        while (this.segments.length >= this.maxSegments) this.files.delete(this.segmentName(this.segments.shift() as number));
        this.files.write(this.segmentName(seq), entry);
        this.segments.push(seq);
        this.current = entry;
      }
      return true;
    } catch {
      this.writeFailures++;
      return false;
    }
  }

  /** All kept events, oldest first. */
  entries(): LogRecord[] {
    const out: LogRecord[] = [];
    for (const seq of this.segments) {
      const bytes = this.files.read(this.segmentName(seq));
      if (bytes !== undefined) this.decodeSegment(bytes, out);
    }
    return out;
  }

  /** Bytes the segments occupy now. */
  bytesUsed(): number {
    let n = 0;
    for (const seq of this.segments) n += this.files.read(this.segmentName(seq))?.length ?? 0;
    return n;
  }

  /** §5.6.8 `logGet`: the log file (§5.8) with every kept event. */
  logGet(header: FileHeader): BsonDocument {
    return buildLogDocument(header, this.entries());
  }

  /** §5.6.9 `logClean`: erases every event. */
  logClean(): void {
    for (const seq of this.segments) this.files.delete(this.segmentName(seq));
    this.segments = [];
    this.current = new Uint8Array(0);
  }

  private segmentName(seq: number): string {
    return this.prefix + String(seq).padStart(SEQUENCE_DIGITS, '0');
  }

  private load(): void {
    const pattern = /^[0-9]+$/;
    for (const name of this.files.list(this.prefix)) {
      const digits = name.slice(this.prefix.length);
      if (pattern.test(digits)) this.segments.push(Number(digits));
    }
    this.segments.sort((a, b) => a - b);
    // A smaller budget than the one the log was written with: drop the oldest now.
    while (this.segments.length > this.maxSegments) this.files.delete(this.segmentName(this.segments.shift() as number));
    if (this.segments.length > 0) {
      this.current = this.files.read(this.segmentName(this.segments[this.segments.length - 1])) ?? new Uint8Array(0);
    }
  }

  private decodeSegment(bytes: Uint8Array, out: LogRecord[]): void {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let pos = 0;
    while (pos < bytes.length) {
      if (pos + ENTRY_HEADER_BYTES > bytes.length) break;
      const length = bytes[pos + LENGTH_OFFSET];
      const end = pos + ENTRY_HEADER_BYTES + length;
      if (end > bytes.length) break;
      const record: LogRecord = {
        timeSec: view.getUint32(pos + TIME_OFFSET, true),
        code: view.getUint32(pos + CODE_OFFSET, true),
        ...(length > 0 ? { data: utf8Decode(bytes, pos + ENTRY_HEADER_BYTES, end) } : {}),
      };
      out.push(record);
      pos = end;
    }
    if (pos < bytes.length) this.damaged++;
  }
}
