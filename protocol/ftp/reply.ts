import { utf8Decode, utf8Encode } from '../text/utf8';

/** A complete FTP reply (RFC 959 §4.2). */
export interface FtpReply {
  /** Three-digit reply code. */
  readonly code: number;
  /** Text of each line without its `123-` / `123 ` marker (inner lines keep text that has none). */
  readonly lines: readonly string[];
  /** The lines joined with `\n`. */
  readonly text: string;
}

export type FtpParse<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

/** RFC 959 §4.2.1: the first digit says how the command went. */
export const PRELIMINARY = 1;
export const COMPLETION = 2;
export const INTERMEDIATE = 3;
export const TRANSIENT_NEGATIVE = 4;
export const PERMANENT_NEGATIVE = 5;

export function replyClass(code: number): number {
  return Math.floor(code / 100);
}

const CR = 0x0d;
const LF = 0x0a;
const DEFAULT_MAX_LINE = 2048;
const DEFAULT_MAX_LINES = 1000;
// A RegExp made at module load is preloaded, and SDK 8.2.3 XS corrupts the heap executing one
// (docs/conventions.md, "Preloading"): the literal stays inside the function, compiled when it runs.
function matchReplyStart(line: string): RegExpExecArray | null {
  return /^([1-5]\d\d)([ -]|$)(.*)$/.exec(line);
}

export interface FtpReplyParserOptions {
  readonly maxLine?: number;
  /** Upper bound on the lines of one multi-line reply (a server that never ends one is broken). */
  readonly maxLines?: number;
}

/**
 * Control-connection reader: bytes in, complete replies out. Multi-line replies (RFC 959 §4.2:
 * `123-first`, any lines, `123 last`) are gathered into one. Lines end in CRLF; a bare LF is
 * tolerated. A line that cannot start a reply is reported to `onError` and skipped.
 */
export class FtpReplyParser {
  private readonly buffer: Uint8Array;
  private length = 0;
  private overlong = false;
  private multiCode = 0;
  private multiLines: string[] = [];
  readonly stats = { replies: 0, errors: 0 };

  constructor(
    private readonly onReply: (reply: FtpReply) => void,
    private readonly onError: (line: string, error: string) => void = () => undefined,
    private readonly options: FtpReplyParserOptions = {},
  ) {
    this.buffer = new Uint8Array(options.maxLine ?? DEFAULT_MAX_LINE);
  }

  push(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i];
      if (b === LF) {
        let end = this.length;
        if (end > 0 && this.buffer[end - 1] === CR) end--;
        const line = utf8Decode(this.buffer, 0, end);
        const overlong = this.overlong;
        this.length = 0;
        this.overlong = false;
        if (overlong) this.error(line, `line longer than ${this.buffer.length} bytes`);
        else this.line(line);
        continue;
      }
      if (this.length === this.buffer.length) {
        this.overlong = true;
        continue;
      }
      this.buffer[this.length++] = b;
    }
  }

  /** Whether a multi-line reply or a line is half received. */
  get partial(): boolean {
    return this.length > 0 || this.multiCode !== 0;
  }

  private error(line: string, error: string): void {
    this.stats.errors++;
    this.onError(line, error);
  }

  private line(line: string): void {
    if (this.multiCode !== 0) {
      const m = matchReplyStart(line);
      if (m && parseInt(m[1], 10) === this.multiCode && m[2] !== '-') {
        this.multiLines.push(m[3]);
        const code = this.multiCode;
        const lines = this.multiLines;
        this.multiCode = 0;
        this.multiLines = [];
        this.emit(code, lines);
        return;
      }
      if (this.multiLines.length >= (this.options.maxLines ?? DEFAULT_MAX_LINES)) {
        this.error(line, `multi-line ${this.multiCode} reply exceeds ${this.multiLines.length} lines; dropped`);
        this.multiCode = 0;
        this.multiLines = [];
        return;
      }
      // RFC 959 §4.2: servers often repeat `123-` on inner lines; it is a marker, not text.
      this.multiLines.push(m && parseInt(m[1], 10) === this.multiCode ? m[3] : line);
      return;
    }
    if (line === '') return;
    const m = matchReplyStart(line);
    if (!m) {
      this.error(line, 'not an FTP reply line');
      return;
    }
    const code = parseInt(m[1], 10);
    if (m[2] === '-') {
      this.multiCode = code;
      this.multiLines = [m[3]];
      return;
    }
    this.emit(code, [m[3]]);
  }

  private emit(code: number, lines: string[]): void {
    this.stats.replies++;
    this.onReply({ code, lines, text: lines.join('\n') });
  }
}

