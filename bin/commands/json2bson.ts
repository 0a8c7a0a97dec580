import { writeFileSync } from 'fs';
import { encodeFile, fileName } from '../../protocol/files/codec';
import { checkCrcTrailer, CRC_MODE_FULL } from '../../protocol/files/trailer';
import { parseExtendedJson } from '../../protocol/bson/ejson';
import { parseArgs, parseKeyArgument } from './filekey';
import { errorMessage, readJsonText } from './input';
import { MAX_INBOX_FILE_BYTES } from '../../tasks/modem/policy';

const USAGE = 'usage: wmbus json2bson FILE -o OUT [--key BASE64|HEX] [--crc-field NAME]';
const EXIT_OK = 0;
const EXIT_ERROR = 1;
const EXIT_USAGE = 2;

function hex32(value: number): string {
  return '0x' + value.toString(16).toUpperCase().padStart(8, '0');
}

/** `wmbus json2bson FILE -o OUT [--key K]`: extended JSON → BSON with its CRC trailer, AES when keyed. */
export async function run(args: string[]): Promise<number> {
  const parsed = parseArgs(args, ['-o', '--out', '--key', '--crc-field']);
  const outArg = parsed.options.get('-o') ?? parsed.options.get('--out');
  if (parsed.error !== undefined || parsed.positional.length !== 1 || outArg === undefined) {
    process.stderr.write(`${parsed.error ?? (outArg === undefined ? '-o OUT is required' : 'one FILE expected')}\n${USAGE}\n`);
    return EXIT_USAGE;
  }
  const keyText = parsed.options.get('--key');
  const key = keyText === undefined ? undefined : parseKeyArgument(keyText);
  if (typeof key === 'string') {
    process.stderr.write(key + '\n');
    return EXIT_USAGE;
  }
  const crcField = parsed.options.get('--crc-field');
  const [path] = parsed.positional;
  const text = readJsonText(path);
  if (!text.ok) {
    process.stderr.write(`error: ${text.error}\n`);
    return EXIT_ERROR;
  }
  const doc = parseExtendedJson(text.value);
  if (!doc.ok) {
    process.stderr.write(`error: ${path}: ${doc.error}\n`);
    return EXIT_ERROR;
  }
  const encryption = key !== undefined;
  let plain: Uint8Array;
  let bytes: Uint8Array;
  try {
    plain = encodeFile(doc.value, { encryption: false, crcField });
    bytes = encryption ? encodeFile(doc.value, { encryption, key, crcField }) : plain;
  } catch (e) {
    process.stderr.write(`error: ${errorMessage(e)}\n`);
    return EXIT_ERROR;
  }
  const out = fileName(outArg, encryption);
  try {
    writeFileSync(out, bytes);
  } catch (e) {
    process.stderr.write(`error: cannot write ${out}: ${errorMessage(e)}\n`);
    return EXIT_ERROR;
  }
  const check = checkCrcTrailer(plain, CRC_MODE_FULL, crcField);
  const details = [`${bytes.length} bytes`];
  if (check.status === 'ok') details.push(`crc ${hex32(check.stored)}`);
  if (encryption) details.push('AES-128-CBC');
  process.stderr.write(`wrote ${out} (${details.join(', ')})\n`);
  if (bytes.length > MAX_INBOX_FILE_BYTES) {
    process.stderr.write(`warning: ${out} is ${bytes.length} bytes; the box reads files of at most ${MAX_INBOX_FILE_BYTES} bytes and refuses a larger one\n`);
  }
  return EXIT_OK;
}
