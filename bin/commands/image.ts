import { createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject, sign } from 'crypto';
import { existsSync, readFileSync, writeFileSync } from 'fs';
import {
  bytesSource,
  encodeImageHeader,
  IMAGE_HEADER_BYTES,
  IMAGE_SIGNATURE_BYTES,
  ImageCheck,
  parseImageHeader,
  verifyImage,
} from '../../protocol/firmware/image';
import { sha256 } from '../../protocol/crypto/sha256';
import { FIRMWARE_PUBLIC_KEY } from '../../tasks/firmware/keys';
import { parseArgs } from './filekey';
import { errorMessage } from './input';

/**
 * `wmbus image keygen|build|sign|verify`: firmware images (protocol/firmware/image.ts) on the
 * host. Keys are Ed25519 files as OpenSSL and Node write them: the private key PKCS#8 PEM, the
 * public key SPKI PEM (a raw 32-byte file or 64 hex digits are read too). An unsigned image is
 * the header and the payload without the 64-byte trailer; `sign` appends it (docs/firmware-update.md).
 */
const USAGE = [
  'usage: wmbus image keygen --out PREFIX                 PREFIX.key (private, PKCS#8 PEM, mode 600) and PREFIX.pub (SPKI PEM)',
  '       wmbus image build PAYLOAD --board ID --version TEXT [--number N] [--key PRIVATE] -o OUT',
  '       wmbus image sign IMAGE --key PRIVATE -o OUT',
  '       wmbus image verify IMAGE --key PUBLIC [--board ID]',
].join('\n');
const EXIT_OK = 0;
const EXIT_ERROR = 1;
const EXIT_USAGE = 2;

export const ED25519_PUBLIC_KEY_BYTES = 32;
const HEX_KEY_CHARS = 2 * ED25519_PUBLIC_KEY_BYTES;
/** Only the owner may read a private key file. */
const PRIVATE_KEY_MODE = 0o600;
/** `--number` defaults to the version's comparable form: 'MM.mm' is MM × 100 + mm (tasks/app.ts FIRMWARE_VERSION_NUMBER). */
const VERSION_PART = 100;
const U32_MAX = 0xffffffff;
/** verify checks a payload of any size; the slot limit is the device's business. */
const NO_SLOT_LIMIT = U32_MAX;
const CHECKS: readonly ImageCheck[] = ['format', 'size', 'board', 'integrity', 'signature'];

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** The 32-byte Ed25519 public key of a PEM (SPKI), raw 32-byte or 64-hex-digit file's content. Throws with the reason. */
export function parsePublicKey(content: Uint8Array): Uint8Array {
  const text = Buffer.from(content).toString('latin1').trim();
  if (text.includes('-----BEGIN')) {
    const key = createPublicKey(text);
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`a ${key.asymmetricKeyType ?? 'unknown'} key, not Ed25519`);
    return new Uint8Array(key.export({ format: 'der', type: 'spki' }).subarray(-ED25519_PUBLIC_KEY_BYTES));
  }
  if (text.length === HEX_KEY_CHARS && /^[0-9a-fA-F]+$/.test(text)) return new Uint8Array(Buffer.from(text, 'hex'));
  if (content.length === ED25519_PUBLIC_KEY_BYTES) return content.slice();
  throw new Error('not an Ed25519 public key (SPKI PEM, 32 raw bytes or 64 hex digits)');
}

export function readPublicKeyFile(path: string): Uint8Array {
  try {
    return parsePublicKey(readFileSync(path));
  } catch (e) {
    throw new Error(`${path}: ${errorMessage(e)}`);
  }
}

function readPrivateKeyFile(path: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(readFileSync(path));
  } catch (e) {
    throw new Error(`${path}: not a private key (${errorMessage(e)})`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`${path}: a ${key.asymmetricKeyType ?? 'unknown'} key, not Ed25519`);
  return key;
}

export function isDevelopmentKey(publicKey: Uint8Array): boolean {
  return hex(publicKey) === hex(FIRMWARE_PUBLIC_KEY);
}

/** 'MM.mm' → MM × 100 + mm; undefined for any other form (then --number is needed). */
export function versionNumberOf(version: string): number | undefined {
  const m = /^(\d{1,7})\.(\d{1,2})$/.exec(version);
  return m === null ? undefined : Number(m[1]) * VERSION_PART + Number(m[2]);
}

/** Header + payload + the trailer `key` makes over them. */
function signed(unsigned: Uint8Array, key: KeyObject): Uint8Array {
  const signature = new Uint8Array(sign(null, unsigned, key));
  const out = new Uint8Array(unsigned.length + IMAGE_SIGNATURE_BYTES);
  out.set(unsigned, 0);
  out.set(signature, unsigned.length);
  return out;
}

function keygen(options: Map<string, string>): number {
  const prefix = options.get('--out');
  if (prefix === undefined) return usage('--out PREFIX is required');
  const taken = [`${prefix}.key`, `${prefix}.pub`].filter((f) => existsSync(f));
  if (taken.length > 0) throw new Error(`${taken.join(' and ')} already there: keygen never overwrites a key`);
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  writeFileSync(`${prefix}.key`, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: PRIVATE_KEY_MODE, flag: 'wx' });
  writeFileSync(`${prefix}.pub`, publicKey.export({ format: 'pem', type: 'spki' }), { flag: 'wx' });
  const raw = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }).subarray(-ED25519_PUBLIC_KEY_BYTES));
  process.stdout.write(`${prefix}.key: private key (keep it off the repository)\n${prefix}.pub: public key ${hex(raw)}\n`);
  return EXIT_OK;
}

