import type { FileStore } from '../../drivers/files/types';

/** Per-file overhead of a LittleFS entry (metadata block share), counted against capacity. */
const FILE_OVERHEAD_BYTES = 64;

/** The device's file partition: a flat map kept in the persistent device state. */
export class SimFiles implements FileStore {
  constructor(private readonly store: Map<string, Uint8Array>, private readonly capacity: number) {}

  list(prefix = ''): string[] {
    return [...this.store.keys()].filter((n) => n.startsWith(prefix)).sort();
  }

  read(name: string): Uint8Array | undefined {
    return this.store.get(name)?.slice();
  }

  write(name: string, bytes: Uint8Array): void {
    const old = this.store.get(name);
    const needed = bytes.length + (old === undefined ? FILE_OVERHEAD_BYTES : -old.length);
    if (needed > this.free()) throw new Error(`files: no space for ${name} (${bytes.length} bytes)`);
    this.store.set(name, bytes.slice());
  }

  delete(name: string): void {
    this.store.delete(name);
  }

  rename(from: string, to: string): void {
    const v = this.store.get(from);
    if (v === undefined) throw new Error(`files: ${from} does not exist`);
    this.store.delete(from);
    this.store.set(to, v);
  }

  free(): number {
    let used = 0;
    for (const v of this.store.values()) used += v.length + FILE_OVERHEAD_BYTES;
    return this.capacity - used;
  }
}
