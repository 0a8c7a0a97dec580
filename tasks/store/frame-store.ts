/**
 * Circular, log-structured store of received W-MBus frames on a raw NOR partition
 * (seed manual §3.1.2.1: frames recorded during listening windows; §5.3: each kept as T, R, F until
 * the modem task uploads it). Full description: docs/frame-store.md.
 *
 * On-flash format (all integers little-endian):
 *
 *   Sector = 32-byte header + records packed from offset 32. Sectors are used in index order,
 *   wrapping; every sector opened gets the next sequence number, so along the ring the sequence
 *   grows by one per sector and the head is the valid header with the largest sequence.
 *
 *   Header   0 magic "WMF1"   4 seq   8 firstSerial (serial of its first frame)
 *           12 validFrom (oldest live seq when written)   16 upload cursor (serial)
 *           20 overwritten   24 overwrittenPending (lifetime counters)   28 CRC-32 of bytes 0–27
 *   Frame    0 commit   1 'F'   2 n   3 T (u32)   7 R (i8)   8 F (n bytes)   8+n CRC-16 of bytes 1…7+n
 *   Cursor   0 commit   1 'C'   2 serial (u32)   6 CRC-16 of bytes 1–5
 *
 * Write rules that make a power cut at any instant harmless (NOR: program only clears bits):
 * - A record is programmed without its first byte, then that byte is programmed 0xFF → 0x00 on
 *   its own: the commit marker sits at a fixed place that a torn length cannot move.
 * - A sector is used only once it is known blank: erased by this boot, or read back all 0xFF
 *   (a torn erase can leave a blank header over a dirty body).
 * - A live sector is dropped by zeroing its header (it stops being valid at once) and only then
 *   erased; a torn erase can therefore never resurrect it.
 * - Before a sector is opened the one after it is erased too, so there is always an erased
 *   sector ahead of the head and a listening window meets at most one erase per sector filled
 *   (none at all after `prepare`).
 * - The upload cursor is a cursor record in the head sector, and is copied into each new header,
 *   so boot finds it in the head sector alone.
 *
 * Boot reads every sector header (32 bytes each) and the head sector: the live ring is the run of
 * valid headers walking back from the head with consecutive sequence numbers down to validFrom.
 * In the head, records are parsed up to the first one that does not check; if anything but 0xFF
 * follows, a write was torn there and the head is closed (the next record opens a new sector).
 *
 * Not XS-specific beyond typed arrays and DataView; no clock, no Node. A PowerCutError (or any
 * flash error) escaping a method leaves this object unusable: reopen, as the device would on boot.
 */
import type { Flash } from '../../drivers/flash/types';
import { crc16Ccitt } from '../../protocol/checksum/crc16-ccitt';
import { crc32 } from '../../protocol/files/crc32';
import type {
  FrameLog,
  FrameRecord,
  FrameStoreLayout,
  FrameStoreOptions,
  FrameStoreStats,
  OverwriteEvent,
  RecordCrc,
  PendingBatch,
  StoredFrame,
  UploadCursor,
} from './types';

/** "WMF1" read as a little-endian u32; the last character is the format version. */
const SECTOR_MAGIC = 0x31464d57;
export const HEADER_SIZE = 32;
const HEADER_CRC_OFFSET = 28;

const COMMITTED = 0x00;
const BLANK = 0xff;
const KIND_FRAME = 0x46;
const KIND_CURSOR = 0x43;

/** commit, kind, n, T(4), R, then F, then CRC-16. */
const FRAME_PREFIX = 8;
/**
 * Offsets in a record's body: the record without its commit byte, which is programmed on its
 * own. Kind, n, T, R, then F from BODY_PREFIX, then the CRC-16.
 */
const BODY_LENGTH = 1;
const BODY_TIME = 2;
const BODY_RSSI = 6;
const BODY_PREFIX = FRAME_PREFIX - 1;
const CRC16_SIZE = 2;
/** Cursor record less its commit byte: kind, serial (4), CRC-16. */
const CURSOR_BODY_SIZE = 7;
/** An int32 read of four erased bytes. */
const ERASED_WORD = -1;
/** Flash bytes a frame record takes on top of the frame itself. */
export const FRAME_RECORD_OVERHEAD = FRAME_PREFIX + CRC16_SIZE;
const CURSOR_RECORD_SIZE = 8;

