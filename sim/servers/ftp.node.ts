import * as fs from 'node:fs';
import { FtpSrv } from 'ftp-srv';
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
  close(): Promise<void>;
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
  server.on('login', ({ username, password }, resolve, reject) => {
    if (username === options.user && password === options.password) resolve({ root: options.root });
    else reject(new Error('Login incorrect.'));
  });
  await server.listen();
  return { root: options.root, port, close: () => server.close() };
}
