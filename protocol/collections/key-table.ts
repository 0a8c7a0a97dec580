/**
 * A set of fixed-width byte keys packed in one Uint8Array in insertion order, found through an
 * open-addressing hash table (linear probing) of 16-bit slots: at 2000 identities the slots add
 * about 4 bytes per key, against a Map entry per key. Unlike a sorted array, an insertion moves
 * nothing, so a listening window costs the same per frame at its 2000th meter as at its first.
 *
 * Only the first `hashBytes` bytes are hashed, so a lookup may skip any later byte (the white list
 * ignores the version or medium byte of an identity on request).
 */
const MIN_CAPACITY = 16;
/** Slots per key: a table at most half full keeps probe runs short. */
const SLOTS_PER_KEY = 2;
/** Largest key count 16-bit slots can number (slot value = index + 1, 0 = empty). */
const MAX_SMALL_CAPACITY = 0xfffe;
/** 2^32 / golden ratio: Fibonacci hashing spreads a weak hash over the table's top bits. */
const FIBONACCI = 0x9e3779b1;
const HASH_MULTIPLIER = 31;
/** Keeps `1 << bits` a positive int32. */
const MAX_SLOT_BITS = 30;

/**
 * The slot of `slots` (a power-of-two table, `mask` = its length - 1) holding a key of `keys`
 * (packed, `width` bytes each; slot value = index + 1, 0 = empty) that matches the `width` bytes
 * of `key` from `keyOffset` on every byte not flagged in `ignore` (bit n = byte n; the first
 * `hashBytes` bytes always compare), else the empty slot that ends its probe run. One loop, no
 * calls: it runs for every frame heard. The table always holds an empty slot; `key` holds
 * `keyOffset + width` bytes at least (it may be `keys` itself).
 */
export function probeKeyTable(
  keys: Uint8Array,
  width: number,
  hashBytes: number,
  slots: Uint16Array | Uint32Array,
  mask: number,
  key: Uint8Array,
  keyOffset: number,
  ignore: number,
): number {
  let h = 0;
  for (let k = keyOffset; k < keyOffset + hashBytes; k++) h = (h * HASH_MULTIPLIER + key[k]) | 0;
  // mask = 2^bits - 1, so its leading zeros are 32 - bits: the shift that keeps the top bits.
  let s = Math.imul(h, FIBONACCI) >>> Math.clz32(mask);
  for (; slots[s] !== 0; s = (s + 1) & mask) {
    const base = (slots[s] - 1) * width;
    let k = 0;
    while (k < hashBytes && keys[base + k] === key[keyOffset + k]) k++;
    if (k < hashBytes) continue;
    while (k < width && (keys[base + k] === key[keyOffset + k] || ((ignore >> k) & 1) !== 0)) k++;
    if (k === width) return s;
  }
  return s;
}

/** The slot search of a `KeyTable`: `probeKeyTable`, or a native kernel with the same contract. */
export type KeyProbe = typeof probeKeyTable;

export class KeyTable {
  private keys: Uint8Array;
  private slots: Uint16Array | Uint32Array;
  private mask: number;
  private count = 0;
  private unique = 0;

  /** `probe`: the slot search, `probeKeyTable` or a native kernel with its contract (WmbusKernels.probeKeys). */
  constructor(
    readonly width: number,
    readonly hashBytes: number,
    initialCapacity = MIN_CAPACITY,
    private readonly probe: KeyProbe = probeKeyTable,
  ) {
    if (!(hashBytes >= 1 && hashBytes <= width)) throw new RangeError('KeyTable: hashBytes must be 1..width');
    this.keys = new Uint8Array(0);
    this.slots = new Uint16Array(0);
    this.mask = 0;
    this.resize(Math.max(MIN_CAPACITY, initialCapacity));
  }

  /**
   * A table over keys already packed elsewhere, used in place (only the slot table is allocated;
   * the keys are copied on the first `add` that needs room). A key packed twice keeps both
   * indexes but is found at the first.
   */
  static over(packed: Uint8Array, width: number, hashBytes: number, probe: KeyProbe = probeKeyTable): KeyTable {
    const table = new KeyTable(width, hashBytes, 0, probe);
    table.keys = packed;
    table.count = Math.floor(packed.length / width);
    table.resize(table.count);
    return table;
  }

  /** Keys held, repeats of a packed key included (indexes run 0 … size - 1). */
  get size(): number {
    return this.count;
  }

  /** Different keys held. */
  get distinct(): number {
    return this.unique;
  }

  /** Key i in insertion order (a view; valid until the next add). */
  at(i: number): Uint8Array {
    return this.keys.subarray(i * this.width, (i + 1) * this.width);
  }

  /**
   * Index of a key equal to `key` on every byte not flagged in `ignore` (bit n = byte n; bytes
   * below `hashBytes` are always compared), or -1.
   */
  find(key: Uint8Array, ignore = 0): number {
    return this.slots[this.probe(this.keys, this.width, this.hashBytes, this.slots, this.mask, key, 0, ignore)] - 1;
  }

  /** Adds the first `width` bytes of `key`; false when that key is already there. */
  add(key: Uint8Array): boolean {
    let s = this.probe(this.keys, this.width, this.hashBytes, this.slots, this.mask, key, 0, 0);
    if (this.slots[s] !== 0) return false;
    if (this.count * this.width === this.keys.length) {
      this.resize(this.count * 2);
      s = this.probe(this.keys, this.width, this.hashBytes, this.slots, this.mask, key, 0, 0);
    }
    const w = this.width;
    this.keys.set(key.length === w ? key : key.subarray(0, w), this.count * w);
    this.count++;
    this.unique++;
    this.slots[s] = this.count;
    return true;
  }

  clear(): void {
    this.count = 0;
    this.unique = 0;
    this.slots.fill(0);
  }

  /** Room for `capacity` keys (copying them when the packed array is too small); the slot table is rebuilt. */
  private resize(capacity: number): void {
    let bits = 1;
    while (1 << bits < capacity * SLOTS_PER_KEY) bits++;
    if (bits > MAX_SLOT_BITS) throw new RangeError('KeyTable: too many keys');
    if (this.keys.length < capacity * this.width) {
      const keys = new Uint8Array(capacity * this.width);
      keys.set(this.keys.subarray(0, this.count * this.width));
      this.keys = keys;
    }
    const slots = capacity <= MAX_SMALL_CAPACITY ? new Uint16Array(1 << bits) : new Uint32Array(1 << bits);
    const mask = (1 << bits) - 1;
    this.slots = slots;
    this.mask = mask;
    this.unique = 0;
    // Each packed key probed in place (no view per key): this runs once per window for the white list.
    const keys = this.keys;
    const w = this.width;
    for (let i = 0, at = 0; i < this.count; i++, at += w) {
      const s = this.probe(keys, w, this.hashBytes, slots, mask, keys, at, 0);
      // A key packed twice is found at its first index.
      if (slots[s] !== 0) continue;
      slots[s] = i + 1;
      this.unique++;
    }
  }
}
