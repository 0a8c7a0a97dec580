import type { Network, StreamSocket, StreamSocketOptions, DatagramSocket } from '../../protocol/ports/network';
import { isUnroutable, parseHostPort } from '../../protocol/net/address';
import { FtpClient, FtpError, FTPS_IMPLICIT_PORT } from '../../protocol/ftp/client';
import { FtpReplyParser, parseEpsv, parseFtpReply, parsePasv, parsePathname, type FtpReply } from '../../protocol/ftp/reply';
import { RealtimeClock } from './support/realtime-clock';

const latin1 = (b: Uint8Array): string => Buffer.from(b).toString('latin1');
const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));

function replies(stream: string, chunk = stream.length): { replies: FtpReply[]; errors: string[] } {
  const out: FtpReply[] = [];
  const errors: string[] = [];
  const parser = new FtpReplyParser((r) => out.push(r), (line, e) => errors.push(`${e}: ${line}`));
  const b = bytes(stream);
  for (let i = 0; i < b.length; i += chunk) parser.push(b.subarray(i, i + chunk));
  return { replies: out, errors };
}

describe('FTP reply parser (RFC 959 §4.2)', () => {
  test('a single-line reply', () => {
    expect(replies('230 User logged in, proceed.\r\n').replies).toEqual([{ code: 230, lines: ['User logged in, proceed.'], text: 'User logged in, proceed.' }]);
  });

  test('a multi-line reply ends at the line with the same code and a space', () => {
    const stream = '211-Extensions supported\r\n UTF8\r\n 211 is not an end here\r\n212 nor this\r\n211 End\r\n';
    expect(replies(stream).replies).toEqual([
      { code: 211, lines: ['Extensions supported', ' UTF8', ' 211 is not an end here', '212 nor this', 'End'], text: 'Extensions supported\n UTF8\n 211 is not an end here\n212 nor this\nEnd' },
    ]);
  });

  test('inner lines repeating `123-` lose the marker; a bare code line ends the reply', () => {
    expect(replies('220-Welcome\r\n220-to the hub server\r\n220\r\n').replies).toEqual([{ code: 220, lines: ['Welcome', 'to the hub server', ''], text: 'Welcome\nto the hub server\n' }]);
  });

  test('replies split into single bytes and glued together come out the same', () => {
    const stream = '150 Opening\r\n226-Transfer\r\n226 complete\r\n250 OK\n';
    expect(replies(stream, 1).replies.map((r) => r.code)).toEqual([150, 226, 250]);
    expect(replies(stream, 1)).toEqual(replies(stream));
  });

  test('a garbage line is reported and skipped; the next reply still parses', () => {
    const r = replies('\x00\xffjunk\r\n99 short\r\n200 Type set to I\r\n');
    expect(r.replies.map((x) => x.code)).toEqual([200]);
    expect(r.errors).toHaveLength(2);
  });

  test('a truncated reply is not emitted', () => {
    expect(parseFtpReply('226 Transfer compl')).toEqual({ ok: false, error: 'truncated reply' });
    expect(parseFtpReply('226-Transfer\r\ncomplete\r\n')).toEqual({ ok: false, error: 'truncated reply' });
    expect(parseFtpReply('226 Transfer complete\r\n')).toMatchObject({ ok: true, value: { code: 226 } });
  });

  test('227 gives address and port, with or without parentheses', () => {
    expect(parsePasv('Entering Passive Mode (192,0,2,10,164,73)')).toEqual({ ok: true, value: { address: '192.0.2.10', port: 164 * 256 + 73 } });
    expect(parsePasv('PASV OK 10,0,0,5,4,1')).toEqual({ ok: true, value: { address: '10.0.0.5', port: 1025 } });
    expect(parsePasv('Entering Passive Mode (192,0,2,300,1,1)')).toMatchObject({ ok: false });
    expect(parsePasv('Entering Passive Mode')).toMatchObject({ ok: false });
  });

  test('229 gives the port between delimiters (RFC 2428 §3)', () => {
    expect(parseEpsv('Entering Extended Passive Mode (|||6446|)')).toEqual({ ok: true, value: 6446 });
    expect(parseEpsv('EPSV OK (!!!42031!)')).toEqual({ ok: true, value: 42031 });
    expect(parseEpsv('Entering Extended Passive Mode (||6446|)')).toMatchObject({ ok: false });
    expect(parseEpsv('Entering Extended Passive Mode (|||99999|)')).toMatchObject({ ok: false });
    expect(parseEpsv('Entering Extended Passive Mode (|||64')).toMatchObject({ ok: false });
  });

  test('257 path with doubled quotes', () => {
    expect(parsePathname('"/INBOX/12 ""x""" created')).toEqual({ ok: true, value: '/INBOX/12 "x"' });
    expect(parsePathname('"/unterminated')).toMatchObject({ ok: false });
  });
});

