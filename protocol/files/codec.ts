import { BsonDocument } from '../bson/types';
import { encodeBson } from '../bson/encode';
import { decodeBson } from '../bson/decode';
import { isPlainObject, setProperty } from '../bson/document';
import { aesCbcDecrypt, aesCbcEncrypt } from '../crypto/cbc';
import { AES128_KEY_BYTES, BlockCipher } from '../crypto/types';
import { CRC_FIELD, CrcCheck, CrcMode, DEFAULT_CRC_MODE, checkCrcTrailer, crcAccepted, sealCrcTrailer } from './trailer';

/**
 * Whole files as the device exchanges them (manual §5.1.1.4, §4.2.1.2): BSON document whose last
 * field is the CRC trailer, then optionally AES-128-CBC (fixed IV, PKCS#5) with a `.aes` name suffix.
 */
export const ENCRYPTED_SUFFIX = '.aes';

export interface EncodeFileOptions {
  encryption: boolean;
  /** 16-byte AES-128 key, required when `encryption`. */
  key?: Uint8Array | undefined;
  /** Accepted for symmetry with `security`; the trailer is written in every mode, the reader decides. */
  crcMode?: CrcMode;
  /** Trailer field name, `crc` on the device (the manual's example says `CRC`). */
  crcField?: string;
  cipher?: BlockCipher;
}

export interface DecodeFileOptions {
  encrypted: boolean;
  key?: Uint8Array | undefined;
  crcMode?: CrcMode;
  crcField?: string;
  cipher?: BlockCipher;
}

export type FileDecodeError = 'key' | 'decrypt' | 'crc' | 'bson';

/**
 * On success `doc` is the file without its trailer field; `crc` says what the check found (the
 * stored value is there for display). Failures name the stage and explain in `detail`.
 */
export type FileDecodeResult =
  | { ok: true; doc: BsonDocument; crc: CrcCheck }
  | { ok: false; error: FileDecodeError; detail: string; crc?: CrcCheck };

/** Thrown by encodeFile for a missing/short key or a document the trailer cannot end (programming errors). */
export class FileEncodeError extends Error {
  override readonly name = 'FileEncodeError';
}

function isAesKey(key: unknown): key is Uint8Array {
  return key instanceof Uint8Array && key.length === AES128_KEY_BYTES;
}

function hex32(value: number): string {
  return '0x' + value.toString(16).toUpperCase().padStart(8, '0');
}

/**
 * BSON with the CRC trailer appended as the last field (any existing field of that name is moved
 * there), encrypted when `encryption`. Throws BsonEncodeError for values outside the BSON model
 * and FileEncodeError for a bad key.
 */
export function encodeFile(doc: BsonDocument, options: EncodeFileOptions): Uint8Array {
  const field = options.crcField ?? CRC_FIELD;
  if (!isPlainObject(doc)) throw new FileEncodeError('a file holds a document');
  if (options.encryption && !isAesKey(options.key)) throw new FileEncodeError(`encryption needs a ${AES128_KEY_BYTES}-byte key`);
  const withTrailer: BsonDocument = {};
  for (const key of Object.keys(doc)) if (key !== field) setProperty(withTrailer, key, doc[key]);
  setProperty(withTrailer, field, 0);
  const sealed = sealCrcTrailer(encodeBson(withTrailer), field);
  if (!sealed.ok) throw new FileEncodeError(`cannot end the document with "${field}": ${sealed.error}`);
  if (!options.encryption) return sealed.bytes;
  const encrypted = aesCbcEncrypt(sealed.bytes, options.key as Uint8Array, { cipher: options.cipher });
  if (!encrypted.ok) throw new FileEncodeError(encrypted.error);
  return encrypted.bytes;
}

function describeCrc(check: CrcCheck, encrypted: boolean): string {
  switch (check.status) {
    case 'mismatch':
      return `CRC mismatch: computed ${hex32(check.computed)}, stored ${hex32(check.stored)}`;
    case 'missing':
      return `no CRC trailer: ${check.error}${encrypted ? ' (wrong key?)' : ''}`;
    default:
      return check.status;
  }
}

/** Decrypts (when `encrypted`), checks the CRC per `crcMode` (default 1), decodes. Never throws. */
export function decodeFile(bytes: Uint8Array, options: DecodeFileOptions): FileDecodeResult {
  const field = options.crcField ?? CRC_FIELD;
  let plain = bytes;
  if (options.encrypted) {
    if (!isAesKey(options.key)) return { ok: false, error: 'key', detail: `an encrypted file needs a ${AES128_KEY_BYTES}-byte key` };
    const decrypted = aesCbcDecrypt(bytes, options.key, { cipher: options.cipher });
    if (!decrypted.ok) return { ok: false, error: 'decrypt', detail: decrypted.error };
    plain = decrypted.bytes;
  }
  // §4.2.1.2: a file whose CRC check fails is not read at all.
  const crc = checkCrcTrailer(plain, options.crcMode ?? DEFAULT_CRC_MODE, field);
  if (!crcAccepted(crc)) return { ok: false, error: 'crc', detail: describeCrc(crc, options.encrypted), crc };
  const decoded = decodeBson(plain);
  if (!decoded.ok) {
    return { ok: false, error: 'bson', detail: decoded.error + (options.encrypted ? ' (wrong key?)' : ''), crc };
  }
  const hasTrailer = crc.status !== 'unchecked' || crc.stored !== undefined;
  if (hasTrailer) delete decoded.value[field];
  return { ok: true, doc: decoded.value, crc };
}

/** `123456-config.bson` → `123456-config.bson.aes` when encryption is on (§4.2.1.2). */
export function fileName(base: string, encryption: boolean): string {
  return encryption && !base.endsWith(ENCRYPTED_SUFFIX) ? base + ENCRYPTED_SUFFIX : base;
}
