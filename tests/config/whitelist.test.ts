/** §4.2.2.1: the white-list file, up to 2000 meter identities of 8 bytes (M-field 2 + A-field 6). */
import { BsonBinary, BsonDocument } from '../../protocol/bson/types';
import { parseWhitelistFile, whitelistToDocument } from '../../protocol/config/whitelist';
import { bytes, ejson } from './spec';

function identity(n: number): Uint8Array {
  // SAP (0x4C30) meters with consecutive identification numbers, version 0x20, medium 0x07 (water)
  return Uint8Array.of(0x30, 0x4c, n & 0xff, (n >> 8) & 0xff, 0, 0, 0x20, 0x07);
}

function fileOf(count: number): BsonDocument {
  return { wlFilter: Array.from({ length: count }, (_, i) => ({ id: new BsonBinary(identity(i), 0x00) })), crc: 0 };
}

describe('white-list file', () => {
  test('each "id" binary is one meter: M-field then A-field', () => {
    const r = parseWhitelistFile(ejson(`{ "wlFilter": [
      { "id": { "$binary": "MExBKpkgwAE=", "$type": "00" } },
      { "id": { "$binary": "kiYQAwARHgM=", "$type": "00" } } ], "crc": 0 }`));
    expect(r).toEqual({ ok: true, erased: false, ids: [bytes('30 4C 41 2A 99 20 C0 01'), bytes('92 26 10 03 00 11 1E 03')] });
  });

  test('2000 identities are accepted', () => {
    const r = parseWhitelistFile(fileOf(2000));
    expect(r.ok && r.ids.length).toBe(2000);
    expect(r.ok && r.ids[1999]).toEqual(identity(1999));
  });

  test('2001 identities are refused', () => {
    expect(parseWhitelistFile(fileOf(2001))).toEqual({ ok: false, field: 'wlFilter', reason: 'too many entries: 2001, at most 2000' });
  });

  test('"wlFilter": null erases the list', () => {
    expect(parseWhitelistFile(ejson(`{ "wlFilter": null, "crc": 0 }`))).toEqual({ ok: true, ids: [], erased: true });
  });

  test('an identity of 7 or 9 bytes is refused', () => {
    const short = { wlFilter: [{ id: new BsonBinary(identity(1).slice(0, 7)) }] };
    const long = { wlFilter: [{ id: new BsonBinary(Uint8Array.of(...identity(1), 0)) }] };
    expect(parseWhitelistFile(short)).toEqual({ ok: false, field: 'wlFilter[0].id', reason: '7 bytes, expected 8 (M-field 2 + A-field 6)' });
    expect(parseWhitelistFile(long)).toMatchObject({ ok: false, field: 'wlFilter[0].id' });
  });

  test('the manual\'s example joins two 8-byte Base64 groups per id ("FIZEsRQABBE=MExBKpkgwAE="): 16 bytes, refused', () => {
    const twoGroups = Uint8Array.of(...bytes('14 86 44 B1 14 00 04 11'), ...bytes('30 4C 41 2A 99 20 C0 01'));
    expect(parseWhitelistFile({ wlFilter: [{ id: new BsonBinary(twoGroups) }], crc: 0 })).toMatchObject({ ok: false, field: 'wlFilter[0].id', reason: '16 bytes, expected 8 (M-field 2 + A-field 6)' });
  });

  test('an entry must be { id: binary } and nothing else', () => {
    expect(parseWhitelistFile({ wlFilter: [{ id: '304C412A9920C001' }] })).toMatchObject({ field: 'wlFilter[0].id', reason: 'expected binary, got string' });
    expect(parseWhitelistFile({ wlFilter: [{}] })).toEqual({ ok: false, field: 'wlFilter[0].id', reason: 'missing' });
    expect(parseWhitelistFile({ wlFilter: [{ id: new BsonBinary(identity(0)), medium: 7 }] })).toMatchObject({ field: 'wlFilter[0].medium' });
    expect(parseWhitelistFile({ wlFilter: [new BsonBinary(identity(0))] })).toMatchObject({ field: 'wlFilter[0]', reason: 'expected document, got binary' });
  });

  test('the file must hold wlFilter and nothing but crc beside it', () => {
    expect(parseWhitelistFile({ crc: 0 })).toEqual({ ok: false, field: 'wlFilter', reason: 'missing' });
    expect(parseWhitelistFile({ wlFilter: null, config: {} })).toMatchObject({ field: 'config' });
    expect(parseWhitelistFile({ wlFilter: 'none' })).toMatchObject({ field: 'wlFilter', reason: 'expected array or null, got string' });
  });

  test('one bad entry rejects the whole list', () => {
    const doc = fileOf(10);
    (doc.wlFilter as BsonDocument[])[9] = { id: new BsonBinary(new Uint8Array(6)) };
    expect(parseWhitelistFile(doc)).toMatchObject({ ok: false, field: 'wlFilter[9].id' });
  });

  test('whitelistToDocument writes the same layout back', () => {
    const ids = [identity(1), identity(2)];
    expect(parseWhitelistFile(whitelistToDocument(ids))).toEqual({ ok: true, ids, erased: false });
    expect(whitelistToDocument([])).toEqual({ wlFilter: null });
  });
});