function build(positional: string[], options: Map<string, string>): number {
  const board = options.get('--board');
  const version = options.get('--version');
  const out = options.get('-o');
  if (positional.length !== 1 || board === undefined || version === undefined || out === undefined) {
    return usage('build needs PAYLOAD, --board, --version and -o');
  }
  const numberText = options.get('--number');
  const versionNumber = numberText === undefined ? versionNumberOf(version) : Number(numberText);
  if (versionNumber === undefined) return usage(`--number N is needed: version "${version}" is not MM.mm`);
  if (!Number.isInteger(versionNumber) || versionNumber < 0 || versionNumber > U32_MAX) return usage(`--number ${numberText ?? ''} is not a u32`);
  const keyPath = options.get('--key');
  const key = keyPath === undefined ? undefined : readPrivateKeyFile(keyPath);
  const payload = new Uint8Array(readFileSync(positional[0]));
  if (payload.length === 0) throw new Error(`${positional[0]}: empty payload`);
  const header = encodeImageHeader({ boardId: board, version, versionNumber, payloadLength: payload.length, payloadSha256: sha256(payload) });
  const unsigned = new Uint8Array(IMAGE_HEADER_BYTES + payload.length);
  unsigned.set(header, 0);
  unsigned.set(payload, IMAGE_HEADER_BYTES);
  const image = key === undefined ? unsigned : signed(unsigned, key);
  writeFileSync(out, image);
  process.stdout.write(`${out}: ${image.length} bytes, ${board} ${version} (number ${versionNumber}), ${key === undefined ? 'unsigned' : 'signed'}\n`);
  return EXIT_OK;
}

function signImage(positional: string[], options: Map<string, string>): number {
  const keyPath = options.get('--key');
  const out = options.get('-o');
  if (positional.length !== 1 || keyPath === undefined || out === undefined) return usage('sign needs IMAGE, --key and -o');
  const key = readPrivateKeyFile(keyPath);
  const bytes = new Uint8Array(readFileSync(positional[0]));
  const parsed = parseImageHeader(bytes);
  if (!parsed.ok) throw new Error(`${positional[0]}: ${parsed.error}`);
  const signedEnd = IMAGE_HEADER_BYTES + parsed.header.payloadLength;
  // A signed image is signed again: its old trailer gives way.
  if (bytes.length !== signedEnd && bytes.length !== signedEnd + IMAGE_SIGNATURE_BYTES) {
    throw new Error(`${positional[0]}: ${bytes.length} bytes, the header says ${signedEnd} unsigned or ${signedEnd + IMAGE_SIGNATURE_BYTES} signed`);
  }
  writeFileSync(out, signed(bytes.subarray(0, signedEnd), key));
  process.stdout.write(`${out}: ${signedEnd + IMAGE_SIGNATURE_BYTES} bytes, signed\n`);
  return EXIT_OK;
}

function verify(positional: string[], options: Map<string, string>): number {
  const keyPath = options.get('--key');
  if (positional.length !== 1 || keyPath === undefined) return usage('verify needs IMAGE and --key');
  const publicKey = readPublicKeyFile(keyPath);
  const bytes = new Uint8Array(readFileSync(positional[0]));
  const lines = [`${positional[0]}: ${bytes.length} bytes`];
  const parsed = parseImageHeader(bytes);
  if (parsed.ok) {
    const h = parsed.header;
    lines.push(
      `  format     ${h.formatVersion}`,
      `  board      ${h.boardId}`,
      `  version    ${h.version} (number ${h.versionNumber})`,
      `  payload    ${h.payloadLength} bytes, SHA-256 ${hex(h.payloadSha256)}`,
    );
  }
  lines.push(`  key        ${hex(publicKey)}${isDevelopmentKey(publicKey) ? ' (the development key: its private half is published)' : ''}`);
  const board = options.get('--board') ?? (parsed.ok ? parsed.header.boardId : '');
  const result = verifyImage(bytesSource(bytes), { boardId: board, publicKey, maxPayloadBytes: NO_SLOT_LIMIT });
  const failed = result.ok ? CHECKS.length : CHECKS.indexOf(result.check);
  CHECKS.forEach((check, i) => {
    const state = i < failed ? 'ok' : i === failed && !result.ok ? `FAILED: ${result.error}` : 'not run';
    const note = check === 'board' && options.get('--board') === undefined && state === 'ok' ? ' (as the header names it; --board checks it)' : '';
    lines.push(`  check ${check.padEnd(10)} ${state}${note}`);
  });
  process.stdout.write(lines.join('\n') + '\n');
  return result.ok ? EXIT_OK : EXIT_ERROR;
}

function usage(error: string): number {
  process.stderr.write(`${error}\n${USAGE}\n`);
  return EXIT_USAGE;
}

/** `wmbus image keygen|build|sign|verify …`. */
export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const parsed = parseArgs(rest, ['--out', '-o', '--board', '--version', '--number', '--key']);
  if (parsed.error !== undefined) return usage(parsed.error);
  try {
    switch (sub) {
      case 'keygen':
        return keygen(parsed.options);
      case 'build':
        return build(parsed.positional, parsed.options);
      case 'sign':
        return signImage(parsed.positional, parsed.options);
      case 'verify':
        return verify(parsed.positional, parsed.options);
      default:
        return usage(sub === undefined ? 'a subcommand is needed' : `unknown subcommand ${sub}`);
    }
  } catch (e) {
    process.stderr.write(`error: ${errorMessage(e)}\n`);
    return EXIT_ERROR;
  }
}
