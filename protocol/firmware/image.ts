import { Ed25519Verifier } from '../crypto/ed25519';
import { portableHash } from '../crypto/hash';
import { sha256 } from '../crypto/sha256';
import type { Hash, HashFactory } from '../crypto/types';
import { freezeTable } from '../freeze';

/**
 * Firmware image file (the file a `firmware` command names, §6). Layout, little-endian:
 *
 *   header  0  magic "WMFW"
 *           4  format version (2)
 *           5  3 reserved bytes, 0
 *           8  target board id, 16 bytes ASCII, NUL-padded
 *          24  firmware version, 16 bytes ASCII, NUL-padded
 *          40  payload length, u32
 *          44  SHA-256 of the payload, 32 bytes
 *          76  version number, u32: the version in comparable form (tasks/app.ts
 *              FIRMWARE_VERSION_NUMBER of the payload, '01.00' is 100), for the anti-downgrade check
 *  payload 80  the application binary written to the OTA slot
 *  trailer     Ed25519 signature (RFC 8032) over header + payload, 64 bytes
 *
 * Format 1 (76 bytes, no version number) is refused: no device in the field reads it, and an image
 * without a number could not be held to the anti-downgrade rule (docs/firmware-update.md).
 *
 * Checks run cheapest first and stop at the first failure: format, size, target board, version,
 * integrity (SHA-256), signature. The board and version checks come before the hashing so a
 * refused image costs nothing; an image is only trusted once the signature, which covers the
 * header too, holds.
 *
 * An image can arrive as a stream (`ImageReceiver`: a download straight into the OTA slot, never
 * whole in RAM) or lie where it can be read at random (`verifyImage`); both end in the same
 * signature check over an `ImageSource` (`checkImageSignature`).
 */

export const IMAGE_MAGIC: readonly number[] = freezeTable([0x57, 0x4d, 0x46, 0x57]);
export const IMAGE_FORMAT_VERSION = 2;
export const IMAGE_HEADER_BYTES = 80;
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
const VERSION_NUMBER_OFFSET = 76;
const U32_MAX = 0xffffffff;
const PRINTABLE_MIN = 0x20;
const PRINTABLE_MAX = 0x7e;

export interface ImageHeader {
  readonly formatVersion: number;
  /** Board the image is built for (compared with the running board's id). */
  readonly boardId: string;
  readonly version: string;
  /** `version` in comparable form: a later build has a larger number. */
  readonly versionNumber: number;
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

export type ImageCheck = 'format' | 'size' | 'board' | 'version' | 'integrity' | 'signature';

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
   * Receives the payload in order while it is hashed. Called before integrity and signature are
   * known; exceptions propagate.
   */
  readonly onPayload?: (chunk: Uint8Array, offset: number, payloadLength: number) => void;
  /** SHA-256 and SHA-512 (native on the device); the portable TypeScript ones when absent. */
  readonly hashes?: HashFactory;
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
  const versionNumber = view.getUint32(VERSION_NUMBER_OFFSET, true);
  return { ok: true, header: { formatVersion, boardId, version, versionNumber, payloadLength, payloadSha256 } };
}

/** Header bytes for `header` (the build tool's side). Throws RangeError for text that does not fit. */
export function encodeImageHeader(header: Omit<ImageHeader, 'formatVersion'>): Uint8Array {
  for (const text of [header.boardId, header.version]) {
    if (text.length === 0 || text.length > IMAGE_TEXT_FIELD_BYTES || !isPrintable(text)) {
      throw new RangeError(`"${text}" is not 1-${IMAGE_TEXT_FIELD_BYTES} printable ASCII characters`);
    }
  }
  if (header.payloadSha256.length !== SHA256_BYTES) throw new RangeError('payload digest must be 32 bytes');
  if (!Number.isInteger(header.versionNumber) || header.versionNumber < 0 || header.versionNumber > U32_MAX) {
    throw new RangeError(`version number ${header.versionNumber} is not a u32`);
  }
  const out = new Uint8Array(IMAGE_HEADER_BYTES);
  out.set(IMAGE_MAGIC, 0);
  out[FORMAT_OFFSET] = IMAGE_FORMAT_VERSION;
  writeText(out, BOARD_OFFSET, header.boardId);
  writeText(out, VERSION_OFFSET, header.version);
  const view = new DataView(out.buffer);
  view.setUint32(LENGTH_OFFSET, header.payloadLength, true);
  out.set(header.payloadSha256, DIGEST_OFFSET);
  view.setUint32(VERSION_NUMBER_OFFSET, header.versionNumber, true);
  return out;
}

