/** `wmbus json2bson` and `wmbus bson2json` through their run() entry points, on real files. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { run as bson2json } from '../../bin/commands/bson2json';
import { run as json2bson } from '../../bin/commands/json2bson';
import { fromHexString, hex, MANUAL_DOC_HEX } from './fixtures';

const MANUAL_SECURITY_JSON = `{
  "config": { "security": { "crcMode": 1, "encryption": true,
    "key": {"$type": "80", "$binary": "RACq94N4BJyrE+5ONQ4oGw==" } } },
  "crc": 0
}`;
const KEY_BASE64 = 'RACq94N4BJyrE+5ONQ4oGw==';
const KEY_HEX = '44:00:AA:F7:83:78:04:9C:AB:13:EE:4E:35:0E:28:1B';

let dir: string;
let out: string[];
let err: string[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'wmbus-cli-'));
  out = [];
  err = [];
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (out.push(String(chunk)), true));
  jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (err.push(String(chunk)), true));
});

afterEach(() => {
  jest.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

const file = (name: string): string => join(dir, name);

test('json2bson then bson2json gives back the manual §4.2.1.2 example (2-space indent)', async () => {
  writeFileSync(file('cfg.json'), MANUAL_SECURITY_JSON);
  expect(await json2bson([file('cfg.json'), '-o', file('123456-cfg.bson')])).toBe(0);
  expect(err.join('')).toMatch(/^wrote .*123456-cfg\.bson \(94 bytes, crc 0x[0-9A-F]{8}\)\n$/);
  err = [];
  expect(await bson2json([file('123456-cfg.bson')])).toBe(0);
  expect(err.join('')).toMatch(/^crc: ok \(0x[0-9A-F]{8}\)\n$/);
  const printed = JSON.parse(out.join(''));
  expect(printed.config.security.key).toEqual({ $binary: KEY_BASE64, $type: '80' });
  expect(Object.keys(printed)).toEqual(['config', 'crc']);
  expect(out.join('')).toContain('\n  "config": {\n    "security": {');
});

test('with --key the output gains .aes, is encrypted, and reads back with the key in hex or base64', async () => {
  writeFileSync(file('cfg.json'), MANUAL_SECURITY_JSON);
  expect(await json2bson([file('cfg.json'), '-o', file('123456-cfg.bson'), '--key', KEY_BASE64])).toBe(0);
  expect(existsSync(file('123456-cfg.bson.aes'))).toBe(true);
  expect(existsSync(file('123456-cfg.bson'))).toBe(false);
  expect(readFileSync(file('123456-cfg.bson.aes')).length % 16).toBe(0);
  for (const key of [KEY_BASE64, KEY_HEX]) {
    out = [];
    expect(await bson2json([file('123456-cfg.bson.aes'), '--key', key])).toBe(0);
    expect(JSON.parse(out.join('')).config.security.crcMode).toBe(1);
  }
});

test('an .aes file without --key is an error', async () => {
  writeFileSync(file('x.bson.aes'), new Uint8Array(32));
  expect(await bson2json([file('x.bson.aes')])).toBe(1);
  expect(err.join('')).toMatch(/is encrypted \(\.aes\): give --key/);
});

test('the wrong key is a decrypt error, exit 1', async () => {
  writeFileSync(file('cfg.json'), MANUAL_SECURITY_JSON);
  await json2bson([file('cfg.json'), '-o', file('c.bson'), '--key', KEY_BASE64]);
  expect(await bson2json([file('c.bson.aes'), '--key', 'AAAAAAAAAAAAAAAAAAAAAA=='])).toBe(1);
  expect(err.join('')).toMatch(/error: decrypt: bad PKCS#5 padding/);
  expect(out).toEqual([]);
});

test('a corrupted file reports "crc: mismatch (expected X got Y)" and exits 1', async () => {
  writeFileSync(file('cfg.json'), MANUAL_SECURITY_JSON);
  await json2bson([file('cfg.json'), '-o', file('c.bson')]);
  const bytes = readFileSync(file('c.bson'));
  bytes[20] ^= 0x20;
  writeFileSync(file('c.bson'), bytes);
  err = [];
  expect(await bson2json([file('c.bson')])).toBe(1);
  expect(err.join('')).toMatch(/^crc: mismatch \(expected 0x[0-9A-F]{8} got 0x[0-9A-F]{8}\)\n/);
  expect(out).toEqual([]);
});

test('a stored CRC of 0 reports "crc: absent(0)" in the default mode 1', async () => {
  const zero = fromHexString(MANUAL_DOC_HEX);
  writeFileSync(file('manual.bson'), zero);
  expect(await bson2json([file('manual.bson'), '--crc-field', 'CRC'])).toBe(0);
  expect(err.join('')).toBe('crc: absent(0)\n');
  expect(JSON.parse(out.join(''))).toEqual({ Config: { Remote: { NTP: ['ntp.google.com', ''] } }, CRC: 0 });
});

test('§5.1.1.4: the manual example sealed reads "crc: ok (0x2A0C7BA3)" with --crc-field CRC', async () => {
  const sealed = fromHexString(MANUAL_DOC_HEX);
  sealed.set([0xa3, 0x7b, 0x0c, 0x2a], 75);
  writeFileSync(file('manual.bson'), sealed);
  expect(await bson2json([file('manual.bson'), '--crc-field', 'CRC', '--crc-mode', '2'])).toBe(0);
  expect(err.join('')).toBe('crc: ok (0x2A0C7BA3)\n');
  expect(JSON.parse(out.join('')).CRC).toBe(0x2a0c7ba3);
});

test('json2bson of bson2json output reproduces the file byte for byte', async () => {
  writeFileSync(file('in.json'), '{"uid": "WE_1234", "TS": 1560068897, "n": {"$numberLong": "15600645887"}, "d": 2.5, "crc": 0}');
  await json2bson([file('in.json'), '-o', file('a.bson')]);
  await bson2json([file('a.bson')]);
  writeFileSync(file('again.json'), out.join(''));
  await json2bson([file('again.json'), '-o', file('b.bson')]);
  expect(hex(readFileSync(file('b.bson')))).toBe(hex(readFileSync(file('a.bson'))));
});

test.each<[string, string[], number, RegExp]>([
  ['no arguments', [], 2, /one FILE expected/],
  ['an unknown option', ['x', '--nope', '1'], 2, /unknown option --nope/],
  ['a key of the wrong length', ['x', '--key', 'AAAA'], 2, /AES-128 keys are 16 bytes, got 3/],
  ['a key that is neither base64 nor hex', ['x', '--key', '??'], 2, /neither base64 nor hex/],
  ['a bad --crc-mode', ['x', '--crc-mode', '3'], 2, /expected 0, 1 or 2/],
  ['a missing file', ['/nonexistent/file.bson'], 1, /cannot read/],
])('bson2json: %s', async (_name, args, code, message) => {
  expect(await bson2json(args)).toBe(code);
  expect(err.join('')).toMatch(message);
});

test.each<[string, string, number, RegExp]>([
  ['missing -o', '', 2, /-o OUT is required/],
  ['invalid JSON', '{"a": 1,}', 1, /JSON line 1 column 9/],
  ['an unsupported binary subtype', '{"a": {"$binary": "AA==", "$type": "04"}}', 1, /a: binary subtype 0x04/],
])('json2bson: %s', async (_name, text, code, message) => {
  writeFileSync(file('in.json'), text);
  const args = code === 2 ? [file('in.json')] : [file('in.json'), '-o', file('out.bson')];
  expect(await json2bson(args)).toBe(code);
  expect(err.join('')).toMatch(message);
});
