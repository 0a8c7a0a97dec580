import type { FileStore } from '../files/types';
import { toArrayBuffer } from './io';

/** An open file of the Moddable `file` module. */
export interface FileHandle {
  read(type: typeof ArrayBuffer, bytes?: number): ArrayBuffer;
  write(value: ArrayBuffer): void;
  close(): void;
  readonly length: number;
}

/** The Moddable `file` module's exports the store uses (LittleFS on the `storage` partition). */
export interface FileModule {
  readonly File: {
    new (path: string, write?: boolean): FileHandle;
    delete(path: string): unknown;
    exists(path: string): boolean;
    rename(from: string, to: string): unknown;
  };
  readonly Iterator: {
    new (path: string): { next(): { name: string; length?: number } | undefined };
  };
  readonly System: { info(): { used: number; total: number } };
}

/** Files being written carry this prefix until the rename that publishes them. */
export const TEMP_PREFIX = '.tmp.';
/** LittleFS LFS_NAME_MAX is 255; the temp prefix needs room. */
const NAME_MAX = 255 - TEMP_PREFIX.length;

/**
 * A flat store at the file-system root. A write goes to a temporary file that is then renamed
 * over the old one; LittleFS renames atomically, so a power cut leaves the old file or the new
 * one. Temporary files left by a cut are removed when the store opens.
 */
export class Esp32FileStore implements FileStore {
  constructor(private readonly fs: FileModule, private readonly root = '/') {
    for (const name of this.names()) if (name.startsWith(TEMP_PREFIX)) fs.File.delete(this.path(name));
  }

  list(prefix = ''): string[] {
    return this.names()
      .filter((n) => !n.startsWith(TEMP_PREFIX) && n.startsWith(prefix))
      .sort();
  }

  read(name: string): Uint8Array | undefined {
    const path = this.path(checkName(name));
    if (!this.fs.File.exists(path)) return undefined;
    const file = new this.fs.File(path);
    try {
      // Moddable's read of an empty file throws "read past end of file".
      return file.length === 0 ? new Uint8Array(0) : new Uint8Array(file.read(ArrayBuffer));
    } finally {
      file.close();
    }
  }

  write(name: string, bytes: Uint8Array): void {
    const path = this.path(checkName(name));
    const temp = this.path(TEMP_PREFIX + name);
    // Opening for write does not truncate (LFS_O_CREAT without LFS_O_TRUNC): start from nothing.
    this.fs.File.delete(temp);
    try {
      const file = new this.fs.File(temp, true);
      try {
        if (bytes.length > 0) file.write(toArrayBuffer(bytes));
      } finally {
        file.close();
      }
    } catch (e) {
      this.fs.File.delete(temp);
      throw e;
    }
    if (this.fs.File.rename(temp, path) === false) {
      // A file system whose rename refuses an existing target (SPIFFS): no longer atomic.
      this.fs.File.delete(path);
      this.fs.File.rename(temp, path);
    }
  }

  delete(name: string): void {
    this.fs.File.delete(this.path(checkName(name)));
  }

  rename(from: string, to: string): void {
    this.fs.File.rename(this.path(checkName(from)), this.path(checkName(to)));
  }

  free(): number {
    const info = this.fs.System.info();
    return Math.max(0, info.total - info.used);
  }

  private names(): string[] {
    const out: string[] = [];
    const it = new this.fs.Iterator(this.root);
    for (let entry = it.next(); entry !== undefined; entry = it.next()) {
      if (entry.length !== undefined) out.push(entry.name);
    }
    return out;
  }

  private path(name: string): string {
    return this.root + name;
  }
}

function checkName(name: string): string {
  if (name.length === 0 || name.length > NAME_MAX || name.includes('/') || name.startsWith(TEMP_PREFIX)) {
    throw new RangeError(`files: invalid name "${name}"`);
  }
  return name;
}
