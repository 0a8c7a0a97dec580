import type { AtFinal, AtFinalKind } from './types';
import { freezeTable } from '../freeze';

/** Verbose final result codes (V.250 §5.7.1 table 1, TS 27.007 §9.2, Quectel send results). */
const FINALS: readonly (readonly [string, AtFinalKind])[] = freezeTable([
  ['OK', 'ok'],
  ['ERROR', 'error'],
  ['SEND OK', 'send-ok'],
  ['SEND FAIL', 'send-fail'],
  ['NO CARRIER', 'no-carrier'],
  ['BUSY', 'busy'],
  ['NO ANSWER', 'no-answer'],
  ['NO DIALTONE', 'no-dialtone'],
]);

/** The final result code on `line`, or undefined for any other line. */
export function classifyFinal(line: string): AtFinal | undefined {
  const text = line.trim();
  for (const [code, kind] of FINALS) if (text === code) return { kind, text };
  const err = /^\+(CME|CMS) ERROR:\s*(.*)$/.exec(text);
  if (err) {
    const kind: AtFinalKind = err[1] === 'CME' ? 'cme' : 'cms';
    return /^\d+$/.test(err[2]) ? { kind, code: parseInt(err[2], 10), text } : { kind, text };
  }
  const connect = /^CONNECT(?: (\d+))?$/.exec(text);
  if (connect) return connect[1] === undefined ? { kind: 'connect', text } : { kind: 'connect', code: parseInt(connect[1], 10), text };
  return undefined;
}

/** Whether a final result means the command succeeded. */
export function isSuccess(final: AtFinal): boolean {
  return final.kind === 'ok' || final.kind === 'send-ok' || final.kind === 'connect';
}

/** A command line echoed back while echo (ATE1) is on. */
export function isEcho(line: string): boolean {
  return /^AT/i.test(line.trim());
}
