import type { Clock } from '../protocol/ports/clock';
import type { FileStore } from '../drivers/files/types';
import type { Settings } from '../drivers/settings/types';
import type { BsonDocument } from '../protocol/bson/types';
import type { SecurityConfig } from '../protocol/config/types';
import type { BlockCipher } from '../protocol/crypto/types';
import { Ack, buildAckDocument } from '../protocol/files/ack';
import { Alarm, buildAlarmDocument } from '../protocol/files/alarm';
import { encodeFile } from '../protocol/files/codec';
import { buildDataDocument, DataRecord, splitDataRecords } from '../protocol/files/data';
import type { FileHeader, FileSource } from '../protocol/files/header';
import { OUTBOX_DIRECTORY, OutboxKind, outboxName, parseOutboxName } from '../protocol/files/names';
import type { FrameLog, StoredFrame } from './store/types';
import { freezeTable } from '../protocol/freeze';

/**
 * The device's outbox (primary spec §5.1.1.2, §5.3–§5.8): files waiting for upload, kept on the
 * FileStore already encoded (CRC trailer, AES when `security.encryption`) under the name they will
 * have on the server, so an upload retried after a failure or a power cut replaces the same server
 * file instead of adding a second copy.
 *
 * FileStore names (the store is flat, names carry everything that must survive a reboot):
 *  - `out-<server name>`: any file but data;
 *  - `outd-<from>-<to>-<server name>`: a data file holding the frame-store records with serials
 *    [from, to): `to` is the store cursor to commit once the server has the file;
 *  - `outs-<from>-<to>-<server name>`: a data file the server has, whose cursor cannot be
 *    committed yet because an older data file is still waiting (the store has one cursor).
 *
 * Order of the writes that make a power cut harmless at any instant: the data file is written
 * before anything refers to it (a cut leaves records not yet prepared, prepared again later);
 * after the server rename the file turns `outs-` (atomic rename), then the store cursor is
 * committed, then the file is deleted. A file whose `to` is at or behind the committed cursor is
 * known delivered and is dropped on the next pass.
 */

export const OUTBOX_PREFIX = 'out-';
export const OUTBOX_DATA_PREFIX = 'outd-';
export const OUTBOX_SENT_PREFIX = 'outs-';
/** Settings key of the last timestamp used per kind (NVS key, ≤ 15 characters). */
export const OUTBOX_STATE_KEY = 'outbox';
/** Default size limit of one data file: fits the RAM an upload needs on the ESP32 with margin. */
export const DEFAULT_MAX_DATA_FILE_BYTES = 16 * 1024;
/**
 * FileStore bytes data files leave free: room for the small files a session adds after its data
 * (ACKs of the INBOX commands, alarms, the configuration copy). The records that do not fit stay
 * in the frame store and become data files once the uploaded ones are deleted.
 */
export const DATA_RESERVE_BYTES = 16 * 1024;
/** Records read from the frame store per split: bounds RAM whatever the backlog. */
const PREPARE_BATCH_RECORDS = 256;
const MS_PER_SECOND = 1000;

/** §5.1.1.2 directories in the order files go up: small urgent ones first, then the bulk. */
const UPLOAD_RANK: Readonly<Record<OutboxKind, number>> = freezeTable({ alarm: 0, ack: 1, config: 2, data: 3, supervision: 4, log: 5 });

/** What the outbox needs of the frame store. */
export type FrameSource = Pick<FrameLog, 'pending' | 'commitUpload' | 'records'>;

export interface OutboxFile {
  /** FileStore name. */
  readonly id: string;
  /** Name on the server (`<uid>-<timestamp>-<kind>.bson[.aes]`). */
  readonly name: string;
  /** §5.1.1.2 directory, relative to the configured root (`/DATA`…). */
  readonly directory: string;
  readonly kind: OutboxKind;
  readonly timeSec: number;
  /** Data files: store serials [from, to). */
  readonly range?: { readonly from: number; readonly to: number };
}

export type AddResult = { readonly ok: true; readonly file: OutboxFile } | { readonly ok: false; readonly error: string };

export interface PrepareResult {
  readonly files: number;
  readonly frames: number;
  /** Why preparing stopped before every pending record had a file (bad key, a write that failed…). */
  readonly error?: string;
  /**
   * Records are left without a file because the FileStore is full to DATA_RESERVE_BYTES: not an
   * error, they stay in the frame store; prepare again once uploaded files are deleted.
   */
  readonly more?: boolean;
}