const MAX_FRAME = 255;
const MAX_U32 = 0xffffffff;
const MIN_SECTORS = 3;
const MIN_SECTOR_SIZE = HEADER_SIZE + FRAME_RECORD_OVERHEAD + MAX_FRAME;

/** What the store knows about a sector (values of `FrameStore.state`). */
/** Erased by this boot or read back all 0xFF: ready to be opened. */
const SECTOR_ERASED = 0;
/** Header blank, body not checked since boot. */
const SECTOR_UNKNOWN = 1;
/** Anything else that is not live: stale, killed, torn. Needs an erase. */
const SECTOR_DIRTY = 2;
/** Holds records of the ring. */
const SECTOR_LIVE = 3;

interface Header {
  seq: number;
  firstSerial: number;
  validFrom: number;
  cursor: number;
  overwritten: number;
  overwrittenPending: number;
}

type HeaderRead = { kind: 'blank' } | { kind: 'garbage' } | { kind: 'valid'; header: Header };

export class FrameStore implements FrameLog {
  private readonly sectorCount: number;
  private readonly sectorSize: number;
  private readonly state: Uint8Array;
  private readonly seqOf: Uint32Array;
  private readonly firstSerialOf: Uint32Array;
  private readonly onOverwrite: ((event: OverwriteEvent) => void) | undefined;
  private head = -1;
  /** Flash offset of the head sector. */
  private headStart = 0;
  private tail = -1;
  /**
   * Offset in the head sector where the next record goes; sectorSize once the head is closed, and
   * before the first sector is opened.
   */
  private writeOffset: number;
  private nextSeq = 0;
  private nextSerial = 0;
  /** Persisted cursor; the effective one is clamped to the records still held. */
  private cursor = 0;
  private overwritten = 0;
  private overwrittenPending = 0;
  private recoveredTorn = 0;
  /**
   * The frame record being written, from its kind byte on (the commit byte is programmed on its
   * own, last). It starts its own buffer, so the ESP32 flash driver hands it to the flash module
   * without a copy. Its kind byte never changes.
   */
  private readonly body = new Uint8Array(FRAME_RECORD_OVERHEAD - 1 + MAX_FRAME);
  /** The body's multi-byte fields: one native call each instead of a store per byte. */
  private readonly bodyView = new DataView(this.body.buffer);
  private readonly commitByte = Uint8Array.of(COMMITTED);
  private readonly recordCrc: RecordCrc;

  private constructor(private readonly flash: Flash, options: FrameStoreOptions) {
    this.sectorSize = flash.sectorSize;
    this.sectorCount = Math.floor(flash.size / flash.sectorSize);
    this.writeOffset = this.sectorSize;
    this.body[0] = KIND_FRAME;
    if (this.sectorSize < MIN_SECTOR_SIZE || this.sectorCount < MIN_SECTORS) {
      throw new RangeError(`frame store needs ${MIN_SECTORS} sectors of at least ${MIN_SECTOR_SIZE} bytes`);
    }
    this.state = new Uint8Array(this.sectorCount);
    this.seqOf = new Uint32Array(this.sectorCount);
    this.firstSerialOf = new Uint32Array(this.sectorCount);
    this.onOverwrite = options.onOverwrite;
    this.recordCrc = options.recordCrc ?? crc16Ccitt;
  }

  /** Mounts the store on `flash`, recovering from whatever a power cut left. */
  static open(flash: Flash, options: FrameStoreOptions = {}): FrameStore {
    const store = new FrameStore(flash, options);
    store.recover();
    return store;
  }

