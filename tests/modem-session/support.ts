/**
 * What the server side of the tests does with the hub's files, independently of the firmware's
 * codecs: npm `bson` to read and write documents, Node's zlib CRC-32 for the §5.1.1.4 trailer and
 * Node's AES-128-CBC for §4.2.1.2 encryption.
 */
import { Binary, deserialize, serialize } from 'bson';
import * as crypto from 'node:crypto';
import * as zlib from 'node:zlib';
import type { BsonDocument } from '../../protocol/bson/types';
import { FILE_IV } from '../../protocol/crypto/cbc';
import type { UploadFtpServer } from '../../sim/upload/servers.node';
import { SIM_PIN } from '../../sim/upload/rig.node';
import type { FrameRecord } from '../../tasks/store/types';

export const FTP_USER = 'hub';
export const FTP_PASS = 'secret';
/** §5.1.1.1: a root below the account's, with a trailing slash as the manual's example has. */
export const FTP_DIR = '/WebdynEasy/site-7/';
export const ROOT = '/WebdynEasy/site-7';
export const KEY_HEX = '4400AAF78378049CAB13EE4E350E281B';
export const KEY = new Uint8Array(Buffer.from(KEY_HEX, 'hex'));

/** `{ config: {...} }` that points the hub at the test servers. */
export function serverConfig(ftpPort: number, ntpPort: number, options: { tls?: boolean; cpin?: string; extra?: BsonDocument } = {}): BsonDocument {
  return {
    config: {
      mode: 'run',
      remote: {
        modem: { mode: 'auto', cpin: options.cpin ?? SIM_PIN, apn: 'iot.test', timeout: 120, randomDelay: 0 },
        ftp: { mode: options.tls === true ? 1 : 0, addr: `127.0.0.1:${ftpPort}`, user: FTP_USER, pass: FTP_PASS, dir: FTP_DIR },
        ntp: `127.0.0.1:${ntpPort}`,
      },
      ...(options.extra ?? {}),
    },
  };
}

const CRC_TRAILER_BYTES = 5;

/** §5.1.1.4: the CRC-32 of the file with its 4 CRC bytes zeroed, little-endian in those bytes. */
export function crcOk(bson: Uint8Array): boolean {
  const at = bson.length - CRC_TRAILER_BYTES;
  const stored = Buffer.from(bson.subarray(at, at + 4)).readUInt32LE(0);
  const zeroed = Buffer.from(bson);
  zeroed.fill(0, at, at + 4);
  return zlib.crc32(zeroed) === stored;
}

function decrypt(bytes: Uint8Array, key: Uint8Array): Uint8Array {
  const d = crypto.createDecipheriv('aes-128-cbc', key, Uint8Array.from(FILE_IV));
  return new Uint8Array(Buffer.concat([d.update(bytes), d.final()]));
}

function encrypt(bytes: Uint8Array, key: Uint8Array): Uint8Array {
  const c = crypto.createCipheriv('aes-128-cbc', key, Uint8Array.from(FILE_IV));
  return new Uint8Array(Buffer.concat([c.update(bytes), c.final()]));
}

/** A file as the server receives it: decrypted when `.aes`, CRC checked, decoded by npm bson. */
export function readHubFile(name: string, bytes: Uint8Array, key: Uint8Array = KEY): Record<string, unknown> {
  const plain = name.endsWith('.aes') ? decrypt(bytes, key) : bytes;
  if (!crcOk(plain)) throw new Error(`${name}: CRC trailer does not check`);
  const doc = deserialize(Buffer.from(plain), { promoteBuffers: false });
  const keys = Object.keys(doc);
  if (keys[keys.length - 1] !== 'crc') throw new Error(`${name}: crc is not the last field`);
  return doc;
}

/** A file for the INBOX as a server operator makes it: npm bson, CRC trailer, `.aes` when `key`. */
export function inboxFile(doc: Record<string, unknown>, key?: Uint8Array): Uint8Array {
  const bson = new Uint8Array(serialize({ ...doc, crc: 0 }));
  const at = bson.length - CRC_TRAILER_BYTES;
  Buffer.from(bson.buffer, bson.byteOffset).writeUInt32LE(zlib.crc32(bson), at);
  return key === undefined ? bson : encrypt(bson, key);
}

export interface ServerFrame {
  readonly T: number;
  readonly R: number;
  readonly F: string;
}

export function frameKey(r: FrameRecord): string {
  return `${r.time}/${r.rssi}/${Buffer.from(r.frame).toString('hex')}`;
}

/** Every frame in the server's /DATA files, file by file in name order, with the files' sizes. */
export function serverFrames(server: UploadFtpServer, key: Uint8Array = KEY): { frames: string[]; files: { name: string; size: number; frameCount: number }[] } {
  const frames: string[] = [];
  const files: { name: string; size: number; frameCount: number }[] = [];
  // §5.1.1.3: a `.tmp` file is an upload in progress, which the server's side ignores.
  for (const path of server.files().filter((p) => p.startsWith(`${ROOT}/DATA/`) && !p.endsWith('.tmp'))) {
    const bytes = server.read(path);
    const doc = readHubFile(path, bytes, key) as { data: { T: number; R: number; F: Binary }[]; frameCount: number };
    if (doc.frameCount !== doc.data.length) throw new Error(`${path}: frameCount ${doc.frameCount} for ${doc.data.length} frames`);
    files.push({ name: path, size: bytes.length, frameCount: doc.frameCount });
    for (const d of doc.data) frames.push(`${d.T}/${d.R}/${Buffer.from(d.F.buffer).toString('hex')}`);
  }
  return { frames, files };
}

/** Documents of the files of a server directory, in name order. */
export function serverDocs(server: UploadFtpServer, dir: string, key: Uint8Array = KEY): { name: string; doc: Record<string, unknown> }[] {
  return server
    .files()
    .filter((p) => p.startsWith(`${ROOT}${dir}/`) && !p.endsWith('.tmp'))
    .map((p) => ({ name: p.slice(p.lastIndexOf('/') + 1), doc: readHubFile(p, server.read(p), key) }));
}
