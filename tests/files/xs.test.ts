/**
 * The codecs on the real XS engine (xsnap), compared with the same code on Node: catches engine
 * differences such as XS's getBigInt64 returning a "-0" BigInt for 0x8000000000000000.
 */
import { buildSync } from 'esbuild';
import { execFileSync } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { encodeBson } from '../../protocol/bson/encode';
import { parseExtendedJson, stringifyExtendedJson } from '../../protocol/bson/ejson';
import { crc32 } from '../../protocol/files/crc32';
import { aesCbcEncrypt } from '../../protocol/crypto/cbc';
import { sha256 } from '../../protocol/crypto/sha256';
import { sha512 } from '../../protocol/crypto/sha512';
import { encodeFile } from '../../protocol/files/codec';
import { BsonDocument } from '../../protocol/bson/types';
import { dataDocument, fromHexString, hex, randomBytes, randomDocument, rng } from './fixtures';
import { RFC8032_VECTORS } from '../crypto/rfc8032-vectors';

type Request = Record<string, string | undefined>;
type Reply = Record<string, unknown>;

const KEY = '4400aaf78378049cab13ee4e350e281b';

/** Every request of this suite, answered by one XS worker in one batch (starting xsnap is the slow part). */
function runOnXs(requests: Request[]): Reply[] {
  const dir = mkdtempSync(join(tmpdir(), 'wmbus-xs-'));
  try {
    const bundle = join(dir, 'entry.js');
    buildSync({ entryPoints: [join(__dirname, 'xs', 'entry.ts')], bundle: true, format: 'iife', target: 'es2022', outfile: bundle, logLevel: 'silent' });
    const input = join(dir, 'requests.json');
    writeFileSync(input, JSON.stringify(requests));
    const output = execFileSync(process.execPath, [join(__dirname, 'xs', 'driver.mjs'), bundle, input], { maxBuffer: 64 * 1024 * 1024 });
    return JSON.parse(output.toString('utf8')) as Reply[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const INT64_DOC: BsonDocument = { min: -(2n ** 63n), max: 2n ** 63n - 1n, minus1: -1n, zero: 0n };
const RANDOM_DOCS: BsonDocument[] = (() => {
  const r = rng(300);
  return [...Array.from({ length: 300 }, () => randomDocument(r)[0]), dataDocument(50)];
})();
const BYTE_CASES = (() => {
  const r = rng(80);
  return Array.from({ length: 81 }, (_, n) => ({ data: randomBytes(r, n), key: randomBytes(r, 16) }));
})();
const SECURITY_JSON = '{"config": {"security": {"crcMode": 2, "key": {"$binary": "RACq94N4BJyrE+5ONQ4oGw==", "$type": "80"}}}, "crc": 0}';
const flipFirstBit = (h: string): string => (parseInt(h.slice(0, 2), 16) ^ 1).toString(16).padStart(2, '0') + h.slice(2);

const requests: Request[] = [];
/** Queues a request for the XS batch; the returned function reads its reply once the batch ran. */
function ask(request: Request): () => Reply {
  const index = requests.push(request) - 1;
  return () => replies[index];
}

const manualExample = ask({ op: 'json2bson', text: '{"Config": {"Remote": {"NTP": ["ntp.google.com", ""]}}, "CRC": 0}', crcField: 'CRC' });
const int64Extremes = ask({ op: 'bson-roundtrip', hex: hex(encodeBson(INT64_DOC)) });
const badKey = ask({ op: 'bson-roundtrip', hex: '0c00000010ff000100000000' });
const securityParsed = parseExtendedJson(SECURITY_JSON);
if (!securityParsed.ok) throw new Error(securityParsed.error);
const nodeEncrypted = encodeFile(securityParsed.value, { encryption: true, key: fromHexString(KEY) });
const xsEncrypted = ask({ op: 'encrypt-file', text: SECURITY_JSON, key: KEY });
const xsDecrypted = ask({ op: 'decrypt-file', hex: hex(nodeEncrypted), key: KEY });
const xsWrongKey = ask({ op: 'decrypt-file', hex: hex(nodeEncrypted), key: '00'.repeat(16) });
const randomRoundTrips = RANDOM_DOCS.map((doc) => ask({ op: 'bson-roundtrip', hex: hex(encodeBson(doc)) }));
const byteCases = BYTE_CASES.map(({ data, key }) => ({
  data,
  key,
  cbc: ask({ op: 'cbc', hex: hex(data), key: hex(key) }),
  hashes: ask({ op: 'hashes', hex: hex(data) }),
}));
const signatures = RFC8032_VECTORS.map((v) => ({
  good: ask({ op: 'ed25519', publicKey: v.publicKey, message: v.message, signature: v.signature }),
  flipped: ask({ op: 'ed25519', publicKey: v.publicKey, message: v.message, signature: flipFirstBit(v.signature) }),
}));

let replies: Reply[];

beforeAll(() => {
  replies = runOnXs(requests);
}, 120000);

test('§5.1.1.4 on XS: the manual example gets CRC A3 7B 0C 2A', () => {
  const r = manualExample();
  expect(r.ok).toBe(true);
  expect(String(r.hex).slice(150, 158)).toBe('a37b0c2a');
});

test('int64 extremes survive decode and re-encode on XS', () => {
  expect(int64Extremes()).toEqual({ ok: true, hex: hex(encodeBson(INT64_DOC)), json: stringifyExtendedJson(INT64_DOC, 0) });
});

test('malformed input is an error result on XS too', () => {
  expect(badKey()).toEqual({ ok: false, error: 'key at offset 5 is not well-formed UTF-8' });
});

test('§4.2.1.2 on XS: a file encrypted under the manual key is byte-identical to Node\'s, and decrypts', () => {
  expect(xsEncrypted()).toEqual({ ok: true, hex: hex(nodeEncrypted) });
  expect(xsDecrypted()).toEqual({ ok: true, crc: 'ok', json: '{"config":{"security":{"crcMode":2,"key":{"$binary":"RACq94N4BJyrE+5ONQ4oGw==","$type":"80"}}}}' });
  expect(xsWrongKey()).toMatchObject({ ok: false, error: 'decrypt' });
});

test('301 documents: XS decodes, re-encodes and prints them exactly as Node does', () => {
  RANDOM_DOCS.forEach((doc, i) => {
    expect(randomRoundTrips[i]()).toEqual({ ok: true, hex: hex(encodeBson(doc)), json: stringifyExtendedJson(doc, 0) });
  });
});

test('AES-128-CBC, CRC-32, SHA-256 and SHA-512 agree with Node for lengths 0..80', () => {
  for (const c of byteCases) {
    const cbc = aesCbcEncrypt(c.data, c.key);
    expect(c.cbc()).toEqual({ ok: true, bytes: cbc.ok ? hex(cbc.bytes) : '' });
    expect(c.hashes()).toEqual({ crc32: crc32(c.data), sha256: hex(sha256(c.data)), sha512: hex(sha512(c.data)) });
  }
});

test('RFC 8032 §7.1 vectors verify on XS, and a flipped bit does not', () => {
  for (const s of signatures) {
    expect(s.good()).toEqual({ valid: true });
    expect(s.flipped()).toEqual({ valid: false });
  }
});
