/**
 * Real latency never leaks into virtual time (issue 13 item 9): an upload session through the BG95
 * emulator to a real ftp-srv gives the same virtual-time result when every reply of the server
 * reaches the simulator late, by a random real delay per segment (a loaded machine, a slow
 * server), as when it comes at once. The settle waits for each reply owed (sim/servers/replies-owed.ts),
 * so the box sees it at the virtual time of its request either way.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { FTP_UPLOAD_DATA } from '../../protocol/config/types';
import { UploadRig } from '../../sim/upload/rig.node';
import { startFtpServer, startSntpServer, type SntpServer, type UploadFtpServer } from '../../sim/upload/servers.node';
import { FTP_PASS, FTP_USER, ROOT, serverConfig } from '../modem-session/support';

/** Real delay of each segment the server sends, ms: up to far more than the sockets' quiet spell. */
const LAG_MAX_MS = 120;
const FRAMES = 120;
const TEST_TIMEOUT_MS = 60_000;

interface Lagging {
  readonly port: number;
  close(): Promise<void>;
}

/** A TCP proxy to `port` that holds each segment from the server for a random real delay, in order. */
async function laggingProxy(port: number): Promise<Lagging> {
  const open = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect({ host: '127.0.0.1', port });
    for (const s of [client, upstream]) {
      open.add(s);
      s.on('close', () => open.delete(s));
      s.on('error', () => undefined);
    }
    let queue = Promise.resolve();
    const later = (f: () => void): void => {
      const delay = Math.random() * LAG_MAX_MS;
      queue = queue.then(() => new Promise<void>((resolve) => setTimeout(resolve, delay))).then(f);
    };
    client.on('data', (b) => upstream.write(b));
    client.on('end', () => upstream.end());
    upstream.on('data', (b) => later(() => client.write(b)));
    upstream.on('end', () => later(() => client.end()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}

let ftp: UploadFtpServer;
let ntp: SntpServer;
let lagging: Lagging;
let rig: UploadRig | undefined;

beforeAll(async () => {
  ftp = await startFtpServer({ user: FTP_USER, pass: FTP_PASS });
  ntp = await startSntpServer(() => rig?.world.now() ?? 0);
  lagging = await laggingProxy(ftp.port);
});

afterAll(async () => {
  await lagging?.close();
  await ftp?.close();
  await ntp?.close();
});

/** One scheduled data session of a fresh rig (same seed, same frames) against the FTP server at `ftpPort`. */
async function session(ftpPort: number): Promise<{ result: unknown; commands: string[]; endMs: number; files: string[] }> {
  fs.rmSync(path.join(ftp.root, ROOT.split('/')[1]), { recursive: true, force: true });
  rig = new UploadRig();
  try {
    rig.configure(serverConfig(ftpPort, ntp.port));
    rig.record(FRAMES);
    const result = await rig.runSession('schedule', FTP_UPLOAD_DATA);
    // The control port (the proxy's or the server's) and the passive ports ftp-srv hands out differ.
    const commands = rig.emulator.commandLog.map((c) => c.replace(/"127\.0\.0\.1",\d+/, '"127.0.0.1",<port>'));
    return { result, commands, endMs: rig.world.now(), files: ftp.files() };
  } finally {
    rig.close();
  }
}

test(
  'a session whose server replies reach the simulator late in real time runs as one whose replies come at once',
  async () => {
    const direct = await session(ftp.port);
    const late = await session(lagging.port);
    expect(direct.result).toMatchObject({ ok: true, framesUploaded: FRAMES });
    expect(late.files).toEqual(direct.files);
    expect(late.commands).toEqual(direct.commands);
    expect(late.endMs).toBe(direct.endMs);
    expect(late.result).toEqual(direct.result);
  },
  TEST_TIMEOUT_MS,
);
