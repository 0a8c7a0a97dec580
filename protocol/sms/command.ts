import type { PlainCommandType } from '../commands/types';
import { freezeTable } from '../freeze';

/**
 * Commands by SMS (docs/sms.md): `<uid> <command>`, one per message, e.g. `WE_000123 request`.
 * The uid must be the box's own, so an SMS meant for another box (a number reused, a typo in a
 * bulk send) does nothing. Words are separated by spaces; the command name is not case-sensitive
 * (a phone's keyboard capitalises the first letter), the uid is.
 *
 * Only the §5.6 commands that need no file can come by SMS; `status` is the SMS's own: the reply
 * carries the box's state instead of an ACK.
 */
export type SmsCommandName = PlainCommandType | 'status';

/** §5.6 commands an SMS may carry, by their lower-case name. */
const SMS_COMMANDS: Readonly<Record<string, SmsCommandName>> = freezeTable({
  request: 'request',
  diag: 'diag',
  configget: 'configGet',
  supervisionget: 'supervisionGet',
  logget: 'logGet',
  factory: 'factory',
  operatorinit: 'operatorInit',
  whitelisterase: 'whiteListErase',
  status: 'status',
});

/** Printable ASCII: what a GSM 7-bit text-mode body of a command can hold. */
const PRINTABLE_FIRST = 0x20;
const PRINTABLE_LAST = 0x7e;
/** A body longer than one SMS is not a command (TS 23.038 §6.1.2.1: 160 septets). */
const MAX_COMMAND_CHARS = 160;

export type SmsCommandParse =
  | { readonly ok: true; readonly command: SmsCommandName }
  | { readonly ok: false; readonly error: string };

/** Reads the body of an SMS as a command for the box `uid`. */
export function parseSmsCommand(text: string, uid: string): SmsCommandParse {
  if (text.length > MAX_COMMAND_CHARS) return { ok: false, error: `too long for a command (${text.length} characters)` };
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < PRINTABLE_FIRST || c > PRINTABLE_LAST) return { ok: false, error: `not plain text (character ${c} at ${i}); send "${uid} <command>"` };
  }
  const words = text.trim().split(' ').filter((w) => w !== '');
  if (words.length === 0) return { ok: false, error: `empty; send "${uid} <command>"` };
  if (words[0] !== uid) return { ok: false, error: `not for this box (expected "${uid} <command>")` };
  if (words.length !== 2) return { ok: false, error: `expected "${uid} <command>", one command` };
  const command = SMS_COMMANDS[words[1].toLowerCase()];
  if (command === undefined) return { ok: false, error: `unknown command "${words[1]}" (known: ${Object.keys(SMS_COMMANDS).join(', ')})` };
  return { ok: true, command };
}

/** The reply to a command: `<uid> <command> ok|ko[: detail]`, cut to one SMS. */
export function smsReply(uid: string, command: string, ok: boolean, detail: string): string {
  const text = `${uid} ${command} ${ok ? 'ok' : 'ko'}${detail === '' ? '' : `: ${detail}`}`;
  return toSmsText(text);
}

/** A text the GSM 7-bit alphabet carries in one SMS: printable ASCII, at most 160 characters. */
export function toSmsText(text: string): string {
  let out = '';
  for (let i = 0; i < text.length && out.length < MAX_COMMAND_CHARS; i++) {
    const c = text.charCodeAt(i);
    out += c >= PRINTABLE_FIRST && c <= PRINTABLE_LAST ? text[i] : '?';
  }
  return out;
}

/** A phone number as compared with `local.whiteList`: the digits, with a leading + kept. */
export function normalizeNumber(number: string): string {
  const trimmed = number.trim();
  const digits = trimmed.replace(/[^0-9]/g, '');
  return trimmed.startsWith('+') ? `+${digits}` : digits;
}

/**
 * Whether `sender` may command the box (§4.2.1.1 `local.whiteList`): an empty or absent list
 * authorises every number, as the manual says; otherwise the number must be listed, compared on
 * its digits (spaces, dashes and dots are ignored, a leading + is significant).
 */
export function senderAuthorised(sender: string, whiteList: readonly string[] | null): boolean {
  if (whiteList === null || whiteList.length === 0) return true;
  const n = normalizeNumber(sender);
  if (n === '' || n === '+') return false;
  return whiteList.some((w) => normalizeNumber(w) === n);
}
