import { KeyTable } from '../../protocol/collections/key-table';
import { IDENTITY_BYTES, IDENTITY_MEDIUM_INDEX, IDENTITY_VERSION_INDEX, type IdentityMask } from '../../protocol/wmbus/identity';
import { PORTABLE_KERNELS, type WmbusKernels } from '../../protocol/wmbus/kernels';

/** M-field (2) + id (4): the part of an identity that is never masked, and what the tables hash. */
export const IDENTITY_PREFIX = IDENTITY_VERSION_INDEX;
const DEDUP_KEY_BYTES = IDENTITY_BYTES + 1;
const M_FIELD_HIGH = 1;
const MS_PER_SECOND = 1000;
const SECONDS_PER_MINUTE = 60;
/**
 * Meters the suppression timer follows at once. Each takes 6 key bytes, two 16-bit hash slots and a
 * 32-bit time: 14 bytes, about 7 KB of RAM, allocated only while the timer is on; saved, 10 bytes.
 */
export const MAX_SUPPRESSED_METERS = 512;
/** `sweep` rebuilds the table once it is half full. */
const SWEEP_FILL_DIVISOR = 2;
/** A saved meter: its M-field and id, then the UTC second it was last recorded (uint32, little-endian). */
const SAVED_TIME_BYTES = 4;
const SAVED_ENTRY_BYTES = IDENTITY_PREFIX + SAVED_TIME_BYTES;
const BYTE_BITS = 8;

/**
 * Lansen's suppression timer (peer manual, Timers tab): once a meter is recorded, its frames are
 * ignored until the timer runs out, in this window and in later ones, so the table belongs to the
 * radio task, not to a window. A meter is its M-field and id (the version and medium bytes may be
 * masked). The box deep-sleeps (a reboot) between windows, so the task saves the running timers
 * (`save`) at each window end and a new table starts from them; a window cut by a reset loses only
 * its own entries (those meters may be recorded once more). With the table full, a meter it does not
 * hold is recorded every time: the timer never loses a frame it was not asked to.
 */
export class SuppressionTable {
  private meters: KeyTable;
  private readonly key = new Uint8Array(IDENTITY_PREFIX);
  private readonly recordedSec = new Uint32Array(MAX_SUPPRESSED_METERS);

  /** `saved`: what `save` returned; entries past the table's room are left out. */
  constructor(
    public minutes: number,
    private readonly probe = PORTABLE_KERNELS.probeKeys,
    saved?: Uint8Array,
  ) {
    this.meters = this.emptyTable();
    if (saved !== undefined) this.load(saved);
  }

  /** Meters held. */
  get size(): number {
    return this.meters.size;
  }

  /** True when the meter may be recorded at `atMs`, and then starts its timer. Allocates nothing. */
  admit(identity: Uint8Array, atMs: number): boolean {
    const now = Math.floor(atMs / MS_PER_SECOND);
    const i = this.meters.find(identity);
    if (i >= 0) {
      if (this.running(i, now)) return false;
      this.recordedSec[i] = now;
      return true;
    }
    if (this.meters.size < MAX_SUPPRESSED_METERS) {
      // Copied into a key of the table's width: a subarray view would allocate.
      const key = this.key;
      for (let k = 0; k < IDENTITY_PREFIX; k++) key[k] = identity[k];
      this.recordedSec[this.meters.size] = now;
      this.meters.add(key);
    }
    return true;
  }

  /** The meters whose timer still runs at `nowMs`, packed for the settings store. */
  save(nowMs: number): Uint8Array {
    const now = Math.floor(nowMs / MS_PER_SECOND);
    let kept = 0;
    for (let i = 0; i < this.meters.size; i++) if (this.running(i, now)) kept++;
    const out = new Uint8Array(kept * SAVED_ENTRY_BYTES);
    for (let i = 0, o = 0; i < this.meters.size; i++) {
      if (!this.running(i, now)) continue;
      out.set(this.meters.at(i), o);
      for (let b = 0; b < SAVED_TIME_BYTES; b++) out[o + IDENTITY_PREFIX + b] = (this.recordedSec[i] >>> (b * BYTE_BITS)) & 0xff;
      o += SAVED_ENTRY_BYTES;
    }
    return out;
  }

