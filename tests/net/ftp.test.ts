import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { FtpClient, FtpError, type FtpClientOptions } from '../../protocol/ftp/client';
import { NodeNetwork } from '../../sim/net/node-network.node';
import { FORBIDDEN, PASS, STRICT_USER, USER, startFtpServer, type TestFtpServer } from './support/ftp-server';
import { RealtimeClock } from './support/realtime-clock';

/** This suite's ports (other suites use other ranges; jest runs files in parallel). */
const CONTROL_PORT = 42021;
const PASV_MIN = 42030;
const PASV_MAX = 42069;

const GREETING = ['WebdynEasy test server', '220 lines inside a multi-line reply are text'];
/** Manual §5.1.1.2 server tree for hub 123456. */
const TREE = ['/CONFIG', '/DATA', '/ALARM', '/SUPERVISION', '/INBOX/123456', '/BIN'];

const network = new NodeNetwork();
let server: TestFtpServer;
const clocks: RealtimeClock[] = [];
const clients: FtpClient[] = [];

function client(options: Partial<FtpClientOptions> = {}): FtpClient {
  const clock = new RealtimeClock();
  clocks.push(clock);
  const c = new FtpClient(network, clock, { host: '127.0.0.1', port: CONTROL_PORT, user: USER, pass: PASS, timeoutMs: 5000, ...options });
  clients.push(c);
  return c;
}

async function connected(options: Partial<FtpClientOptions> = {}): Promise<FtpClient> {
  const c = client(options);
  await c.connect();
  return c;
}

function onDisk(p: string): string {
  return path.join(server.root, p);
}

/** Every byte value, with CR LF pairs and lone LFs that an ASCII-mode transfer would mangle. */
function binaryPayload(size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i * 7 + (i >> 8)) & 0xff;
  out.set([0x0d, 0x0a, 0x0a, 0x0d], 0);
  return out;
}

/** jest's deep equality walks typed arrays element by element; compare large buffers directly. */
function expectBytes(actual: Uint8Array, expected: Uint8Array): void {
  expect(actual.length).toBe(expected.length);
  expect(Buffer.from(actual).equals(Buffer.from(expected))).toBe(true);
}

beforeAll(async () => {
  server = await startFtpServer({ port: CONTROL_PORT, pasvMin: PASV_MIN, pasvMax: PASV_MAX, greeting: GREETING });
});

afterAll(async () => {
  for (const c of clients) c.close();
  await server.close();
});

afterEach(() => {
  for (const c of clocks) expect(c.pending).toBe(0);
});

