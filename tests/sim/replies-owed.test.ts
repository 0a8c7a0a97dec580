/**
 * A settle of the simulator's host sockets returns only once every reply owed for what was sent
 * has arrived (sim/servers/replies-owed.ts), however slow the server: then the virtual time at
 * which the firmware sees a reply is the time of its request, never a matter of real latency.
 * The slow servers here answer after SLOW_MS of real time, far longer than the sockets' quiet spell.
 */
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { NodeHostSockets } from '../../sim/net/host-sockets.node';
import type { HostSocketEvent, HostSocketId } from '../../sim/net/types';
import { startOperatorFtp, type OperatorFtpServer } from '../../sim/servers/ftp.node';

const SLOW_MS = 300;
const HANG_GUARD_MS = 200;
const USER = 'hub';
const PASSWORD = 'secret';
/** RFC 4330 §5: LI 0, version 4, mode 3 (client), the rest of the 48-byte header zero. */
const SNTP_REQUEST = Uint8Array.from([0x23, ...new Array<number>(47).fill(0)]);
/** MQTT 3.1.1 §3.1: CONNECT, protocol "MQTT" level 4, clean session, keep-alive 60 s, client id "b". */
const MQTT_CONNECT = Uint8Array.of(0x10, 13, 0, 4, 0x4d, 0x51, 0x54, 0x54, 4, 0x02, 0, 60, 0, 1, 0x62);
/** §3.2: CONNACK, session present 0, return code 0 (accepted). */
const MQTT_CONNACK = Uint8Array.of(0x20, 2, 0, 0);

const ascii = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));

function text(events: readonly HostSocketEvent[], id: HostSocketId): string {
  return events.map((e) => (e.type === 'data' && e.id === id ? Buffer.from(e.bytes).toString('latin1') : '')).join('');
}

function bytesOf(events: readonly HostSocketEvent[], id: HostSocketId): Buffer {
  return Buffer.concat(events.flatMap((e) => (e.type === 'data' && e.id === id ? [Buffer.from(e.bytes)] : [])));
}