export interface OutboxOptions {
  readonly uid: string;
  readonly clock: Clock;
  /** Read at each write: the key and the encryption switch in force. */
  readonly security: () => SecurityConfig;
  /** Persists the per-kind timestamps (Settings); without it they live only in RAM. */
  readonly settings?: Settings;
  /** The board's AES for encrypted files; the portable one when absent. */
  readonly cipher?: BlockCipher;
  /**
   * The frame store the data files copy: a file of another kind that finds no room may push out
   * data files whose records the store still holds (they are prepared again later). Without it
   * nothing is pushed out.
   */
  readonly frames?: FrameSource;
  /** A file could not be written and is not queued (no room even after pushing data out, a bad key): its name and why. */
  readonly onDropped?: (error: string) => void;
}

type LastSeconds = Partial<Record<OutboxKind, number>>;

function parseRanged(id: string, prefix: string): { from: number; to: number; name: string } | undefined {
  const rest = id.slice(prefix.length);
  const a = rest.indexOf('-');
  const b = a < 0 ? -1 : rest.indexOf('-', a + 1);
  if (a <= 0 || b <= a + 1) return undefined;
  const from = Number(rest.slice(0, a));
  const to = Number(rest.slice(a + 1, b));
  if (!Number.isInteger(from) || !Number.isInteger(to) || to <= from) return undefined;
  return { from, to, name: rest.slice(b + 1) };
}

