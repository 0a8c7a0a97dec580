/** §6 firmware images: layout, and each check (format → size → board → integrity → signature) on its own. */
import { createPublicKey, generateKeyPairSync, sign } from 'crypto';
import { sha256 } from '../../protocol/crypto/sha256';
import {
  buildImage,
  bytesSource,
  encodeImageHeader,
  IMAGE_HEADER_BYTES,
  IMAGE_SIGNATURE_BYTES,
  ImageSource,
  parseImageHeader,
  verifyImage,
  VerifyOptions,
} from '../../protocol/firmware/image';
import { FIRMWARE_PUBLIC_KEY } from '../../tasks/firmware/keys';
import { signWithTestKey, testFirmwareKey } from '../fixtures/firmware-test-key';

const BOARD = 'wmbus-esp32-v1';

function payload(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + 7) & 0xff;
  return out;
}

const PAYLOAD = payload(10_000);
const IMAGE = buildImage({ boardId: BOARD, version: '1.4.2' }, PAYLOAD, signWithTestKey);
const OPTIONS: VerifyOptions = { boardId: BOARD, publicKey: FIRMWARE_PUBLIC_KEY, maxPayloadBytes: 64 * 1024 };

function verify(image: Uint8Array, options: Partial<VerifyOptions> = {}): ReturnType<typeof verifyImage> {
  return verifyImage(bytesSource(image), { ...OPTIONS, ...options });
}

function flipped(image: Uint8Array, offset: number): Uint8Array {
  const out = image.slice();
  out[offset] ^= 0x01;
  return out;
}

/** Rebuilds the header with other fields, keeping payload and (now stale) signature. */
function withHeader(image: Uint8Array, header: Uint8Array): Uint8Array {
  const out = image.slice();
  out.set(header, 0);
  return out;
}

test('the committed public key is the test key’s public half', () => {
  const der = createPublicKey(testFirmwareKey()).export({ format: 'der', type: 'spki' });
  expect(Buffer.from(FIRMWARE_PUBLIC_KEY).toString('hex')).toBe(der.subarray(der.length - 32).toString('hex'));
});

describe('layout', () => {
  test('header 76 bytes, payload, 64-byte Ed25519 trailer over header + payload', () => {
    expect(IMAGE.length).toBe(IMAGE_HEADER_BYTES + PAYLOAD.length + IMAGE_SIGNATURE_BYTES);
    expect(Buffer.from(IMAGE.subarray(0, 4)).toString('latin1')).toBe('WMFW');
    expect(IMAGE[4]).toBe(1);
    const signed = IMAGE.subarray(0, IMAGE_HEADER_BYTES + PAYLOAD.length);
    expect(Buffer.from(IMAGE.subarray(-64)).equals(sign(null, signed, testFirmwareKey()))).toBe(true);
  });

  test('the header names board, version, length and the payload SHA-256', () => {
    const parsed = parseImageHeader(IMAGE);
    expect(parsed).toEqual({
      ok: true,
      header: { formatVersion: 1, boardId: BOARD, version: '1.4.2', payloadLength: 10_000, payloadSha256: sha256(PAYLOAD) },
    });
  });

  test('text fields longer than 16 characters or not printable ASCII cannot be written', () => {
    const base = { version: '1', payloadLength: 1, payloadSha256: new Uint8Array(32) };
    expect(() => encodeImageHeader({ ...base, boardId: 'x'.repeat(17) })).toThrow(RangeError);
    expect(() => encodeImageHeader({ ...base, boardId: 'carte-é' })).toThrow(RangeError);
    expect(() => encodeImageHeader({ ...base, boardId: '' })).toThrow(RangeError);
  });
});

