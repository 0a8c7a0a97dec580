import type { Clock, TimerId } from '../ports/clock';
import { utf8Encode } from '../text/utf8';
import { classifyFinal, isSuccess } from './classify';
import { AtLineReader, defaultDataLength, type AtReaderEvent, type DataLengthProbe } from './lines';
import { splitHead } from './params';
import { parseUrc } from './urc';
import type { AtFinal, AtUrc } from './types';

/** One command for the modem. */
export interface AtCommand {
  /** The command line without terminator, e.g. `AT+CSQ` (see `formatCommand`). */
  readonly command: string;
  /**
   * Head of the information lines this command answers (`+CEREG`). Lines with this head are captured
   * even where they would otherwise be URCs (`AT+CEREG?` vs the `+CEREG:` URC).
   */
  readonly prefix?: string;
  /** Bytes written when the modem shows the `>` prompt (`AT+QISEND=<id>,<len>`, `AT+QSSLSEND=…`). */
  readonly payload?: Uint8Array;
  /** Extra payload framing for this command only, e.g. `connectDataLength` for `AT+QFREAD`. */
  readonly dataLength?: DataLengthProbe;
  /** Milliseconds to wait for the final result (needs a clock; default `defaultTimeoutMs`). */
  readonly timeoutMs?: number;
}

export interface AtResponse {
  readonly command: string;
  readonly final: AtFinal;
  /** True for OK, SEND OK and CONNECT. */
  readonly ok: boolean;
  /** Information lines, in order (without echo, URCs or the final result). */
  readonly lines: readonly string[];
  /** Payload bytes announced by captured lines (`+QIRD: <len>`), concatenated; undefined when none. */
  readonly data?: Uint8Array;
}

export interface AtChannelOptions {
  /** Sends bytes to the modem UART. */
  write(bytes: Uint8Array): void;
  /** A URC arrived; `data` is the payload of a direct-push `recv` report. Malformed URCs go to `onUnexpected`. */
  onUrc?(urc: AtUrc, line: string, data?: Uint8Array): void;
  /** A line that is neither expected nor a URC, or a malformed URC; counted in `stats.unexpected`. */
  onUnexpected?(line: string, reason: string): void;
  /** Needed for command timeouts; without it commands wait until `abortAll`. */
  readonly clock?: Clock;
  /** Default 300 ms — the BG95's maximum response time for most local commands. */
  readonly defaultTimeoutMs?: number;
  readonly maxLine?: number;
}

interface Pending {
  readonly spec: AtCommand;
  readonly done: (response: AtResponse) => void;
  readonly lines: string[];
  readonly data: Uint8Array[];
  timer?: TimerId;
  prompted: boolean;
}

const DEFAULT_TIMEOUT_MS = 300;
const CR = '\r';
/** ESC cancels a `>` prompt without sending (Quectel TCP/IP application note, AT+QISEND). */
const ESCAPE = Uint8Array.of(0x1b);

/**
 * Runs AT commands one at a time over a byte stream: writes each command, captures its
 * information lines and payloads, feeds the `>` prompt, ends on the final result code,
 * and routes URCs that arrive in between to `onUrc`. No I/O of its own: bytes in via `push`,
 * bytes out via `write`.
 */
export class AtChannel {
  private readonly reader: AtLineReader;
  private readonly queue: Pending[] = [];
  private current: Pending | undefined;
  readonly stats = { commands: 0, urcs: 0, unexpected: 0, timeouts: 0 };

  constructor(private readonly options: AtChannelOptions) {
    this.reader = new AtLineReader((e) => this.onEvent(e), {
      maxLine: options.maxLine,
      dataLength: (line) => this.current?.spec.dataLength?.(line) ?? defaultDataLength(line),
    });
  }

  /** Bytes received from the modem. */
  push(bytes: Uint8Array): void {
    this.reader.push(bytes);
  }

  get busy(): boolean {
    return this.current !== undefined;
  }

