/**
 * A set of fixed-width byte keys kept sorted in one packed Uint8Array: 9 bytes per (meter, size)
 * pair instead of a Map entry per key, so 2000 meters fit in 18 KB of the ESP32's heap. Lookup is
 * a binary search; insertion shifts the tail with copyWithin (a native memmove).
 */
const GROWTH_KEYS = 256;

export class SortedKeys {
  private bytes: Uint8Array;
  private count = 0;

  constructor(readonly width: number, initialCapacity = GROWTH_KEYS) {
    this.bytes = new Uint8Array(Math.max(1, initialCapacity) * width);
  }

  /** Builds a set from packed keys (any order; duplicates kept once). */
  static from(packed: Uint8Array, width: number): SortedKeys {
    const set = new SortedKeys(width, Math.max(1, packed.length / width));
    for (let off = 0; off + width <= packed.length; off += width) set.add(packed.subarray(off, off + width));
    return set;
  }

  get size(): number {
    return this.count;
  }

  /** Key i in sorted order (a view; valid until the next add). */
  at(i: number): Uint8Array {
    return this.bytes.subarray(i * this.width, (i + 1) * this.width);
  }

  has(key: Uint8Array): boolean {
    const i = this.lowerBound(key, this.width);
    return i < this.count && this.compareAt(i, key, this.width) === 0;
  }

  /** Adds `key`; false when it was already there. */
  add(key: Uint8Array): boolean {
    const w = this.width;
    const i = this.lowerBound(key, w);
    if (i < this.count && this.compareAt(i, key, w) === 0) return false;
    if ((this.count + 1) * w > this.bytes.length) {
      const grown = new Uint8Array(this.bytes.length + GROWTH_KEYS * w);
      grown.set(this.bytes.subarray(0, this.count * w));
      this.bytes = grown;
    }
    this.bytes.copyWithin((i + 1) * w, i * w, this.count * w);
    this.bytes.set(key.subarray(0, w), i * w);
    this.count++;
    return true;
  }

  /** Index range [first, end) of the keys whose first `prefix` bytes equal those of `key`. */
  prefixRange(key: Uint8Array, prefix: number): [first: number, end: number] {
    const first = this.lowerBound(key, prefix);
    let end = first;
    while (end < this.count && this.compareAt(end, key, prefix) === 0) end++;
    return [first, end];
  }

  clear(): void {
    this.count = 0;
  }

  private lowerBound(key: Uint8Array, prefix: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.compareAt(mid, key, prefix) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private compareAt(index: number, key: Uint8Array, prefix: number): number {
    const base = index * this.width;
    for (let k = 0; k < prefix; k++) {
      const d = this.bytes[base + k] - key[k];
      if (d !== 0) return d;
    }
    return 0;
  }
}
