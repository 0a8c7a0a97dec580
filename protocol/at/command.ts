import { quoteParam } from './params';
import type { AtParse } from './types';

/** A parameter of a set command: strings go quoted, numbers as decimal constants (V.250 §5.4.2). */
export type AtValue = string | number;

/**
 * `formatCommand('+QIOPEN', [1, 0, 'TCP', '10.0.0.1', 21, 0, 0])` →
 * `AT+QIOPEN=1,0,"TCP","10.0.0.1",21,0,0`; without parameters, `AT+CSQ`.
 * The line terminator (`\r`) is added by the channel.
 */
export function formatCommand(name: string, params?: readonly AtValue[]): AtParse<string> {
  if (!/^[+&]?[A-Za-z][A-Za-z0-9_]*$/.test(name)) return { ok: false, error: `bad command name '${name}'` };
  if (params === undefined) return { ok: true, value: 'AT' + name };
  const parts: string[] = [];
  for (const p of params) {
    if (typeof p === 'number') {
      if (!Number.isInteger(p)) return { ok: false, error: `${name}: numeric parameter ${p} is not an integer` };
      parts.push(String(p));
    } else {
      const q = quoteParam(p);
      if (!q.ok) return { ok: false, error: `${name}: ${q.error}` };
      parts.push(q.value);
    }
  }
  return { ok: true, value: `AT${name}=${parts.join(',')}` };
}

/** `AT+NAME?` */
export function formatRead(name: string): AtParse<string> {
  const c = formatCommand(name);
  return c.ok ? { ok: true, value: c.value + '?' } : c;
}
