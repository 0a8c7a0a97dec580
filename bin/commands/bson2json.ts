import { readFileSync } from 'fs';
import { decodeFile, ENCRYPTED_SUFFIX } from '../../protocol/files/codec';
import { CRC_FIELD, CrcCheck, CrcMode, DEFAULT_CRC_MODE } from '../../protocol/files/trailer';
import { stringifyExtendedJson } from '../../protocol/bson/ejson';
import { setProperty } from '../../protocol/bson/document';
import { BsonDocument } from '../../protocol/bson/types';
import { parseArgs, parseKeyArgument } from './filekey';

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
  if (check.status === 'ok' || check.status === 'unchecked') return check.stored;
  return check.status === 'absent' ? 0 : undefined;
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
  const crcField = parsed.options.get('--crc-field');
  const encrypted = path.endsWith(ENCRYPTED_SUFFIX) || key !== undefined;
  if (encrypted && key === undefined) {
    process.stderr.write(`error: ${path} is encrypted (${ENCRYPTED_SUFFIX}): give --key\n`);
    return EXIT_ERROR;
  }
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch (e) {
    process.stderr.write(`error: cannot read ${path}: ${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT_ERROR;
  }
  const result = decodeFile(bytes, { encrypted, key, crcMode: Number(modeText) as CrcMode, crcField });
  if (result.crc !== undefined) process.stderr.write(crcStatusLine(result.crc) + '\n');
  if (!result.ok) {
    process.stderr.write(`error: ${result.error}: ${result.detail}\n`);
    return EXIT_ERROR;
  }
  // Print the file as it is, trailer included, so the JSON can go back through json2bson.
  const doc: BsonDocument = result.doc;
  const stored = storedCrc(result.crc);
  if (stored !== undefined) setProperty(doc, crcField ?? CRC_FIELD, stored | 0);
  process.stdout.write(stringifyExtendedJson(doc) + '\n');
  return EXIT_OK;
}
