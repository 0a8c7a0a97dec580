import * as dgram from 'node:dgram';
import * as dns from 'node:dns';
import * as net from 'node:net';
import * as tls from 'node:tls';
import type {
  Datagram,
  DatagramSocket,
  DatagramSocketOptions,
  Network,
  StreamSocket,
  StreamSocketOptions,
  TlsOptions,
} from '../../protocol/ports/network';

/**
 * The firmware's `Network` over the host's real sockets (Node `net`, `tls`, `dgram`, `dns`), with
 * ECMA-419 callback semantics: `onWritable` once connected and whenever output space grows again,
 * `onReadable` with the bytes (or datagrams) queued, `read` draining that queue, `write` returning
 * the space still free, `onError` once when the connection ends for any reason other than `close()`.
 * Bytes already queued stay readable after `onError`.
 */
export interface NodeNetworkOptions {
  /** Output space a stream socket reports, in bytes (default 16 KiB); `write` returns what is left of it. */
  readonly writeCapacity?: number;
  /** Unread bytes at which a stream socket stops reading from the kernel until `read` drains it (default 64 KiB). */
  readonly readLimit?: number;
  /** Names answered without DNS (tests). */
  readonly hosts?: Readonly<Record<string, string>>;
}

/** `onError` message when the peer closed the connection cleanly. */
export const PEER_CLOSED = 'connection closed by peer';

const DEFAULT_WRITE_CAPACITY = 16 * 1024;
const DEFAULT_READ_LIMIT = 64 * 1024;
/** How long a locally closed socket may take to flush before it is destroyed. */
const CLOSE_GRACE_MS = 5000;
const DER_SEQUENCE = 0x30;

/** Node's `ca` wants PEM; the firmware stores either (the `certificate` command accepts DER). */
function caToPem(ca: Uint8Array): string {
  const buf = Buffer.from(ca);
  if (buf[0] !== DER_SEQUENCE) return buf.toString('utf8');
  const b64 = buf.toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}

function tlsConnectOptions(address: string, port: number, options: TlsOptions): tls.ConnectionOptions {
  const identity = options.serverName ?? address;
  const out: tls.ConnectionOptions = {
    host: address,
    port,
    // Absent CA = no verification (protocol/ports/network.ts TlsOptions.ca).
    rejectUnauthorized: options.ca !== undefined,
    checkServerIdentity: (_host, cert) => tls.checkServerIdentity(identity, cert),
  };
  if (options.serverName !== undefined && net.isIP(options.serverName) === 0) out.servername = options.serverName;
  if (options.ca !== undefined) out.ca = caToPem(options.ca);
  return out;
}

class NodeStreamSocket implements StreamSocket {
  private readonly socket: net.Socket;
  private readonly queue: Buffer[] = [];
  private queued = 0;
  private connected = false;
  private closedLocally = false;
  private ended = false;
  private lastFree: number;

  constructor(private readonly options: StreamSocketOptions, private readonly capacity: number, private readonly readLimit: number) {
    this.lastFree = capacity;
    if (options.tls) {
      this.socket = tls.connect(tlsConnectOptions(options.address, options.port, options.tls));
      this.socket.once('secureConnect', () => this.onConnect());
    } else {
      this.socket = net.connect({ host: options.address, port: options.port });
      this.socket.once('connect', () => this.onConnect());
    }
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('end', () => this.finish(PEER_CLOSED));
    this.socket.on('error', (e: Error) => this.finish(e.message));
    this.socket.on('close', () => this.finish('connection closed'));
  }

  read(max?: number): Uint8Array | undefined {
    if (this.queued === 0) return undefined;
    const want = Math.min(max ?? this.queued, this.queued);
    if (want <= 0) return undefined;
    const out = new Uint8Array(want);
    let filled = 0;
    while (filled < want) {
      const head = this.queue[0];
      const n = Math.min(head.length, want - filled);
      out.set(head.subarray(0, n), filled);
      filled += n;
      if (n === head.length) this.queue.shift();
      else this.queue[0] = head.subarray(n);
    }
    this.queued -= want;
    if (this.queued < this.readLimit && this.socket.isPaused() && !this.ended) this.socket.resume();
    return out;
  }

