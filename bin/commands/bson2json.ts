import { readFileSync } from 'fs';
import { decodeFile, ENCRYPTED_SUFFIX, FileDecodeResult } from '../../protocol/files/codec';
import { CRC_FIELD, CRC_MODE_NONE, CrcCheck, CrcMode, DEFAULT_CRC_MODE } from '../../protocol/files/trailer';
import { stringifyExtendedJson } from '../../protocol/bson/ejson';
import { setProperty } from '../../protocol/bson/document';
import { BsonDocument } from '../../protocol/bson/types';
import { parseArgs, parseKeyArgument } from './filekey';
import { errorMessage, notBsonReason } from './input';

const USAGE = 'usage: wmbus bson2json FILE [--key BASE64|HEX] [--crc-mode 0|1|2] [--crc-field NAME]';
const EXIT_OK = 0;
const EXIT_ERROR = 1;
const EXIT_USAGE = 2;

function hex32(value: number): string {
  return '0x' + value.toString(16).toUpperCase().padStart(8, '0');
}

/** The stderr line the brief and field engineers read: `crc: ok|absent(0)|mismatch (expected X got Y)`. */
export function crcStatusLine(check: CrcCheck): string {
  switch (check.status) {
    case 'ok':
      return `crc: ok (${hex32(check.stored)})`;
    case 'absent':
      return 'crc: absent(0)';
    case 'mismatch':
      return `crc: mismatch (expected ${hex32(check.computed)} got ${hex32(check.stored)})`;
    case 'missing':
      return `crc: missing (${check.error})`;
    case 'unchecked':
      return 'crc: unchecked (crcMode 0)';
  }
}

function storedCrc(check: CrcCheck): number | undefined {
  if (check.status === 'ok' || check.status === 'unchecked' || check.status === 'mismatch') return check.stored;
  return check.status === 'absent' ? 0 : undefined;
}

/**
 * The trailer's name when the file ends with a case variant of `crc` (the manual's §5.1.1.4
 * example writes `CRC`), so that the manual's own bytes read without --crc-field.
 */
function trailerVariant(bytes: Uint8Array, encrypted: boolean, key: Uint8Array | undefined): string | undefined {
  const plain = decodeFile(bytes, { encrypted, key, crcMode: CRC_MODE_NONE });
  if (!plain.ok || plain.crc.status !== 'unchecked' || plain.crc.stored !== undefined) return undefined;
  const keys = Object.keys(plain.doc);
  const last = keys[keys.length - 1];
  return last !== undefined && last !== CRC_FIELD && last.toLowerCase() === CRC_FIELD && typeof plain.doc[last] === 'number' ? last : undefined;
}

function print(doc: BsonDocument, crc: CrcCheck, field: string): void {
  // Print the file as it is, trailer included, so the JSON can go back through json2bson.
  const stored = storedCrc(crc);
  if (stored !== undefined) setProperty(doc, field, stored | 0);
  process.stdout.write(stringifyExtendedJson(doc) + '\n');
}

/** `wmbus bson2json FILE [--key K]`: a (possibly `.aes`) BSON file as the manual's extended JSON. */
export async function run(args: string[]): Promise<number> {
  const parsed = parseArgs(args, ['--key', '--crc-mode', '--crc-field']);
  if (parsed.error !== undefined || parsed.positional.length !== 1) {
    process.stderr.write(`${parsed.error ?? 'one FILE expected'}\n${USAGE}\n`);
    return EXIT_USAGE;
  }
  const [path] = parsed.positional;
  const keyText = parsed.options.get('--key');
  const key = keyText === undefined ? undefined : parseKeyArgument(keyText);
  if (typeof key === 'string') {
    process.stderr.write(key + '\n');
    return EXIT_USAGE;
  }
  const modeText = parsed.options.get('--crc-mode') ?? String(DEFAULT_CRC_MODE);
  if (!['0', '1', '2'].includes(modeText)) {
    process.stderr.write(`--crc-mode: expected 0, 1 or 2, got ${modeText}\n`);
    return EXIT_USAGE;
  }
  const crcMode = Number(modeText) as CrcMode;
  const encrypted = path.endsWith(ENCRYPTED_SUFFIX) || key !== undefined;
  if (encrypted && key === undefined) {
    process.stderr.write(`error: ${path} is encrypted (${ENCRYPTED_SUFFIX}): give --key\n`);
    return EXIT_ERROR;
  }
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch (e) {
    process.stderr.write(`error: cannot read ${path}: ${errorMessage(e)}\n`);
    return EXIT_ERROR;
  }
  const notBson = encrypted ? undefined : notBsonReason(bytes);
  if (notBson !== undefined) {
    process.stderr.write(`error: ${path} is not a BSON file: ${notBson}\n`);
    return EXIT_ERROR;
  }
  let crcField = parsed.options.get('--crc-field');
  if (crcField === undefined) {
    const variant = trailerVariant(bytes, encrypted, key);
    if (variant !== undefined) {
      process.stderr.write(
        `note: the trailer is named "${variant}", as in the manual's worked example (§5.1.1.4); the device's own files name it "${CRC_FIELD}", ` +
          `and the device, which matches the name exactly, refuses this file unless its crcMode is 0\n`,
      );
      crcField = variant;
    }
  }
  const field = crcField ?? CRC_FIELD;
  const result: FileDecodeResult = decodeFile(bytes, { encrypted, key, crcMode, crcField });
  if (result.crc !== undefined) process.stderr.write(crcStatusLine(result.crc) + '\n');
  if (result.ok) {
    print(result.doc, result.crc, field);
    return EXIT_OK;
  }
  // §4.2.1.2: the device does not read a file whose CRC check fails; the operator still sees what it holds.
  if (result.error === 'crc' && result.crc !== undefined) {
    const unchecked = decodeFile(bytes, { encrypted, key, crcMode: CRC_MODE_NONE, crcField });
    if (unchecked.ok) {
      print(unchecked.doc, result.crc, field);
      process.stderr.write(`error: the device refuses this file (crcMode ${crcMode}): ${result.detail}\n`);
      return EXIT_ERROR;
    }
  }
  process.stderr.write(`error: ${result.error}: ${result.detail}\n`);
  return EXIT_ERROR;
}