  /** At a window start: once the table is half full, forgets the meters whose timer has run out (a new table). */
  sweep(nowMs: number): void {
    // An expired meter in the table does no harm (`admit` compares times); only room matters.
    if (this.meters.size >= MAX_SUPPRESSED_METERS / SWEEP_FILL_DIVISOR) this.load(this.save(nowMs));
  }

  private load(saved: Uint8Array): void {
    this.meters = this.emptyTable();
    const count = Math.min(Math.floor(saved.length / SAVED_ENTRY_BYTES), MAX_SUPPRESSED_METERS);
    for (let i = 0, o = 0; i < count; i++, o += SAVED_ENTRY_BYTES) {
      let at = 0;
      for (let b = SAVED_TIME_BYTES - 1; b >= 0; b--) at = at * (1 << BYTE_BITS) + saved[o + IDENTITY_PREFIX + b];
      // A meter saved twice keeps its first time: the slot is written before `add`, which skips a repeat.
      this.recordedSec[this.meters.size] = at;
      this.meters.add(saved.subarray(o, o + IDENTITY_PREFIX));
    }
  }

  private running(i: number, nowSec: number): boolean {
    return nowSec - this.recordedSec[i] < this.minutes * SECONDS_PER_MINUTE;
  }

  private emptyTable(): KeyTable {
    return new KeyTable(IDENTITY_PREFIX, IDENTITY_PREFIX, MAX_SUPPRESSED_METERS, this.probe);
  }
}

export interface RecordingRules {
  /** Allowed M-fields, 2 bytes as on air; empty = all (§4.2.2 manufFilter). */
  readonly manufFilter: readonly Uint8Array[];
  /** Allowed device types; empty = all (§4.2.2 mediumFilter). */
  readonly mediumFilter: readonly number[];
  /** The white list (see `whitelistTable`); empty = all meters (§4.2.2.1). */
  readonly whitelist: KeyTable;
  readonly mask: IdentityMask;
  /** The board's native kernels (their key-table probe, for the dedup set); the portable ones when absent. */
  readonly kernels?: WmbusKernels;
  /** Identities never recorded (`whitelistTable` of `radio.blackList`), under the same mask; absent or empty = none. */
  readonly blacklist?: KeyTable;
  /** `radio.minRssi`: frames heard below it (dBm) are not recorded; absent = no minimum. */
  readonly minRssiDbm?: number;
  /** `radio.suppression`: the radio task's table, kept across windows; absent = off. */
  readonly suppression?: SuppressionTable;
}

export type Verdict = 'record' | 'rssi' | 'manufacturer' | 'medium' | 'blacklist' | 'whitelist' | 'duplicate' | 'suppressed';

/** Whether a filter that picks meters by identity is on: without one, any identity records the same. */
export function identityFiltersActive(rules: RecordingRules): boolean {
  return rules.manufFilter.length > 0 || rules.mediumFilter.length > 0 || rules.whitelist.size > 0 || (rules.blacklist?.size ?? 0) > 0;
}

/**
 * The white list as the filter looks it up: the packed identities (8 bytes each) indexed in place,
 * hashed on their M-field and id, so a window adds only the index to the heap. `kernels`: the
 * board's, whose key-table probe the index is built and searched with.
 */
export function whitelistTable(packed: Uint8Array, kernels: WmbusKernels = PORTABLE_KERNELS): KeyTable {
  return KeyTable.over(packed, IDENTITY_BYTES, IDENTITY_PREFIX, kernels.probeKeys);
}

/**
 * The recording rules of one listening window (primary spec §3.1.2.1, §4.2.2): manufacturer,
 * medium and white-list filters, then only the first frame of each size from each meter.
 * `judge` allocates nothing: it runs for every frame heard.
 *
 * Duplicates: with a white list and no identity mask, an identity that passes the list is the
 * listed entry itself, so (entry, frame size) is the dedup key and the first size of each entry
 * is kept in a per-entry array; only further sizes, or every frame without that shortcut, go to a
 * hashed set of (identity, size) keys.
 */
