import { SortedKeys } from '../../protocol/collections/sorted-keys';
import { IDENTITY_BYTES, IDENTITY_MEDIUM_INDEX, IDENTITY_VERSION_INDEX, type IdentityMask } from '../../protocol/wmbus/identity';

/** M-field (2) + id (4): the part of an identity that is never masked. */
const IDENTITY_PREFIX = IDENTITY_VERSION_INDEX;
const DEDUP_KEY_BYTES = IDENTITY_BYTES + 1;

export interface RecordingRules {
  /** Allowed M-fields, 2 bytes as on air; empty = all (§4.2.2 manufFilter). */
  readonly manufFilter: readonly Uint8Array[];
  /** Allowed device types; empty = all (§4.2.2 mediumFilter). */
  readonly mediumFilter: readonly number[];
  /** The white list, sorted; empty = all meters (§4.2.2.1). */
  readonly whitelist: SortedKeys;
  readonly mask: IdentityMask;
}

export type Verdict = 'record' | 'manufacturer' | 'medium' | 'whitelist' | 'duplicate';

/**
 * The recording rules of one listening window (primary spec §3.1.2.1, §4.2.2): manufacturer,
 * medium and white-list filters, then only the first frame of each size from each meter.
 */
export class WindowFilter {
  private readonly seen = new SortedKeys(DEDUP_KEY_BYTES);
  private readonly key = new Uint8Array(DEDUP_KEY_BYTES);
  private readonly heard: Uint8Array;
  private heardCount = 0;

  constructor(private readonly rules: RecordingRules) {
    this.heard = new Uint8Array(rules.whitelist.size);
  }

  judge(identity: Uint8Array, frameLength: number): Verdict {
    const r = this.rules;
    if (r.manufFilter.length > 0 && !r.manufFilter.some((m) => m[0] === identity[0] && m[1] === identity[1])) return 'manufacturer';
    if (r.mediumFilter.length > 0 && !r.mediumFilter.includes(identity[IDENTITY_MEDIUM_INDEX])) return 'medium';
    let listed = -1;
    if (r.whitelist.size > 0) {
      listed = this.whitelistIndex(identity);
      if (listed < 0) return 'whitelist';
    }
    this.key.set(identity.subarray(0, IDENTITY_BYTES));
    this.key[IDENTITY_BYTES] = frameLength;
    if (!this.seen.add(this.key)) return 'duplicate';
    if (listed >= 0 && this.heard[listed] === 0) {
      this.heard[listed] = 1;
      this.heardCount++;
    }
    return 'record';
  }

  /** Every white-listed meter has been recorded: the window may close early (§4.2.2.1). */
  allWhitelistedHeard(): boolean {
    return this.heard.length > 0 && this.heardCount === this.heard.length;
  }

  private whitelistIndex(identity: Uint8Array): number {
    const wl = this.rules.whitelist;
    const [first, end] = wl.prefixRange(identity, IDENTITY_PREFIX);
    const checkVersion = this.rules.mask.skipVersionField !== true;
    const checkMedium = this.rules.mask.skipMediumField !== true;
    for (let i = first; i < end; i++) {
      const e = wl.at(i);
      if (checkVersion && e[IDENTITY_VERSION_INDEX] !== identity[IDENTITY_VERSION_INDEX]) continue;
      if (checkMedium && e[IDENTITY_MEDIUM_INDEX] !== identity[IDENTITY_MEDIUM_INDEX]) continue;
      return i;
    }
    return -1;
  }
}
