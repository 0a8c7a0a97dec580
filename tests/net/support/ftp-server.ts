import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileSystem, FtpSrv } from 'ftp-srv';

export const USER = 'hub';
export const PASS = 'secret';
/** Logs into a file system whose MKD refuses existing directories with 550, as vsftpd and ProFTPD do. */
export const STRICT_USER = 'strict';

/** A path component the strict file system refuses to create (550 permission denied). */
export const FORBIDDEN = 'forbidden';

class StrictMkdirFileSystem extends FileSystem {
  override mkdir(dir: string): Promise<unknown> {
    const resolved = path.join(this.root, path.posix.resolve('/', this.cwd, dir));
    if (fs.existsSync(resolved)) return Promise.reject(new Error('Create directory operation failed.'));
    if (dir.includes(FORBIDDEN)) return Promise.reject(new Error('Permission denied.'));
    return fs.promises.mkdir(resolved).then(() => resolved);
  }
}

const noop = (): void => undefined;
/** ftp-srv logs through bunyan; tests keep quiet. */
const silentLog: Record<string, unknown> = { trace: noop, debug: noop, info: noop, warn: noop, error: noop, fatal: noop };
silentLog.child = () => silentLog;

export interface TestFtpServer {
  readonly root: string;
  readonly port: number;
  close(): Promise<void>;
}

export interface TestFtpServerOptions {
  readonly port: number;
  readonly pasvMin: number;
  readonly pasvMax: number;
  /** Implicit FTPS (`ftps://` URL) with this key and certificate. */
  readonly tls?: { readonly key: string; readonly cert: string };
  readonly greeting?: readonly string[];
}

/** ftp-srv on 127.0.0.1 serving a fresh temporary directory. */
export async function startFtpServer(options: TestFtpServerOptions): Promise<TestFtpServer> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ftp-root-'));
  const server = new FtpSrv({
    url: `${options.tls ? 'ftps' : 'ftp'}://127.0.0.1:${options.port}`,
    pasv_url: '127.0.0.1',
    pasv_min: options.pasvMin,
    pasv_max: options.pasvMax,
    anonymous: false,
    greeting: options.greeting ? [...options.greeting] : undefined,
    tls: options.tls ? { key: options.tls.key, cert: options.tls.cert } : false,
    log: silentLog as never,
  } as never);
  server.on('login', ({ connection, username, password }, resolve, reject) => {
    if (password !== PASS || (username !== USER && username !== STRICT_USER)) {
      reject(new Error('Login incorrect.'));
      return;
    }
    if (username === STRICT_USER) resolve({ fs: new StrictMkdirFileSystem(connection, { root, cwd: '/' }) });
    else resolve({ root });
  });
  await server.listen();
  return {
    root,
    port: options.port,
    close: async () => {
      await server.close();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}