  append(record: FrameRecord): void {
    // Runs once per recorded frame inside a listening window: no helper calls and no allocation
    // but the view handed to the flash (docs/benchmarks.md, receive path).
    const frame = record.frame;
    const time = record.time;
    const rssi = record.rssi;
    const n = frame.length;
    if (n < 1 || n > MAX_FRAME) throw new RangeError('frame length must be 1..255');
    // `>>> 0` and `<< 24 >> 24` give back the same number exactly for integers in uint32 and int8.
    if (time >>> 0 !== time) throw new RangeError('time must be uint32 seconds');
    if ((rssi << 24) >> 24 !== rssi) throw new RangeError('rssi must be int8 dBm');
    const b = this.body;
    const v = this.bodyView;
    b[BODY_LENGTH] = n;
    v.setUint32(BODY_TIME, time, true);
    // A Uint8Array store keeps the low 8 bits: the int8's two's complement.
    b[BODY_RSSI] = rssi;
    b.set(frame, BODY_PREFIX);
    const end = BODY_PREFIX + n;
    v.setUint16(end, this.recordCrc(b, 0, end), true);
    // `writeRecord`, inline: the body after the commit byte's place, then the commit byte alone.
    const size = FRAME_RECORD_OVERHEAD + n;
    if (this.writeOffset + size > this.sectorSize) this.openNextSector(false);
    const at = this.headStart + this.writeOffset;
    this.flash.program(at + 1, b.subarray(0, size - 1));
    this.flash.program(at, this.commitByte);
    this.writeOffset += size;
    this.nextSerial++;
  }

  pending(max: number): PendingBatch {
    const start = this.effectiveCursor();
    const records: StoredFrame[] = [];
    if (max >= 1) {
      for (const rec of this.records(start)) {
        records.push(rec);
        if (records.length >= max) break;
      }
    }
    const last = records[records.length - 1];
    return { records, cursor: last === undefined ? start : last.serial + 1 };
  }

  commitUpload(cursor: UploadCursor): boolean {
    if (!Number.isInteger(cursor) || cursor > this.nextSerial) return false;
    if (cursor <= this.cursor) return true;
    // Once per upload, so made here rather than kept on the heap: the cursor record from its kind byte on.
    const b = new Uint8Array(CURSOR_BODY_SIZE);
    const v = new DataView(b.buffer);
    b[0] = KIND_CURSOR;
    v.setUint32(1, cursor, true);
    v.setUint16(CURSOR_BODY_SIZE - CRC16_SIZE, this.recordCrc(b, 0, CURSOR_BODY_SIZE - CRC16_SIZE), true);
    if (this.head >= 0 && this.writeOffset + CURSOR_RECORD_SIZE <= this.sectorSize) {
      this.writeRecord(b);
      this.cursor = cursor;
    } else {
      // No room in the head: the header of the next sector carries the cursor.
      this.cursor = cursor;
      this.openNextSector(false);
    }
    return true;
  }

  stats(): FrameStoreStats {
    const tailSerial = this.tailSerial();
    const live = this.liveSectors();
    const headBytes = this.head >= 0 ? this.writeOffset : 0;
    return {
      records: this.nextSerial - tailSerial,
      pendingRecords: this.nextSerial - this.effectiveCursor(),
      bytesUsed: live > 0 ? (live - 1) * this.sectorSize + headBytes : 0,
      capacityBytes: (this.sectorCount - 1) * this.sectorSize,
      overwritten: this.overwritten,
      overwrittenPending: this.overwrittenPending,
      recoveredTornRecords: this.recoveredTorn,
    };
  }

  prepare(bytes: number): number {
    let erases = 0;
    let room = this.head >= 0 ? this.sectorSize - this.writeOffset : 0;
    let i = this.head >= 0 ? this.following(this.head) : 0;
    for (let k = 0; k < this.sectorCount && room < bytes; k++, i = this.following(i)) {
      if (i === this.head) break;
      if (this.state[i] !== SECTOR_ERASED && this.makeErased(i, true)) erases++;
      room += this.sectorSize - HEADER_SIZE;
    }
    return erases;
  }

  erase(): void {
    this.overwritten = 0;
    this.overwrittenPending = 0;
    this.recoveredTorn = 0;
    this.cursor = this.nextSerial;
    if (this.head >= 0) {
      // A header whose validFrom is its own sequence retires every older sector at once; the
      // erases below are then only housekeeping that a power cut may interrupt.
      this.openNextSector(true);
    }
    for (let i = 0; i < this.sectorCount; i++) {
      if (i === this.head || this.state[i] === SECTOR_ERASED) continue;
      this.flash.eraseSector(i);
      this.state[i] = SECTOR_ERASED;
    }
    this.tail = this.head;
  }