function fileOf(id: string, name: string, range?: { from: number; to: number }): OutboxFile | undefined {
  const parsed = parseOutboxName(name);
  if (parsed === undefined) return undefined;
  const base = { id, name, directory: OUTBOX_DIRECTORY[parsed.kind], kind: parsed.kind, timeSec: parsed.timeSec };
  return range === undefined ? base : { ...base, range };
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class Outbox {
  private readonly uid: string;
  private readonly clock: Clock;
  private readonly security: () => SecurityConfig;
  private readonly settings: Settings | undefined;
  private readonly cipher: BlockCipher | undefined;
  private readonly frames: FrameSource | undefined;
  private readonly onDropped: ((error: string) => void) | undefined;
  private last: LastSeconds;

  constructor(private readonly files: FileStore, options: OutboxOptions) {
    this.uid = options.uid;
    this.clock = options.clock;
    this.security = options.security;
    this.settings = options.settings;
    this.cipher = options.cipher;
    this.frames = options.frames;
    this.onDropped = options.onDropped;
    this.last = this.loadLast();
  }

  /** Files waiting for the server, in upload order (alarms, ACKs, config, data by serial, supervision, log). */
  list(): OutboxFile[] {
    const out: OutboxFile[] = [];
    for (const id of this.files.list(OUTBOX_PREFIX)) {
      const f = fileOf(id, id.slice(OUTBOX_PREFIX.length));
      if (f !== undefined) out.push(f);
    }
    for (const id of this.files.list(OUTBOX_DATA_PREFIX)) {
      const r = parseRanged(id, OUTBOX_DATA_PREFIX);
      const f = r === undefined ? undefined : fileOf(id, r.name, { from: r.from, to: r.to });
      if (f !== undefined) out.push(f);
    }
    return out.sort((a, b) => {
      if (a.kind !== b.kind) return UPLOAD_RANK[a.kind] - UPLOAD_RANK[b.kind];
      if (a.range !== undefined && b.range !== undefined) return a.range.from - b.range.from;
      return a.timeSec - b.timeSec || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    });
  }

  read(file: OutboxFile): Uint8Array | undefined {
    return this.files.read(file.id);
  }

  /** Bytes waiting (for the session's time budget and the supervision). */
  pendingBytes(): number {
    let n = 0;
    for (const f of this.list()) n += this.files.read(f.id)?.length ?? 0;
    return n;
  }

  /** Encodes and queues one document of `kind`. The name gets a second of its own (see `allocate`). */
  add(kind: OutboxKind, source: FileSource, build: (header: FileHeader) => BsonDocument): AddResult {
    if (kind === 'data') return { ok: false, error: 'data files come from prepareData' };
    const timeSec = this.allocate(kind);
    const header: FileHeader = { uid: this.uid, source, timeSec };
    const encoded = this.encode(build(header), kind, timeSec);
    if (!encoded.ok) return this.dropped(encoded.error);
    const id = OUTBOX_PREFIX + encoded.name;
    for (;;) {
      try {
        this.files.write(id, encoded.bytes);
        break;
      } catch (e) {
        // Room taken by data files the frame store can make again: they wait, this file goes now.
        if (!this.pushOutData()) return this.dropped(`${encoded.name}: ${errorText(e)}`);
      }
    }
    return { ok: true, file: fileOf(id, encoded.name) as OutboxFile };
  }

  private dropped(error: string): AddResult {
    this.onDropped?.(error);
    return { ok: false, error };
  }

  /**
   * Deletes the newest undelivered data file when all its records are still in the frame store
   * (at or past its cursor), so nothing is lost: it is prepared again later. The newest, and none
   * past a delivered one, so the files left still end where the next preparation starts (no gap).
   * False when there is none to delete.
   */
  private pushOutData(): boolean {
    const store = this.frames;
    if (store === undefined) return false;
    let newest: { id: string; from: number } | undefined;
    for (const e of this.dataEntries()) if (newest === undefined || e.from > newest.from) newest = e;
    if (newest === undefined || newest.from < store.pending(0).cursor) return false;
    for (const e of this.sentEntries()) if (e.to > newest.from) return false;
    this.files.delete(newest.id);
    return true;
  }

  /** §5.4 alarm file. */
  addAlarm(alarm: Alarm, source: FileSource = 'alarm'): AddResult {
    return this.add('alarm', source, (h) => buildAlarmDocument(h, alarm));
  }

  /** §5.5 acknowledgement (the runner's `Ack`; the file is named here so names never collide). */
  addAck(ack: Ack, source: FileSource = 'ftp'): AddResult {
    return this.add('ack', source, (h) => buildAckDocument(h, ack));
  }

  /** §5.2 configuration copy for /CONFIG: the document the ConfigStore gives, as it is now. */
  addConfig(document: BsonDocument, source: FileSource): AddResult {
    return this.add('config', source, () => document);
  }

  /**
   * Turns the frame store's records not yet in a data file into data files (§5.3) of at most
   * `maxFileBytes` each (the ciphertext size when encrypting). Each file remembers the store
   * cursor it covers. Also drops files the store's cursor shows delivered. Stops with `more` where
   * a file would leave less than DATA_RESERVE_BYTES free: the rest waits in the frame store.
   */
  prepareData(store: FrameSource, maxFileBytes: number, source: FileSource): PrepareResult {
    const committed = this.settle(store);
    let start = committed;
    for (const f of [...this.dataEntries(), ...this.sentEntries()]) start = Math.max(start, f.to);
    const header: FileHeader = { uid: this.uid, source, timeSec: Math.floor(this.clock.now() / MS_PER_SECOND) };
    const encrypted = this.security().encryption;
    const iterator = store.records(start);
    let batch: StoredFrame[] = [];
    let files = 0;
    let frames = 0;
    let exhausted = false;
    while (!exhausted) {
      while (batch.length < PREPARE_BATCH_RECORDS) {
        const next = iterator.next();
        if (next.done === true) {
          exhausted = true;
          break;
        }
        batch.push(next.value);
      }
      if (batch.length === 0) break;
      const records = batch.map(toDataRecord);
      const split = splitDataRecords(header, records, maxFileBytes, { encrypted });
      if (!split.ok) return { files, frames, error: split.error };
      // Until the store is exhausted the last range may still grow: carry it into the next batch,
      // unless it is the whole batch (a file limit above the batch size: write it as it is).
      const ranges = exhausted || split.ranges.length === 1 ? split.ranges : split.ranges.slice(0, -1);
      const keepFrom = ranges[ranges.length - 1].end;
      for (const r of ranges) {
        const written = this.writeData(batch.slice(r.start, r.end), records.slice(r.start, r.end), source);
        if (written.full) return { files, frames, more: true };
        if (!written.ok) return { files, frames, error: written.error };
        files++;
        frames += r.end - r.start;
      }
      batch = batch.slice(keepFrom);
    }
    return { files, frames };
  }

  /**
   * The server has `file` under its final name (§5.1.1.3 rename done). A data file advances the
   * store's upload cursor once every older data file is delivered too; the local copy goes.
   */
  delivered(file: OutboxFile, store?: FrameSource): void {
    if (file.range === undefined) {
      this.files.delete(file.id);
      return;
    }
    const { from, to } = file.range;
    this.files.rename(file.id, `${OUTBOX_SENT_PREFIX}${from}-${to}-${file.name}`);
    if (store !== undefined) this.settle(store);
  }

  /**
   * Commits the store cursor past the delivered data files that have no undelivered file before
   * them, drops every file the committed cursor covers, and returns that cursor.
   */
  settle(store: FrameSource): number {
    let committed = store.pending(0).cursor;
    const entries = [...this.dataEntries(), ...this.sentEntries()].sort((a, b) => a.from - b.from);
    let cursor: number | undefined;
    for (const e of entries) {
      if (e.to <= committed) continue;
      if (!e.sent) break;
      cursor = e.to;
    }
    if (cursor !== undefined && store.commitUpload(cursor)) committed = store.pending(0).cursor;
    // Only delivered files go: an undelivered one behind the cursor holds records the ring has
    // overwritten since it was prepared, and is now their only copy.
    const covered = Math.max(committed, cursor ?? committed);
    for (const e of entries) if (e.sent && e.to <= covered) this.files.delete(e.id);
    return committed;
  }

  /** Data files waiting: how many and how many frames they hold. */
  dataBacklog(): { files: number; frames: number } {
    let files = 0;
    let frames = 0;
    for (const e of this.dataEntries()) {
      files++;
      frames += e.to - e.from;
    }
    return { files, frames };
  }

  /** Factory reset: everything queued goes (the frame store is erased with it). */
  clear(): void {
    for (const prefix of [OUTBOX_PREFIX, OUTBOX_DATA_PREFIX, OUTBOX_SENT_PREFIX]) for (const id of this.files.list(prefix)) this.files.delete(id);
    this.last = {};
    this.settings?.delete(OUTBOX_STATE_KEY);
  }

  private writeData(
    stored: readonly StoredFrame[],
    records: readonly DataRecord[],
    source: FileSource,
  ): { ok: true; full?: undefined } | { ok: false; full: true } | { ok: false; full?: undefined; error: string } {
    const timeSec = this.allocate('data');
    const doc = buildDataDocument({ uid: this.uid, source, timeSec }, records);
    const encoded = this.encode(doc, 'data', timeSec);
    if (!encoded.ok) return encoded;
    if (this.files.free() < encoded.bytes.length + DATA_RESERVE_BYTES) return { ok: false, full: true };
    const from = stored[0].serial;
    const to = stored[stored.length - 1].serial + 1;
    try {
      this.files.write(`${OUTBOX_DATA_PREFIX}${from}-${to}-${encoded.name}`, encoded.bytes);
    } catch (e) {
      return { ok: false, error: `${encoded.name}: ${errorText(e)}` };
    }
    return { ok: true };
  }

  private encode(doc: BsonDocument, kind: OutboxKind, timeSec: number): { ok: true; name: string; bytes: Uint8Array } | { ok: false; error: string } {
    const security = this.security();
    const name = outboxName(this.uid, timeSec, kind, security.encryption);
    try {
      // §4.2.1.2: with encryption on and no key the file is not written at all, never sent in clear.
      const bytes = encodeFile(doc, { encryption: security.encryption, key: security.key ?? undefined, cipher: this.cipher });
      return { ok: true, name, bytes };
    } catch (e) {
      return { ok: false, error: `${name}: ${errorText(e)}` };
    }
  }

  /**
   * A timestamp for a new file of `kind`: now, or one second past the last one used for that kind,
   * whichever is later, so names never collide on the server — not within one second, and not
   * after SNTP sets the clock back. Persisted before the file is written.
   */
  private allocate(kind: OutboxKind): number {
    const now = Math.floor(this.clock.now() / MS_PER_SECOND);
    const last = this.last[kind];
    const timeSec = last === undefined ? now : Math.max(now, last + 1);
    this.last[kind] = timeSec;
    this.settings?.set(OUTBOX_STATE_KEY, JSON.stringify(this.last));
    return timeSec;
  }

  private loadLast(): LastSeconds {
    const raw = this.settings?.get(OUTBOX_STATE_KEY);
    if (typeof raw !== 'string') return {};
    try {
      const parsed = JSON.parse(raw) as unknown;
      return typeof parsed === 'object' && parsed !== null ? (parsed as LastSeconds) : {};
    } catch {
      // Unreadable: names restart from the clock, still unique within this boot.
      return {};
    }
  }

  private dataEntries(): { id: string; from: number; to: number; sent: false }[] {
    const out: { id: string; from: number; to: number; sent: false }[] = [];
    for (const id of this.files.list(OUTBOX_DATA_PREFIX)) {
      const r = parseRanged(id, OUTBOX_DATA_PREFIX);
      if (r !== undefined) out.push({ id, from: r.from, to: r.to, sent: false });
    }
    return out;
  }

  private sentEntries(): { id: string; from: number; to: number; sent: true }[] {
    const out: { id: string; from: number; to: number; sent: true }[] = [];
    for (const id of this.files.list(OUTBOX_SENT_PREFIX)) {
      const r = parseRanged(id, OUTBOX_SENT_PREFIX);
      if (r !== undefined) out.push({ id, from: r.from, to: r.to, sent: true });
    }
    return out;
  }
}

function toDataRecord(r: StoredFrame): DataRecord {
  return { timeSec: r.time, rssi: r.rssi, frame: r.frame };
}
