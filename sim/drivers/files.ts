import type { FileStore } from '../../drivers/files/types';
import type { PowerTap } from './power-rail';

/** Per-file overhead of a LittleFS entry (metadata block share), counted against capacity. */
const FILE_OVERHEAD_BYTES = 64;

/**
 * The device's file partition: a flat map kept in the persistent device state. With a tap, a write,
 * delete or rename torn by a power cut is done or not done, never half: the ESP32 store writes a
 * temporary file and renames it over the old one, and LittleFS commits a rename atomically
 * (drivers/esp32/files.ts).
 */
export class SimFiles implements FileStore {
  constructor(private readonly store: Map<string, Uint8Array>, private readonly capacity: number, private readonly tap?: PowerTap) {}

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
    const copy = bytes.slice();
    this.change(`file write ${name}`, () => this.store.set(name, copy));
  }

  delete(name: string): void {
    this.change(`file delete ${name}`, () => this.store.delete(name));
  }

  rename(from: string, to: string): void {
    const v = this.store.get(from);
    if (v === undefined) throw new Error(`files: ${from} does not exist`);
    this.change(`file rename ${from}`, () => {
      this.store.delete(from);
      this.store.set(to, v);
    });
  }

  free(): number {
    let used = 0;
    for (const v of this.store.values()) used += v.length + FILE_OVERHEAD_BYTES;
    return this.capacity - used;
  }

  private change(what: string, apply: () => void): void {
    if (this.tap === undefined) apply();
    else this.tap.write('files', what, apply);
  }
}
