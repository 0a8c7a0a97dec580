import { Ed25519Verifier } from '../crypto/ed25519';
import { Sha256, sha256 } from '../crypto/sha256';

/**
 * Firmware image file (the file a `firmware` command names, §6). Layout, little-endian:
 *
 *   header  0  magic "WMFW"
 *           4  format version (1)
 *           5  3 reserved bytes, 0
 *           8  target board id, 16 bytes ASCII, NUL-padded
 *          24  firmware version, 16 bytes ASCII, NUL-padded
 *          40  payload length, u32
 *          44  SHA-256 of the payload, 32 bytes
 *  payload 76  the application binary written to the OTA slot
 *  trailer     Ed25519 signature (RFC 8032) over header + payload, 64 bytes
 *
 * Checks run cheapest first and stop at the first failure: format, size, target board, integrity
 * (SHA-256), signature. The board check comes before the hashing so an image for another board
 * costs nothing; an image is only trusted once the signature, which covers the header too, holds.
 */

export const IMAGE_MAGIC: readonly number[] = [0x57, 0x4d, 0x46, 0x57];
export const IMAGE_FORMAT_VERSION = 1;
export const IMAGE_HEADER_BYTES = 76;
export const IMAGE_SIGNATURE_BYTES = 64;
export const IMAGE_TEXT_FIELD_BYTES = 16;
export const SHA256_BYTES = 32;

const FORMAT_OFFSET = 4;
const RESERVED_OFFSET = 5;
const RESERVED_BYTES = 3;
const BOARD_OFFSET = 8;
const VERSION_OFFSET = 24;
const LENGTH_OFFSET = 40;
const DIGEST_OFFSET = 44;
const PRINTABLE_MIN = 0x20;
const PRINTABLE_MAX = 0x7e;

export interface ImageHeader {
  readonly formatVersion: number;
  /** Board the image is built for (compared with the running board's id). */
  readonly boardId: string;
  readonly version: string;
  readonly payloadLength: number;
  readonly payloadSha256: Uint8Array;
}

/** Random access to an image wherever it lies (memory, a file, the slot it was streamed into). */
export interface ImageSource {
  readonly size: number;
  /** `length` bytes from `offset` (within `size`). */
  read(offset: number, length: number): Uint8Array;
}

export function bytesSource(bytes: Uint8Array): ImageSource {
  return { size: bytes.length, read: (offset, length) => bytes.subarray(offset, offset + length) };
}

export type ImageCheck = 'format' | 'size' | 'board' | 'integrity' | 'signature';

export type HeaderResult = { readonly ok: true; readonly header: ImageHeader } | { readonly ok: false; readonly error: string };

export type VerifyResult =
  | { readonly ok: true; readonly header: ImageHeader }
  | { readonly ok: false; readonly check: ImageCheck; readonly error: string };

export interface VerifyOptions {
  /** The running board's id; the image must name the same. */
  readonly boardId: string;
  /** Ed25519 public key built into the firmware. */
  readonly publicKey: Uint8Array;
  /** Room in the OTA slot; a larger payload is refused before anything is written. */
  readonly maxPayloadBytes: number;
  /** Payload bytes read per step (memory held at once). */
  readonly chunkBytes?: number;
  /**
   * Receives the payload in order while it is hashed (the updater writes it to the OTA slot in the
   * same pass). Called before integrity and signature are known; exceptions propagate.
   */
  readonly onPayload?: (chunk: Uint8Array, offset: number, payloadLength: number) => void;
}

export const DEFAULT_VERIFY_CHUNK_BYTES = 4096;

function isPrintable(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < PRINTABLE_MIN || c > PRINTABLE_MAX) return false;
  }
  return true;
}

/** A 16-byte NUL-padded ASCII field: printable characters, then only NULs; undefined otherwise. */
function readText(bytes: Uint8Array, offset: number): string | undefined {
  let text = '';
  let end = IMAGE_TEXT_FIELD_BYTES;
  for (let i = 0; i < IMAGE_TEXT_FIELD_BYTES; i++) {
    if (bytes[offset + i] === 0) {
      end = i;
      break;
    }
    text += String.fromCharCode(bytes[offset + i]);
  }
  for (let i = end; i < IMAGE_TEXT_FIELD_BYTES; i++) if (bytes[offset + i] !== 0) return undefined;
  return text.length > 0 && isPrintable(text) ? text : undefined;
}