/** A TCP server that answers each chunk it receives with `replies`, the later ones SLOW_MS after the first. */
async function slowServer(greeting: string | undefined, replies: (chunk: Buffer) => readonly (string | Uint8Array)[]): Promise<{ port: number; close(): void }> {
  const open = new Set<net.Socket>();
  const server = net.createServer((s) => {
    open.add(s);
    s.on('close', () => open.delete(s));
    s.on('error', () => undefined);
    if (greeting !== undefined) setTimeout(() => s.write(greeting), SLOW_MS);
    s.on('data', (chunk) => {
      const [first, ...later] = replies(chunk);
      if (first !== undefined) s.write(first);
      if (later.length > 0) setTimeout(() => later.forEach((r) => s.write(r)), SLOW_MS);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => {
      for (const s of open) s.destroy();
      server.close();
    },
  };
}

/** Settles until the stream is open (a connect completes inside the settle that follows it). */
async function opened(sockets: NodeHostSockets, port: number): Promise<{ id: HostSocketId; events: HostSocketEvent[] }> {
  const id = sockets.openStream({ host: '127.0.0.1', port });
  const events = await sockets.settle();
  expect(events.some((e) => e.type === 'open' && e.id === id)).toBe(true);
  return { id, events };
}

describe('RFC 959 §4.2: an FTP control connection owes its greeting, and a final reply per command', () => {
  test('the greeting of a slow server on a declared FTP port comes in the settle of the connect', async () => {
    const server = await slowServer('220 Slow FTP\r\n', () => []);
    const sockets = new NodeHostSockets({ servers: { ftp: [server.port] } });
    try {
      const { id, events } = await opened(sockets, server.port);
      expect(text(events, id)).toBe('220 Slow FTP\r\n');
    } finally {
      sockets.closeAll();
      server.close();
    }
  });

  test('a 150 preliminary reply does not end the wait: the final 226 comes in the same settle', async () => {
    const server = await slowServer('220 FTP\r\n', () => ['150 Opening\r\n', '226 Done\r\n']);
    const sockets = new NodeHostSockets({ servers: { ftp: [server.port] } });
    try {
      const { id } = await opened(sockets, server.port);
      sockets.send(id, ascii('NOOP\r\n'));
      expect(text(await sockets.settle(), id)).toBe('150 Opening\r\n226 Done\r\n');
    } finally {
      sockets.closeAll();
      server.close();
    }
  });

  test('a multi-line reply is owed up to its last line, the code followed by a space', async () => {
    const server = await slowServer('220 FTP\r\n', () => ['211-Features:\r\n MDTM\r\n', ' SIZE\r\n211 End\r\n']);
    const sockets = new NodeHostSockets({ servers: { ftp: [server.port] } });
    try {
      const { id } = await opened(sockets, server.port);
      sockets.send(id, ascii('FEAT\r\n'));
      expect(text(await sockets.settle(), id)).toBe('211-Features:\r\n MDTM\r\n SIZE\r\n211 End\r\n');
    } finally {
      sockets.closeAll();
      server.close();
    }
  });

  test('a server that greets with an FTP reply on an undeclared port is read as FTP from then on', async () => {
    const greeter = net.createServer((s) => {
      s.on('error', () => undefined);
      s.write('220 FTP\r\n');
      s.on('data', () => setTimeout(() => s.write('200 Type set to I\r\n'), SLOW_MS));
    });
    await new Promise<void>((resolve) => greeter.listen(0, '127.0.0.1', resolve));
    const port = (greeter.address() as net.AddressInfo).port;
    const sockets = new NodeHostSockets();
    try {
      const { id, events } = await opened(sockets, port);
      // Nothing owed it yet: the greeting comes with the connect, or in the next settle.
      const greeting = text(events, id) !== '' ? text(events, id) : text(await sockets.settle(), id);
      expect(greeting).toBe('220 FTP\r\n');
      sockets.send(id, ascii('TYPE I\r\n'));
      expect(text(await sockets.settle(), id)).toBe('200 Type set to I\r\n');
    } finally {
      sockets.closeAll();
      greeter.close();
    }
  });

  test('a command whose reply the box no longer waits for (it closed the connection) owes nothing', async () => {
    const server = await slowServer('220 FTP\r\n', () => []);
    const sockets = new NodeHostSockets({ servers: { ftp: [server.port] } });
    try {
      const { id } = await opened(sockets, server.port);
      sockets.send(id, ascii('NOOP\r\n'));
      sockets.close(id);
      expect(await sockets.settle()).toEqual([]);
    } finally {
      sockets.closeAll();
      server.close();
    }
  });

  test('a server that never answers: the settle throws, naming the reply owed, instead of letting time move on', async () => {
    const server = await slowServer(undefined, () => []);
    const sockets = new NodeHostSockets({ servers: { ftp: [server.port] }, hangGuardMs: HANG_GUARD_MS });
    try {
      sockets.openStream({ host: '127.0.0.1', port: server.port });
      await expect(sockets.settle()).rejects.toThrow(/the FTP greeting .*still owed/);
    } finally {
      sockets.closeAll();
      server.close();
    }
  });
});

describe('RFC 959 §3.2: the data connection of a passive transfer', () => {
  let root: string;
  let ftp: OperatorFtpServer;
  let sockets: NodeHostSockets;
  let control: HostSocketId;

  const command = async (line: string): Promise<string> => {
    sockets.send(control, ascii(`${line}\r\n`));
    return text(await sockets.settle(), control);
  };

  /** PASV (227 h1,h2,h3,h4,p1,p2) and a connection to the port it names. */
  const passive = async (): Promise<HostSocketId> => {
    const reply = await command('PASV');
    const m = /\((\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\)/.exec(reply);
    if (m === null) throw new Error(`no passive port in ${reply}`);
    return (await opened(sockets, Number(m[5]) * 256 + Number(m[6]))).id;
  };

  beforeEach(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'owed-ftp-'));
    ftp = await startOperatorFtp({ root, user: USER, password: PASSWORD });
    sockets = new NodeHostSockets({ servers: { ftp: [ftp.port] } });
    const c = await opened(sockets, ftp.port);
    control = c.id;
    expect(text(c.events, control)).toMatch(/^220 /);
    expect(await command(`USER ${USER}`)).toMatch(/^331 /);
    expect(await command(`PASS ${PASSWORD}`)).toMatch(/^230 /);
    expect(await command('TYPE I')).toMatch(/^200 /);
  });

  afterEach(async () => {
    sockets.closeAll();
    await ftp.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  test('RETR: the whole file, the server closing the data connection and the 226 come in one settle', async () => {
    const file = Buffer.alloc(64 * 1024, 0x5a);
    fs.writeFileSync(path.join(root, 'in.bin'), file);
    const data = await passive();
    sockets.send(control, ascii('RETR in.bin\r\n'));
    const events = await sockets.settle();
    expect(bytesOf(events, data).equals(file)).toBe(true);
    expect(events.some((e) => e.type === 'end' && e.id === data)).toBe(true);
    expect(text(events, control)).toMatch(/^150 .*\r\n226 /s);
  });

  test('STOR: the 150 comes at once; the 226 is owed only once the box has closed the data connection', async () => {
    const data = await passive();
    sockets.send(control, ascii('STOR up.bin\r\n'));
    expect(text(await sockets.settle(), control)).toMatch(/^150 [^\n]*\r\n$/);
    sockets.send(data, ascii('uploaded bytes'));
    sockets.close(data);
    expect(text(await sockets.settle(), control)).toMatch(/^226 /);
    expect(fs.readFileSync(path.join(root, 'up.bin'), 'latin1')).toBe('uploaded bytes');
  });

  test('RETR of a missing file: the 55x refusal ends what is owed, the data connection stays silent', async () => {
    const data = await passive();
    sockets.send(control, ascii('RETR missing.bin\r\n'));
    const events = await sockets.settle();
    expect(text(events, control)).toMatch(/^55\d /m);
    expect(bytesOf(events, data).length).toBe(0);
  });
});

test('RFC 4330 §5: an SNTP request owes one reply datagram, however late it comes', async () => {
  const server = dgram.createSocket('udp4');
  server.on('message', (msg, rinfo) => setTimeout(() => server.send(Buffer.concat([Buffer.of(0x24), msg.subarray(1)]), rinfo.port, rinfo.address), SLOW_MS));
  await new Promise<void>((resolve) => server.bind(0, '127.0.0.1', resolve));
  const sockets = new NodeHostSockets();
  try {
    const id = sockets.openDatagram();
    await sockets.settle();
    sockets.send(id, SNTP_REQUEST, '127.0.0.1', server.address().port);
    const events = await sockets.settle();
    expect(events).toHaveLength(1);
    expect(events[0].type === 'data' && events[0].bytes[0]).toBe(0x24);
  } finally {
    sockets.closeAll();
    server.close();
  }
});

test('MQTT 3.1.1 §3.1.4: a CONNECT owes the CONNACK of a slow broker', async () => {
  const server = await slowServer(undefined, () => [new Uint8Array(0), MQTT_CONNACK]);
  const sockets = new NodeHostSockets();
  try {
    const { id } = await opened(sockets, server.port);
    sockets.send(id, MQTT_CONNECT);
    expect(new Uint8Array(bytesOf(await sockets.settle(), id))).toEqual(MQTT_CONNACK);
  } finally {
    sockets.closeAll();
    server.close();
  }
});