/** Parses a whole reply given as text (tests, logs); the first complete reply wins. */
export function parseFtpReply(text: string): FtpParse<FtpReply> {
  let reply: FtpReply | undefined;
  let error: string | undefined;
  const parser = new FtpReplyParser(
    (r) => (reply = reply ?? r),
    (line, e) => (error = error ?? `${e}: '${line}'`),
  );
  parser.push(utf8Encode(text));
  if (reply) return { ok: true, value: reply };
  if (error) return { ok: false, error };
  return { ok: false, error: parser.partial ? 'truncated reply' : 'empty input' };
}

export interface PassiveAddress {
  readonly address: string;
  readonly port: number;
}

/**
 * 227 reply (RFC 959 §4.1.2 PASV): six decimal numbers h1,h2,h3,h4,p1,p2 somewhere in the text —
 * RFC 1123 §4.1.2.6 tells clients not to rely on the parentheses.
 */
export function parsePasv(text: string): FtpParse<PassiveAddress> {
  const m = /(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})/.exec(text);
  if (!m) return { ok: false, error: `227 reply without h1,h2,h3,h4,p1,p2: '${text}'` };
  const n = m.slice(1, 7).map((s) => parseInt(s, 10));
  if (n.some((v) => v > 255)) return { ok: false, error: `227 reply number above 255: '${text}'` };
  const port = n[4] * 256 + n[5];
  if (port === 0) return { ok: false, error: `227 reply with port 0: '${text}'` };
  return { ok: true, value: { address: n.slice(0, 4).join('.'), port } };
}

/** 229 reply (RFC 2428 §3): `(<d><d><d><port><d>)` with any printable delimiter `<d>`. */
export function parseEpsv(text: string): FtpParse<number> {
  const open = text.indexOf('(');
  if (open < 0) return { ok: false, error: `229 reply without '(': '${text}'` };
  const d = text[open + 1];
  if (d === undefined || d.charCodeAt(0) < 33 || d.charCodeAt(0) > 126 || /\d/.test(d)) {
    return { ok: false, error: `229 reply with a bad delimiter: '${text}'` };
  }
  if (text[open + 2] !== d || text[open + 3] !== d) return { ok: false, error: `229 reply: expected three delimiters: '${text}'` };
  const close = text.indexOf(d, open + 4);
  if (close < 0 || text[close + 1] !== ')') return { ok: false, error: `229 reply not closed: '${text}'` };
  const digits = text.slice(open + 4, close);
  if (!/^\d{1,5}$/.test(digits)) return { ok: false, error: `229 reply port is not a number: '${text}'` };
  const port = parseInt(digits, 10);
  if (port < 1 || port > 65535) return { ok: false, error: `229 reply port ${port} out of range` };
  return { ok: true, value: port };
}

/** 257 reply (RFC 959 Appendix II): the path between the first quote and its closing quote, `""` = one quote. */
export function parsePathname(text: string): FtpParse<string> {
  const start = text.indexOf('"');
  if (start < 0) return { ok: false, error: `257 reply without a quoted path: '${text}'` };
  let out = '';
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] !== '"') {
      out += text[i];
    } else if (text[i + 1] === '"') {
      out += '"';
      i++;
    } else {
      return { ok: true, value: out };
    }
  }
  return { ok: false, error: `257 reply path not closed: '${text}'` };
}
