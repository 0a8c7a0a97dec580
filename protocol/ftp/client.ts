import type { Clock } from '../ports/clock';
import type { Network, TlsOptions } from '../ports/network';
import { isIpv4, isUnroutable } from '../net/address';
import { resolveHost } from '../net/resolve';
import { StreamConnection } from '../net/stream';
import { Watchdog } from '../net/watchdog';
import { utf8Decode, utf8Encode } from '../text/utf8';
import { COMPLETION, FtpReplyParser, INTERMEDIATE, PRELIMINARY, parseEpsv, parsePasv, parsePathname, replyClass, type FtpReply } from './reply';

export const FTP_PORT = 21;
/** Implicit FTPS (the `ftps` service, port 990): TLS from the first byte on both connections. */
export const FTPS_IMPLICIT_PORT = 990;
/** Manual §4.2.3.2 `ftp.mode`. */
export const FTP_MODE_PLAIN = 0;
export const FTP_MODE_IMPLICIT_TLS = 1;

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_RETRIEVE = 4 * 1024 * 1024;
/** Manual §5.1.1.3: uploads carry this extension until renamed. */
export const UPLOAD_SUFFIX = '.tmp';

/** RFC 959 §4.2 codes the client acts on. */
const CODE_READY_SOON = 120;
const CODE_READY = 220;
const CODE_LOGGED_IN = 230;
const CODE_NOT_NEEDED = 202;
const CODE_NEED_PASSWORD = 331;
const CODE_NEED_ACCOUNT = 332;
const CODE_PASSIVE = 227;
const CODE_EXTENDED_PASSIVE = 229;
const CODE_PENDING_FURTHER = 350;
const CODE_NO_FILES = 450;
const CODE_UNAVAILABLE = 550;
/** RFC 959 MKD on some servers (IIS, RFC 3659 appendix): "directory already exists". */
const CODE_EXISTS = 521;

export type FtpErrorKind =
  /** The server answered with an unexpected (usually 4xx/5xx) reply; `code` and `reply` hold it. */
  | 'reply'
  /** No progress within the operation's inactivity timeout; the session was dropped. */
  | 'timeout'
  /** DNS failure, connection refused or dropped. */
  | 'network'
  /** The server's reply could not be understood; the session was dropped. */
  | 'protocol'
  /** A bad argument (CR/LF in a path, already connected…); nothing was sent, the session is unaffected. */
  | 'argument'
  /** The session is closed. */
  | 'closed';

export class FtpError extends Error {
  override readonly name = 'FtpError';

  constructor(
    readonly kind: FtpErrorKind,
    /** FTP reply code, 0 when there was no reply. */
    readonly code: number,
    /** The reply text (or empty). */
    readonly reply: string,
    message: string,
  ) {
    super(message);
  }

  static fromReply(command: string, reply: FtpReply): FtpError {
    return new FtpError('reply', reply.code, reply.text, `${command}: ${reply.code} ${reply.text}`);
  }
}

export interface FtpClientOptions {
  /** Server name or dotted IPv4 address (manual §4.2.3.2 `ftp.addr` without the port). */
  readonly host: string;
  /** Default 21, or 990 with `mode` 1. */
  readonly port?: number;
  readonly user: string;
  readonly pass: string;
  /** 0 plain FTP (default), 1 FTPS with implicit TLS on the control and data connections. */
  readonly mode?: number;
  /** CA and server name for mode 1; the server name defaults to `host` when it is a name. */
  readonly tls?: TlsOptions;
  /** Inactivity timeout of each operation in ms (default 30 000). */
  readonly timeoutMs?: number;
  /** Passive-mode command: EPSV first with PASV fallback (default), or only one of them. */
  readonly passive?: 'auto' | 'epsv' | 'pasv';
  /** Largest file `retrieve` buffers without a chunk callback (default 4 MiB). */
  readonly maxRetrieveBytes?: number;
}

interface DataSink {
  readonly chunks: Uint8Array[];
  size: number;
  overflow: boolean;
}

interface DataChannel {
  readonly conn: StreamConnection;
  readonly sink: DataSink;
}

type Waiter = { resolve: (reply: FtpReply) => void; reject: (error: FtpError) => void };