  write(bytes: Uint8Array): number {
    if (this.closedLocally || this.ended) throw new Error('write on a closed socket');
    this.socket.write(Buffer.from(bytes), () => this.spaceFreed());
    this.lastFree = this.free();
    return this.lastFree;
  }

  close(): void {
    if (this.closedLocally) return;
    this.closedLocally = true;
    if (this.ended) return;
    this.socket.end();
    setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS).unref();
  }

  private free(): number {
    return Math.max(0, this.capacity - this.socket.writableLength);
  }

  private onConnect(): void {
    if (this.closedLocally || this.ended) return;
    this.connected = true;
    this.lastFree = this.free();
    this.options.onWritable?.(this.lastFree);
  }

  private spaceFreed(): void {
    if (!this.connected || this.closedLocally || this.ended) return;
    const free = this.free();
    if (free > this.lastFree) {
      this.lastFree = free;
      this.options.onWritable?.(free);
    }
  }

  private onData(chunk: Buffer): void {
    if (this.closedLocally) return;
    this.queue.push(chunk);
    this.queued += chunk.length;
    if (this.queued >= this.readLimit) this.socket.pause();
    this.options.onReadable?.(this.queued);
  }

  private finish(message: string): void {
    if (this.ended) return;
    this.ended = true;
    this.socket.destroy();
    if (!this.closedLocally) this.options.onError?.(message);
  }
}

class NodeDatagramSocket implements DatagramSocket {
  private readonly socket: dgram.Socket;
  private readonly queue: Datagram[] = [];
  private closed = false;

  constructor(private readonly options: DatagramSocketOptions) {
    this.socket = dgram.createSocket('udp4');
    this.socket.on('message', (msg: Buffer, rinfo: dgram.RemoteInfo) => {
      if (this.closed) return;
      this.queue.push({ bytes: new Uint8Array(msg), address: rinfo.address, port: rinfo.port });
      this.options.onReadable?.(this.queue.length);
    });
    this.socket.on('error', (e: Error) => this.fail(e.message));
    this.socket.bind(options.port ?? 0);
  }

  read(): Datagram | undefined {
    return this.queue.shift();
  }

  write(bytes: Uint8Array, address: string, port: number): void {
    if (this.closed) throw new Error('write on a closed socket');
    this.socket.send(Buffer.from(bytes), port, address, (e) => {
      if (e) this.fail(e.message);
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.close();
  }

  private fail(message: string): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.socket.close();
    } catch {
      // already closed by the error
    }
    this.options.onError?.(message);
  }
}

export class NodeNetwork implements Network {
  private readonly capacity: number;
  private readonly readLimit: number;

  constructor(private readonly options: NodeNetworkOptions = {}) {
    this.capacity = options.writeCapacity ?? DEFAULT_WRITE_CAPACITY;
    this.readLimit = options.readLimit ?? DEFAULT_READ_LIMIT;
  }

  resolve(host: string, callback: (error: string | undefined, address: string | undefined) => void): void {
    const fixed = this.options.hosts?.[host];
    if (fixed !== undefined) {
      setImmediate(() => callback(undefined, fixed));
      return;
    }
    if (net.isIPv4(host)) {
      setImmediate(() => callback(undefined, host));
      return;
    }
    dns.lookup(host, { family: 4 }, (e, address) => {
      if (e) callback(e.message, undefined);
      else callback(undefined, address);
    });
  }

  openStream(options: StreamSocketOptions): StreamSocket {
    return new NodeStreamSocket(options, this.capacity, this.readLimit);
  }

  openDatagram(options: DatagramSocketOptions): DatagramSocket {
    return new NodeDatagramSocket(options);
  }
}
