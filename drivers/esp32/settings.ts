import type { SettingValue, Settings } from '../settings/types';
import { utf8Decode, utf8Encode } from '../../protocol/text/utf8';

/** The Moddable `preference` module (NVS on ESP32). */
export interface PreferenceModule {
  get(domain: string, key: string): string | boolean | number | ArrayBuffer | undefined;
  set(domain: string, key: string, value: string | boolean | number | ArrayBuffer): void;
  delete(domain: string, key: string): void;
  keys(domain: string): string[];
}

/** ESP-IDF NVS: namespace and key names hold at most 15 characters (NVS_KEY_NAME_MAX_SIZE − 1). */
export const NVS_NAME_MAX = 15;
const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;

/**
 * The ESP32 preference module stores booleans (u8), int32 numbers, C strings and blobs. Values it
 * cannot hold natively go in a blob whose first byte says what it is.
 */
const TAG_BYTES = 0x00;
const TAG_FLOAT64 = 0x01;
const TAG_STRING = 0x02;
const FLOAT64_BYTES = 8;

function isInt32(n: number): boolean {
  return Number.isInteger(n) && n >= INT32_MIN && n <= INT32_MAX && !Object.is(n, -0);
}

function tagged(tag: number, body: Uint8Array): ArrayBuffer {
  const out = new Uint8Array(1 + body.length);
  out[0] = tag;
  out.set(body, 1);
  return out.buffer;
}

/** What `Preference.set` is given for a setting value. */
export function encodeSetting(value: SettingValue): string | boolean | number | ArrayBuffer {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (isInt32(value)) return value;
    const body = new Uint8Array(FLOAT64_BYTES);
    new DataView(body.buffer).setFloat64(0, value, true);
    return tagged(TAG_FLOAT64, body);
  }
  // NVS strings are NUL-terminated: a string carrying U+0000 goes in a blob.
  if (typeof value === 'string') return value.includes('\u0000') ? tagged(TAG_STRING, utf8Encode(value)) : value;
  return tagged(TAG_BYTES, value);
}

/** The setting value a `Preference.get` result stands for; undefined for an unreadable blob. */
export function decodeSetting(raw: string | boolean | number | ArrayBuffer | undefined): SettingValue | undefined {
  if (raw === undefined || typeof raw !== 'object') return raw;
  const bytes = new Uint8Array(raw);
  if (bytes.length === 0) return undefined;
  const body = bytes.subarray(1);
  switch (bytes[0]) {
    case TAG_BYTES:
      return body.slice();
    case TAG_FLOAT64:
      return body.length === FLOAT64_BYTES ? new DataView(body.slice().buffer).getFloat64(0, true) : undefined;
    case TAG_STRING:
      return utf8Decode(body);
    default:
      return undefined;
  }
}

function checkName(kind: string, name: string): void {
  if (name.length === 0 || name.length > NVS_NAME_MAX) {
    throw new RangeError(`settings: ${kind} "${name}" must be 1–${NVS_NAME_MAX} characters (NVS)`);
  }
}

/** Settings in one NVS namespace through the Moddable `preference` module. */
export class Esp32Settings implements Settings {
  constructor(private readonly preference: PreferenceModule, private readonly domain: string) {
    checkName('domain', domain);
  }

  get(key: string): SettingValue | undefined {
    checkName('key', key);
    return decodeSetting(this.preference.get(this.domain, key));
  }

  set(key: string, value: SettingValue): void {
    checkName('key', key);
    this.preference.set(this.domain, key, encodeSetting(value));
  }

  delete(key: string): void {
    checkName('key', key);
    this.preference.delete(this.domain, key);
  }

  keys(): string[] {
    return this.preference.keys(this.domain).slice().sort();
  }
}