describe('FTP client against ftp-srv', () => {
  test('connect logs in and returns the multi-line 220 greeting as one reply', async () => {
    const c = client();
    const greeting = await c.connect();
    expect(greeting.code).toBe(220);
    expect(greeting.lines).toEqual([...GREETING, 'Ready']);
    expect(c.connected).toBe(true);
    await c.quit();
    expect(c.connected).toBe(false);
  });

  test('FEAT: the multi-line 211 reply lists the features between its first and last line', async () => {
    const c = await connected();
    const features = await c.features();
    expect(features).toEqual(expect.arrayContaining(['UTF8', 'SIZE', 'TYPE A,I,L']));
    await c.quit();
  });

  test('ensureTree creates the §5.1.1.2 server tree, parents included', async () => {
    const c = await connected();
    await c.ensureTree(TREE);
    for (const dir of [...TREE, '/INBOX']) expect(fs.statSync(onDisk(dir)).isDirectory()).toBe(true);
    await c.ensureTree(TREE);
    await c.quit();
  });

  test('ensureTree accepts 550 for directories that exist (vsftpd-style MKD) and restores the directory', async () => {
    const c = await connected({ user: STRICT_USER });
    await c.ensureTree(['/ALARM', '/INBOX/654321']);
    await c.cwd('/DATA');
    await c.ensureTree(['/ALARM', '/INBOX/654321', '/INBOX/777']);
    expect(fs.statSync(onDisk('/INBOX/777')).isDirectory()).toBe(true);
    expect(await c.pwd()).toBe('/DATA');
    expect(await c.mkdir('/ALARM')).toBe(false);
    expect(await c.mkdir('/ALARM/new')).toBe(true);
    await c.quit();
  });

  test('ensureTree fails with the MKD reply when a directory cannot be made', async () => {
    const c = await connected({ user: STRICT_USER });
    const error = await c.ensureTree([`/BIN/${FORBIDDEN}`]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FtpError);
    expect(error).toMatchObject({ kind: 'reply', code: 550, reply: 'Permission denied.' });
    expect(c.connected).toBe(true);
    await c.quit();
  });

  test('store writes the exact bytes in binary mode', async () => {
    const c = await connected();
    await c.ensureTree(['/DATA']);
    const payload = binaryPayload(4096);
    await c.store('/DATA/123456-1700000000-data.bson', payload);
    expectBytes(fs.readFileSync(onDisk('/DATA/123456-1700000000-data.bson')), payload);
    await c.quit();
  });

  test('an empty file can be stored, and raw commands return the reply as is', async () => {
    const c = await connected();
    await c.store('/empty.bson', new Uint8Array(0));
    expect(fs.statSync(onDisk('/empty.bson')).size).toBe(0);
    expect(await c.raw('NOOP')).toMatchObject({ code: 200 });
    expect(await c.raw('SIZE /empty.bson')).toMatchObject({ code: 213 });
    await c.quit();
  });

  test('upload goes through <name>.tmp and renames it (§5.1.1.3)', async () => {
    const c = await connected();
    await c.ensureTree(['/SUPERVISION']);
    const payload = binaryPayload(1000);
    await c.upload('/SUPERVISION/123456-1700000001-log.bson', payload);
    expect(fs.readdirSync(onDisk('/SUPERVISION'))).toEqual(['123456-1700000001-log.bson']);
    expectBytes(fs.readFileSync(onDisk('/SUPERVISION/123456-1700000001-log.bson')), payload);
    await c.quit();
  });

  test('rename moves a file with RNFR/RNTO', async () => {
    const c = await connected();
    await c.ensureTree(['/ALARM']);
    await c.store('/ALARM/a.bson.tmp', Uint8Array.of(1, 2, 3));
    await c.rename('/ALARM/a.bson.tmp', '/ALARM/a.bson');
    expect(fs.existsSync(onDisk('/ALARM/a.bson.tmp'))).toBe(false);
    expect([...fs.readFileSync(onDisk('/ALARM/a.bson'))]).toEqual([1, 2, 3]);
    const error = await c.rename('/ALARM/missing', '/ALARM/b').catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'reply', code: 550 });
    await c.quit();
  });

  test('NLST lists an inbox; an empty directory lists nothing', async () => {
    fs.mkdirSync(onDisk('/INBOX/424242'), { recursive: true });
    fs.mkdirSync(onDisk('/INBOX/empty'), { recursive: true });
    fs.writeFileSync(onDisk('/INBOX/424242/424242-cfg.bson'), 'cfg');
    fs.writeFileSync(onDisk('/INBOX/424242/424242-cmd.bson'), 'cmd');
    const c = await connected();
    expect((await c.list('/INBOX/424242')).sort()).toEqual(['424242-cfg.bson', '424242-cmd.bson']);
    expect(await c.list('/INBOX/empty')).toEqual([]);
    await c.cwd('/INBOX/424242');
    expect((await c.list()).sort()).toEqual(['424242-cfg.bson', '424242-cmd.bson']);
    await c.quit();
  });

  test('RETR returns the file; a large file exercises flow control', async () => {
    const big = binaryPayload(600 * 1024);
    fs.mkdirSync(onDisk('/BIN'), { recursive: true });
    fs.writeFileSync(onDisk('/BIN/firmware.bin'), big);
    const c = await connected();
    expectBytes(await c.retrieve('/BIN/firmware.bin'), big);
    let streamed = 0;
    const empty = await c.retrieve('/BIN/firmware.bin', (chunk) => (streamed += chunk.length));
    expect(streamed).toBe(big.length);
    expect(empty.length).toBe(0);
    await c.quit();
  });

  test('store and retrieve a large upload round trip', async () => {
    const c = await connected();
    await c.ensureTree(['/DATA']);
    const payload = binaryPayload(300 * 1024 + 17);
    await c.store('/DATA/big.bson', payload);
    expectBytes(await c.retrieve('/DATA/big.bson'), payload);
    await c.quit();
  });

  test('RETR of a missing file fails with the server reply and keeps the session', async () => {
    const c = await connected();
    const error = await c.retrieve('/INBOX/nothing-here.bson').catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'reply', code: 551 });
    expect(c.connected).toBe(true);
    expect(await c.list('/INBOX/empty')).toEqual([]);
    await c.quit();
  });

  test('DELE removes a file; deleting it again fails with 550', async () => {
    fs.mkdirSync(onDisk('/INBOX/999'), { recursive: true });
    fs.writeFileSync(onDisk('/INBOX/999/999-cfg.bson'), 'x');
    const c = await connected();
    await c.delete('/INBOX/999/999-cfg.bson');
    expect(fs.existsSync(onDisk('/INBOX/999/999-cfg.bson'))).toBe(false);
    await expect(c.delete('/INBOX/999/999-cfg.bson')).rejects.toMatchObject({ kind: 'reply', code: 550 });
    await c.quit();
  });

  test('PASV works when EPSV is not used', async () => {
    const c = await connected({ passive: 'pasv' });
    await c.ensureTree(['/DATA']);
    await c.store('/DATA/pasv.bson', Uint8Array.of(9, 8, 7));
    expect(await c.retrieve('/DATA/pasv.bson')).toEqual(Uint8Array.of(9, 8, 7));
    await c.quit();
  });

  test('operations issued together run one after another', async () => {
    const c = await connected();
    await c.ensureTree(['/DATA']);
    const names = ['p1', 'p2', 'p3', 'p4'];
    await Promise.all(names.map((n, i) => c.store(`/DATA/${n}.bson`, Uint8Array.of(i))));
    const listed = await c.list('/DATA');
    expect(listed).toEqual(expect.arrayContaining(names.map((n) => `${n}.bson`)));
    await c.quit();
  });

  test('a wrong password fails with 530 and leaves the client disconnected', async () => {
    const c = client({ pass: 'wrong' });
    const error = await c.connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FtpError);
    expect(error).toMatchObject({ kind: 'reply', code: 530 });
    expect(c.connected).toBe(false);
  });

  test('a path with CR LF is refused before anything is sent; the session stays usable', async () => {
    const c = await connected();
    await expect(c.store('/DATA/x\r\nDELE /DATA/p1.bson', Uint8Array.of(1))).rejects.toMatchObject({ kind: 'argument' });
    expect(c.connected).toBe(true);
    expect(await c.pwd()).toBe('/');
    await c.quit();
  });

  test('operations after quit fail with kind closed', async () => {
    const c = await connected();
    await c.quit();
    await expect(c.pwd()).rejects.toMatchObject({ kind: 'closed' });
  });

  test('a refused connection fails with kind network', async () => {
    const c = client({ port: PASV_MAX + 1 });
    await expect(c.connect()).rejects.toMatchObject({ kind: 'network' });
  });

  test('a server that never greets times out on the injected clock', async () => {
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as net.AddressInfo).port;
    const c = client({ port, timeoutMs: 300 });
    const started = Date.now();
    await expect(c.connect()).rejects.toMatchObject({ kind: 'timeout' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(c.connected).toBe(false);
    await new Promise((resolve) => silent.close(resolve));
  });
});