  *records(fromSerial?: number): IterableIterator<StoredFrame> {
    if (this.tail < 0) return;
    const from = Math.max(fromSerial ?? 0, this.tailSerial());
    if (from >= this.nextSerial) return;
    let s = this.tail;
    while (s !== this.head && this.firstSerialOf[this.following(s)] <= from) s = this.following(s);
    let seq = this.seqOf[s];
    for (;;) {
      let serial = this.firstSerialOf[s];
      let p = HEADER_SIZE;
      // Re-reads after yielding: appends in between may have extended the head sector, or
      // dropped or reused this sector (then the iteration ends).
      for (;;) {
        if (this.state[s] !== SECTOR_LIVE || this.seqOf[s] !== seq) return;
        const end = s === this.head ? this.writeOffset : this.sectorSize;
        if (p >= end) break;
        const data = this.flash.read(s * this.sectorSize + p, end - p);
        let q = 0;
        for (let parsed = parseRecord(data, 0, this.recordCrc); parsed !== undefined; parsed = parseRecord(data, q, this.recordCrc)) {
          if (parsed.kind === KIND_FRAME) {
            if (serial >= from) {
              yield {
                serial,
                time: getU32(data, q + 3),
                rssi: (data[q + 7] << 24) >> 24,
                frame: data.slice(q + FRAME_PREFIX, q + FRAME_PREFIX + data[q + 2]),
              };
            }
            serial++;
          }
          q += parsed.size;
        }
        p += q;
        // A closed sector ends at its first record that does not check (the rest is blank or torn).
        if (q < data.length) break;
      }
      if (s === this.head) return;
      s = this.following(s);
      seq++;
    }
  }

  layout(): FrameStoreLayout {
    let erasedAhead = 0;
    for (let i = this.following(this.head < 0 ? this.sectorCount - 1 : this.head); erasedAhead < this.sectorCount; i = this.following(i)) {
      if (i === this.head || this.state[i] !== SECTOR_ERASED) break;
      erasedAhead++;
    }
    return {
      sectorCount: this.sectorCount,
      sectorSize: this.sectorSize,
      head: this.head,
      tail: this.tail,
      erasedAhead,
      nextSequence: this.nextSeq,
      nextSerial: this.nextSerial,
    };
  }

  private recover(): void {
    const n = this.sectorCount;
    const headers: HeaderRead[] = [];
    let head = -1;
    for (let i = 0; i < n; i++) {
      const h = readHeader(this.flash.read(i * this.sectorSize, HEADER_SIZE));
      headers.push(h);
      if (h.kind === 'valid' && (head < 0 || h.header.seq > this.seqOf[head])) head = i;
      if (h.kind === 'valid') this.seqOf[i] = h.header.seq;
      this.state[i] = h.kind === 'blank' ? SECTOR_UNKNOWN : SECTOR_DIRTY;
    }
    if (head < 0) return;

    const top = (headers[head] as { header: Header }).header;
    // The live ring: walking back from the head, one sequence number less per sector.
    let lastSerial = top.firstSerial;
    for (let k = 0; k < n; k++) {
      const i = (head - k + n) % n;
      const h = headers[i];
      if (h.kind !== 'valid') break;
      const { seq, firstSerial } = h.header;
      if (seq !== top.seq - k || seq < Math.min(top.validFrom, top.seq) || firstSerial > lastSerial) break;
      this.state[i] = SECTOR_LIVE;
      this.firstSerialOf[i] = firstSerial;
      this.tail = i;
      lastSerial = firstSerial;
    }
    this.head = head;
    this.headStart = head * this.sectorSize;
    this.nextSeq = top.seq + 1;
    this.cursor = top.cursor;
    this.overwritten = top.overwritten;
    this.overwrittenPending = top.overwrittenPending;

    const data = this.flash.read(head * this.sectorSize + HEADER_SIZE, this.sectorSize - HEADER_SIZE);
    let frames = 0;
    let p = 0;
    for (;;) {
      const parsed = parseRecord(data, p, this.recordCrc);
      if (parsed === undefined) break;
      if (parsed.kind === KIND_FRAME) frames++;
      else this.cursor = Math.max(this.cursor, getU32(data, p + 2));
      p += parsed.size;
    }
    if (isBlank(data, p, data.length)) {
      this.writeOffset = HEADER_SIZE + p;
    } else {
      this.writeOffset = this.sectorSize;
      this.recoveredTorn = 1;
    }
    this.nextSerial = top.firstSerial + frames;
    this.cursor = Math.min(this.cursor, this.nextSerial);
  }