/**
 * Builds a signed image: `sign` receives header + payload and returns the 64-byte signature (a
 * build tool or test holds the private key; the firmware never does).
 */
export function buildImage(
  target: { readonly boardId: string; readonly version: string; readonly versionNumber: number },
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

export type ImageFailure = { readonly ok: false; readonly check: ImageCheck; readonly error: string };

/** An image received whole and intact (format, size, board, SHA-256); its signature is still to check. */
export interface ReceivedImage {
  readonly ok: true;
  readonly header: ImageHeader;
  /** The 80 header bytes as received: the start of the signed message. */
  readonly headerBytes: Uint8Array;
  /** The trailer. */
  readonly signature: Uint8Array;
}

export interface ReceiverOptions {
  /** The running board's id; the image must name the same. */
  readonly boardId: string;
  /** Room in the OTA slot; a larger payload is refused before any payload byte is passed on. */
  readonly maxPayloadBytes: number;
  /**
   * Length of the whole image when the transport knows it beforehand (FTP SIZE, a file's length):
   * a header that disagrees is refused before any payload byte is passed on.
   */
  readonly imageBytes?: number;
  /**
   * Receives the payload in order once the header passed: views into the pushed chunks, valid
   * during the call only. Called before integrity and signature are known; exceptions propagate
   * out of `push`.
   */
  readonly onPayload: (chunk: Uint8Array, offset: number, payloadLength: number) => void;
  /** The payload's SHA-256 (native on the device); the portable TypeScript one when absent. */
  readonly hashes?: HashFactory;
  /** Anti-downgrade: an image whose version number is below this is refused (check 'version'). */
  readonly minVersionNumber?: number;
}

/**
 * An image arriving in pieces of any size (a download): holds the header and the trailer only, so
 * the memory it takes does not grow with the image. The header checks (format, size, board) run
 * as soon as its 80 bytes are in, before any payload byte goes to `onPayload`; the payload is
 * hashed on its way through; `finish` checks the length and the SHA-256.
 *
 * The signature cannot be checked in the same pass: Ed25519 hashes R, which is in the trailer,
 * before the message (RFC 8032 §5.1.7). Once the payload is stored, `checkImageSignature` reads it
 * back.
 */
export class ImageReceiver {
  private readonly headerBytes = new Uint8Array(IMAGE_HEADER_BYTES);
  private readonly signature = new Uint8Array(IMAGE_SIGNATURE_BYTES);
  private readonly digest: Hash;
  private header: ImageHeader | undefined;
  private received = 0;
  private failure: ImageFailure | undefined;
  private finished = false;

  constructor(private readonly options: ReceiverOptions) {
    this.digest = (options.hashes ?? portableHash)('SHA-256');
  }

  /** The failure that stopped the image, if one did. */
  get failed(): ImageFailure | undefined {
    return this.failure;
  }

  /**
   * Takes the next bytes of the image. Returns the failure that stops it (then, and for every
   * later push: nothing more is passed on), undefined while the image is still acceptable.
   */
  push(chunk: Uint8Array): ImageFailure | undefined {
    if (this.failure !== undefined) return this.failure;
    if (this.finished) return this.fail('size', 'bytes after the end of the image');
    let at = 0;
    if (this.header === undefined) {
      at = Math.min(IMAGE_HEADER_BYTES - this.received, chunk.length);
      this.headerBytes.set(chunk.subarray(0, at), this.received);
      this.received += at;
      if (this.received < IMAGE_HEADER_BYTES) return undefined;
      const failure = this.acceptHeader();
      if (failure !== undefined) return failure;
    }
    const header = this.header as ImageHeader;
    const payloadEnd = IMAGE_HEADER_BYTES + header.payloadLength;
    const imageEnd = payloadEnd + IMAGE_SIGNATURE_BYTES;
    if (at < chunk.length && this.received < payloadEnd) {
      const part = chunk.subarray(at, at + Math.min(payloadEnd - this.received, chunk.length - at));
      const offset = this.received - IMAGE_HEADER_BYTES;
      this.digest.update(part);
      this.received += part.length;
      at += part.length;
      this.options.onPayload(part, offset, header.payloadLength);
    }
    if (at < chunk.length && this.received < imageEnd) {
      const part = chunk.subarray(at, at + Math.min(imageEnd - this.received, chunk.length - at));
      this.signature.set(part, this.received - payloadEnd);
      this.received += part.length;
      at += part.length;
    }
    if (at < chunk.length) return this.fail('size', `image is longer than the ${imageEnd} bytes its header announces`);
    return undefined;
  }

  /** The image is over: checks its length and the payload SHA-256. */
  finish(): ReceivedImage | ImageFailure {
    if (this.failure !== undefined) return this.failure;
    this.finished = true;
    const header = this.header;
    if (header === undefined) return this.fail('format', `${this.received} bytes is shorter than the ${IMAGE_HEADER_BYTES}-byte header`);
    const expected = IMAGE_HEADER_BYTES + header.payloadLength + IMAGE_SIGNATURE_BYTES;
    if (this.received !== expected) return this.fail('size', `image is ${this.received} bytes, header says ${expected}`);
    if (!equalBytes(this.digest.digest(), header.payloadSha256)) return this.fail('integrity', 'payload SHA-256 does not match the header');
    return { ok: true, header, headerBytes: this.headerBytes, signature: this.signature };
  }

  /** Format, size, board, then version: the cheapest refusal first, all before the slot is touched. */
  private acceptHeader(): ImageFailure | undefined {
    const parsed = parseImageHeader(this.headerBytes);
    if (!parsed.ok) return this.fail('format', parsed.error);
    const { header } = parsed;
    const { maxPayloadBytes, imageBytes, boardId } = this.options;
    const expected = IMAGE_HEADER_BYTES + header.payloadLength + IMAGE_SIGNATURE_BYTES;
    if (header.payloadLength === 0) return this.fail('size', 'empty payload');
    if (header.payloadLength > maxPayloadBytes) return this.fail('size', `payload of ${header.payloadLength} bytes exceeds the ${maxPayloadBytes}-byte slot`);
    if (imageBytes !== undefined && imageBytes !== expected) return this.fail('size', `image is ${imageBytes} bytes, header says ${expected}`);
    if (header.boardId !== boardId) return this.fail('board', `image is for board ${header.boardId}, this is ${boardId}`);
    const { minVersionNumber } = this.options;
    if (minVersionNumber !== undefined && header.versionNumber < minVersionNumber) {
      return this.fail('version', `image ${header.version} (version number ${header.versionNumber}) is older than the running ${minVersionNumber}`);
    }
    this.header = header;
    return undefined;
  }

  private fail(check: ImageCheck, error: string): ImageFailure {
    this.failure = { ok: false, check, error };
    return this.failure;
  }
}

/**
 * The last check: the Ed25519 signature over the received header and the payload read back from
 * wherever it was stored (`payload`, read in chunks of `chunkBytes`), its SHA-512 from `hashes`.
 * Never throws, except what `payload.read` throws.
 */
export function checkImageSignature(
  image: ReceivedImage,
  payload: ImageSource,
  publicKey: Uint8Array,
  chunkBytes = DEFAULT_VERIFY_CHUNK_BYTES,
  hashes: HashFactory = portableHash,
): VerifyResult {
  const verifier = new Ed25519Verifier(publicKey, image.signature, hashes).update(image.headerBytes);
  for (let at = 0; at < payload.size; at += chunkBytes) verifier.update(payload.read(at, Math.min(chunkBytes, payload.size - at)));
  if (!verifier.verify()) return { ok: false, check: 'signature', error: 'signature does not verify with the built-in key' };
  return { ok: true, header: image.header };
}

/**
 * Runs every check in order on an image that allows random access; the first failure names its
 * check. Header, payload (in chunks, handed to `onPayload` while hashed) and trailer go through an
 * `ImageReceiver`, then the payload is read again for the signature. Never throws, except what
 * `onPayload` throws.
 */
export function verifyImage(source: ImageSource, options: VerifyOptions): VerifyResult {
  const step = options.chunkBytes ?? DEFAULT_VERIFY_CHUNK_BYTES;
  const receiver = new ImageReceiver({
    boardId: options.boardId,
    maxPayloadBytes: options.maxPayloadBytes,
    imageBytes: source.size,
    onPayload: options.onPayload ?? ((): void => undefined),
    hashes: options.hashes,
  });
  const signedEnd = source.size - IMAGE_SIGNATURE_BYTES;
  if (receiver.push(source.read(0, Math.min(IMAGE_HEADER_BYTES, source.size))) === undefined && source.size > IMAGE_HEADER_BYTES) {
    for (let at = IMAGE_HEADER_BYTES; at < signedEnd && receiver.failed === undefined; at += step) receiver.push(source.read(at, Math.min(step, signedEnd - at)));
    if (receiver.failed === undefined) receiver.push(source.read(signedEnd, IMAGE_SIGNATURE_BYTES));
  }
  const received = receiver.finish();
  if (!received.ok) return received;
  const payload: ImageSource = { size: received.header.payloadLength, read: (offset, length) => source.read(IMAGE_HEADER_BYTES + offset, length) };
  return checkImageSignature(received, payload, options.publicKey, step, options.hashes);
}
