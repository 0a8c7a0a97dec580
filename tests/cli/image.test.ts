/**
 * `wmbus image keygen|build|sign|verify` as a release engineer runs it (docs/firmware-update.md):
 * its own process, keys made for the run in a temporary folder (no private key enters the
 * repository), and OpenSSL as the independent Ed25519 implementation on the other side.
 */
import { spawnSync } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { bytesSource, IMAGE_HEADER_BYTES, verifyImage } from '../../protocol/firmware/image';
import { parsePublicKey } from '../../bin/commands/image';
import { FIRMWARE_PUBLIC_KEY } from '../../tasks/firmware/keys';

const BIN = join(__dirname, '..', '..', 'bin', 'wmbus.js');
const BOARD = 'wmbus-esp32-v1';
const PAYLOAD = Uint8Array.from({ length: 9000 }, (_, i) => (i * 31 + (i >> 8)) & 0xff);
const PRIVATE_MODE = 0o600;
const MODE_BITS = 0o777;

function wmbus(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, 'image', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function openssl(...args: string[]): void {
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
}

let dir: string;
const at = (name: string): string => join(dir, name);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wmbus-image-'));
  writeFileSync(at('app.bin'), PAYLOAD);
  expect(wmbus('keygen', '--out', at('release')).code).toBe(0);
  expect(wmbus('build', at('app.bin'), '--board', BOARD, '--version', '01.01', '-o', at('app.unsigned')).code).toBe(0);
  expect(wmbus('sign', at('app.unsigned'), '--key', at('release.key'), '-o', at('app.img')).code).toBe(0);
  openssl('genpkey', '-algorithm', 'ed25519', '-out', at('ossl.key'));
  openssl('pkey', '-in', at('ossl.key'), '-pubout', '-out', at('ossl.pub'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('keygen writes a PKCS#8 private key only its owner can read and an SPKI public key', () => {
  expect(readFileSync(at('release.key'), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
  expect(statSync(at('release.key')).mode & MODE_BITS).toBe(PRIVATE_MODE);
  expect(readFileSync(at('release.pub'), 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
});

test('keygen never overwrites a key', () => {
  const before = readFileSync(at('release.key'));
  const again = wmbus('keygen', '--out', at('release'));
  expect(again.code).toBe(1);
  expect(again.err).toBe(`error: ${at('release.key')} and ${at('release.pub')} already there: keygen never overwrites a key\n`);
  expect(readFileSync(at('release.key'))).toEqual(before);
});

test('an unsigned image is the 80-byte header and the payload', () => {
  const unsigned = readFileSync(at('app.unsigned'));
  expect(unsigned.length).toBe(IMAGE_HEADER_BYTES + PAYLOAD.length);
  expect(new Uint8Array(unsigned.subarray(IMAGE_HEADER_BYTES))).toEqual(PAYLOAD);
});

test('verify prints the header and every check, and exits 0 on a good image', () => {
  const r = wmbus('verify', at('app.img'), '--key', at('release.pub'), '--board', BOARD);
  expect(r.code).toBe(0);
  expect(r.out).toContain(`  board      ${BOARD}\n`);
  expect(r.out).toContain('  version    01.01 (number 101)\n');
  expect(r.out).toContain(`  payload    ${PAYLOAD.length} bytes, SHA-256 `);
  for (const check of ['format', 'size', 'board', 'integrity', 'signature']) expect(r.out).toContain(`  check ${check.padEnd(10)} ok\n`);
});

test('the image the CLI signs passes the firmware’s own checks with the public key file', () => {
  const publicKey = parsePublicKey(readFileSync(at('release.pub')));
  const result = verifyImage(bytesSource(new Uint8Array(readFileSync(at('app.img')))), { boardId: BOARD, publicKey, maxPayloadBytes: 64 * 1024 });
  expect(result).toMatchObject({ ok: true, header: { version: '01.01', versionNumber: 101 } });
});

test('build --key gives the same image as build then sign (Ed25519 is deterministic)', () => {
  expect(wmbus('build', at('app.bin'), '--board', BOARD, '--version', '01.01', '--key', at('release.key'), '-o', at('direct.img')).code).toBe(0);
  expect(readFileSync(at('direct.img'))).toEqual(readFileSync(at('app.img')));
});

test('OpenSSL signs the unsigned image and the CLI verifies it', () => {
  openssl('pkeyutl', '-sign', '-rawin', '-inkey', at('ossl.key'), '-in', at('app.unsigned'), '-out', at('ossl.sig'));
  writeFileSync(at('ossl.img'), Buffer.concat([readFileSync(at('app.unsigned')), readFileSync(at('ossl.sig'))]));
  const r = wmbus('verify', at('ossl.img'), '--key', at('ossl.pub'), '--board', BOARD);
  expect(r.out).toContain('  check signature  ok\n');
  expect(r.code).toBe(0);
});

test('OpenSSL verifies the CLI’s signature over header and payload', () => {
  const image = readFileSync(at('app.img'));
  writeFileSync(at('cli.sig'), image.subarray(image.length - 64));
  const r = spawnSync('openssl', ['pkeyutl', '-verify', '-rawin', '-pubin', '-inkey', at('release.pub'), '-sigfile', at('cli.sig'), '-in', at('app.unsigned')], { encoding: 'utf8' });
  expect(r.stdout.trim()).toBe('Signature Verified Successfully');
  expect(r.status).toBe(0);
});

test('another key: the signature check fails and verify exits 1', () => {
  const r = wmbus('verify', at('app.img'), '--key', at('ossl.pub'));
  expect(r.code).toBe(1);
  expect(r.out).toContain('  check signature  FAILED: signature does not verify with the built-in key\n');
});

test('a flipped payload byte fails the integrity check, and the signature is not run', () => {
  const image = readFileSync(at('app.img'));
  image[IMAGE_HEADER_BYTES + 100] ^= 0x01;
  writeFileSync(at('tampered.img'), image);
  const r = wmbus('verify', at('tampered.img'), '--key', at('release.pub'));
  expect(r.code).toBe(1);
  expect(r.out).toContain('  check integrity  FAILED: payload SHA-256 does not match the header\n');
  expect(r.out).toContain('  check signature  not run\n');
});

test('verify names the development key when given it', () => {
  writeFileSync(at('dev.pub'), Buffer.from(FIRMWARE_PUBLIC_KEY).toString('hex') + '\n');
  expect(wmbus('verify', at('app.img'), '--key', at('dev.pub')).out).toContain('(the development key: its private half is published)');
});

test('a version that is not MM.mm needs --number; with it the header carries that number', () => {
  const without = wmbus('build', at('app.bin'), '--board', BOARD, '--version', '2.0.0-rc1', '-o', at('rc.img'));
  expect(without.code).toBe(2);
  expect(without.err.split('\n')[0]).toBe('--number N is needed: version "2.0.0-rc1" is not MM.mm');
  expect(wmbus('build', at('app.bin'), '--board', BOARD, '--version', '2.0.0-rc1', '--number', '199', '-o', at('rc.img')).code).toBe(0);
  expect(wmbus('verify', at('rc.img'), '--key', at('release.pub')).out).toContain('  version    2.0.0-rc1 (number 199)\n');
});

test('sign refuses a file that is not an image, and writes nothing', () => {
  const r = wmbus('sign', at('app.bin'), '--key', at('release.key'), '-o', at('not.img'));
  expect(r.code).toBe(1);
  expect(r.err).toBe(`error: ${at('app.bin')}: not a firmware image (bad magic)\n`);
  expect(() => statSync(at('not.img'))).toThrow();
});