  /** Queues a command; `done` gets its response (timeouts and aborts included — never an exception). */
  send(spec: AtCommand, done: (response: AtResponse) => void): void {
    this.queue.push({ spec, done, lines: [], data: [], prompted: false });
    if (!this.current) this.next();
  }

  request(spec: AtCommand): Promise<AtResponse> {
    return new Promise((resolve) => this.send(spec, resolve));
  }

  /** Ends the running and queued commands with `aborted` (modem reset, power loss). */
  abortAll(reason: string): void {
    const all = this.current ? [this.current, ...this.queue] : [...this.queue];
    this.queue.length = 0;
    this.current = undefined;
    this.reader.reset();
    for (const p of all) this.finish(p, { kind: 'aborted', text: reason });
  }

  private next(): void {
    const p = this.queue.shift();
    this.current = p;
    if (!p) return;
    this.stats.commands++;
    const clock = this.options.clock;
    if (clock) {
      const ms = p.spec.timeoutMs ?? this.options.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS;
      p.timer = clock.setTimer(clock.now() + ms, () => {
        if (this.current !== p) return;
        p.timer = undefined;
        this.stats.timeouts++;
        this.complete({ kind: 'timeout', text: `no final result after ${ms} ms` });
      });
    }
    this.options.write(utf8Encode(p.spec.command + CR));
  }

  private complete(final: AtFinal): void {
    const p = this.current;
    if (!p) return;
    this.current = undefined;
    this.finish(p, final);
    if (!this.current) this.next();
  }

  private finish(p: Pending, final: AtFinal): void {
    if (p.timer !== undefined) this.options.clock?.clearTimer(p.timer);
    p.timer = undefined;
    let data: Uint8Array | undefined;
    if (p.data.length === 1) data = p.data[0];
    else if (p.data.length > 1) {
      data = new Uint8Array(p.data.reduce((n, d) => n + d.length, 0));
      let at = 0;
      for (const d of p.data) {
        data.set(d, at);
        at += d.length;
      }
    }
    const response: AtResponse = data
      ? { command: p.spec.command, final, ok: isSuccess(final), lines: p.lines, data }
      : { command: p.spec.command, final, ok: isSuccess(final), lines: p.lines };
    p.done(response);
  }

  private unexpected(line: string, reason: string): void {
    this.stats.unexpected++;
    this.options.onUnexpected?.(line, reason);
  }

  private onEvent(e: AtReaderEvent): void {
    const p = this.current;
    if (e.type === 'overflow') {
      this.unexpected('', `line of ${e.length} bytes dropped`);
      return;
    }
    if (e.type === 'prompt') {
      if (p && p.spec.payload && !p.prompted) {
        p.prompted = true;
        this.options.write(p.spec.payload);
      } else {
        this.unexpected('>', 'prompt without a payload to send; cancelled');
        this.options.write(ESCAPE);
      }
      return;
    }
    const { text, data } = e;
    if (p && text.toUpperCase() === p.spec.command.toUpperCase()) return; // echo (ATE1)
    if (data === undefined) {
      const final = classifyFinal(text);
      if (final) {
        if (p) this.complete(final);
        else this.unexpected(text, 'final result with no command running');
        return;
      }
    }
    const head = splitHead(text);
    if (p && p.spec.prefix !== undefined && head && head.name === p.spec.prefix.toUpperCase()) {
      this.capture(p, text, data);
      return;
    }
    const urc = parseUrc(text);
    if (urc) {
      if (urc.ok) {
        this.stats.urcs++;
        this.options.onUrc?.(urc.value, text, data);
      } else {
        this.unexpected(text, urc.error);
      }
      return;
    }
    if (p) this.capture(p, text, data);
    else this.unexpected(text, 'no command running');
  }

  private capture(p: Pending, text: string, data: Uint8Array | undefined): void {
    p.lines.push(text);
    if (data && data.length > 0) p.data.push(data);
  }
}
