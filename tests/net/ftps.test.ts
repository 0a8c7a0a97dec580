import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FTP_MODE_IMPLICIT_TLS, FtpClient, type FtpClientOptions } from '../../protocol/ftp/client';
import { NodeNetwork } from '../../sim/net/node-network.node';
import { PASS, USER, startFtpServer, type TestFtpServer } from './support/ftp-server';
import { RealtimeClock } from './support/realtime-clock';

/** This suite's ports (the plain FTP suite uses 42021 and 42030–42069). */
const CONTROL_PORT = 42121;
const PASV_MIN = 42130;
const PASV_MAX = 42169;

interface KeyPair {
  readonly key: string;
  readonly cert: string;
}

/** A throw-away self-signed certificate for 127.0.0.1 and localhost, made with the openssl CLI. */
function selfSigned(dir: string, name: string): KeyPair {
  const key = path.join(dir, `${name}.key`);
  const cert = path.join(dir, `${name}.crt`);
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', key, '-out', cert, '-days', '2', '-subj', `/CN=${name}`,
      '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ], { stdio: 'pipe' });
  } catch (e) {
    throw new Error(`the FTPS tests need the openssl CLI to make a test certificate: ${(e as Error).message}`);
  }
  return { key: fs.readFileSync(key, 'utf8'), cert: fs.readFileSync(cert, 'utf8') };
}

const network = new NodeNetwork();
const clock = new RealtimeClock();
let dir: string;
let serverPair: KeyPair;
let otherPair: KeyPair;
let server: TestFtpServer;

function client(options: Partial<FtpClientOptions> = {}): FtpClient {
  return new FtpClient(network, clock, {
    host: '127.0.0.1',
    port: CONTROL_PORT,
    user: USER,
    pass: PASS,
    mode: FTP_MODE_IMPLICIT_TLS,
    timeoutMs: 5000,
    ...options,
  });
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ftps-cert-'));
  serverPair = selfSigned(dir, 'ftps-test-server');
  otherPair = selfSigned(dir, 'someone-else');
  server = await startFtpServer({ port: CONTROL_PORT, pasvMin: PASV_MIN, pasvMax: PASV_MAX, tls: serverPair });
});

afterAll(async () => {
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

afterEach(() => expect(clock.pending).toBe(0));

describe('implicit FTPS (ftp.mode 1) against ftp-srv', () => {
  test('with the server certificate as CA: tree, upload, listing, download and delete over TLS', async () => {
    const ftp = client({ tls: { ca: new Uint8Array(Buffer.from(serverPair.cert)), serverName: '127.0.0.1' } });
    const greeting = await ftp.connect();
    expect(greeting.code).toBe(220);
    await ftp.ensureTree(['/DATA', '/INBOX/123456']);
    const payload = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 31) & 0xff);
    await ftp.upload('/DATA/123456-1700000000-data.bson', payload);
    expect(Buffer.from(fs.readFileSync(path.join(server.root, 'DATA/123456-1700000000-data.bson'))).equals(Buffer.from(payload))).toBe(true);
    expect(await ftp.list('/DATA')).toEqual(['123456-1700000000-data.bson']);
    const back = await ftp.retrieve('/DATA/123456-1700000000-data.bson');
    expect(Buffer.from(back).equals(Buffer.from(payload))).toBe(true);
    await ftp.delete('/DATA/123456-1700000000-data.bson');
    expect(await ftp.list('/DATA')).toEqual([]);
    await ftp.quit();
  });

  test('the certificate is checked against the server name (DNS SAN) when one is given', async () => {
    const ftp = client({ tls: { ca: new Uint8Array(Buffer.from(serverPair.cert)), serverName: 'localhost' } });
    await ftp.connect();
    expect(await ftp.pwd()).toBe('/');
    await ftp.quit();
  });

  test('without a CA the connection is encrypted but not verified', async () => {
    const ftp = client();
    await ftp.connect();
    await ftp.store('/plain-ca-less.bin', Uint8Array.of(1, 2, 3));
    expect([...fs.readFileSync(path.join(server.root, 'plain-ca-less.bin'))]).toEqual([1, 2, 3]);
    await ftp.quit();
  });

  test('a certificate from another CA is refused during the handshake', async () => {
    const ftp = client({ tls: { ca: new Uint8Array(Buffer.from(otherPair.cert)) } });
    await expect(ftp.connect()).rejects.toMatchObject({ kind: 'network' });
    expect(ftp.connected).toBe(false);
  });

  test('a DER CA certificate works like the PEM one', async () => {
    const der = Buffer.from(serverPair.cert.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
    const ftp = client({ tls: { ca: new Uint8Array(der), serverName: '127.0.0.1' } });
    await ftp.connect();
    await ftp.quit();
  });

  test('plain FTP against the implicit-TLS port gets no greeting and times out', async () => {
    const ftp = client({ mode: 0, timeoutMs: 400 });
    await expect(ftp.connect()).rejects.toMatchObject({ kind: 'timeout' });
  });
});
