/** §6 firmware images: layout, and each check (format → size → board → integrity → signature) on its own. */
import { createPublicKey, generateKeyPairSync, sign } from 'crypto';
import { sha256 } from '../../protocol/crypto/sha256';
import {
  buildImage,
  bytesSource,
  checkImageSignature,
  encodeImageHeader,
  IMAGE_HEADER_BYTES,
  IMAGE_SIGNATURE_BYTES,
  ImageFailure,
  ImageReceiver,
  ImageSource,
  parseImageHeader,
  verifyImage,
  VerifyOptions,
} from '../../protocol/firmware/image';
import { FIRMWARE_PUBLIC_KEY } from '../../tasks/firmware/keys';
import { signWithTestKey, testFirmwareKey } from '../fixtures/firmware-test-key';
import { nodeHashes } from '../fixtures/node-hashes';

const BOARD = 'wmbus-esp32-v1';

function payload(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + 7) & 0xff;
  return out;
}

const PAYLOAD = payload(10_000);
const IMAGE = buildImage({ boardId: BOARD, version: '1.4.2', versionNumber: 104 }, PAYLOAD, signWithTestKey);
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

/** One defect per image, and the check that must name it. */
const TAMPERED: readonly [string, string, () => Uint8Array][] = [
  ['bad magic', 'format', () => flipped(IMAGE, 0)],
  ['an unknown format version', 'format', () => flipped(IMAGE, 4)],
  ['a reserved byte set', 'format', () => flipped(IMAGE, 6)],
  ['garbage after the board id', 'format', () => flipped(IMAGE, 8 + 15)],
  ['fewer bytes than a header', 'format', () => IMAGE.slice(0, 40)],
  ['a truncated image', 'size', () => IMAGE.slice(0, -1)],
  ['a byte too many', 'size', () => Uint8Array.from([...IMAGE, 0])],
  ['a header length that disagrees with the file', 'size', () => flipped(IMAGE, 40)],
  ['another board', 'board', () => buildImage({ boardId: 'other-board', version: '1.4.2', versionNumber: 104 }, PAYLOAD, signWithTestKey)],
  ['a flipped payload bit', 'integrity', () => flipped(IMAGE, IMAGE_HEADER_BYTES + 5000)],
  ['a flipped digest bit', 'integrity', () => flipped(IMAGE, 44)],
  ['a flipped signature bit', 'signature', () => flipped(IMAGE, IMAGE.length - 10)],
  [
    'a header edited after signing (version)',
    'signature',
    () => withHeader(IMAGE, encodeImageHeader({ boardId: BOARD, version: '9.9.9', versionNumber: 909, payloadLength: 10_000, payloadSha256: sha256(PAYLOAD) })),
  ],
  [
    'a signature by another key',
    'signature',
    () => {
      const { privateKey } = generateKeyPairSync('ed25519');
      return buildImage({ boardId: BOARD, version: '1.4.2', versionNumber: 104 }, PAYLOAD, (m) => new Uint8Array(sign(null, m, privateKey)));
    },
  ],
];

test('the committed public key is the test key’s public half', () => {
  const der = createPublicKey(testFirmwareKey()).export({ format: 'der', type: 'spki' });
  expect(Buffer.from(FIRMWARE_PUBLIC_KEY).toString('hex')).toBe(der.subarray(der.length - 32).toString('hex'));
});