function concat(chunks: readonly Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Every directory a path lies in, outermost first: `/INBOX/42` → `/INBOX`, `/INBOX/42`. */
function ancestry(path: string): string[] {
  const absolute = path.startsWith('/');
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  const out: string[] = [];
  for (let i = 1; i <= parts.length; i++) out.push((absolute ? '/' : '') + parts.slice(0, i).join('/'));
  return out;
}

/**
 * Passive-mode FTP client (RFC 959, RFC 2428 EPSV, RFC 1123 §4.1.2) over a `Network`. One
 * operation runs at a time; calls made while one runs are queued. Each operation fails with an
 * `FtpError` when the server refuses, or when nothing moves for `timeoutMs` on the injected clock.
 */
export class FtpClient {
  private readonly port: number;
  private readonly timeoutMs: number;
  private readonly tls: TlsOptions | undefined;
  private control: StreamConnection | undefined;
  private controlAddress = '';
  private controlClosed: string | undefined = 'not connected';
  private replies: FtpReply[] = [];
  private waiter: Waiter | undefined;
  private data: DataChannel | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private watchdog: Watchdog | undefined;
  private epsvRefused = false;
  readonly stats = { commands: 0, replies: 0, badLines: 0, bytesSent: 0, bytesReceived: 0 };

  constructor(private readonly network: Network, private readonly clock: Clock, private readonly options: FtpClientOptions) {
    const implicit = options.mode === FTP_MODE_IMPLICIT_TLS;
    this.port = options.port ?? (implicit ? FTPS_IMPLICIT_PORT : FTP_PORT);
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (implicit) {
      const serverName = options.tls?.serverName ?? (isIpv4(options.host) ? undefined : options.host);
      this.tls = { ...(serverName !== undefined ? { serverName } : {}), ...(options.tls?.ca ? { ca: options.tls.ca } : {}) };
    }
  }

  get connected(): boolean {
    return this.control !== undefined && this.controlClosed === undefined;
  }

  /** Opens the control connection, logs in (USER/PASS) and selects binary type (TYPE I). Resolves with the greeting. */
  connect(): Promise<FtpReply> {
    return this.run('connect', () => this.doConnect());
  }

  /** FEAT (RFC 2389): the feature lines, trimmed. */
  features(): Promise<string[]> {
    return this.run('FEAT', async () => {
      const r = await this.expect('FEAT', COMPLETION);
      return r.lines.slice(1, -1).map((l) => l.trim()).filter((l) => l !== '');
    });
  }

  /** PWD: the current directory. */
  pwd(): Promise<string> {
    return this.run('PWD', () => this.doPwd());
  }

  cwd(path: string): Promise<void> {
    return this.run('CWD', async () => {
      await this.expect('CWD ' + this.checkPath(path), COMPLETION);
    });
  }

  /** MKD; resolves true when created, false when the directory already existed. */
  mkdir(path: string): Promise<boolean> {
    return this.run('MKD', () => this.doMkdir(this.checkPath(path), { home: undefined }));
  }

  /**
   * Makes every directory of `paths` and their parents (manual §5.1.1.2: the hub creates a
   * missing tree), accepting a 550/521 refusal when the directory turns out to exist.
   */
  ensureTree(paths: readonly string[]): Promise<void> {
    return this.run('ensureTree', async () => {
      const seen: string[] = [];
      for (const p of paths) for (const dir of ancestry(this.checkPath(p))) if (seen.indexOf(dir) < 0) seen.push(dir);
      const state = { home: undefined as string | undefined };
      for (const dir of seen) await this.doMkdir(dir, state);
    });
  }

  /** STOR: writes `bytes` to `path`. */
  store(path: string, bytes: Uint8Array): Promise<void> {
    return this.run('STOR', () => this.doStore(this.checkPath(path), bytes));
  }

  /** Manual §5.1.1.3: STOR as `<path>.tmp`, then RNFR/RNTO to `<path>` once complete. */
  upload(path: string, bytes: Uint8Array): Promise<void> {
    return this.run('upload', async () => {
      const final = this.checkPath(path);
      const temporary = final + UPLOAD_SUFFIX;
      await this.doStore(temporary, bytes);
      await this.doRename(temporary, final);
    });
  }

  /**
   * RETR: the file's bytes. With `onChunk`, bytes are handed over as they arrive (firmware images)
   * and the promise resolves with an empty array.
   */
  retrieve(path: string, onChunk?: (bytes: Uint8Array) => void): Promise<Uint8Array> {
    return this.run('RETR', () => this.doTransferIn('RETR ' + this.checkPath(path), onChunk, false));
  }

  /** NLST: the names the server lists (an empty directory, or a 450 "no files", gives []). */
  list(path?: string): Promise<string[]> {
    return this.run('NLST', async () => {
      const line = path === undefined ? 'NLST' : 'NLST ' + this.checkPath(path);
      const bytes = await this.doTransferIn(line, undefined, true);
      // Names are kept as listed: a name with a leading or trailing space is another file (and,
      // in the INBOX, a misnamed one to acknowledge), not the name without it.
      return utf8Decode(bytes)
        .split(/\r?\n/)
        .filter((l) => l.trim() !== '');
    });
  }

  rename(from: string, to: string): Promise<void> {
    return this.run('rename', () => this.doRename(this.checkPath(from), this.checkPath(to)));
  }

  delete(path: string): Promise<void> {
    return this.run('DELE', async () => {
      await this.expect('DELE ' + this.checkPath(path), COMPLETION);
    });
  }

  /** Sends one command line and returns the reply whatever its code (NOOP, SITE, SIZE…). */
  raw(command: string): Promise<FtpReply> {
    return this.run(command.split(' ')[0], () => this.command(this.checkPath(command)));
  }

  /** QUIT, then closes the control connection. Resolves even if the server does not answer. */
  quit(): Promise<void> {
    return this.run('QUIT', async () => {
      if (!this.connected) return;
      try {
        await this.command('QUIT');
      } finally {
        this.teardown('closed after QUIT');
      }
    });
  }

  /** Drops both connections at once; a running operation fails with kind `closed`. */
  close(): void {
    this.teardown('closed by client');
  }

  private run<T>(name: string, body: () => Promise<T>): Promise<T> {
    const result = this.chain.then(() => this.guard(name, body));
    this.chain = result.catch(() => undefined);
    return result;
  }

  /** Runs `body` under an inactivity watchdog; any failure surfaces as an `FtpError`. */
  private guard<T>(name: string, body: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let done = false;
      const finish = (): void => {
        done = true;
        this.watchdog?.stop();
        this.watchdog = undefined;
      };
      this.watchdog = new Watchdog(this.clock, this.timeoutMs, () => {
        if (done) return;
        finish();
        const message = `${name}: no progress for ${this.timeoutMs} ms`;
        reject(new FtpError('timeout', 0, '', message));
        this.teardown(message);
      });
      const succeeded = (value: T): void => {
        if (done) return;
        finish();
        resolve(value);
      };
      const failed = (e: unknown): void => {
        if (done) return;
        finish();
        const error = e instanceof FtpError ? e : new FtpError('protocol', 0, '', `${name}: ${errorMessage(e)}`);
        if (error.kind !== 'reply' && error.kind !== 'argument') this.teardown(error.message);
        reject(error);
      };
      Promise.resolve().then(body).then(succeeded, failed);
    });
  }

  private kick(): void {
    this.watchdog?.kick();
  }

  private checkPath(path: string): string {
    if (/[\r\n\u0000]/.test(path)) throw new FtpError('argument', 0, '', `argument contains CR, LF or NUL: ${JSON.stringify(path)}`);
    return path;
  }

  private async doConnect(): Promise<FtpReply> {
    if (this.connected) throw new FtpError('argument', 0, '', 'connect: already connected');
    try {
      return await this.login();
    } catch (e) {
      this.teardown(`connect failed: ${errorMessage(e)}`);
      throw e;
    }
  }

  private async login(): Promise<FtpReply> {
    let address: string;
    try {
      address = await resolveHost(this.network, this.clock, this.options.host, this.timeoutMs);
    } catch (e) {
      throw new FtpError('network', 0, '', `connect: ${errorMessage(e)}`);
    }
    this.controlAddress = address;
    this.replies = [];
    this.controlClosed = undefined;
    this.epsvRefused = false;
    const parser = new FtpReplyParser(
      (reply) => this.onReply(reply),
      () => this.stats.badLines++,
    );
    const control = new StreamConnection(
      this.network,
      { address, port: this.port, ...(this.tls ? { tls: this.tls } : {}) },
      {
        onData: (bytes) => parser.push(bytes),
        onClose: (reason) => this.onControlClosed(control, reason),
        onProgress: () => this.kick(),
      },
    );
    this.control = control;
    try {
      await control.opened;
    } catch (e) {
      throw new FtpError('network', 0, '', `connect to ${address}:${this.port}: ${errorMessage(e)}`);
    }
    let greeting = await this.readReply();
    while (greeting.code === CODE_READY_SOON) greeting = await this.readReply();
    if (greeting.code !== CODE_READY) throw new FtpError('reply', greeting.code, greeting.text, `greeting: ${greeting.code} ${greeting.text}`);
    let login = await this.command('USER ' + this.checkPath(this.options.user));
    if (login.code === CODE_NEED_PASSWORD) login = await this.command('PASS ' + this.checkPath(this.options.pass));
    if (login.code === CODE_NEED_ACCOUNT) throw new FtpError('reply', login.code, login.text, 'login: server wants ACCT, which is not supported');
    if (login.code !== CODE_LOGGED_IN && login.code !== CODE_NOT_NEEDED) throw FtpError.fromReply('login', login);
    await this.expect('TYPE I', COMPLETION);
    return greeting;
  }

  private onReply(reply: FtpReply): void {
    this.stats.replies++;
    this.kick();
    const w = this.waiter;
    if (w) {
      this.waiter = undefined;
      w.resolve(reply);
    } else {
      this.replies.push(reply);
    }
  }

  private onControlClosed(control: StreamConnection, reason: string): void {
    if (this.control !== control) return;
    this.controlClosed = reason;
    const w = this.waiter;
    this.waiter = undefined;
    w?.reject(new FtpError('closed', 0, '', `control connection closed: ${reason}`));
  }

  private teardown(reason: string): void {
    this.data?.conn.close(reason);
    this.data = undefined;
    const control = this.control;
    if (control) {
      this.onControlClosed(control, reason);
      control.close(reason);
    }
    this.control = undefined;
    this.controlClosed = reason;
  }

  private readReply(): Promise<FtpReply> {
    const queued = this.replies.shift();
    if (queued) return Promise.resolve(queued);
    if (this.controlClosed !== undefined) return Promise.reject(new FtpError('closed', 0, '', `control connection closed: ${this.controlClosed}`));
    return new Promise<FtpReply>((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  private async command(line: string): Promise<FtpReply> {
    const control = this.control;
    if (!control || this.controlClosed !== undefined) throw new FtpError('closed', 0, '', `${line.split(' ')[0]}: not connected`);
    this.stats.commands++;
    try {
      await control.send(utf8Encode(line + '\r\n'));
    } catch (e) {
      throw new FtpError('closed', 0, '', `${line.split(' ')[0]}: ${errorMessage(e)}`);
    }
    return this.readReply();
  }

  /** Sends `line` and requires a reply of class `expectedClass` (or one of the listed codes). */
  private async expect(line: string, expectedClass: number, ...codes: number[]): Promise<FtpReply> {
    const r = await this.command(line);
    if (replyClass(r.code) !== expectedClass && codes.indexOf(r.code) < 0) throw FtpError.fromReply(line.split(' ')[0], r);
    return r;
  }

  private async doPwd(): Promise<string> {
    const r = await this.expect('PWD', COMPLETION);
    const path = parsePathname(r.text);
    if (!path.ok) throw new FtpError('protocol', r.code, r.text, `PWD: ${path.error}`);
    return path.value;
  }

  private async doMkdir(dir: string, state: { home: string | undefined }): Promise<boolean> {
    const r = await this.command('MKD ' + dir);
    if (replyClass(r.code) === COMPLETION) return true;
    if (r.code !== CODE_UNAVAILABLE && r.code !== CODE_EXISTS) throw FtpError.fromReply('MKD', r);
    // 550 means "exists" on vsftpd and ProFTPD but also "permission denied": look before accepting.
    state.home ??= await this.doPwd();
    const probe = await this.command('CWD ' + dir);
    if (replyClass(probe.code) !== COMPLETION) throw FtpError.fromReply('MKD', r);
    await this.expect('CWD ' + state.home, COMPLETION);
    return false;
  }

  private async doRename(from: string, to: string): Promise<void> {
    await this.expect('RNFR ' + from, INTERMEDIATE, CODE_PENDING_FURTHER);
    await this.expect('RNTO ' + to, COMPLETION);
  }

  /** EPSV (RFC 2428) or PASV; the address to connect the data socket to. */
  private async passive(): Promise<{ address: string; port: number }> {
    const mode = this.options.passive ?? 'auto';
    if (mode !== 'pasv' && !this.epsvRefused) {
      const r = await this.command('EPSV');
      if (r.code === CODE_EXTENDED_PASSIVE) {
        const port = parseEpsv(r.text);
        if (!port.ok) throw new FtpError('protocol', r.code, r.text, `EPSV: ${port.error}`);
        return { address: this.controlAddress, port: port.value };
      }
      if (mode === 'epsv') throw FtpError.fromReply('EPSV', r);
      this.epsvRefused = true;
    }
    const r = await this.command('PASV');
    if (r.code !== CODE_PASSIVE) throw FtpError.fromReply('PASV', r);
    const target = parsePasv(r.text);
    if (!target.ok) throw new FtpError('protocol', r.code, r.text, `PASV: ${target.error}`);
    // A server behind NAT often announces its private address: use the one we reached it on.
    const address = isUnroutable(target.value.address) && !isUnroutable(this.controlAddress) ? this.controlAddress : target.value.address;
    return { address, port: target.value.port };
  }

  private async openData(onChunk?: (bytes: Uint8Array) => void): Promise<DataChannel> {
    const target = await this.passive();
    const max = this.options.maxRetrieveBytes ?? DEFAULT_MAX_RETRIEVE;
    const sink: DataSink = { chunks: [], size: 0, overflow: false };
    const conn = new StreamConnection(
      this.network,
      { ...target, ...(this.tls ? { tls: this.tls } : {}) },
      {
        onData: (bytes) => {
          this.stats.bytesReceived += bytes.length;
          if (onChunk) {
            onChunk(bytes);
            return;
          }
          sink.size += bytes.length;
          if (sink.size > max) sink.overflow = true;
          else sink.chunks.push(bytes);
        },
        onProgress: () => this.kick(),
      },
    );
    const channel: DataChannel = { conn, sink };
    this.data = channel;
    try {
      await conn.opened;
    } catch (e) {
      this.data = undefined;
      throw new FtpError('network', 0, '', `data connection to ${target.address}:${target.port}: ${errorMessage(e)}`);
    }
    return channel;
  }

  private closeData(channel: DataChannel, reason: string): void {
    channel.conn.close(reason);
    if (this.data === channel) this.data = undefined;
  }

  private async doStore(path: string, bytes: Uint8Array): Promise<void> {
    const channel = await this.openData();
    try {
      const first = await this.command('STOR ' + path);
      if (replyClass(first.code) !== PRELIMINARY) throw FtpError.fromReply('STOR', first);
      try {
        await channel.conn.send(bytes);
        this.stats.bytesSent += bytes.length;
      } catch (e) {
        // The server dropped the data connection: its reply says why (e.g. 451/452/552).
        const why = await this.readReply();
        if (replyClass(why.code) !== COMPLETION) throw FtpError.fromReply('STOR', why);
        throw new FtpError('network', why.code, why.text, `STOR: data connection lost: ${errorMessage(e)}`);
      }
      this.closeData(channel, 'upload complete');
      const done = await this.readReply();
      if (replyClass(done.code) !== COMPLETION) throw FtpError.fromReply('STOR', done);
    } finally {
      this.closeData(channel, 'STOR finished');
    }
  }

  /** RETR / NLST: collects the data connection until the server closes it and confirms with 2xx. */
  private async doTransferIn(line: string, onChunk: ((bytes: Uint8Array) => void) | undefined, listing: boolean): Promise<Uint8Array> {
    const verb = line.split(' ')[0];
    const channel = await this.openData(onChunk);
    try {
      let reply = await this.command(line);
      if (listing && reply.code === CODE_NO_FILES) return new Uint8Array(0);
      if (replyClass(reply.code) === PRELIMINARY) reply = await this.readReply();
      if (replyClass(reply.code) !== COMPLETION) throw FtpError.fromReply(verb, reply);
      await channel.conn.closed;
      if (channel.sink.overflow) throw new FtpError('protocol', 0, '', `${verb}: more than ${this.options.maxRetrieveBytes ?? DEFAULT_MAX_RETRIEVE} bytes; pass a chunk callback`);
      return onChunk ? new Uint8Array(0) : concat(channel.sink.chunks, channel.sink.size);
    } finally {
      this.closeData(channel, `${verb} finished`);
    }
  }
}