function writeText(out: Uint8Array, offset: number, text: string): void {
  for (let i = 0; i < text.length; i++) out[offset + i] = text.charCodeAt(i);
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

/** Reads the header fields of `bytes` (format check only). Never throws. */
export function parseImageHeader(bytes: Uint8Array): HeaderResult {
  if (bytes.length < IMAGE_HEADER_BYTES) return { ok: false, error: `${bytes.length} bytes is shorter than the ${IMAGE_HEADER_BYTES}-byte header` };
  for (let i = 0; i < IMAGE_MAGIC.length; i++) if (bytes[i] !== IMAGE_MAGIC[i]) return { ok: false, error: 'not a firmware image (bad magic)' };
  const formatVersion = bytes[FORMAT_OFFSET];
  if (formatVersion !== IMAGE_FORMAT_VERSION) return { ok: false, error: `image format ${formatVersion} is not supported` };
  for (let i = 0; i < RESERVED_BYTES; i++) if (bytes[RESERVED_OFFSET + i] !== 0) return { ok: false, error: 'reserved header bytes are not 0' };
  const boardId = readText(bytes, BOARD_OFFSET);
  if (boardId === undefined) return { ok: false, error: 'board id is not NUL-padded ASCII' };
  const version = readText(bytes, VERSION_OFFSET);
  if (version === undefined) return { ok: false, error: 'version is not NUL-padded ASCII' };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const payloadLength = view.getUint32(LENGTH_OFFSET, true);
  const payloadSha256 = bytes.slice(DIGEST_OFFSET, DIGEST_OFFSET + SHA256_BYTES);
  return { ok: true, header: { formatVersion, boardId, version, payloadLength, payloadSha256 } };
}

/** Header bytes for `header` (the build tool's side). Throws RangeError for text that does not fit. */
export function encodeImageHeader(header: Omit<ImageHeader, 'formatVersion'>): Uint8Array {
  for (const text of [header.boardId, header.version]) {
    if (text.length === 0 || text.length > IMAGE_TEXT_FIELD_BYTES || !isPrintable(text)) {
      throw new RangeError(`"${text}" is not 1-${IMAGE_TEXT_FIELD_BYTES} printable ASCII characters`);
    }
  }
  if (header.payloadSha256.length !== SHA256_BYTES) throw new RangeError('payload digest must be 32 bytes');
  const out = new Uint8Array(IMAGE_HEADER_BYTES);
  out.set(IMAGE_MAGIC, 0);
  out[FORMAT_OFFSET] = IMAGE_FORMAT_VERSION;
  writeText(out, BOARD_OFFSET, header.boardId);
  writeText(out, VERSION_OFFSET, header.version);
  new DataView(out.buffer).setUint32(LENGTH_OFFSET, header.payloadLength, true);
  out.set(header.payloadSha256, DIGEST_OFFSET);
  return out;
}

/**
 * Builds a signed image: `sign` receives header + payload and returns the 64-byte signature (a
 * build tool or test holds the private key; the firmware never does).
 */
export function buildImage(
  target: { readonly boardId: string; readonly version: string },
  payload: Uint8Array,
  sign: (message: Uint8Array) => Uint8Array,
): Uint8Array {
  const header = encodeImageHeader({ ...target, payloadLength: payload.length, payloadSha256: sha256(payload) });
  const signed = new Uint8Array(IMAGE_HEADER_BYTES + payload.length + IMAGE_SIGNATURE_BYTES);
  signed.set(header, 0);
  signed.set(payload, IMAGE_HEADER_BYTES);
  const signature = sign(signed.subarray(0, IMAGE_HEADER_BYTES + payload.length));
  if (signature.length !== IMAGE_SIGNATURE_BYTES) throw new RangeError('signature must be 64 bytes');
  signed.set(signature, IMAGE_HEADER_BYTES + payload.length);
  return signed;
}

/**
 * Runs every check in order; the first failure names its check. The payload is read once, in
 * chunks, feeding the hash, the signature check and `onPayload` together. Never throws, except
 * what `onPayload` throws.
 */
export function verifyImage(source: ImageSource, options: VerifyOptions): VerifyResult {
  if (source.size < IMAGE_HEADER_BYTES) return { ok: false, check: 'format', error: `${source.size} bytes is shorter than the ${IMAGE_HEADER_BYTES}-byte header` };
  const headerBytes = source.read(0, IMAGE_HEADER_BYTES);
  const parsed = parseImageHeader(headerBytes);
  if (!parsed.ok) return { ok: false, check: 'format', error: parsed.error };
  const { header } = parsed;
  const expected = IMAGE_HEADER_BYTES + header.payloadLength + IMAGE_SIGNATURE_BYTES;
  if (header.payloadLength === 0) return { ok: false, check: 'size', error: 'empty payload' };
  if (header.payloadLength > options.maxPayloadBytes) {
    return { ok: false, check: 'size', error: `payload of ${header.payloadLength} bytes exceeds the ${options.maxPayloadBytes}-byte slot` };
  }
  if (source.size !== expected) return { ok: false, check: 'size', error: `image is ${source.size} bytes, header says ${expected}` };
  if (header.boardId !== options.boardId) {
    return { ok: false, check: 'board', error: `image is for board ${header.boardId}, this is ${options.boardId}` };
  }
  const signedEnd = IMAGE_HEADER_BYTES + header.payloadLength;
  // The trailer is read first: Ed25519 hashes R before the message.
  const signature = source.read(signedEnd, IMAGE_SIGNATURE_BYTES);
  const verifier = new Ed25519Verifier(options.publicKey, signature).update(headerBytes);
  const digest = new Sha256();
  const step = options.chunkBytes ?? DEFAULT_VERIFY_CHUNK_BYTES;
  for (let at = IMAGE_HEADER_BYTES; at < signedEnd; at += step) {
    const chunk = source.read(at, Math.min(step, signedEnd - at));
    digest.update(chunk);
    verifier.update(chunk);
    if (options.onPayload !== undefined) options.onPayload(chunk, at - IMAGE_HEADER_BYTES, header.payloadLength);
  }
  if (!equalBytes(digest.digest(), header.payloadSha256)) {
    return { ok: false, check: 'integrity', error: 'payload SHA-256 does not match the header' };
  }
  if (!verifier.verify()) return { ok: false, check: 'signature', error: 'signature does not verify with the built-in key' };
  return { ok: true, header };
}
