import * as dgram from 'node:dgram';
import * as net from 'node:net';
import type { StreamSocket } from '../../protocol/ports/network';
import { NodeNetwork, PEER_CLOSED } from '../../sim/net/node-network.node';

function until(condition: () => boolean, ms = 2000): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const poll = (): void => {
      if (condition()) resolve();
      else if (Date.now() - started > ms) reject(new Error('condition not met in time'));
      else setTimeout(poll, 2);
    };
    poll();
  });
}

describe('NodeNetwork stream sockets', () => {
  let server: net.Server;
  let port: number;
  let peer: net.Socket | undefined;
  const received: Buffer[] = [];
  const peers = new Set<net.Socket>();

  beforeAll(async () => {
    server = net.createServer((s) => {
      peer = s;
      peers.add(s);
      s.on('data', (d) => received.push(d));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    for (const p of peers) p.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  beforeEach(() => {
    peer = undefined;
    received.length = 0;
  });

  test('reports the connection with onWritable and the configured free space', async () => {
    const writable: number[] = [];
    const socket = new NodeNetwork({ writeCapacity: 4096 }).openStream({ address: '127.0.0.1', port, onWritable: (n) => writable.push(n) });
    await until(() => writable.length > 0);
    expect(writable[0]).toBe(4096);
    socket.close();
  });

  test('onReadable counts queued bytes; read(max) drains them in order', async () => {
    const counts: number[] = [];
    let socket: StreamSocket | undefined;
    let open = false;
    socket = new NodeNetwork().openStream({ address: '127.0.0.1', port, onWritable: () => (open = true), onReadable: (n) => counts.push(n) });
    await until(() => open && peer !== undefined);
    peer?.write('hello ');
    await until(() => counts.length === 1);
    peer?.write('world');
    await until(() => counts.at(-1) === 11);
    expect(Buffer.from(socket.read(3) as Uint8Array).toString()).toBe('hel');
    expect(Buffer.from(socket.read() as Uint8Array).toString()).toBe('lo world');
    expect(socket.read()).toBeUndefined();
    socket.close();
    socket = undefined;
  });

  test('write returns the space left and onWritable fires again once it is flushed', async () => {
    const writable: number[] = [];
    const socket = new NodeNetwork({ writeCapacity: 1000 }).openStream({ address: '127.0.0.1', port, onWritable: (n) => writable.push(n) });
    await until(() => writable.length === 1);
    // More than the kernel buffers take at once, so Node has to queue the rest.
    const size = 16 * 1024 * 1024;
    const left = socket.write(new Uint8Array(size).fill(0x41));
    expect(left).toBe(0);
    await until(() => writable.length >= 2, 10_000);
    expect(writable.at(-1)).toBeGreaterThan(0);
    await until(() => received.reduce((n, b) => n + b.length, 0) === size, 10_000);
    socket.close();
  });

  test('a peer close is reported once and queued bytes stay readable', async () => {
    const errors: string[] = [];
    let open = false;
    const socket = new NodeNetwork().openStream({ address: '127.0.0.1', port, onWritable: () => (open = true), onError: (m) => errors.push(m) });
    await until(() => open && peer !== undefined);
    peer?.end('226 bye\r\n');
    await until(() => errors.length > 0);
    await new Promise((r) => setTimeout(r, 20));
    expect(errors).toEqual([PEER_CLOSED]);
    expect(Buffer.from(socket.read() as Uint8Array).toString()).toBe('226 bye\r\n');
    expect(() => socket.write(Uint8Array.of(1))).toThrow();
  });

  test('close() flushes what was written, and no onError follows', async () => {
    const errors: string[] = [];
    let open = false;
    const socket = new NodeNetwork().openStream({ address: '127.0.0.1', port, onWritable: () => (open = true), onError: (m) => errors.push(m) });
    await until(() => open);
    socket.write(new Uint8Array(50_000).fill(7));
    socket.close();
    await until(() => Buffer.concat(received).length === 50_000);
    await new Promise((r) => setTimeout(r, 20));
    expect(errors).toEqual([]);
  });

  test('stops reading from the kernel at the read limit and resumes when drained', async () => {
    let open = false;
    let last = 0;
    const socket = new NodeNetwork({ readLimit: 16 * 1024 }).openStream({ address: '127.0.0.1', port, onWritable: () => (open = true), onReadable: (n) => (last = n) });
    await until(() => open && peer !== undefined);
    const total = 2 * 1024 * 1024;
    peer?.write(Buffer.alloc(total, 1));
    await new Promise((r) => setTimeout(r, 100));
    expect(last).toBeLessThan(total);
    let got = 0;
    await until(() => {
      for (let b = socket.read(); b; b = socket.read()) got += b.length;
      return got === total;
    }, 5000);
    socket.close();
  });

  test('a refused connection is an error', async () => {
    const errors: string[] = [];
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const closedPort = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    new NodeNetwork().openStream({ address: '127.0.0.1', port: closedPort, onError: (m) => errors.push(m) });
    await until(() => errors.length > 0);
    expect(errors[0]).toMatch(/ECONNREFUSED/);
  });
});

describe('NodeNetwork datagram sockets and DNS', () => {
  test('sends and receives datagrams with the sender address', async () => {
    const echo = dgram.createSocket('udp4');
    echo.on('message', (msg, rinfo) => echo.send(Buffer.concat([Buffer.from('re:'), msg]), rinfo.port, rinfo.address));
    await new Promise<void>((resolve) => echo.bind(0, '127.0.0.1', resolve));
    const echoPort = echo.address().port;
    const counts: number[] = [];
    const socket = new NodeNetwork().openDatagram({ onReadable: (n) => counts.push(n) });
    socket.write(Buffer.from('a'), '127.0.0.1', echoPort);
    socket.write(Buffer.from('b'), '127.0.0.1', echoPort);
    await until(() => counts.at(-1) === 2);
    const first = socket.read();
    expect(first && Buffer.from(first.bytes).toString()).toBe('re:a');
    expect(first).toMatchObject({ address: '127.0.0.1', port: echoPort });
    expect(socket.read()?.bytes).toEqual(new Uint8Array(Buffer.from('re:b')));
    expect(socket.read()).toBeUndefined();
    socket.close();
    await new Promise<void>((resolve) => echo.close(() => resolve()));
  });

  test('resolves literals, configured names, and reports unknown names', async () => {
    const network = new NodeNetwork({ hosts: { 'ftp.test': '192.0.2.10' } });
    const lookup = (host: string): Promise<[string | undefined, string | undefined]> =>
      new Promise((resolve) => network.resolve(host, (e, a) => resolve([e, a])));
    expect(await lookup('192.0.2.7')).toEqual([undefined, '192.0.2.7']);
    expect(await lookup('ftp.test')).toEqual([undefined, '192.0.2.10']);
    expect(await lookup('localhost')).toEqual([undefined, '127.0.0.1']);
    const [error, address] = await lookup('no-such-host.invalid');
    expect(error).toEqual(expect.any(String));
    expect(address).toBeUndefined();
  });
});
