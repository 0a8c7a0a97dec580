/**
 * §5.1.1.4 CRC trailer: the last top-level field is an int32 holding the CRC-32 of the whole file
 * computed with that field zeroed; §4.2.1.2 crcMode 0/1/2.
 */
import { encodeBson } from '../../protocol/bson/encode';
import { BsonBinary } from '../../protocol/bson/types';
import { checkCrcTrailer, locateCrcTrailer, sealCrcTrailer, trailerCrc } from '../../protocol/files/trailer';
import { fromHexString, hex, MANUAL_DOC_HEX } from './fixtures';

/** The manual's first dump exactly as printed: 79 bytes (line 5 lost one 0x00) under an 0x50 header. */
const MANUAL_DUMP_AS_PRINTED = `
50 00 00 00 03 43 6F 6E 66 69 67 00 3A 00 00 00
03 52 65 6D 6F 74 65 00 2D 00 00 00 04 4E 54 50
00 23 00 00 00 02 30 00 0F 00 00 00 6E 74 70 2E
67 6F 6F 67 6C 65 2E 63 6F 6D 00 02 31 00 01 00
00 00 00 00 00 00 10 43 52 43 00 00 00 00 00`;

const manualDoc = (): Uint8Array => fromHexString(MANUAL_DOC_HEX);

function sealed(bson: Uint8Array, field?: string): Uint8Array {
  const r = sealCrcTrailer(bson, field);
  if (!r.ok) throw new Error(r.error);
  return r.bytes;
}

describe('§5.1.1.4 worked example', () => {
  test('the printed dump is one byte short of the 0x50 its header announces', () => {
    const printed = fromHexString(MANUAL_DUMP_AS_PRINTED);
    expect(printed.length).toBe(79);
    expect(printed[0]).toBe(0x50);
    expect(locateCrcTrailer(printed, 'CRC').ok).toBe(false);
  });

  test('the 80-byte document has CRC 0x2A0C7BA3, stored little-endian as A3 7B 0C 2A', () => {
    const doc = manualDoc();
    const at = locateCrcTrailer(doc, 'CRC');
    expect(at).toEqual({ ok: true, offset: 75 });
    expect(trailerCrc(doc, 75)).toBe(0x2a0c7ba3);
    const out = sealed(doc, 'CRC');
    expect(hex(out.subarray(75, 79))).toBe('a37b0c2a');
    expect(out.length).toBe(80);
    expect(out[79]).toBe(0);
  });

  test('the sealed example checks ok in every mode that checks', () => {
    const out = sealed(manualDoc(), 'CRC');
    expect(checkCrcTrailer(out, 1, 'CRC')).toEqual({ status: 'ok', stored: 0x2a0c7ba3 });
    expect(checkCrcTrailer(out, 2, 'CRC')).toEqual({ status: 'ok', stored: 0x2a0c7ba3 });
  });

  test('the field name is case-sensitive: the example has no lowercase "crc" trailer', () => {
    expect(locateCrcTrailer(manualDoc())).toEqual({ ok: false, error: 'the last field is not an int32 named "crc"' });
  });

  test('sealing copies: the input keeps its zero CRC', () => {
    const doc = manualDoc();
    sealed(doc, 'CRC');
    expect(hex(doc.subarray(75, 79))).toBe('00000000');
  });

  test('the CRC is the same whatever the stored bytes were (they count as zero)', () => {
    const out = sealed(manualDoc(), 'CRC');
    expect(trailerCrc(out, 75)).toBe(0x2a0c7ba3);
  });
});

describe('§4.2.1.2 crcMode', () => {
  const file = (): Uint8Array => sealed(encodeBson({ config: { name: 'WebdynEasy' }, crc: 0 }));
  const zeroCrc = (): Uint8Array => encodeBson({ config: { name: 'WebdynEasy' }, crc: 0 });
  const corrupted = (): Uint8Array => {
    const f = file();
    f[20] ^= 0x01;
    return f;
  };

  test('mode 0: nothing checked, even a corrupted file; the stored value is reported', () => {
    const check = checkCrcTrailer(corrupted(), 0);
    expect(check.status).toBe('unchecked');
  });

  test('mode 1: a good CRC is ok', () => {
    expect(checkCrcTrailer(file(), 1).status).toBe('ok');
  });

  test('mode 1: a stored CRC of 0 is not checked ("absent")', () => {
    expect(checkCrcTrailer(zeroCrc(), 1)).toEqual({ status: 'absent' });
  });

  test('mode 2: a stored CRC of 0 is checked and fails', () => {
    const check = checkCrcTrailer(zeroCrc(), 2);
    expect(check.status).toBe('mismatch');
  });

  test('modes 1 and 2: a flipped bit is a mismatch with both values', () => {
    const bad = corrupted();
    const good = file();
    const stored = new DataView(good.buffer).getUint32(good.length - 5, true);
    for (const mode of [1, 2] as const) {
      const check = checkCrcTrailer(bad, mode);
      expect(check).toEqual({ status: 'mismatch', stored, computed: expect.any(Number) });
      if (check.status === 'mismatch') expect(check.computed).not.toBe(stored);
    }
  });

  test('modes 1 and 2: a file without the trailer is refused as missing', () => {
    const noTrailer = encodeBson({ config: { name: 'x' } });
    expect(checkCrcTrailer(noTrailer, 1).status).toBe('missing');
    expect(checkCrcTrailer(noTrailer, 2).status).toBe('missing');
  });
});

describe('locating the trailer', () => {
  test('the crc field must be last', () => {
    expect(locateCrcTrailer(encodeBson({ crc: 0, a: 1 })).ok).toBe(false);
  });

  test('the crc field must be an int32', () => {
    expect(locateCrcTrailer(encodeBson({ a: 1, crc: 0n })).ok).toBe(false);
    expect(locateCrcTrailer(encodeBson({ a: 1, crc: 'x' })).ok).toBe(false);
  });

  test('a nested crc does not count', () => {
    expect(locateCrcTrailer(encodeBson({ a: { crc: 0 } })).ok).toBe(false);
  });

  test('a binary whose payload ends like a trailer is not taken for one', () => {
    const lookalike = Uint8Array.of(0x10, 0x63, 0x72, 0x63, 0x00, 1, 2, 3, 4);
    const doc = encodeBson({ a: new BsonBinary(lookalike) });
    // The last 10 bytes look like `10 'crc' 00 xx xx xx xx 00`, but the walk sees one binary element.
    expect(hex(doc.subarray(doc.length - 10))).toBe('1063726300010203040' + '0');
    expect(locateCrcTrailer(doc).ok).toBe(false);
  });

  test('a longer key ending in "crc" is not the trailer', () => {
    expect(locateCrcTrailer(encodeBson({ a: 1, xcrc: 0 })).ok).toBe(false);
  });

  test.each([
    ['empty input', new Uint8Array(0)],
    ['the empty document', Uint8Array.of(5, 0, 0, 0, 0)],
    ['a wrong length header', Uint8Array.of(9, 0, 0, 0, 0)],
    ['a missing terminator', Uint8Array.of(5, 0, 0, 0, 1)],
    ['an element running past the end', fromHexString('0d000000 02 6100 ff000000 00 00')],
  ])('refuses %s without throwing', (_name, bytes) => {
    expect(locateCrcTrailer(bytes).ok).toBe(false);
    expect(checkCrcTrailer(bytes, 2).status).toBe('missing');
  });
});
