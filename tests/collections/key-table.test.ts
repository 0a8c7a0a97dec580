import { KeyTable } from '../../protocol/collections/key-table';
import { createRandom } from '../../sim/world/random';

const key = (...bytes: number[]): Uint8Array => Uint8Array.from(bytes);

describe('KeyTable: packed keys found through a hash table', () => {
  test('add keeps the first copy of a key and reports the repeat', () => {
    const t = new KeyTable(3, 2);
    expect(t.add(key(1, 2, 3))).toBe(true);
    expect(t.add(key(1, 2, 4))).toBe(true);
    expect(t.add(key(1, 2, 3))).toBe(false);
    expect([t.size, t.distinct]).toEqual([2, 2]);
    expect(Array.from(t.at(1))).toEqual([1, 2, 4]);
  });

  test('find compares every byte except the ignored ones past the hashed prefix', () => {
    const t = new KeyTable(4, 2);
    t.add(key(9, 9, 5, 6));
    expect(t.find(key(9, 9, 5, 6))).toBe(0);
    expect(t.find(key(9, 9, 5, 7))).toBe(-1);
    expect(t.find(key(9, 9, 5, 7), 1 << 3)).toBe(0);
    expect(t.find(key(9, 9, 0, 0), (1 << 2) | (1 << 3))).toBe(0);
    expect(t.find(key(9, 8, 5, 6), 1 << 1)).toBe(-1);
  });

  test('over() indexes packed keys in place; a key packed twice is found at its first index and counted once', () => {
    const packed = key(1, 1, 2, 2, 1, 1, 3, 3);
    const t = KeyTable.over(packed, 2, 2);
    expect([t.size, t.distinct]).toEqual([4, 3]);
    expect(t.find(key(1, 1))).toBe(0);
    expect(t.find(key(3, 3))).toBe(3);
    expect(t.at(2).buffer).toBe(packed.buffer);
    expect(t.add(key(4, 4))).toBe(true);
    expect(Array.from(packed)).toEqual([1, 1, 2, 2, 1, 1, 3, 3]);
    expect(t.find(key(4, 4))).toBe(4);
  });

  test('grows past its initial capacity and still finds all of 20 000 random keys, and no other', () => {
    const r = createRandom(5);
    const t = new KeyTable(9, 6, 16);
    const model = new Set<string>();
    for (let i = 0; i < 20_000; i++) {
      const k = Uint8Array.from({ length: 9 }, () => r.int(0, 15));
      const text = Buffer.from(k).toString('hex');
      expect(t.add(k)).toBe(!model.has(text));
      model.add(text);
    }
    expect(t.size).toBe(model.size);
    for (let i = 0; i < t.size; i++) expect(t.find(t.at(i))).toBe(i);
    let misses = 0;
    for (let i = 0; i < 2000; i++) {
      const k = Uint8Array.from({ length: 9 }, () => r.int(0, 15));
      if (!model.has(Buffer.from(k).toString('hex'))) {
        misses++;
        expect(t.find(k)).toBe(-1);
      }
    }
    expect(misses).toBeGreaterThan(100);
  });

  test('clear empties the table', () => {
    const t = new KeyTable(2, 1);
    t.add(key(1, 2));
    t.clear();
    expect([t.size, t.find(key(1, 2))]).toEqual([0, -1]);
    expect(t.add(key(1, 2))).toBe(true);
  });
});
