/** File codec throughput on the host: BSON encoding of a §5.3 data file and AES-128-CBC (§4.2.1.2). */
import { encodeBson } from '../protocol/bson/encode';
import { decodeBson } from '../protocol/bson/decode';
import { aesCbcDecrypt, aesCbcEncrypt } from '../protocol/crypto/cbc';
import { BsonBinary, BsonDocument, BSON_BINARY_USER } from '../protocol/bson/types';
import type { BenchResult } from './types';


const RECORDS = 300;
const FRAME_BYTES = 40;
const AES_PAYLOAD_BYTES = 256 * 1024;
const MIN_SECONDS = 0.5;
const BYTES_PER_MB = 1024 * 1024;
const KEY = Uint8Array.from([0x44, 0x00, 0xaa, 0xf7, 0x83, 0x78, 0x04, 0x9c, 0xab, 0x13, 0xee, 0x4e, 0x35, 0x0e, 0x28, 0x1b]);

/** A data file as §5.3 describes it: uid, source, TS, frameCount and one record per frame. */
function dataDocument(records: number): BsonDocument {
  const frame = new Uint8Array(FRAME_BYTES).map((_, i) => (i * 37) & 0xff);
  return {
    uid: 'WE_1234',
    source: 'schedule',
    TS: 1560068897,
    frameCount: records,
    data: Array.from({ length: records }, (_, i) => ({ T: 1560066602 + 60 * i, R: 150 + (i % 60), F: new BsonBinary(frame, BSON_BINARY_USER) })),
    crc: 0,
  };
}

/** Runs `task` repeatedly for at least MIN_SECONDS; returns runs per second. */
function rate(task: () => void): number {
  task();
  let runs = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    task();
    runs++;
    elapsed = (performance.now() - start) / 1000;
  } while (elapsed < MIN_SECONDS);
  return runs / elapsed;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

export async function benchFiles(): Promise<BenchResult[]> {
  const doc = dataDocument(RECORDS);
  const encoded = encodeBson(doc);
  const payload = new Uint8Array(AES_PAYLOAD_BYTES).map((_, i) => i & 0xff);
  const encrypted = aesCbcEncrypt(payload, KEY);
  if (!encrypted.ok) throw new Error(encrypted.error);
  const encodeRate = rate(() => encodeBson(doc));
  const decodeRate = rate(() => decodeBson(encoded));
  const encryptRate = rate(() => aesCbcEncrypt(payload, KEY));
  const decryptRate = rate(() => aesCbcDecrypt(encrypted.bytes, KEY));
  const mb = AES_PAYLOAD_BYTES / BYTES_PER_MB;
  return [
    { name: `files.bson.encode_${RECORDS}_records`, value: round(encodeRate), unit: 'files/s' },
    { name: 'files.bson.data_file_bytes', value: encoded.length, unit: 'B' },
    { name: `files.bson.decode_${RECORDS}_records`, value: round(decodeRate), unit: 'files/s' },
    { name: 'files.aes128cbc.encrypt', value: round(encryptRate * mb), unit: 'MB/s' },
    { name: 'files.aes128cbc.decrypt', value: round(decryptRate * mb), unit: 'MB/s' },
  ];
}
