import { freezeTable } from '../freeze';
import { parseFields } from './params';
import type { AtParse } from './types';

/**
 * SMS in text mode (3GPP TS 27.005 §3, AT+CMGF=1): the new-message indication, the list of stored
 * messages and the send reference. Text mode with the GSM character set (AT+CSCS="GSM") gives the
 * body as text; a body in another coding (UCS2, 8-bit) arrives as hex digits and is refused by
 * the command reader, never decoded by guess.
 */

/** TS 27.005 §3.4.1 `+CMTI: <mem>,<index>`: a message was stored at `index`. */
export interface Cmti {
  readonly memory: string;
  readonly index: number;
}

/** Highest storage index the BG95's SIM and ME stores use (TS 27.005 leaves it to the memory). */
const MAX_INDEX = 255;

export function parseCmti(line: string): AtParse<Cmti> {
  return parseFields(line, '+CMTI', (f) => ({ memory: f.str(0, 'mem'), index: f.int(1, 'index', 0, MAX_INDEX) }));
}

/** TS 27.005 §3.4.2 (text mode) `+CMGL: <index>,<stat>,<oa>,[<alpha>],[<scts>]`, the line before the body. */
export interface CmglHead {
  readonly index: number;
  /** "REC UNREAD", "REC READ", "STO UNSENT", "STO SENT". */
  readonly status: string;
  /** Originating address as the network gave it (`+33612345678`, or a national or alphanumeric sender). */
  readonly sender: string;
  /** Service centre time stamp `yy/MM/dd,hh:mm:ss±zz`, when the modem shows it. */
  readonly timestamp?: string;
}

const STATUSES: readonly string[] = freezeTable(['REC UNREAD', 'REC READ', 'STO UNSENT', 'STO SENT']);
const SCTS_FIELD = 4;

export function parseCmglHead(line: string): AtParse<CmglHead> {
  return parseFields(line, '+CMGL', (f) => {
    const index = f.int(0, 'index', 0, MAX_INDEX);
    const status = f.str(1, 'stat');
    if (STATUSES.indexOf(status) < 0) f.fail(`<stat> "${status}" is not a text-mode status`);
    const sender = f.str(2, 'oa');
    return f.has(SCTS_FIELD) ? { index, status, sender, timestamp: f.str(SCTS_FIELD, 'scts') } : { index, status, sender };
  });
}

/** One stored message: its head and its body (the line after the head). */
export interface StoredSms extends CmglHead {
  readonly text: string;
}

/**
 * The information lines of `AT+CMGL="ALL"`: a head, then the body on the next line. A line that
 * is neither a head nor a body (a truncated head, a stray URC) is reported and skipped, so one bad
 * entry never hides the others; a head with no body line gets an empty body.
 */
export function parseCmglList(lines: readonly string[]): { readonly messages: StoredSms[]; readonly errors: string[] } {
  const messages: StoredSms[] = [];
  const errors: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].startsWith('+CMGL')) {
      errors.push(`line ${i}: not a +CMGL head: ${lines[i].slice(0, 40)}`);
      continue;
    }
    const head = parseCmglHead(lines[i]);
    if (!head.ok) {
      errors.push(`line ${i}: ${head.error}`);
      continue;
    }
    const body = i + 1 < lines.length && !lines[i + 1].startsWith('+CMGL') ? lines[++i] : '';
    messages.push({ ...head.value, text: body });
  }
  return { messages, errors };
}

/** TS 27.005 §3.5.1 `+CMGS: <mr>`: the message reference of a sent message. */
export function parseCmgs(line: string): AtParse<number> {
  return parseFields(line, '+CMGS', (f) => f.int(0, 'mr', 0, MAX_INDEX));
}

/** Ctrl-Z ends the body of AT+CMGS in text mode (TS 27.005 §3.5.1); ESC would cancel it. */
export const SMS_END = 0x1a;
/** Longest body of one text-mode SMS in the GSM 7-bit alphabet (TS 23.038 §6.1.2.1: 160 septets). */
export const SMS_MAX_CHARS = 160;
