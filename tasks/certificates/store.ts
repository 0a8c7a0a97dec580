import type { FileStore } from '../../drivers/files/types';
import { EVENTS, EventRecorder } from '../log/events';

/** FileStore prefix of stored certificates. */
export const CERTIFICATE_PREFIX = 'cert-';
/** Largest certificate kept (a PEM chain of a few certificates). */
export const MAX_CERTIFICATE_BYTES = 16 * 1024;

const PEM_BEGIN = '-----BEGIN ';
/** DER certificates start with a SEQUENCE tag (X.690 §8.9). */
const DER_SEQUENCE = 0x30;

export type CertificateResult = { readonly ok: true } | { readonly ok: false; readonly error: string };

function startsWithAscii(bytes: Uint8Array, text: string): boolean {
  if (bytes.length < text.length) return false;
  for (let i = 0; i < text.length; i++) if (bytes[i] !== text.charCodeAt(i)) return false;
  return true;
}

/**
 * Certificates added by the `certificate` command (§5.6.12) for the TLS of FTPS (TlsOptions.ca),
 * one FileStore file each under CERTIFICATE_PREFIX, removed together by `certClean` (§5.6.13).
 */
export class CertificateStore {
  constructor(private readonly files: FileStore, private readonly events?: EventRecorder, private readonly prefix = CERTIFICATE_PREFIX) {}

  /** Keeps `bytes` as `name` (replacing one of the same name). PEM or DER only. Never throws. */
  add(name: string, bytes: Uint8Array): CertificateResult {
    if (name.length === 0 || /[/\\]/.test(name)) return { ok: false, error: `"${name}" is not a plain file name` };
    if (bytes.length === 0) return { ok: false, error: `${name} is empty` };
    if (bytes.length > MAX_CERTIFICATE_BYTES) return { ok: false, error: `${name} exceeds ${MAX_CERTIFICATE_BYTES} bytes` };
    if (!startsWithAscii(bytes, PEM_BEGIN) && bytes[0] !== DER_SEQUENCE) return { ok: false, error: `${name} is neither PEM nor DER` };
    try {
      this.files.write(this.prefix + name, bytes);
    } catch (e) {
      return { ok: false, error: e instanceof Error ? e.message : String(e) };
    }
    this.events?.record(EVENTS.certificateStored, name);
    return { ok: true };
  }

  /** Names of the stored certificates, in lexical order. */
  list(): string[] {
    return this.files.list(this.prefix).map((n) => n.slice(this.prefix.length));
  }

  read(name: string): Uint8Array | undefined {
    return this.files.read(this.prefix + name);
  }

  /** Deletes every stored certificate; returns how many there were. */
  clear(): number {
    const names = this.files.list(this.prefix);
    for (const n of names) this.files.delete(n);
    this.events?.record(EVENTS.certificatesCleared, String(names.length));
    return names.length;
  }
}
