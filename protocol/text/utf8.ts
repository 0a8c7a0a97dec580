/**
 * UTF-8 and hex helpers. TextEncoder/TextDecoder are not globals on Moddable's XS builds, so the
 * firmware carries its own (RFC 3629; invalid sequences decode to U+FFFD).
 */
const REPLACEMENT = 0xfffd;

export function utf8Encode(text: string): Uint8Array {
  const out: number[] = [];
  for (const ch of text) {
    const cp = ch.codePointAt(0) as number;
    if (cp < 0x80) out.push(cp);
    else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
    else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
    else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  }
  return Uint8Array.from(out);
}

/** Length of a UTF-8 sequence from its lead byte, and the payload bits it carries. */
function leadInfo(b: number): [length: number, bits: number, min: number] {
  if (b < 0x80) return [1, b, 0];
  if ((b & 0xe0) === 0xc0) return [2, b & 0x1f, 0x80];
  if ((b & 0xf0) === 0xe0) return [3, b & 0x0f, 0x800];
  if ((b & 0xf8) === 0xf0) return [4, b & 0x07, 0x10000];
  return [0, 0, 0];
}

export function utf8Decode(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let out = '';
  let i = start;
  while (i < end) {
    const [len, bits, min] = leadInfo(bytes[i]);
    let cp = bits;
    let ok = len > 0 && i + len <= end;
    for (let k = 1; ok && k < len; k++) {
      const c = bytes[i + k];
      if ((c & 0xc0) !== 0x80) ok = false;
      else cp = (cp << 6) | (c & 0x3f);
    }
    if (!ok || cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      out += String.fromCodePoint(REPLACEMENT);
      i += 1;
      continue;
    }
    out += String.fromCodePoint(cp);
    i += len;
  }
  return out;
}

/** Whether `bytes[start, end)` is well-formed UTF-8 (BSON strings must be). */
export function isUtf8(bytes: Uint8Array, start = 0, end = bytes.length): boolean {
  let i = start;
  while (i < end) {
    const [len, bits, min] = leadInfo(bytes[i]);
    if (len === 0 || i + len > end) return false;
    let cp = bits;
    for (let k = 1; k < len; k++) {
      const c = bytes[i + k];
      if ((c & 0xc0) !== 0x80) return false;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += len;
  }
  return true;
}

const HEX_DIGITS = '0123456789abcdef';

export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += HEX_DIGITS[b >> 4] + HEX_DIGITS[b & 0x0f];
  return s;
}

/** Parses hex digits (any case; spaces, `:`, `_` and `|` separators ignored). Undefined on bad input. */
export function fromHex(text: string): Uint8Array | undefined {
  const clean = text.replace(/[\s:_|]/g, '');
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) return undefined;
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.substr(i * 2, 2), 16);
  return out;
}
