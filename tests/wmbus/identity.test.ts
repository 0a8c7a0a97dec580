import { parseHeader } from '../../protocol/wmbus/header';
import {
  IDENTITY_BYTES,
  dllIdentity,
  idBytesFromText,
  idText,
  identityKey,
  identityMatches,
  makeIdentity,
} from '../../protocol/wmbus/identity';
import { bytes, hex } from './corpus';

/** WebdynEasy manual §4.2.2.1 example whitelist entry (base64 of 8 bytes). */
const MANUAL_SAP_ENTRY = Uint8Array.from(Buffer.from('MEw/2CMhDAQ=', 'base64'));

describe('filter identity (WebdynEasy §4.2.2.1 whitelist layout)', () => {
  test('an identity is 8 bytes: M-field (2) then A-field (6), as on air', () => {
    const frame = bytes('1844ae4c4455223368077a55000000041389e20100023b0000');
    expect(hex(dllIdentity(frame)!)).toBe('ae4c445522336807');
    expect(IDENTITY_BYTES).toBe(8);
  });

  test("the manual's Sappel entry has the raw on-air A-field layout of a Sappel PRIOS frame", () => {
    const frame = bytes('1944304c9c5824210c04a363140013716577ec59e8663ab0d31c');
    const h = parseHeader(frame);
    expect(h.ok && hex(h.header.identity)).toBe('304c9c5824210c04');
    expect([MANUAL_SAP_ENTRY[0], MANUAL_SAP_ENTRY[1], MANUAL_SAP_ENTRY[6], MANUAL_SAP_ENTRY[7]]).toEqual([0x30, 0x4c, 0x0c, 0x04]);
  });

  test('the printed id is the A-field id bytes read backwards', () => {
    expect(hex(idBytesFromText('12345678')!)).toBe('78563412');
    expect(idText(Uint8Array.of(0x9c, 0x58, 0x24, 0x21), 0)).toBe('2124589c');
    expect(idBytesFromText('1234567')).toBeUndefined();
    expect(idBytesFromText('1234567z')).toBeUndefined();
  });

  test('makeIdentity lays fields out like the DLL', () => {
    expect(hex(makeIdentity(0x4dee, idBytesFromText('12345678')!, 0x3c, 0x06))).toBe('ee4d785634123c06');
  });

  test('identities match only when every byte matches by default', () => {
    const a = bytes('ee4d785634123c06');
    expect(identityMatches(a, bytes('ee4d785634123c06'))).toBe(true);
    expect(identityMatches(a, bytes('ee4d785634123d06'))).toBe(false);
    expect(identityMatches(a, bytes('ee4d785634123c07'))).toBe(false);
  });

  test('skipVersionField ignores byte 6, skipMediumField ignores byte 7', () => {
    const a = bytes('ee4d785634123c06');
    expect(identityMatches(a, bytes('ee4d785634129906'), { skipVersionField: true })).toBe(true);
    expect(identityMatches(a, bytes('ee4d785634123c99'), { skipMediumField: true })).toBe(true);
    expect(identityMatches(a, bytes('ee4d785634123c99'), { skipVersionField: true })).toBe(false);
    expect(identityMatches(a, bytes('ee4d785634999999'), { skipVersionField: true, skipMediumField: true })).toBe(false);
  });

  test('identityKey agrees with identityMatches under the same mask', () => {
    const mask = { skipVersionField: true };
    expect(identityKey(bytes('ee4d785634123c06'), mask)).toBe(identityKey(bytes('ee4d785634120006'), mask));
    expect(identityKey(bytes('ee4d785634123c06'), mask)).not.toBe(identityKey(bytes('ee4d785634123c07'), mask));
    expect(identityKey(bytes('ee4d785634123c06'))).toBe('ee4d785634123c06');
  });

  test('a malformed identity never matches', () => {
    expect(identityMatches(bytes('ee4d'), bytes('ee4d'))).toBe(false);
    expect(identityKey(bytes('ee4d'))).toBe('');
  });
});
