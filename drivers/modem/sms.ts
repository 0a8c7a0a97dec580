import { quoteParam } from '../../protocol/at/params';
import { parseCmglList, parseCmgs, SMS_END, SMS_MAX_CHARS, type StoredSms } from '../../protocol/at/sms';
import { toSmsText } from '../../protocol/sms/command';
import type { AtChannel } from './at-channel';

/** BG95 AT manual, AT+CMGS: up to 120 s for the network to take the message. */
const SEND_TIMEOUT_MS = 120_000;
/** AT+CMGL / AT+CMGD read and erase the SIM store: a few seconds on a full store. */
const STORE_TIMEOUT_MS = 10_000;

/** What reading the store gave: the messages, and the entries that could not be read. */
export interface SmsList {
  readonly messages: readonly StoredSms[];
  readonly errors: readonly string[];
}

/** SMS through the modem: what the session needs (text mode, TS 27.005). */
export interface SmsService {
  /** Text mode and the GSM character set; new messages announced by +CMTI. */
  prepare(): Promise<boolean>;
  /** Every stored message, read or not. */
  list(): Promise<SmsList>;
  delete(index: number): Promise<boolean>;
  /** Sends `text` (cut to one GSM 7-bit SMS) to `number`; false when the modem refused it. */
  send(number: string, text: string): Promise<boolean>;
}

/**
 * SMS on the BG95's AT channel (TS 27.005 §3 text mode, the BG95 AT manual's SMS chapter):
 * AT+CMGF=1 and AT+CSCS="GSM" so bodies come as text, AT+CNMI=2,1 so a message stored during the
 * session is announced by `+CMTI`, AT+CMGL="ALL" to read the store, AT+CMGD to erase one message,
 * AT+CMGS with the body after the `>` prompt, ended by Ctrl-Z.
 */
export class Bg95Sms implements SmsService {
  constructor(private readonly channel: AtChannel) {}

  async prepare(): Promise<boolean> {
    for (const line of ['AT+CMGF=1', 'AT+CSCS="GSM"', 'AT+CNMI=2,1,0,0,0']) {
      const r = await this.channel.command(line);
      if (r.final.kind !== 'ok') return false;
    }
    return true;
  }

  async list(): Promise<SmsList> {
    const r = await this.channel.command('AT+CMGL="ALL"', { prefix: '+CMGL', bare: true, timeoutMs: STORE_TIMEOUT_MS });
    if (r.final.kind !== 'ok') return { messages: [], errors: [`AT+CMGL: ${r.final.text}`] };
    return parseCmglList(r.lines.map((l) => l.text));
  }

  async delete(index: number): Promise<boolean> {
    const r = await this.channel.command(`AT+CMGD=${index}`, { timeoutMs: STORE_TIMEOUT_MS });
    return r.final.kind === 'ok';
  }

  async send(number: string, text: string): Promise<boolean> {
    const quoted = quoteParam(number);
    if (!quoted.ok) return false;
    const body = toSmsText(text).slice(0, SMS_MAX_CHARS);
    const payload = new Uint8Array(body.length + 1);
    for (let i = 0; i < body.length; i++) payload[i] = body.charCodeAt(i);
    payload[body.length] = SMS_END;
    const r = await this.channel.command(`AT+CMGS=${quoted.value}`, { prefix: '+CMGS', payload, timeoutMs: SEND_TIMEOUT_MS });
    return r.final.kind === 'ok' && r.lines.some((l) => parseCmgs(l.text).ok);
  }
}
