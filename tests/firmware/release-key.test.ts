/**
 * The device build's firmware key (sim/moddable/firmware-key.node.ts, docs/firmware-update.md):
 * FIRMWARE_KEY names the public key built in, WMBUS_RELEASE=1 refuses the development key. The
 * release key here is made for the run; its private half never leaves the temporary folder.
 */
import { spawnSync } from 'child_process';
import { generateKeyPairSync } from 'crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { FirmwareKeyError, KEYS_MODULE, keyModuleSource, writeKeyedManifest } from '../../sim/moddable/firmware-key.node';
import { buildImage, bytesSource, verifyImage } from '../../protocol/firmware/image';
import { FIRMWARE_PUBLIC_KEY } from '../../tasks/firmware/keys';
import { signWithTestKey } from '../fixtures/firmware-test-key';

const REPO = join(__dirname, '..', '..');
const SCRIPT = join(REPO, 'sim', 'moddable', 'firmware-key.node.ts');
const TSX = join(REPO, 'node_modules', '.bin', 'tsx');

const release = generateKeyPairSync('ed25519').publicKey;
const RELEASE_KEY = new Uint8Array(release.export({ format: 'der', type: 'spki' }).subarray(-32));

let dir: string;
const at = (name: string): string => join(dir, name);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wmbus-key-'));
  writeFileSync(at('release.pub'), release.export({ format: 'pem', type: 'spki' }));
  writeFileSync(at('dev.hex'), Buffer.from(FIRMWARE_PUBLIC_KEY).toString('hex') + '\n');
  writeFileSync(at('dev.raw'), FIRMWARE_PUBLIC_KEY);
  writeFileSync(at('rsa.pub'), generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'pem', type: 'spki' }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The bytes and the development mark a generated key module holds. */
function moduleKey(source: string): { key: number[]; development: boolean } {
  const bytes = /Uint8Array\.from\(\[([^\]]*)\]\)/.exec(source);
  const mark = /FIRMWARE_KEY_IS_DEVELOPMENT = (true|false);/.exec(source);
  if (bytes === null || mark === null) throw new Error(`not a key module:\n${source}`);
  return { key: bytes[1].split(',').map((b) => Number(b.trim())), development: mark[1] === 'true' };
}

function outDir(name: string): string {
  const d = at(name);
  rmSync(d, { recursive: true, force: true });
  mkdirSync(d);
  return d;
}

test('without a key file a development build uses manifest.json and the development key as it stands', () => {
  expect(writeKeyedManifest(REPO, outDir('dev'), { release: false })).toBe(join(REPO, 'manifest.json'));
});

test('a release without a key file is refused', () => {
  expect(() => writeKeyedManifest(REPO, outDir('rel0'), { release: true })).toThrow(
    new FirmwareKeyError('WMBUS_RELEASE=1 needs FIRMWARE_KEY=path/to/release.pub: a release is never built with the development key'),
  );
});

test.each(['dev.hex', 'dev.raw'])('a release with the development key (%s) is refused', (file) => {
  expect(() => writeKeyedManifest(REPO, outDir('rel1'), { release: true, keyFile: at(file) })).toThrow(/is the development key, whose private half is published/);
});

test('a release with its own key builds that key in, not marked development', () => {
  const out = outDir('rel2');
  const manifest = writeKeyedManifest(REPO, out, { release: true, keyFile: at('release.pub') });
  expect(manifest).toBe(join(out, 'manifest.json'));
  expect(moduleKey(readFileSync(join(out, 'firmware-key.js'), 'utf8'))).toEqual({ key: Array.from(RELEASE_KEY), development: false });
});

test('the keyed manifest maps the key module to the generated one and every other module to the repository', () => {
  const out = outDir('rel3');
  const keyed = JSON.parse(readFileSync(writeKeyedManifest(REPO, out, { release: true, keyFile: at('release.pub') }), 'utf8')) as { modules: Record<string, string | string[]> };
  const original = JSON.parse(readFileSync(join(REPO, 'manifest.json'), 'utf8')) as { modules: Record<string, string | string[]> };
  expect(keyed.modules[KEYS_MODULE]).toBe(join(out, 'firmware-key'));
  expect(Object.keys(keyed.modules)).toEqual(Object.keys(original.modules));
  for (const [name, where] of Object.entries(original.modules)) {
    if (name === KEYS_MODULE || typeof where !== 'string') continue;
    expect(keyed.modules[name]).toBe(join(REPO, where));
  }
});

test('a development build may name a key file too; the development key is still marked as such', () => {
  expect(moduleKey(keyModuleSource(FIRMWARE_PUBLIC_KEY, { release: false }))).toEqual({ key: Array.from(FIRMWARE_PUBLIC_KEY), development: true });
});

test('a key file that is not an Ed25519 public key is refused with its name', () => {
  expect(() => writeKeyedManifest(REPO, outDir('bad'), { release: true, keyFile: at('rsa.pub') })).toThrow(`FIRMWARE_KEY=${at('rsa.pub')}: a rsa key, not Ed25519`);
});

test('.ci/device-build’s step: WMBUS_RELEASE=1 with the development key exits 1 and says why', () => {
  const r = spawnSync(TSX, [SCRIPT, outDir('script')], { encoding: 'utf8', env: { ...process.env, WMBUS_RELEASE: '1', FIRMWARE_KEY: at('dev.hex') } });
  expect(r.status).toBe(1);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(/^device build: WMBUS_RELEASE=1: .*dev\.hex is the development key/);
});

test('firmware built with a release key refuses an image signed with the development key', () => {
  const image = buildImage({ boardId: 'esp32-ref-1', version: '01.01', versionNumber: 101 }, new Uint8Array(4000).fill(9), signWithTestKey);
  const publicKey = Uint8Array.from(moduleKey(keyModuleSource(RELEASE_KEY, { release: true })).key);
  expect(verifyImage(bytesSource(image), { boardId: 'esp32-ref-1', publicKey, maxPayloadBytes: 64 * 1024 })).toEqual({
    ok: false,
    check: 'signature',
    error: 'signature does not verify with the built-in key',
  });
});
