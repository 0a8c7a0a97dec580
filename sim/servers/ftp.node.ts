import * as fs from 'node:fs';
import * as path from 'node:path';
import { FileSystem, FtpSrv } from 'ftp-srv';
import type { SimRandom } from '../world/types';
import { freePort } from './ports.node';

/** Passive data ports offered per server: enough for a session's transfers in flight. */
const PASSIVE_PORTS = 20;

const noop = (): void => undefined;
/** ftp-srv logs through bunyan; the simulator prints its own progress. */
const silentLog: Record<string, unknown> = { trace: noop, debug: noop, info: noop, warn: noop, error: noop, fatal: noop };
silentLog.child = () => silentLog;

/** ftp-srv's 'connect' event, which its typings leave out. */
interface ConnectEvents {
  on(event: 'connect', listener: (e: { connection: { commandSocket: { setNoDelay(on: boolean): void } } }) => void): void;
}

export interface OperatorFtpServer {
  readonly root: string;
  readonly port: number;
  /** Server errors from now on (the reliability campaign's `server errors` fault); undefined: none. */
  setFaults(faults: FtpServerFaults | undefined): void;
  /** STOR and RNTO commands refused by the faults so far. */
  readonly refusals: number;
  close(): Promise<void>;
}

/**
 * A server that refuses some uploads and renames as a full or failing disk would: ftp-srv answers
 * `550 <reason>` to the STOR or RNTO whose file-system call throws. Each STOR and rename draws from
 * `random` in the order the box sends them, so a seed gives the same refusals.
 */
export interface FtpServerFaults {
  /** Probability that a STOR or RNTO is refused, 0–1. */
  readonly errorRate: number;
  readonly random: SimRandom;
}

/** The reason the refused commands carry, after the 550 ftp-srv puts in front. */
export const INJECTED_FTP_ERROR = 'Insufficient storage space (injected fault)';

/**
 * ftp-srv's own file system, with the server faults in force when a STOR or RNTO arrives, and
 * errors that name the path as the client sees it: ftp-srv puts a failed call's message in its
 * reply (`550 ENOENT: no such file or directory, stat '<root>/INBOX/x'`), and a root that differs
 * between runs (`--out DIR`) would change what the box receives.
 */
class FaultyFileSystem extends FileSystem {
  constructor(connection: unknown, private readonly rootDir: string, private readonly faults: () => FtpServerFaults | undefined, private readonly refused: () => void) {
    super(connection as never, { root: rootDir, cwd: '/' });
  }

  /** `work`'s result and errors with the server's root taken out of any path they name (ftp-srv's promises are Bluebird's: duck-typed). */
  private scrub<T>(work: () => T): T {
    const root = path.resolve(this.rootDir);
    const strip = (text: string): string => text.split(root).join('') || '/';
    const clean = (e: unknown): Error => new Error(strip(e instanceof Error ? e.message : String(e)));
    const value = (v: unknown): unknown => (typeof v === 'string' ? strip(v) : v);
    try {
      const r = work() as unknown;
      if (typeof (r as { then?: unknown })?.then === 'function') {
        return Promise.resolve(r as PromiseLike<unknown>).then(value, (e: unknown) => Promise.reject(clean(e))) as T;
      }
      return value(r) as T;
    } catch (e) {
      throw clean(e);
    }
  }

  override get(fileName: string): ReturnType<FileSystem['get']> {
    return this.scrub(() => super.get(fileName));
  }

  override list(p?: string): ReturnType<FileSystem['list']> {
    return this.scrub(() => super.list(p));
  }

  override chdir(p?: string): ReturnType<FileSystem['chdir']> {
    return this.scrub(() => super.chdir(p));
  }

  override read(fileName: string, options?: { start?: unknown }): ReturnType<FileSystem['read']> {
    return this.scrub(() => super.read(fileName, options as never));
  }

  override delete(p: string): ReturnType<FileSystem['delete']> {
    return this.scrub(() => super.delete(p));
  }

  override mkdir(p: string): ReturnType<FileSystem['mkdir']> {
    return this.scrub(() => super.mkdir(p));
  }

  private refuse(): boolean {
    const f = this.faults();
    if (f === undefined || f.random.next() >= f.errorRate) return false;
    this.refused();
    return true;
  }

  override write(fileName: string, options?: { append?: boolean; start?: unknown }): ReturnType<FileSystem['write']> {
    if (this.refuse()) throw new Error(INJECTED_FTP_ERROR);
    return this.scrub(() => super.write(fileName, options as never));
  }

  override rename(from: string, to: string): ReturnType<FileSystem['rename']> {
    if (this.refuse()) throw new Error(INJECTED_FTP_ERROR);
    return this.scrub(() => super.rename(from, to));
  }
}

export interface OperatorFtpOptions {
  /** Directory the server serves (the operator's view of the files); created if missing. */
  readonly root: string;
  readonly user: string;
  readonly password: string;
  /** Implicit FTPS with this key and certificate (PEM). */
  readonly tls?: { readonly key: string; readonly cert: string };
}

/** The operator's FTP server on 127.0.0.1, a real ftp-srv instance on free ports. */
export async function startOperatorFtp(options: OperatorFtpOptions): Promise<OperatorFtpServer> {
  fs.mkdirSync(options.root, { recursive: true });
  const port = await freePort();
  const pasvMin = await freePort();
  const server = new FtpSrv({
    url: `${options.tls ? 'ftps' : 'ftp'}://127.0.0.1:${port}`,
    pasv_url: '127.0.0.1',
    pasv_min: pasvMin,
    pasv_max: pasvMin + PASSIVE_PORTS,
    anonymous: false,
    tls: options.tls ? { key: options.tls.key, cert: options.tls.cert } : false,
    log: silentLog as never,
  } as never);
  // Replies go out at once: with Nagle on, a reply after an upload waits for the client's delayed
  // ACK (40 ms on Linux), which would dominate the simulator's real time per session.
  (server as unknown as ConnectEvents).on('connect', ({ connection }) => connection.commandSocket.setNoDelay(true));
  let faults: FtpServerFaults | undefined;
  let refusals = 0;
  const fsFor = (connection: unknown): FaultyFileSystem =>
    new FaultyFileSystem(connection, options.root, () => faults, () => {
      refusals++;
    });
  server.on('login', ({ connection, username, password }, resolve, reject) => {
    if (username === options.user && password === options.password) resolve({ root: options.root, fs: fsFor(connection) });
    else reject(new Error('Login incorrect.'));
  });
  await server.listen();
  return {
    root: options.root,
    port,
    setFaults: (f) => {
      faults = f;
    },
    get refusals() {
      return refusals;
    },
    close: () => server.close(),
  };
}
