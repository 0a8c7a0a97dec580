import { KeyTable } from '../../protocol/collections/key-table';
import { IDENTITY_BYTES, IDENTITY_MEDIUM_INDEX, IDENTITY_VERSION_INDEX, type IdentityMask } from '../../protocol/wmbus/identity';
import { PORTABLE_KERNELS, type WmbusKernels } from '../../protocol/wmbus/kernels';

/** M-field (2) + id (4): the part of an identity that is never masked, and what the tables hash. */
export const IDENTITY_PREFIX = IDENTITY_VERSION_INDEX;
const DEDUP_KEY_BYTES = IDENTITY_BYTES + 1;
const M_FIELD_HIGH = 1;

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
}

export type Verdict = 'record' | 'manufacturer' | 'medium' | 'whitelist' | 'duplicate';

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

  constructor(private readonly rules: RecordingRules) {
    this.firstSize = new Uint16Array(rules.whitelist.size);
    this.ignore =
      (rules.mask.skipVersionField === true ? 1 << IDENTITY_VERSION_INDEX : 0) |
      (rules.mask.skipMediumField === true ? 1 << IDENTITY_MEDIUM_INDEX : 0);
  }

  judge(identity: Uint8Array, frameLength: number): Verdict {
    const r = this.rules;
    if (r.manufFilter.length > 0 && !this.manufacturerAllowed(identity)) return 'manufacturer';
    if (r.mediumFilter.length > 0 && !r.mediumFilter.includes(identity[IDENTITY_MEDIUM_INDEX])) return 'medium';
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
