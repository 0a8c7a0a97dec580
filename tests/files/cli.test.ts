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

test('a corrupted file reports "crc: mismatch (expected X got Y)", still prints the document, and exits 1', async () => {
  writeFileSync(file('cfg.json'), MANUAL_SECURITY_JSON);
  await json2bson([file('cfg.json'), '-o', file('c.bson')]);
  const bytes = readFileSync(file('c.bson'));
  const stored = bytes.readUInt32LE(bytes.length - 5);
  bytes[bytes.length - 3] ^= 0x20;
  writeFileSync(file('c.bson'), bytes);
  err = [];
  expect(await bson2json([file('c.bson')])).toBe(1);
  const bad = bytes.readUInt32LE(bytes.length - 5);
  const h32 = (v: number): string => '0x' + v.toString(16).toUpperCase().padStart(8, '0');
  expect(err.join('')).toBe(
    `crc: mismatch (expected ${h32(stored)} got ${h32(bad)})\n` +
      `error: the device refuses this file (crcMode 1): CRC mismatch: computed ${h32(stored)}, stored ${h32(bad)}\n`,
  );
  const printed = JSON.parse(out.join(''));
  expect(printed.config.security.key).toEqual({ $binary: KEY_BASE64, $type: '80' });
  expect(printed.crc).toBe(bad | 0);
});

test('a corrupted value under a good-looking trailer still prints the document as it is', async () => {
  writeFileSync(file('cfg.json'), MANUAL_SECURITY_JSON);
  await json2bson([file('cfg.json'), '-o', file('c.bson')]);
  const bytes = readFileSync(file('c.bson'));
  bytes[bytes.indexOf('crcMode') + 8] = 2;
  writeFileSync(file('c.bson'), bytes);
  err = [];
  expect(await bson2json([file('c.bson')])).toBe(1);
  expect(err.join('')).toMatch(/^crc: mismatch \(expected 0x[0-9A-F]{8} got 0x[0-9A-F]{8}\)\nerror: the device refuses this file \(crcMode 1\)/);
  expect(JSON.parse(out.join('')).config.security.crcMode).toBe(2);
});

const CRC_NOTE =
  'note: the trailer is named "CRC", as in the manual\'s worked example (§5.1.1.4); the device\'s own files name it "crc", ' +
  'and the device, which matches the name exactly, refuses this file unless its crcMode is 0\n';

test('§5.1.1.4: the manual\'s sealed example reads without flags, "crc: ok (0x2A0C7BA3)", with a note on the trailer name', async () => {
  const sealed = fromHexString(MANUAL_DOC_HEX);
  sealed.set([0xa3, 0x7b, 0x0c, 0x2a], 75);
  writeFileSync(file('manual.bson'), sealed);
  expect(await bson2json([file('manual.bson')])).toBe(0);
  expect(err.join('')).toBe(CRC_NOTE + 'crc: ok (0x2A0C7BA3)\n');
  expect(JSON.parse(out.join(''))).toEqual({ Config: { Remote: { NTP: ['ntp.google.com', ''] } }, CRC: 0x2a0c7ba3 });
});

test('§5.1.1.4: the manual\'s example before sealing (CRC 0) reads without flags as "crc: absent(0)"', async () => {
  writeFileSync(file('manual.bson'), fromHexString(MANUAL_DOC_HEX));
  expect(await bson2json([file('manual.bson')])).toBe(0);
  expect(err.join('')).toBe(CRC_NOTE + 'crc: absent(0)\n');
});

test('§5.1.1.4: the manual\'s example with a wrong CRC under "CRC" is a mismatch, document shown', async () => {
  const sealed = fromHexString(MANUAL_DOC_HEX);
  sealed.set([0xa3, 0x7b, 0x0c, 0x2b], 75);
  writeFileSync(file('manual.bson'), sealed);
  expect(await bson2json([file('manual.bson')])).toBe(1);
  expect(err.join('')).toBe(
    CRC_NOTE +
      'crc: mismatch (expected 0x2A0C7BA3 got 0x2B0C7BA3)\n' +
      'error: the device refuses this file (crcMode 1): CRC mismatch: computed 0x2A0C7BA3, stored 0x2B0C7BA3\n',
  );
  expect(JSON.parse(out.join('')).Config).toEqual({ Remote: { NTP: ['ntp.google.com', ''] } });
});

