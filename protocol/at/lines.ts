import { utf8Decode } from '../text/utf8';
import { splitHead, splitParams } from './params';

/**
 * Splits the modem's output stream into response lines (V.250 §5.7.1: `<CR><LF>text<CR><LF>`),
 * the `>` data prompt that has no line end, and binary payloads whose length a header line
 * announced (`+QIRD: <len>`, `+QSSLRECV: <len>`, direct-push `+QIURC: "recv",<id>,<len>`).
 */
export type AtReaderEvent =
  /** A complete line; `data` holds the payload it announced (possibly empty), if it announced one. */
  | { readonly type: 'line'; readonly text: string; readonly data?: Uint8Array }
  /** The `>` prompt after `AT+QISEND=…` / `AT+QSSLSEND=…`: the modem waits for the payload. */
  | { readonly type: 'prompt' }
  /** A line longer than `maxLine` bytes was dropped. */
  | { readonly type: 'overflow'; readonly length: number };

/** Given a complete line, the number of raw bytes that follow it, or undefined for none. */
export type DataLengthProbe = (line: string) => number | undefined;

export interface AtLineReaderOptions {
  /** Longest line kept, in bytes (default 1024). */
  readonly maxLine?: number;
  /** Which lines announce a binary payload (default `defaultDataLength`). */
  readonly dataLength?: DataLengthProbe;
}

const CR = 0x0d;
const LF = 0x0a;
const PROMPT = 0x3e;
const SPACE = 0x20;
const DEFAULT_MAX_LINE = 1024;
/** The BG95 buffers at most 1500 bytes per socket read; anything much larger is a misparse. */
const MAX_PAYLOAD = 64 * 1024;

function intOf(text: string): number | undefined {
  return /^\d+$/.test(text) ? parseInt(text, 10) : undefined;
}

/**
 * The payload announcements of the Quectel TCP/IP and SSL services:
 *  - `+QIRD: <len>` and `+QIRD: <len>,"<ip>",<port>` (UDP) — but not the 3-counter query form;
 *  - `+QSSLRECV: <len>`;
 *  - `+QIURC: "recv",<id>,<len>[,"<ip>",<port>]` and `+QSSLURC: "recv",<id>,<len>` (direct push).
 */
export function defaultDataLength(line: string): number | undefined {
  const head = splitHead(line);
  if (!head) return undefined;
  const split = splitParams(head.rest);
  if (!split.ok) return undefined;
  const p = split.value;
  switch (head.name) {
    case '+QIRD':
      if (p.length === 1 || (p.length === 3 && p[1].quoted)) return intOf(p[0].text);
      return undefined;
    case '+QSSLRECV':
      return p.length === 1 ? intOf(p[0].text) : undefined;
    case '+QIURC':
    case '+QSSLURC':
      return p.length >= 3 && p[0].quoted && p[0].text === 'recv' ? intOf(p[2].text) : undefined;
    default:
      return undefined;
  }
}

/** `CONNECT <len>` (e.g. `AT+QFREAD`): the length of the raw bytes that follow. */
export function connectDataLength(line: string): number | undefined {
  const m = /^CONNECT (\d+)$/.exec(line.trim());
  return m ? parseInt(m[1], 10) : undefined;
}

export class AtLineReader {
  private readonly line: Uint8Array;
  private lineLength = 0;
  private overflowing = 0;
  private afterCr = false;
  private afterPrompt = false;
  private payload: Uint8Array | undefined;
  private payloadFill = 0;
  private payloadLine = '';
  private readonly probe: DataLengthProbe;
  readonly stats = { lines: 0, prompts: 0, payloads: 0, overflows: 0 };

  constructor(private readonly onEvent: (event: AtReaderEvent) => void, options: AtLineReaderOptions = {}) {
    this.line = new Uint8Array(options.maxLine ?? DEFAULT_MAX_LINE);
    this.probe = options.dataLength ?? defaultDataLength;
  }

  /** Feeds bytes from the UART; events fire synchronously, in stream order. */
  push(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i];
      if (this.payload) {
        if (this.afterCr && b === LF && this.payloadFill === 0) {
          this.afterCr = false;
          continue;
        }
        this.afterCr = false;
        const take = Math.min(this.payload.length - this.payloadFill, bytes.length - i);
        this.payload.set(bytes.subarray(i, i + take), this.payloadFill);
        this.payloadFill += take;
        i += take - 1;
        if (this.payloadFill === this.payload.length) this.finishPayload();
        continue;
      }
      if (b === CR || b === LF) {
        const pairedLf = b === LF && this.afterCr;
        this.afterCr = b === CR;
        this.afterPrompt = false;
        if (!pairedLf) this.endLine();
        continue;
      }
      this.afterCr = false;
      if (this.afterPrompt) {
        this.afterPrompt = false;
        if (b === SPACE) continue;
      }
      if (b === PROMPT && this.lineLength === 0 && this.overflowing === 0) {
        this.stats.prompts++;
        this.afterPrompt = true;
        this.onEvent({ type: 'prompt' });
        continue;
      }
      if (this.overflowing > 0 || this.lineLength === this.line.length) {
        this.overflowing = (this.overflowing || this.lineLength) + 1;
        this.lineLength = 0;
        continue;
      }
      this.line[this.lineLength++] = b;
    }
  }

  /** Treats the next `length` bytes as a payload of `line` (for framings the probe does not know). */
  expectData(length: number, line = ''): void {
    if (length <= 0 || length > MAX_PAYLOAD) return;
    this.payload = new Uint8Array(length);
    this.payloadFill = 0;
    this.payloadLine = line;
  }

  /** The unterminated text received since the last line end (a truncated line, on reset or power loss). */
  pending(): string {
    return utf8Decode(this.line, 0, this.lineLength);
  }

  /** Drops partial lines and payloads, e.g. after the modem restarted. */
  reset(): void {
    this.lineLength = 0;
    this.overflowing = 0;
    this.afterCr = false;
    this.afterPrompt = false;
    this.payload = undefined;
    this.payloadFill = 0;
  }

  private endLine(): void {
    if (this.overflowing > 0) {
      const length = this.overflowing;
      this.overflowing = 0;
      this.stats.overflows++;
      this.onEvent({ type: 'overflow', length });
      return;
    }
    if (this.lineLength === 0) return;
    const text = utf8Decode(this.line, 0, this.lineLength).trim();
    this.lineLength = 0;
    if (text === '') return;
    this.stats.lines++;
    const length = this.probe(text);
    if (length === undefined || length > MAX_PAYLOAD) {
      this.onEvent({ type: 'line', text });
    } else if (length === 0) {
      this.onEvent({ type: 'line', text, data: new Uint8Array(0) });
    } else {
      this.expectData(length, text);
    }
  }

  private finishPayload(): void {
    const data = this.payload as Uint8Array;
    const text = this.payloadLine;
    this.payload = undefined;
    this.payloadFill = 0;
    this.stats.payloads++;
    this.onEvent({ type: 'line', text, data });
  }
}