describe('server address (manual §4.2.3.2, §4.2.3.3)', () => {
  test('host with and without :port', () => {
    expect(parseHostPort('ftp.webdyn.com:60', 21)).toEqual({ ok: true, value: { host: 'ftp.webdyn.com', port: 60 } });
    expect(parseHostPort('192.168.1.2', 21)).toEqual({ ok: true, value: { host: '192.168.1.2', port: 21 } });
    expect(parseHostPort('pool.ntp.org', 123)).toEqual({ ok: true, value: { host: 'pool.ntp.org', port: 123 } });
  });

  test('bad ports and hosts are errors', () => {
    for (const bad of ['host:0', 'host:65536', 'host:', ':21', 'ho st:21', 'x'.repeat(65)]) expect(parseHostPort(bad, 21).ok).toBe(false);
  });

  test('private, loopback and unspecified addresses are unroutable', () => {
    expect(['10.1.2.3', '172.16.0.1', '192.168.1.1', '127.0.0.1', '0.0.0.0', '100.64.0.1'].every(isUnroutable)).toBe(true);
    expect(['192.0.2.10', '172.32.0.1', '8.8.8.8'].some(isUnroutable)).toBe(false);
  });
});

/** A scripted server behind a fake `Network`: every socket the client opens is recorded. */
class FakeSocket implements StreamSocket {
  private readonly inbox: Uint8Array[] = [];
  sent = '';
  closed = false;

  constructor(readonly options: StreamSocketOptions, private readonly onSend: (socket: FakeSocket, text: string) => void) {}

  read(): Uint8Array | undefined {
    return this.inbox.shift();
  }

  write(b: Uint8Array): number {
    this.sent += latin1(b);
    this.onSend(this, latin1(b));
    return 4096;
  }

  close(): void {
    this.closed = true;
  }

  open(): void {
    setImmediate(() => this.options.onWritable?.(4096));
  }

  deliver(text: string): void {
    this.inbox.push(bytes(text));
    setImmediate(() => this.options.onReadable?.(text.length));
  }

  drop(message: string): void {
    setImmediate(() => this.options.onError?.(message));
  }
}

type Script = (command: string, control: FakeSocket, net: FakeNetwork) => string | undefined;

class FakeNetwork implements Network {
  readonly sockets: FakeSocket[] = [];

  constructor(private readonly script: Script, private readonly dns: Record<string, string> = {}) {}

  resolve(host: string, callback: (error: string | undefined, address: string | undefined) => void): void {
    setImmediate(() => (this.dns[host] ? callback(undefined, this.dns[host]) : callback('NXDOMAIN', undefined)));
  }

  openStream(options: StreamSocketOptions): StreamSocket {
    const control = this.sockets.length === 0;
    const socket = new FakeSocket(options, (s, text) => {
      if (!control) return;
      for (const line of text.split('\r\n').filter((l) => l !== '')) {
        const reply = this.script(line, s, this);
        if (reply !== undefined) s.deliver(reply);
      }
    });
    this.sockets.push(socket);
    socket.open();
    if (control) socket.deliver('220 ready\r\n');
    return socket;
  }

  openDatagram(): DatagramSocket {
    throw new Error('not used');
  }

  get data(): FakeSocket {
    return this.sockets[this.sockets.length - 1];
  }
}

function login(command: string): string | undefined {
  if (command.startsWith('USER')) return '331 password\r\n';
  if (command.startsWith('PASS')) return '230 in\r\n';
  if (command === 'TYPE I') return '200 binary\r\n';
  if (command === 'QUIT') return '221 bye\r\n';
  return undefined;
}