describe('verification', () => {
  test('a good image passes and reports its header', () => {
    const result = verify(IMAGE);
    expect(result.ok && result.header.version).toBe('1.4.2');
  });

  test('the payload is handed on in order, in chunks, while it is checked', () => {
    const chunks: [number, number][] = [];
    const seen = new Uint8Array(PAYLOAD.length);
    const result = verifyImage(bytesSource(IMAGE), {
      ...OPTIONS,
      chunkBytes: 4096,
      onPayload: (chunk, offset, total) => {
        chunks.push([offset, total]);
        seen.set(chunk, offset);
      },
    });
    expect(result.ok).toBe(true);
    expect(chunks).toEqual([
      [0, 10_000],
      [4096, 10_000],
      [8192, 10_000],
    ]);
    expect(seen).toEqual(PAYLOAD);
  });

  test.each<[string, string, () => Uint8Array]>([
    ['bad magic', 'format', () => flipped(IMAGE, 0)],
    ['an unknown format version', 'format', () => flipped(IMAGE, 4)],
    ['a reserved byte set', 'format', () => flipped(IMAGE, 6)],
    ['garbage after the board id', 'format', () => flipped(IMAGE, 8 + 15)],
    ['fewer bytes than a header', 'format', () => IMAGE.slice(0, 40)],
    ['a truncated image', 'size', () => IMAGE.slice(0, -1)],
    ['a byte too many', 'size', () => Uint8Array.from([...IMAGE, 0])],
    ['a header length that disagrees with the file', 'size', () => flipped(IMAGE, 40)],
    ['another board', 'board', () => buildImage({ boardId: 'other-board', version: '1.4.2' }, PAYLOAD, signWithTestKey)],
    ['a flipped payload bit', 'integrity', () => flipped(IMAGE, IMAGE_HEADER_BYTES + 5000)],
    ['a flipped digest bit', 'integrity', () => flipped(IMAGE, 44)],
    ['a flipped signature bit', 'signature', () => flipped(IMAGE, IMAGE.length - 10)],
    [
      'a header edited after signing (version)',
      'signature',
      () => withHeader(IMAGE, encodeImageHeader({ boardId: BOARD, version: '9.9.9', payloadLength: 10_000, payloadSha256: sha256(PAYLOAD) })),
    ],
    [
      'a signature by another key',
      'signature',
      () => {
        const { privateKey } = generateKeyPairSync('ed25519');
        return buildImage({ boardId: BOARD, version: '1.4.2' }, PAYLOAD, (m) => new Uint8Array(sign(null, m, privateKey)));
      },
    ],
  ])('%s fails the %s check', (_name, check, make) => {
    const result = verify(make());
    expect(result.ok).toBe(false);
    expect(!result.ok && result.check).toBe(check);
  });

  test('a payload larger than the slot fails the size check with only the header read', () => {
    let reads = 0;
    const source: ImageSource = { size: IMAGE.length, read: (o, l) => (reads++, IMAGE.subarray(o, o + l)) };
    const result = verifyImage(source, { ...OPTIONS, maxPayloadBytes: 9_999 });
    expect(!result.ok && result.check).toBe('size');
    expect(reads).toBe(1);
  });

  test('an image for another board is refused without hashing its payload', () => {
    const other = buildImage({ boardId: 'other-board', version: '1' }, PAYLOAD, signWithTestKey);
    let payloadChunks = 0;
    verifyImage(bytesSource(other), { ...OPTIONS, onPayload: () => payloadChunks++ });
    expect(payloadChunks).toBe(0);
  });

  test('checks run in order: a bad signature on a wrong-board image reports the board', () => {
    const other = flipped(buildImage({ boardId: 'other-board', version: '1' }, PAYLOAD, signWithTestKey), IMAGE.length - 1);
    const result = verify(other);
    expect(!result.ok && result.check).toBe('board');
  });

  test('a public key of the wrong length rejects every image', () => {
    const result = verify(IMAGE, { publicKey: FIRMWARE_PUBLIC_KEY.subarray(0, 31) });
    expect(!result.ok && result.check).toBe('signature');
  });
});
