/**
 * RFC 4648 §4 base64 (standard alphabet, `=` padding). The decoder is strict: no whitespace, no
 * URL-safe letters, length a multiple of 4, padding only at the end, and unused trailing bits zero,
 * so every byte string has exactly one accepted text form.
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const PAD = '=';
const INVALID = -1;
const QUANTUM_CHARS = 4;
const QUANTUM_BYTES = 3;

const DECODE_TABLE: readonly number[] = (() => {
  const table: number[] = new Array(128).fill(INVALID);
  for (let i = 0; i < ALPHABET.length; i++) table[ALPHABET.charCodeAt(i)] = i;
  return table;
})();

export function base64Encode(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + QUANTUM_BYTES <= bytes.length; i += QUANTUM_BYTES) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63] + ALPHABET[(n >> 6) & 63] + ALPHABET[n & 63];
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i] << 16;
    out += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63] + PAD + PAD;
  } else if (rest === 2) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63] + ALPHABET[(n >> 6) & 63] + PAD;
  }
  return out;
}

function sextet(text: string, index: number): number {
  const code = text.charCodeAt(index);
  return code < DECODE_TABLE.length ? DECODE_TABLE[code] : INVALID;
}

/** Decodes canonical base64; `undefined` for anything else. */
export function base64Decode(text: string): Uint8Array | undefined {
  if (typeof text !== 'string' || text.length % QUANTUM_CHARS !== 0) return undefined;
  let padding = 0;
  if (text.endsWith(PAD + PAD)) padding = 2;
  else if (text.endsWith(PAD)) padding = 1;
  const out = new Uint8Array((text.length / QUANTUM_CHARS) * QUANTUM_BYTES - padding);
  let o = 0;
  for (let i = 0; i < text.length; i += QUANTUM_CHARS) {
    const last = i + QUANTUM_CHARS === text.length;
    const a = sextet(text, i);
    const b = sextet(text, i + 1);
    const c = last && padding === 2 ? 0 : sextet(text, i + 2);
    const d = last && padding >= 1 ? 0 : sextet(text, i + 3);
    if ((a | b | c | d) < 0) return undefined;
    const n = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = n >> 16;
    if (last && padding === 2) {
      if ((n & 0xffff) !== 0) return undefined;
      break;
    }
    out[o++] = (n >> 8) & 0xff;
    if (last && padding === 1) {
      if ((n & 0xff) !== 0) return undefined;
      break;
    }
    out[o++] = n & 0xff;
  }
  return out;
}