describe('FTP client behaviours on a scripted server', () => {
  const clock = new RealtimeClock();
  afterEach(() => expect(clock.pending).toBe(0));

  test('mode 1 opens control and data on 990 by default with TLS for the server name', async () => {
    const net = new FakeNetwork(
      (c) => login(c) ?? (c === 'EPSV' ? '229 ok (|||50000|)\r\n' : c.startsWith('NLST') ? '150 here\r\n' : '500 ?\r\n'),
      { 'ftp.example.com': '192.0.2.10' },
    );
    const ftp = new FtpClient(net, clock, { host: 'ftp.example.com', user: 'u', pass: 'p', mode: 1 });
    await ftp.connect();
    expect(net.sockets[0].options).toMatchObject({ address: '192.0.2.10', port: FTPS_IMPLICIT_PORT, tls: { serverName: 'ftp.example.com' } });
    const listing = ftp.list('/INBOX');
    await new Promise((r) => setTimeout(r, 20));
    expect(net.data.options).toMatchObject({ address: '192.0.2.10', port: 50000, tls: { serverName: 'ftp.example.com' } });
    net.data.deliver('a\r\nb\r\n');
    net.data.drop('closed');
    net.sockets[0].deliver('226 done\r\n');
    expect(await listing).toEqual(['a', 'b']);
    await ftp.quit();
  });

  test('a private address in the 227 reply is replaced by the control address; EPSV refusal is remembered', async () => {
    const commands: string[] = [];
    const net = new FakeNetwork((c, control, n) => {
      commands.push(c);
      const l = login(c);
      if (l) return l;
      if (c === 'EPSV') return '500 unknown command\r\n';
      if (c === 'PASV') return '227 Entering Passive Mode (10,0,0,5,195,80)\r\n';
      if (c.startsWith('STOR')) {
        // The server ends the data connection, then confirms on the control connection.
        setTimeout(() => {
          n.data.options.onError?.('closed');
          control.deliver('226 stored\r\n');
        }, 5);
        return '150 go\r\n';
      }
      return '500 ?\r\n';
    }, { 'ftp.example.com': '192.0.2.10' });
    const ftp = new FtpClient(net, clock, { host: 'ftp.example.com', user: 'u', pass: 'p' });
    await ftp.connect();
    await ftp.store('/DATA/a.bson', Uint8Array.of(1, 2));
    expect(net.data.options).toMatchObject({ address: '192.0.2.10', port: 195 * 256 + 80 });
    expect(net.data.options.tls).toBeUndefined();
    expect(net.data.sent).toBe('\x01\x02');
    expect(net.data.closed).toBe(true);
    await ftp.store('/DATA/b.bson', Uint8Array.of(3));
    expect(commands.filter((c) => c === 'EPSV')).toHaveLength(1);
    await ftp.quit();
  });

  test('a server that drops the data connection during STOR: its 4xx reply becomes the error', async () => {
    const net = new FakeNetwork((c, control, n) => {
      const l = login(c);
      if (l) return l;
      if (c === 'EPSV') return '229 ok (|||50001|)\r\n';
      if (c.startsWith('STOR')) {
        setTimeout(() => {
          n.data.options.onError?.('reset');
          control.deliver('452 Insufficient storage space\r\n');
        }, 5);
        return '150 go\r\n';
      }
      return '500 ?\r\n';
    });
    const ftp = new FtpClient(net, clock, { host: '192.0.2.10', user: 'u', pass: 'p' });
    await ftp.connect();
    const error = await ftp.store('/DATA/x.bson', new Uint8Array(64 * 1024)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FtpError);
    expect(error).toMatchObject({ kind: 'reply', code: 452 });
    expect(ftp.connected).toBe(true);
    await ftp.quit();
  });

  test('421 before a command fails it with the reply code', async () => {
    const net = new FakeNetwork((c) => login(c) ?? '421 Timeout, closing control connection\r\n');
    const ftp = new FtpClient(net, clock, { host: '192.0.2.10', user: 'u', pass: 'p' });
    await ftp.connect();
    await expect(ftp.cwd('/DATA')).rejects.toMatchObject({ kind: 'reply', code: 421 });
    ftp.close();
  });

  test('a 226 that never comes times out the STOR and drops the session', async () => {
    const net = new FakeNetwork((c) => login(c) ?? (c === 'EPSV' ? '229 ok (|||50002|)\r\n' : c.startsWith('STOR') ? '150 go\r\n' : '500 ?\r\n'));
    const ftp = new FtpClient(net, clock, { host: '192.0.2.10', user: 'u', pass: 'p', timeoutMs: 200 });
    await ftp.connect();
    await expect(ftp.store('/DATA/x.bson', Uint8Array.of(1))).rejects.toMatchObject({ kind: 'timeout' });
    expect(ftp.connected).toBe(false);
    expect(net.sockets.every((s) => s.closed)).toBe(true);
  });

  test('an unknown host fails with kind network', async () => {
    const ftp = new FtpClient(new FakeNetwork(() => undefined), clock, { host: 'nowhere.example', user: 'u', pass: 'p' });
    await expect(ftp.connect()).rejects.toMatchObject({ kind: 'network', message: expect.stringContaining('NXDOMAIN') });
  });
});