export class WindowFilter {
  private readonly key = new Uint8Array(DEDUP_KEY_BYTES);
  /** Size of the first frame recorded from each white-list entry; 0 = none yet. Frames reach 256 bytes. */
  private readonly firstSize: Uint16Array;
  /** Identity bytes the white list does not compare (bit n = byte n). */
  private readonly ignore: number;
  private seen: KeyTable | undefined;
  private heardCount = 0;
  /** `identityFiltersActive` of the rules: whether a frame whose filter identity is unknown can be judged. */
  readonly identityFiltered: boolean;

  constructor(private readonly rules: RecordingRules) {
    this.identityFiltered = identityFiltersActive(rules);
    this.firstSize = new Uint16Array(rules.whitelist.size);
    this.ignore =
      (rules.mask.skipVersionField === true ? 1 << IDENTITY_VERSION_INDEX : 0) |
      (rules.mask.skipMediumField === true ? 1 << IDENTITY_MEDIUM_INDEX : 0);
  }

  /**
   * The verdict on one frame. `rssiDbm` is read only with a minimum RSSI, `atMs` only with the
   * suppression timer. A meter the timer suppresses still counts as heard for `allWhitelistedHeard`.
   */
  judge(identity: Uint8Array, frameLength: number, rssiDbm = 0, atMs = 0): Verdict {
    const r = this.rules;
    if (r.minRssiDbm !== undefined && rssiDbm < r.minRssiDbm) return 'rssi';
    if (r.manufFilter.length > 0 && !this.manufacturerAllowed(identity)) return 'manufacturer';
    if (r.mediumFilter.length > 0 && !r.mediumFilter.includes(identity[IDENTITY_MEDIUM_INDEX])) return 'medium';
    if (r.blacklist !== undefined && r.blacklist.size > 0 && r.blacklist.find(identity, this.ignore) >= 0) return 'blacklist';
    const verdict = this.listed(identity, frameLength);
    if (verdict === 'record' && r.suppression !== undefined && !r.suppression.admit(identity, atMs)) return 'suppressed';
    return verdict;
  }

  /** The white list and the per-window dedup (§4.2.2.1, §3.1.2.1). */
  private listed(identity: Uint8Array, frameLength: number): Verdict {
    const r = this.rules;
    if (this.firstSize.length === 0) return this.firstOfSize(identity, frameLength) ? 'record' : 'duplicate';
    const listed = r.whitelist.find(identity, this.ignore);
    if (listed < 0) return 'whitelist';
    const first = this.firstSize[listed];
    if (this.ignore === 0) {
      if (first === frameLength) return 'duplicate';
      if (first !== 0 && !this.firstOfSize(identity, frameLength)) return 'duplicate';
    } else if (!this.firstOfSize(identity, frameLength)) {
      return 'duplicate';
    }
    if (first === 0) {
      this.firstSize[listed] = frameLength;
      this.heardCount++;
    }
    return 'record';
  }

  /** Every white-listed meter has been recorded: the window may close early (§4.2.2.1). */
  allWhitelistedHeard(): boolean {
    return this.firstSize.length > 0 && this.heardCount === this.rules.whitelist.distinct;
  }

  /** Adds (identity, size) to the dedup set; false when it was there. */
  private firstOfSize(identity: Uint8Array, frameLength: number): boolean {
    const key = this.key;
    key.set(identity.length === IDENTITY_BYTES ? identity : identity.subarray(0, IDENTITY_BYTES));
    key[IDENTITY_BYTES] = frameLength;
    this.seen ??= new KeyTable(
      DEDUP_KEY_BYTES,
      IDENTITY_PREFIX,
      this.ignore === 0 ? undefined : this.firstSize.length,
      (this.rules.kernels ?? PORTABLE_KERNELS).probeKeys,
    );
    return this.seen.add(key);
  }

  private manufacturerAllowed(identity: Uint8Array): boolean {
    const list = this.rules.manufFilter;
    for (let i = 0; i < list.length; i++) {
      const m = list[i];
      if (m[0] === identity[0] && m[M_FIELD_HIGH] === identity[M_FIELD_HIGH]) return true;
    }
    return false;
  }
}