  /**
   * Programs a record at the head (opening a sector if it does not fit): `body` (the record from
   * its kind byte on) after the commit byte's place, then the commit byte on its own.
   */
  private writeRecord(body: Uint8Array): void {
    const size = body.length + 1;
    // With no head, writeOffset is sectorSize: this test alone opens the first sector too.
    if (this.writeOffset + size > this.sectorSize) this.openNextSector(false);
    const at = this.headStart + this.writeOffset;
    this.flash.program(at + 1, body);
    this.flash.program(at, this.commitByte);
    this.writeOffset += size;
  }

  /**
   * Opens the sector after the head, erasing it and the one after it first (so the next switch
   * finds an erased sector). `wipe` opens it as the only live sector (factory reset).
   */
  private openNextSector(wipe: boolean): void {
    const next = this.head < 0 ? 0 : this.following(this.head);
    this.makeErased(next, !wipe);
    if (!wipe) this.makeErased(this.following(next), true);
    const seq = this.nextSeq;
    const header: Header = {
      seq,
      firstSerial: this.nextSerial,
      validFrom: wipe || this.tail < 0 ? seq : this.seqOf[this.tail],
      cursor: this.effectiveCursor(),
      overwritten: this.overwritten,
      overwrittenPending: this.overwrittenPending,
    };
    this.flash.program(next * this.sectorSize, encodeHeader(header));
    if (wipe) {
      for (let i = 0; i < this.sectorCount; i++) if (this.state[i] === SECTOR_LIVE) this.state[i] = SECTOR_DIRTY;
    }
    this.state[next] = SECTOR_LIVE;
    this.seqOf[next] = seq;
    this.firstSerialOf[next] = this.nextSerial;
    this.head = next;
    this.headStart = next * this.sectorSize;
    if (wipe || this.tail < 0) this.tail = next;
    this.writeOffset = HEADER_SIZE;
    this.nextSeq = seq + 1;
  }

  /** Makes sector `i` ready to open. Returns true when that took an erase. */
  private makeErased(i: number, count: boolean): boolean {
    const st = this.state[i];
    if (st === SECTOR_ERASED) return false;
    if (st === SECTOR_UNKNOWN) {
      if (isBlankSector(this.flash.read(i * this.sectorSize, this.sectorSize))) {
        this.state[i] = SECTOR_ERASED;
        return false;
      }
    } else if (st === SECTOR_LIVE) {
      this.dropTail(i, count);
    }
    this.flash.eraseSector(i);
    this.state[i] = SECTOR_ERASED;
    return true;
  }

  /** Retires the oldest live sector `i`: its header is zeroed, then it may be erased. */
  private dropTail(i: number, count: boolean): void {
    // Live sectors form one run from tail to head, and the ring is walked forward from the head.
    if (i !== this.tail || i === this.head) throw new Error(`frame store: sector ${i} is not a droppable tail`);
    const next = this.following(i);
    const first = this.firstSerialOf[i];
    const end = this.firstSerialOf[next];
    const pendingLost = Math.max(0, end - Math.max(this.cursor, first));
    this.flash.program(i * this.sectorSize, new Uint8Array(HEADER_SIZE));
    this.state[i] = SECTOR_DIRTY;
    this.tail = next;
    if (!count) return;
    this.overwritten += end - first;
    this.overwrittenPending += pendingLost;
    if (this.onOverwrite !== undefined) {
      this.onOverwrite({ sector: i, firstSerial: first, records: end - first, pendingRecords: pendingLost });
    }
  }

