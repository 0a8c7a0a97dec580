import type { Settings } from '../drivers/settings/types';
import { IDENTITY_BYTES } from '../protocol/wmbus/identity';
import { KEY } from './settings-keys';

/**
 * The white list of up to 2000 meter identities (§4.2.2.1), kept as one packed blob of 8-byte
 * entries: 16 KB for 2000 meters, one allocation instead of 2000 small arrays.
 */
export class WhitelistStore {
  private packed: Uint8Array;

  constructor(private readonly settings: Settings) {
    const raw = settings.get(KEY.whitelist);
    this.packed = raw instanceof Uint8Array && raw.length % IDENTITY_BYTES === 0 ? raw : new Uint8Array(0);
  }

  get size(): number {
    return this.packed.length / IDENTITY_BYTES;
  }

  /** The i-th identity (a view into the blob; do not keep it across `replace`). */
  at(i: number): Uint8Array {
    return this.packed.subarray(i * IDENTITY_BYTES, (i + 1) * IDENTITY_BYTES);
  }

  /** Every identity in one blob, 8 bytes each (read it, do not write it; `replace` makes a new one). */
  blob(): Uint8Array {
    return this.packed;
  }

  replace(ids: readonly Uint8Array[]): void {
    const packed = new Uint8Array(ids.length * IDENTITY_BYTES);
    ids.forEach((id, i) => packed.set(id.subarray(0, IDENTITY_BYTES), i * IDENTITY_BYTES));
    this.packed = packed;
    this.settings.set(KEY.whitelist, packed);
  }

  erase(): void {
    this.packed = new Uint8Array(0);
    this.settings.delete(KEY.whitelist);
  }
}
