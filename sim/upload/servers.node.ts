import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FtpSrv } from 'ftp-srv';
import { buildReply, parsePacket, transmitTimestamp } from '../../protocol/sntp/packet';

/**
 * Real servers on 127.0.0.1 for upload sessions run through the modem emulator: an FTP/FTPS
 * server (npm ftp-srv) on a fresh temporary root, and an SNTP server whose time is the
 * simulation's true time (the device's RTC error is then what SNTP measures).
 */

const noop = (): void => undefined;
/** ftp-srv logs through bunyan; keep it quiet. */
const silentLog: Record<string, unknown> = { trace: noop, debug: noop, info: noop, warn: noop, error: noop, fatal: noop };
silentLog.child = () => silentLog;

export interface FtpServerOptions {
  /** Control port; 0 or absent: any free port (read it back from `port`). */
  readonly port?: number;
  /** Passive data ports; absent: a window of PASV_WINDOW ports at a random place above 45000. */
  readonly pasvMin?: number;
  readonly pasvMax?: number;
  readonly user: string;
  readonly pass: string;
  /** Implicit FTPS with this key and certificate (PEM). */
  readonly tls?: { readonly key: string; readonly cert: string };
}

export interface UploadFtpServer {
  readonly root: string;
  readonly port: number;
  /** Every file below the root, as paths relative to it (`/DATA/…`), sorted. */
  files(): string[];
  read(relative: string): Uint8Array;
  write(relative: string, bytes: Uint8Array): void;
  close(): Promise<void>;
}

function walk(root: string, dir: string, out: string[]): void {
  for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = dir + '/' + entry.name;
    if (entry.isDirectory()) walk(root, rel, out);
    else out.push(rel);
  }
}

/** Passive ports per server when none are given; suites running side by side rarely meet. */
const PASV_WINDOW = 40;
const PASV_LOW = 45_000;
const PASV_HIGH = 60_000;

export async function startFtpServer(options: FtpServerOptions): Promise<UploadFtpServer> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'upload-ftp-'));
  const pasvMin = options.pasvMin ?? PASV_LOW + Math.floor(Math.random() * (PASV_HIGH - PASV_LOW - PASV_WINDOW));
  const pasvMax = options.pasvMax ?? pasvMin + PASV_WINDOW - 1;
  const server = new FtpSrv({
    url: `${options.tls ? 'ftps' : 'ftp'}://127.0.0.1:${options.port ?? 0}`,
    pasv_url: '127.0.0.1',
    pasv_min: pasvMin,
    pasv_max: pasvMax,
    anonymous: false,
    tls: options.tls ? { key: options.tls.key, cert: options.tls.cert } : false,
    log: silentLog as never,
  } as never);
  server.on('login', ({ username, password }, resolve, reject) => {
    if (username !== options.user || password !== options.pass) reject(new Error('Login incorrect.'));
    else resolve({ root });
  });
  // A client dropping a connection mid-transfer is part of the scenarios.
  server.on('client-error', noop);
  await server.listen();
  const port = ((server as unknown as { server: import('node:net').Server }).server.address() as import('node:net').AddressInfo).port;
  return {
    root,
    port,
    files: () => {
      const out: string[] = [];
      walk(root, '', out);
      return out.sort();
    },
    read: (relative) => new Uint8Array(fs.readFileSync(path.join(root, relative))),
    write: (relative, bytes) => {
      fs.mkdirSync(path.dirname(path.join(root, relative)), { recursive: true });
      fs.writeFileSync(path.join(root, relative), bytes);
    },
    close: async () => {
      await server.close();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

export interface SntpServer {
  readonly port: number;
  /** Requests answered. */
  readonly answered: () => number;
  close(): Promise<void>;
}

/** RFC 4330 server: answers each client request with `timeMs()` as receive and transmit time. */
export async function startSntpServer(timeMs: () => number): Promise<SntpServer> {
  const socket = dgram.createSocket('udp4');
  let answered = 0;
  socket.on('message', (msg, rinfo) => {
    const request = new Uint8Array(msg);
    const parsed = parsePacket(request);
    if (!parsed.ok) return;
    const now = timeMs();
    const reply = buildReply({ stratum: 2, referenceId: [127, 0, 0, 1], originate: transmitTimestamp(request), receiveMs: now, transmitMs: now });
    answered++;
    socket.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    port: socket.address().port,
    answered: () => answered,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
