import type { AtParse } from './types';

/** One comma-separated parameter of an information response (TS 27.007 §4.1 / V.250 §5.7). */
export interface AtParam {
  readonly text: string;
  /** Written as a `"string constant"`; numeric constants are unquoted. */
  readonly quoted: boolean;
}

const QUOTE = '"';
const COMMA = ',';

/** Splits `1,"a,b", 3` into parameters; a quote left open is an error (truncated line). */
export function splitParams(text: string): AtParse<AtParam[]> {
  const out: AtParam[] = [];
  let i = 0;
  const n = text.length;
  if (text.trim() === '') return { ok: true, value: out };
  for (;;) {
    while (i < n && text[i] === ' ') i++;
    if (text[i] === QUOTE) {
      const close = text.indexOf(QUOTE, i + 1);
      if (close < 0) return { ok: false, error: `unterminated string at column ${i}` };
      out.push({ text: text.slice(i + 1, close), quoted: true });
      i = close + 1;
      while (i < n && text[i] === ' ') i++;
      if (i < n && text[i] !== COMMA) return { ok: false, error: `unexpected '${text[i]}' after string at column ${i}` };
    } else {
      const comma = text.indexOf(COMMA, i);
      const end = comma < 0 ? n : comma;
      const raw = text.slice(i, end).trim();
      if (raw.indexOf(QUOTE) >= 0) return { ok: false, error: `stray quote in parameter '${raw}'` };
      out.push({ text: raw, quoted: false });
      i = end;
    }
    if (i >= n) break;
    i++; // the comma
  }
  return { ok: true, value: out };
}

/** `+NAME: rest` → `{ name: '+NAME', rest }`; undefined when the line has no `+NAME:` head. */
export function splitHead(line: string): { name: string; rest: string } | undefined {
  const m = /^(\+[A-Za-z0-9_]+):\s*(.*)$/.exec(line);
  return m ? { name: m[1].toUpperCase(), rest: m[2] } : undefined;
}

class FieldError {
  constructor(readonly message: string) {}
}

// A RegExp made at module load is preloaded, and SDK 8.2.3 XS corrupts the heap executing one
// (docs/conventions.md, "Preloading"): the literal stays inside the function, compiled when it runs.
function isInteger(text: string): boolean {
  return /^[+-]?\d+$/.test(text);
}

function isHex(text: string): boolean {
  return /^(0[xX])?[0-9A-Fa-f]+$/.test(text);
}

/** Typed access to parsed parameters; failures unwind to `parseFields`, never to callers. */
export class Fields {
  constructor(readonly params: readonly AtParam[], private readonly what: string) {}

  get length(): number {
    return this.params.length;
  }

  /** The parameter is present: non-empty, or an explicit `""`. */
  has(index: number): boolean {
    return index < this.params.length && (this.params[index].quoted || this.params[index].text !== '');
  }

  fail(message: string): never {
    throw new FieldError(`${this.what}: ${message}`);
  }

  private at(index: number, name: string): AtParam {
    if (index >= this.params.length) this.fail(`missing <${name}> (truncated?)`);
    return this.params[index];
  }

  int(index: number, name: string, min = -Infinity, max = Infinity): number {
    const p = this.at(index, name);
    if (p.quoted || !isInteger(p.text)) this.fail(`<${name}> is not an integer: '${p.text}'`);
    const v = parseInt(p.text, 10);
    if (v < min || v > max) this.fail(`<${name}> ${v} out of range ${min}..${max}`);
    return v;
  }

  optInt(index: number, name: string, min = -Infinity, max = Infinity): number | undefined {
    return this.has(index) ? this.int(index, name, min, max) : undefined;
  }

  /** An integer that may be written quoted (some firmware quotes numeric fields). */
  looseInt(index: number, name: string): number {
    const p = this.at(index, name);
    if (!isInteger(p.text)) this.fail(`<${name}> is not an integer: '${p.text}'`);
    return parseInt(p.text, 10);
  }

  str(index: number, name: string): string {
    return this.at(index, name).text;
  }

  quoted(index: number, name: string): string {
    const p = this.at(index, name);
    if (!p.quoted) this.fail(`<${name}> should be a quoted string: '${p.text}'`);
    return p.text;
  }

  optStr(index: number): string | undefined {
    return this.has(index) ? this.params[index].text : undefined;
  }

  hex(index: number, name: string): string | undefined {
    const t = index < this.params.length ? this.params[index].text : '';
    if (t === '') return undefined;
    if (!isHex(t)) this.fail(`<${name}> is not hexadecimal: '${t}'`);
    return t.replace(/^0[xX]/, '').toUpperCase();
  }

  isQuoted(index: number): boolean {
    return index < this.params.length && this.params[index].quoted;
  }
}

/**
 * Checks the `+NAME:` head of `line`, splits the parameters and runs `build`; every failure
 * (wrong head, truncated line, bad field) comes back as `{ ok: false, error }`.
 */
export function parseFields<T>(line: string, name: string, build: (f: Fields) => T): AtParse<T> {
  const head = splitHead(line.trim());
  if (!head) return { ok: false, error: `${name}: not an information response: '${line}'` };
  if (head.name !== name.toUpperCase()) return { ok: false, error: `${name}: unexpected response '${head.name}'` };
  return parseParams(head.rest, name, build);
}

/** As `parseFields` for text that has no `+NAME:` head (or whose head was already removed). */
export function parseParams<T>(text: string, what: string, build: (f: Fields) => T): AtParse<T> {
  const split = splitParams(text);
  if (!split.ok) return { ok: false, error: `${what}: ${split.error}` };
  try {
    return { ok: true, value: build(new Fields(split.value, what)) };
  } catch (e) {
    if (e instanceof FieldError) return { ok: false, error: e.message };
    throw e;
  }
}

/** Quotes a string parameter for a command line. BG95 strings cannot contain `"` or control characters. */
export function quoteParam(value: string): AtParse<string> {
  if (/["\r\n\u0000-\u001f]/.test(value)) return { ok: false, error: `string parameter cannot hold quotes or control characters` };
  return { ok: true, value: QUOTE + value + QUOTE };
}
