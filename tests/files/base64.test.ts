/** Strict RFC 4648 base64, checked against Node's Buffer and the manual's key example (§4.2.1.2). */
import { base64Decode, base64Encode } from '../../protocol/text/base64';
import { fromHexString, hex, int, randomBytes, rng } from './fixtures';

test('§4.2.1.2: 44:00:AA:F7:83:78:04:9C:AB:13:EE:4E:35:0E:28:1B is RACq94N4BJyrE+5ONQ4oGw==', () => {
  const key = fromHexString('44:00:AA:F7:83:78:04:9C:AB:13:EE:4E:35:0E:28:1B');
  expect(base64Encode(key)).toBe('RACq94N4BJyrE+5ONQ4oGw==');
  expect(hex(base64Decode('RACq94N4BJyrE+5ONQ4oGw==') as Uint8Array)).toBe(hex(key));
});

test.each([
  ['', ''],
  ['f', 'Zg=='],
  ['fo', 'Zm8='],
  ['foo', 'Zm9v'],
  ['foob', 'Zm9vYg=='],
  ['fooba', 'Zm9vYmE='],
  ['foobar', 'Zm9vYmFy'],
])('RFC 4648 §10: "%s" ↔ "%s"', (plain, encoded) => {
  expect(base64Encode(new TextEncoder().encode(plain))).toBe(encoded);
  expect(new TextDecoder().decode(base64Decode(encoded))).toBe(plain);
});

test('2000 random byte strings agree with Buffer both ways', () => {
  const r = rng(64);
  for (let i = 0; i < 2000; i++) {
    const data = randomBytes(r, int(r, 0, 70));
    const text = Buffer.from(data).toString('base64');
    expect(base64Encode(data)).toBe(text);
    expect(hex(base64Decode(text) as Uint8Array)).toBe(hex(data));
  }
});

test.each([
  ['a length not a multiple of 4', 'Zm9'],
  ['missing padding', 'Zg'],
  ['whitespace', 'Zm9v Zm9v'],
  ['a line break', 'Zm9v\nZm9v'],
  ['URL-safe letters', 'ab-_'],
  ['padding in the middle (the manual whitelist ids are two values glued)', 'FIZEsRQABBE=MExBKpkgwAE='],
  ['three padding characters', 'Z==='],
  ['only padding', '===='],
  ['non-zero unused bits before ==', 'Zh=='],
  ['non-zero unused bits before =', 'Zm9='],
  ['non-ASCII', 'Zm9é'],
])('rejects %s', (_name, text) => {
  expect(base64Decode(text)).toBeUndefined();
});
