import { classifyFinal, isEcho } from '../../protocol/at/classify';
import { AtLineReader, type AtReaderEvent } from '../../protocol/at/lines';
import { splitHead } from '../../protocol/at/params';
import type { AtFinal, AtUrc } from '../../protocol/at/types';
import { isUrc, parseUrc } from '../../protocol/at/urc';
import { utf8Encode } from '../../protocol/text/utf8';
import type { Clock, TimerId } from '../../protocol/ports/clock';
import type { ModemPort } from './types';

/** One information line of a response, with the binary payload it announced (`+QIRD: <len>`). */
export interface AtLine {
  readonly text: string;
  readonly data?: Uint8Array;
}

export interface AtResponse {
  readonly command: string;
  /** How the command ended; `timeout` / `aborted` come from the channel, not the modem. */
  readonly final: AtFinal;
  /** Information lines that belong to the command, in arrival order. */
  readonly lines: readonly AtLine[];
}

export interface AtCommandOptions {
  /** Time allowed for the final result code, from the moment the command line is written. */
  readonly timeoutMs?: number;
  /**
   * The information-response head (`+CSQ`). Lines with it belong to the command even when the
   * same head is also a URC (`+CEREG`, `+CPIN`): the pending command has precedence.
   */
  readonly prefix?: string;
  /** Lines without a `+NAME:` head belong to the command (AT+CGSN, AT+QGMR answer bare text). */
  readonly bare?: boolean;
  /** Written after the `>` prompt (AT+QISEND, AT+QSSLSEND). */
  readonly payload?: Uint8Array;
  /** Written after `CONNECT` (AT+QFUPL); the command then ends at the next final result code. */
  readonly upload?: Uint8Array;
}

export interface AtChannelStats {
  commands: number;
  timeouts: number;
  /** Lines that were neither an answer to the pending command nor a URC: noise, truncation, late answers. */
  garbage: number;
  /** URCs whose fields did not parse (a truncated line). */
  badUrcs: number;
  /** Lines longer than the reader keeps. */
  overflows: number;
  /** `>` prompts while no command was waiting for one. */
  strayPrompts: number;
}

export type UrcListener = (urc: AtUrc, text: string) => void;

/** Quectel: most commands answer within 300 ms; leave room for a busy modem. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 2_000;
/** Retry interval when the UART driver accepted only part of a write. */
const WRITE_RETRY_MS = 5;
const CR = '\r';

type Phase = 'queued' | 'sent' | 'payload' | 'upload';

interface Pending {
  readonly text: string;
  readonly options: AtCommandOptions;
  readonly lines: AtLine[];
  readonly resolve: (r: AtResponse) => void;
  phase: Phase;
  timer?: TimerId;
}

/**
 * The AT command channel of a Quectel BG95 over its UART (3GPP TS 27.007 / V.250 framing): one
 * command in flight at a time, a queue behind it, a per-command timeout, URC dispatch between and
 * during commands, the `>` data prompt and the binary payloads of socket reads.
 */
export class AtChannel {
  readonly stats: AtChannelStats = { commands: 0, timeouts: 0, garbage: 0, badUrcs: 0, overflows: 0, strayPrompts: 0 };
  /** The last line counted as garbage (diagnostics). */
  lastGarbage = '';
  private readonly reader: AtLineReader;
  private readonly queue: Pending[] = [];
  private current: Pending | undefined;
  private readonly listeners: UrcListener[] = [];
  private txQueue: Uint8Array[] = [];
  private txTimer: TimerId | undefined;

  constructor(private readonly port: ModemPort, private readonly clock: Clock) {
    this.reader = new AtLineReader((e) => this.onEvent(e));
    port.onReceive((bytes) => this.reader.push(bytes));
  }

  /** Queues `text` (without the CR) and resolves with its final result; never rejects. */
  command(text: string, options: AtCommandOptions = {}): Promise<AtResponse> {
    return new Promise<AtResponse>((resolve) => {
      this.queue.push({ text, options, lines: [], resolve, phase: 'queued' });
      this.next();
    });
  }

