/** A small flat file store on the device (the outbox of files waiting for upload, ACKs, certificates). */
export interface FileStore {
  /** Names in lexical order, optionally only those starting with `prefix`. */
  list(prefix?: string): string[];
  read(name: string): Uint8Array | undefined;
  /** Writes the whole file atomically (a power cut leaves the old version or the new one). */
  write(name: string, bytes: Uint8Array): void;
  delete(name: string): void;
  rename(from: string, to: string): void;
  /** Bytes still free. */
  free(): number;
}