test.each<[string, Uint8Array, string]>([
  ['a text file', new TextEncoder().encode('hello world\n'), 'it holds text (it starts with "hello wo")'],
  ['a JSON file', new TextEncoder().encode('\n  {"config": {}}'), 'it holds JSON text (json2bson turns JSON into BSON)'],
  ['an empty file', new Uint8Array(0), 'the file is empty'],
  [
    'binary bytes',
    Uint8Array.from([0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04, 0x05]),
    'a BSON file starts with its own length (9 bytes here) and ends with 0x00; this one starts with 0xDE 0xAD 0xBE 0xEF 0x01 0x02 0x03 0x04',
  ],
])('bson2json on %s says it is not a BSON file (exit 1)', async (_name, bytes, reason) => {
  writeFileSync(file('x.bson'), bytes);
  expect(await bson2json([file('x.bson')])).toBe(1);
  expect(err.join('')).toBe(`error: ${file('x.bson')} is not a BSON file: ${reason}\n`);
  expect(out).toEqual([]);
});

test('json2bson refuses a JSON file that is not UTF-8, naming the offset of the bad byte', async () => {
  // "name": "Café" saved as Latin-1: é is the single byte 0xE9.
  const latin1 = Buffer.concat([Buffer.from('{"config": {"name": "Caf'), Buffer.from([0xe9]), Buffer.from('"}}')]);
  writeFileSync(file('in.json'), latin1);
  expect(await json2bson([file('in.json'), '-o', file('out.bson')])).toBe(1);
  expect(err.join('')).toBe(`error: ${file('in.json')} is not UTF-8 text: byte 0xE9 at offset 24 (save the JSON as UTF-8)\n`);
  expect(existsSync(file('out.bson'))).toBe(false);
});

test.each<[string, number[], number]>([
  ['an overlong encoding of "/"', [0xc0, 0xaf], 0],
  ['a UTF-16 surrogate', [0xed, 0xa0, 0x80], 0],
  ['a truncated sequence', [0xe2, 0x82], 0],
  ['a stray continuation byte after valid text', [0x41, 0x80], 1],
])('json2bson refuses %s', async (_name, bad, offset) => {
  writeFileSync(file('in.json'), Buffer.concat([Buffer.from('{"n": "'), Buffer.from(bad), Buffer.from('"}')]));
  expect(await json2bson([file('in.json'), '-o', file('out.bson')])).toBe(1);
  expect(err.join('')).toMatch(new RegExp(`at offset ${7 + offset} \\(save the JSON as UTF-8\\)\n$`));
});

test('json2bson skips a UTF-8 byte order mark and keeps real UTF-8 text', async () => {
  writeFileSync(file('in.json'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"config": {"name": "Café 漢"}, "crc": 0}')]));
  expect(await json2bson([file('in.json'), '-o', file('out.bson')])).toBe(0);
  err = [];
  expect(await bson2json([file('out.bson')])).toBe(0);
  expect(JSON.parse(out.join('')).config.name).toBe('Café 漢');
});

test('json2bson warns when the file it writes is larger than the 65536 bytes the box reads', async () => {
  writeFileSync(file('big.json'), JSON.stringify({ config: { name: 'x'.repeat(70_000) }, crc: 0 }));
  expect(await json2bson([file('big.json'), '-o', file('big.bson')])).toBe(0);
  const size = readFileSync(file('big.bson')).length;
  expect(err.join('')).toMatch(
    new RegExp(`\\(${size} bytes, crc 0x[0-9A-F]{8}\\)\n` + `warning: .*big\\.bson is ${size} bytes; the box reads files of at most 65536 bytes and refuses a larger one\n$`),
  );
});

test('json2bson does not warn for a file the box reads', async () => {
  writeFileSync(file('cfg.json'), MANUAL_SECURITY_JSON);
  expect(await json2bson([file('cfg.json'), '-o', file('c.bson')])).toBe(0);
  expect(err.join('')).not.toContain('warning');
});

test('a stored CRC of 0 reports "crc: absent(0)" in the default mode 1', async () => {
  const zero = fromHexString(MANUAL_DOC_HEX);
  writeFileSync(file('manual.bson'), zero);
  expect(await bson2json([file('manual.bson'), '--crc-field', 'CRC'])).toBe(0);
  expect(err.join('')).toBe('crc: absent(0)\n');
  expect(JSON.parse(out.join(''))).toEqual({ Config: { Remote: { NTP: ['ntp.google.com', ''] } }, CRC: 0 });
});

test('--crc-field CRC --crc-mode 2 reads the manual example without the note', async () => {
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