  /** Subscribes to URCs; returns the unsubscribe function. */
  onUrc(listener: UrcListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** Commands waiting or in flight. */
  pending(): number {
    return this.queue.length + (this.current ? 1 : 0);
  }

  /** Ends every queued and in-flight command with `aborted` (the modem lost power or restarted). */
  abort(reason: string): void {
    const all = this.current ? [this.current, ...this.queue] : [...this.queue];
    this.current = undefined;
    this.queue.length = 0;
    this.txQueue = [];
    if (this.txTimer !== undefined) this.clock.clearTimer(this.txTimer);
    this.txTimer = undefined;
    this.reader.reset();
    for (const p of all) {
      if (p.timer !== undefined) this.clock.clearTimer(p.timer);
      p.resolve({ command: p.text, final: { kind: 'aborted', text: reason }, lines: p.lines });
    }
  }

  private next(): void {
    if (this.current !== undefined) return;
    const p = this.queue.shift();
    if (p === undefined) return;
    this.current = p;
    p.phase = 'sent';
    this.stats.commands++;
    this.transmit(utf8Encode(p.text + CR));
    const timeout = p.options.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    p.timer = this.clock.setTimer(this.clock.now() + timeout, () => {
      p.timer = undefined;
      if (this.current !== p) return;
      this.stats.timeouts++;
      // A half-received line or payload belongs to the command that gave up.
      this.reader.reset();
      this.finish(p, { kind: 'timeout', text: `no final result within ${timeout} ms` });
    });
  }

  private finish(p: Pending, final: AtFinal): void {
    if (p.timer !== undefined) this.clock.clearTimer(p.timer);
    p.timer = undefined;
    if (this.current === p) this.current = undefined;
    p.resolve({ command: p.text, final, lines: p.lines });
    this.next();
  }

  private transmit(bytes: Uint8Array): void {
    this.txQueue.push(bytes);
    this.flush();
  }

  private flush(): void {
    while (this.txQueue.length > 0) {
      const head = this.txQueue[0];
      const n = this.port.write(head);
      if (n >= head.length) {
        this.txQueue.shift();
        continue;
      }
      this.txQueue[0] = head.subarray(Math.max(0, n));
      if (this.txTimer === undefined) {
        this.txTimer = this.clock.setTimer(this.clock.now() + WRITE_RETRY_MS, () => {
          this.txTimer = undefined;
          this.flush();
        });
      }
      return;
    }
  }

  private onEvent(e: AtReaderEvent): void {
    if (e.type === 'overflow') {
      this.stats.overflows++;
      this.stats.garbage++;
      return;
    }
    if (e.type === 'prompt') {
      const c = this.current;
      if (c !== undefined && c.phase === 'sent' && c.options.payload !== undefined) {
        c.phase = 'payload';
        this.transmit(c.options.payload);
      } else {
        this.stats.strayPrompts++;
      }
      return;
    }
    this.onLine(e.text, e.data);
  }

  private onLine(text: string, data: Uint8Array | undefined): void {
    const c = this.current;
    if (c !== undefined && text === c.text) return; // echo while ATE1 is still on
    const final = classifyFinal(text);
    if (final !== undefined) {
      if (c === undefined) {
        this.garbage(text);
      } else if (final.kind === 'connect' && c.options.upload !== undefined && c.phase === 'sent') {
        c.phase = 'upload';
        this.transmit(c.options.upload);
      } else {
        this.finish(c, final);
      }
      return;
    }
    const head = splitHead(text);
    if (c !== undefined && c.options.prefix !== undefined && head !== undefined && head.name === c.options.prefix.toUpperCase()) {
      c.lines.push(data === undefined ? { text } : { text, data });
      return;
    }
    if (isUrc(text)) {
      this.dispatch(text);
      return;
    }
    if (c !== undefined && head === undefined && c.options.bare === true) {
      c.lines.push({ text });
      return;
    }
    if (c !== undefined && isEcho(text)) return;
    this.garbage(text);
  }

  private dispatch(text: string): void {
    const urc = parseUrc(text);
    if (urc === undefined || !urc.ok) {
      this.stats.badUrcs++;
      this.garbage(text);
      return;
    }
    for (const l of this.listeners.slice()) l(urc.value, text);
  }

  private garbage(text: string): void {
    this.stats.garbage++;
    this.lastGarbage = text;
  }
}