  private following(i: number): number {
    return i + 1 === this.sectorCount ? 0 : i + 1;
  }

  private tailSerial(): number {
    return this.tail < 0 ? this.nextSerial : this.firstSerialOf[this.tail];
  }

  private effectiveCursor(): number {
    return Math.min(this.nextSerial, Math.max(this.cursor, this.tailSerial()));
  }

  private liveSectors(): number {
    if (this.tail < 0) return 0;
    return ((this.head - this.tail + this.sectorCount) % this.sectorCount) + 1;
  }
}

// A generator method gets its own prototype object (for its generators), which xsl does not
// freeze with the class: left mutable it would be copied into RAM at boot.
Object.freeze(FrameStore.prototype.records.prototype);

/** A committed record at `p` whose CRC checks, or undefined (end of log, or torn). */
function parseRecord(data: Uint8Array, p: number, recordCrc: RecordCrc): { kind: number; size: number } | undefined {
  if (p + 2 > data.length || data[p] !== COMMITTED) return undefined;
  const kind = data[p + 1];
  let size: number;
  if (kind === KIND_FRAME) {
    if (p + 3 > data.length) return undefined;
    const n = data[p + 2];
    if (n === 0) return undefined;
    size = FRAME_RECORD_OVERHEAD + n;
  } else if (kind === KIND_CURSOR) {
    size = CURSOR_RECORD_SIZE;
  } else {
    return undefined;
  }
  if (p + size > data.length) return undefined;
  if (recordCrc(data, p + 1, p + size - CRC16_SIZE) !== getU16(data, p + size - CRC16_SIZE)) return undefined;
  return { kind, size };
}

function readHeader(b: Uint8Array): HeaderRead {
  if (isBlank(b, 0, b.length)) return { kind: 'blank' };
  if (getU32(b, 0) !== SECTOR_MAGIC || crc32(b.subarray(0, HEADER_CRC_OFFSET)) !== getU32(b, HEADER_CRC_OFFSET)) {
    return { kind: 'garbage' };
  }
  return {
    kind: 'valid',
    header: {
      seq: getU32(b, 4),
      firstSerial: getU32(b, 8),
      validFrom: getU32(b, 12),
      cursor: getU32(b, 16),
      overwritten: getU32(b, 20),
      overwrittenPending: getU32(b, 24),
    },
  };
}

function encodeHeader(h: Header): Uint8Array {
  const b = new Uint8Array(HEADER_SIZE);
  const v = new DataView(b.buffer);
  v.setUint32(0, SECTOR_MAGIC, true);
  v.setUint32(4, h.seq, true);
  v.setUint32(8, h.firstSerial, true);
  v.setUint32(12, h.validFrom, true);
  v.setUint32(16, h.cursor, true);
  v.setUint32(20, Math.min(h.overwritten, MAX_U32), true);
  v.setUint32(24, Math.min(h.overwrittenPending, MAX_U32), true);
  v.setUint32(HEADER_CRC_OFFSET, crc32(b.subarray(0, HEADER_CRC_OFFSET)), true);
  return b;
}

function isBlank(b: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (b[i] !== BLANK) return false;
  return true;
}

/**
 * `isBlank` over a whole sector read back, four bytes per read and eight reads per test (an eighth
 * of the byte loop's bytecodes in XS): the one long loop a sector switch meets when `prepare` did
 * not run before the window.
 */
function isBlankSector(b: Uint8Array): boolean {
  if ((b.byteOffset & 3) !== 0) return isBlank(b, 0, b.length);
  const words = b.length >> 2;
  const w = new Int32Array(b.buffer, b.byteOffset, words);
  const runs = words & ~7;
  let i = 0;
  for (; i < runs; i += 8) {
    if ((w[i] & w[i + 1] & w[i + 2] & w[i + 3] & w[i + 4] & w[i + 5] & w[i + 6] & w[i + 7]) !== ERASED_WORD) return false;
  }
  for (; i < words; i++) if (w[i] !== ERASED_WORD) return false;
  return isBlank(b, words << 2, b.length);
}

function getU32(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}

function getU16(b: Uint8Array, at: number): number {
  return b[at] | (b[at + 1] << 8);
}