describe('layout', () => {
  test('header 80 bytes, payload, 64-byte Ed25519 trailer over header + payload', () => {
    expect(IMAGE.length).toBe(IMAGE_HEADER_BYTES + PAYLOAD.length + IMAGE_SIGNATURE_BYTES);
    expect(Buffer.from(IMAGE.subarray(0, 4)).toString('latin1')).toBe('WMFW');
    expect(IMAGE[4]).toBe(2);
    const signed = IMAGE.subarray(0, IMAGE_HEADER_BYTES + PAYLOAD.length);
    expect(Buffer.from(IMAGE.subarray(-64)).equals(sign(null, signed, testFirmwareKey()))).toBe(true);
  });

  test('the header names board, version, length and the payload SHA-256', () => {
    const parsed = parseImageHeader(IMAGE);
    expect(parsed).toEqual({
      ok: true,
      header: { formatVersion: 2, boardId: BOARD, version: '1.4.2', versionNumber: 104, payloadLength: 10_000, payloadSha256: sha256(PAYLOAD) },
    });
  });

  test('text fields longer than 16 characters or not printable ASCII cannot be written', () => {
    const base = { version: '1', versionNumber: 100, payloadLength: 1, payloadSha256: new Uint8Array(32) };
    expect(() => encodeImageHeader({ ...base, boardId: 'x'.repeat(17) })).toThrow(RangeError);
    expect(() => encodeImageHeader({ ...base, boardId: 'carte-é' })).toThrow(RangeError);
    expect(() => encodeImageHeader({ ...base, boardId: '' })).toThrow(RangeError);
  });

  test('the version number is a little-endian u32 at offset 76, after the payload digest', () => {
    const header = encodeImageHeader({ boardId: BOARD, version: '01.02', versionNumber: 0x01020304, payloadLength: 1, payloadSha256: new Uint8Array(32) });
    expect(Array.from(header.subarray(76, 80))).toEqual([0x04, 0x03, 0x02, 0x01]);
    expect(parseImageHeader(header)).toMatchObject({ ok: true, header: { versionNumber: 0x01020304 } });
  });

  test.each([-1, 1.5, 0x1_0000_0000])('a version number %s cannot be written', (versionNumber) => {
    expect(() => encodeImageHeader({ boardId: BOARD, version: '1', versionNumber, payloadLength: 1, payloadSha256: new Uint8Array(32) })).toThrow(
      `version number ${versionNumber} is not a u32`,
    );
  });

  test('a format-1 image (76-byte header, no version number) is refused as unsupported', () => {
    const old = IMAGE.slice();
    old[4] = 1;
    expect(verify(old)).toEqual({ ok: false, check: 'format', error: 'image format 1 is not supported' });
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

  test.each(TAMPERED)('%s fails the %s check', (_name, check, make) => {
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
    const other = buildImage({ boardId: 'other-board', version: '1', versionNumber: 100 }, PAYLOAD, signWithTestKey);
    let payloadChunks = 0;
    verifyImage(bytesSource(other), { ...OPTIONS, onPayload: () => payloadChunks++ });
    expect(payloadChunks).toBe(0);
  });

  test('checks run in order: a bad signature on a wrong-board image reports the board', () => {
    const other = flipped(buildImage({ boardId: 'other-board', version: '1', versionNumber: 100 }, PAYLOAD, signWithTestKey), IMAGE.length - 1);
    const result = verify(other);
    expect(!result.ok && result.check).toBe('board');
  });

  test('a public key of the wrong length rejects every image', () => {
    const result = verify(IMAGE, { publicKey: FIRMWARE_PUBLIC_KEY.subarray(0, 31) });
    expect(!result.ok && result.check).toBe('signature');
  });
});

describe('streaming (ImageReceiver)', () => {
  const SIGNED_END = IMAGE.length - IMAGE_SIGNATURE_BYTES;

  /** A receiver that collects what it passes on; `imageBytes` as a transport would announce it. */
  class Collector {
    readonly payload: number[] = [];
    calls = 0;
    readonly r: ImageReceiver;

    constructor(imageBytes?: number) {
      this.r = new ImageReceiver({
        boardId: BOARD,
        maxPayloadBytes: 64 * 1024,
        ...(imageBytes !== undefined ? { imageBytes } : {}),
        onPayload: (chunk, offset) => {
          this.calls++;
          expect(offset).toBe(this.payload.length);
          this.payload.push(...chunk);
        },
      });
    }
  }

  /** Split points next to the header's end and around the trailer, where the receiver switches. */
  const SPLITS = [
    ...Array.from({ length: IMAGE_HEADER_BYTES + 3 }, (_, i) => i),
    ...Array.from({ length: IMAGE_SIGNATURE_BYTES + 4 }, (_, i) => SIGNED_END - 2 + i),
  ];

  test.each(SPLITS)('an image cut in two at byte %i is received as a whole one', (cut) => {
    const { r, payload } = new Collector();
    expect(r.push(IMAGE.subarray(0, cut))).toBeUndefined();
    expect(r.push(IMAGE.subarray(cut))).toBeUndefined();
    const received = r.finish();
    expect(received.ok).toBe(true);
    if (!received.ok) return;
    expect(received.header.version).toBe('1.4.2');
    expect(received.headerBytes).toEqual(IMAGE.subarray(0, IMAGE_HEADER_BYTES));
    expect(received.signature).toEqual(IMAGE.subarray(SIGNED_END));
    expect(Uint8Array.from(payload)).toEqual(PAYLOAD);
  });

  test('one byte at a time gives the same image and the same signature check', () => {
    const { r, payload } = new Collector();
    for (let i = 0; i < IMAGE.length; i++) expect(r.push(IMAGE.subarray(i, i + 1))).toBeUndefined();
    const received = r.finish();
    expect(Uint8Array.from(payload)).toEqual(PAYLOAD);
    expect(received.ok && checkImageSignature(received, bytesSource(PAYLOAD), FIRMWARE_PUBLIC_KEY)).toEqual({ ok: true, header: expect.objectContaining({ version: '1.4.2' }) });
  });

  test('an image for another board is refused on the push that completes the header, before any payload is passed on', () => {
    const other = buildImage({ boardId: 'other-board', version: '1', versionNumber: 100 }, PAYLOAD, signWithTestKey);
    const c = new Collector();
    expect(c.r.push(other.subarray(0, IMAGE_HEADER_BYTES - 1))).toBeUndefined();
    const failure = c.r.push(other.subarray(IMAGE_HEADER_BYTES - 1));
    expect(failure).toEqual({ ok: false, check: 'board', error: `image is for board other-board, this is ${BOARD}` });
    expect(c.calls).toBe(0);
    const r = c.r;
    expect(r.push(other)).toBe(failure);
    expect(r.finish()).toBe(failure);
  });

  test('a payload larger than the slot is refused at the header', () => {
    let calls = 0;
    const r = new ImageReceiver({ boardId: BOARD, maxPayloadBytes: 9_999, onPayload: () => calls++ });
    expect(r.push(IMAGE)).toMatchObject({ check: 'size', error: 'payload of 10000 bytes exceeds the 9999-byte slot' });
    expect(calls).toBe(0);
  });

  test('an announced length that disagrees with the header is refused at the header', () => {
    const c = new Collector(IMAGE.length + 1);
    expect(c.r.push(IMAGE.subarray(0, 100))).toEqual({ ok: false, check: 'size', error: `image is ${IMAGE.length + 1} bytes, header says ${IMAGE.length}` });
    expect(c.calls).toBe(0);
  });

  test('a byte past the trailer fails the size check on the push that brings it', () => {
    const { r } = new Collector();
    expect(r.push(IMAGE)).toBeUndefined();
    expect(r.push(Uint8Array.of(0))).toEqual({ ok: false, check: 'size', error: `image is longer than the ${IMAGE.length} bytes its header announces` });
  });

  test.each<[string, number, string]>([
    ['inside the header', 40, 'format'],
    ['inside the payload', 5000, 'size'],
    ['inside the trailer', IMAGE.length - 1, 'size'],
  ])('a stream that ends %s fails the %s check at finish', (_where, end, check) => {
    const { r } = new Collector();
    r.push(IMAGE.subarray(0, end));
    expect((r.finish() as ImageFailure).check).toBe(check);
  });

  test('a payload that does not hash to the header digest fails the integrity check at finish', () => {
    const { r } = new Collector();
    r.push(flipped(IMAGE, IMAGE_HEADER_BYTES + 1234));
    expect(r.finish()).toEqual({ ok: false, check: 'integrity', error: 'payload SHA-256 does not match the header' });
  });

  test('the signature is checked on the payload as read back: a byte changed in storage fails it', () => {
    const { r } = new Collector();
    r.push(IMAGE);
    const received = r.finish();
    expect(received.ok).toBe(true);
    if (!received.ok) return;
    expect(checkImageSignature(received, bytesSource(flipped(PAYLOAD, 7)), FIRMWARE_PUBLIC_KEY)).toEqual({
      ok: false,
      check: 'signature',
      error: 'signature does not verify with the built-in key',
    });
  });
});

describe('with the hashes injected (the device passes its native SHA-256/SHA-512)', () => {
  test('a good image passes, hashed only by the injected factory: the payload for SHA-256, R || A || header || payload for SHA-512', () => {
    const { hashes, bytes } = nodeHashes();
    const result = verify(IMAGE, { hashes });
    expect(result.ok && result.header.version).toBe('1.4.2');
    expect(bytes).toEqual({ 'SHA-256': PAYLOAD.length, 'SHA-512': 32 + 32 + IMAGE_HEADER_BYTES + PAYLOAD.length });
  });

  test.each(TAMPERED)('%s fails the %s check, as with the portable hashes', (_name, check, make) => {
    const image = make();
    const injected = verify(image, { hashes: nodeHashes().hashes });
    expect(injected).toEqual(verify(image));
    expect(!injected.ok && injected.check).toBe(check);
  });

  test('the receiver hashes the payload with the injected SHA-256 as it streams', () => {
    const { hashes, bytes } = nodeHashes();
    const r = new ImageReceiver({ boardId: BOARD, maxPayloadBytes: 64 * 1024, onPayload: () => undefined, hashes });
    r.push(flipped(IMAGE, IMAGE_HEADER_BYTES + 1234));
    expect(r.finish()).toEqual({ ok: false, check: 'integrity', error: 'payload SHA-256 does not match the header' });
    expect(bytes['SHA-256']).toBe(PAYLOAD.length);
  });

  test('the signature read-back uses the injected SHA-512: a byte changed in storage fails it', () => {
    const { hashes, bytes } = nodeHashes();
    const r = new ImageReceiver({ boardId: BOARD, maxPayloadBytes: 64 * 1024, onPayload: () => undefined });
    r.push(IMAGE);
    const received = r.finish();
    expect(received.ok).toBe(true);
    if (!received.ok) return;
    expect(checkImageSignature(received, bytesSource(flipped(PAYLOAD, 7)), FIRMWARE_PUBLIC_KEY, 4096, hashes)).toMatchObject({ ok: false, check: 'signature' });
    expect(checkImageSignature(received, bytesSource(PAYLOAD), FIRMWARE_PUBLIC_KEY, 4096, hashes)).toMatchObject({ ok: true });
    expect(bytes['SHA-512']).toBe(2 * (32 + 32 + IMAGE_HEADER_BYTES + PAYLOAD.length));
  });
});
