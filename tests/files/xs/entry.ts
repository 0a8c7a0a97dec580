/**
 * Bundled by tests/files/xs.test.ts and run inside XS (xsnap): each command is a JSON request
 * naming a codec operation, answered with JSON. Only protocol/ code and ECMAScript built-ins here.
 */
import { encodeBson } from '../../../protocol/bson/encode';
import { decodeBson } from '../../../protocol/bson/decode';
import { parseExtendedJson, stringifyExtendedJson } from '../../../protocol/bson/ejson';
import { decodeFile, encodeFile } from '../../../protocol/files/codec';
import { crc32 } from '../../../protocol/files/crc32';
import { aesCbcEncrypt } from '../../../protocol/crypto/cbc';
import { sha256 } from '../../../protocol/crypto/sha256';
import { sha512 } from '../../../protocol/crypto/sha512';
import { ed25519Verify } from '../../../protocol/crypto/ed25519';
import { fromHex, toHex, utf8Decode, utf8Encode } from '../../../protocol/text/utf8';

type Request = { op: string; [field: string]: string | undefined };

const bytes = (h: string | undefined): Uint8Array => fromHex(h ?? '') as Uint8Array;

function answer(req: Request): unknown {
  switch (req.op) {
    case 'bson-roundtrip': {
      const r = decodeBson(bytes(req.hex));
      return r.ok ? { ok: true, hex: toHex(encodeBson(r.value)), json: stringifyExtendedJson(r.value, 0) } : { ok: false, error: r.error };
    }
    case 'json2bson': {
      const r = parseExtendedJson(req.text ?? '');
      return r.ok ? { ok: true, hex: toHex(encodeFile(r.value, { encryption: false, crcField: req.crcField })) } : { ok: false, error: r.error };
    }
    case 'encrypt-file': {
      const r = parseExtendedJson(req.text ?? '');
      if (!r.ok) return { ok: false, error: r.error };
      return { ok: true, hex: toHex(encodeFile(r.value, { encryption: true, key: bytes(req.key) })) };
    }
    case 'decrypt-file': {
      const r = decodeFile(bytes(req.hex), { encrypted: true, key: bytes(req.key), crcMode: 2 });
      return r.ok ? { ok: true, json: stringifyExtendedJson(r.doc, 0), crc: r.crc.status } : { ok: false, error: r.error, detail: r.detail };
    }
    case 'cbc':
      return aesCbcEncrypt(bytes(req.hex), bytes(req.key));
    case 'hashes': {
      const data = bytes(req.hex);
      return { crc32: crc32(data), sha256: toHex(sha256(data)), sha512: toHex(sha512(data)) };
    }
    case 'ed25519':
      return { valid: ed25519Verify(bytes(req.publicKey), bytes(req.message), bytes(req.signature)) };
    default:
      return { error: `unknown op ${req.op}` };
  }
}

function serialise(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (v instanceof Uint8Array ? toHex(v) : v));
}

(globalThis as unknown as { handleCommand: (m: ArrayBuffer) => ArrayBuffer }).handleCommand = (message) => {
  const request = JSON.parse(utf8Decode(new Uint8Array(message))) as Request;
  return utf8Encode(serialise(answer(request))).buffer as ArrayBuffer;
};
