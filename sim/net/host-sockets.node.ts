import * as dgram from 'node:dgram';
import * as dns from 'node:dns';
import * as net from 'node:net';
import { performance } from 'node:perf_hooks';
import * as tls from 'node:tls';
import { OwedReplies, type OwedPorts } from '../servers/replies-owed';
import type { HostSocketEvent, HostSocketId, HostSockets, HostStreamRequest } from './types';

export interface NodeHostSocketsOptions {
  /** Real ms without traffic after which a settle returns (catches a reply split over segments). */
  readonly quietMs?: number;
  /** Real ms an operation in flight (connect, lookup, bind) may hold a settle before it stops blocking. */
  readonly maxWaitMs?: number;
  /** Ports of the local FTP servers: their greeting is owed as soon as a connection opens. */
  readonly servers?: OwedPorts;
  /** Real ms a settle waits for a reply still owed before it throws (a server that hangs). */
  readonly hangGuardMs?: number;
}

export interface NodeHostSocketsStats {
  settles: number;
  /** Real time spent inside `settle`, ms. */
  settleMs: number;
  events: number;
  opened: number;
}

const DEFAULT_QUIET_MS = 0.5;
/**
 * Event-loop turns without traffic a settle also waits for. Under load the process may not run for
 * longer than `quietMs`, so real time alone would call a server quiet that has not had its turn yet;
 * a turn is a chance for it (it runs in this process) to answer.
 */
const QUIET_TURNS = 8;
/**
 * Libuv requests a local server's answer may be waiting on (file system, name lookups): while one is
 * pending in this process the host is not quiet, however long it takes on a loaded machine.
 */
const THREAD_POOL_WORK = /^(FSReq|GetAddrInfoReqWrap|GetNameInfoReqWrap|FileHandleCloseReq)/;

const DEFAULT_MAX_WAIT_MS = 5_000;
/** Far beyond any local server's answer on a loaded machine: only a hung server gets there. */
const DEFAULT_HANG_GUARD_MS = 30_000;
const PEM_LINE = 64;

interface Operation {
  readonly started: number;
}

type AnySocket = net.Socket | tls.TLSSocket;

function threadPoolBusy(): boolean {
  return process.getActiveResourcesInfo().some((r) => THREAD_POOL_WORK.test(r));
}

function immediate(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A DER certificate as PEM (Node's `ca` option wants PEM). */
function caOption(ca: Uint8Array): string | Buffer {
  const buf = Buffer.from(ca);
  if (buf.includes('-----BEGIN')) return buf;
  const b64 = buf.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += PEM_LINE) lines.push(b64.slice(i, i + PEM_LINE));
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/** `HostSockets` on Node's net, tls, dgram and dns modules. */
export class NodeHostSockets implements HostSockets {
  readonly stats: NodeHostSocketsStats = { settles: 0, settleMs: 0, events: 0, opened: 0 };
  private readonly quietMs: number;
  private readonly maxWaitMs: number;
  private readonly hangGuardMs: number;
  private readonly owed: OwedReplies;
  private nextId = 1;
  private readonly streams = new Map<HostSocketId, AnySocket>();
  private readonly datagrams = new Map<HostSocketId, dgram.Socket>();
  private readonly inFlight = new Map<HostSocketId, Operation>();
  private events: HostSocketEvent[] = [];
  private lastActivity = -Infinity;

  constructor(options: NodeHostSocketsOptions = {}) {
    this.quietMs = options.quietMs ?? DEFAULT_QUIET_MS;
    this.maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
    this.hangGuardMs = options.hangGuardMs ?? DEFAULT_HANG_GUARD_MS;
    this.owed = new OwedReplies(options.servers);
  }

  /** As `servers.ftp`. */
  ftpServer(port: number): void {
    this.owed.ftp(port);
  }

  /**
   * The server on `port` never answers on purpose (a test's fault: a broker that acknowledges
   * nothing): a settle owes it nothing, where it would otherwise wait for it and throw.
   */
  deafServer(port: number): void {
    this.owed.deaf(port);
  }

  openStream(request: HostStreamRequest): HostSocketId {
    const id = this.nextId++;
    this.begin(id);
    this.stats.opened++;
    const t = request.tls;
    let socket: AnySocket;
    let connectEvent: string;
    if (t !== undefined) {
      socket = tls.connect({
        host: request.host,
        port: request.port,
        rejectUnauthorized: t.verify,
        ...(t.serverName !== undefined && !net.isIP(t.serverName) ? { servername: t.serverName } : {}),
        ...(t.ca !== undefined ? { ca: caOption(t.ca) } : {}),
      });
      connectEvent = 'secureConnect';
    } else {
      socket = net.connect({ host: request.host, port: request.port });
      connectEvent = 'connect';
    }
    socket.setNoDelay(true);
    this.streams.set(id, socket);
    this.owed.openedStream(id, request.port);
    let ended = false;
    socket.once(connectEvent, () => {
      this.end(id);
      this.push({ type: 'open', id });
    });
    socket.on('data', (b: Buffer) => this.push({ type: 'data', id, bytes: new Uint8Array(b) }));
    socket.on('end', () => {
      if (ended) return;
      ended = true;
      this.push({ type: 'end', id });
    });
    socket.on('error', (e: Error) => {
      this.end(id);
      if (ended) return;
      ended = true;
      this.push({ type: 'error', id, message: e.message });
    });
    socket.on('close', () => {
      this.end(id);
      if (!this.streams.has(id)) return;
      this.streams.delete(id);
      if (ended) return;
      ended = true;
      this.push({ type: 'end', id });
    });
    return id;
  }

  openDatagram(): HostSocketId {
    const id = this.nextId++;
    this.begin(id);
    this.stats.opened++;
    const socket = dgram.createSocket('udp4');
    this.datagrams.set(id, socket);
    this.owed.openedDatagram(id);
    socket.on('message', (msg: Buffer, rinfo: dgram.RemoteInfo) => {
      this.push({ type: 'data', id, bytes: new Uint8Array(msg), address: rinfo.address, port: rinfo.port });
    });
    socket.on('error', (e: Error) => {
      this.end(id);
      this.push({ type: 'error', id, message: e.message });
    });
    socket.bind(0, () => this.end(id));
    return id;
  }

  resolve(host: string): HostSocketId {
    const id = this.nextId++;
    this.begin(id);
    dns.lookup(host, { family: 4 }, (err, address) => {
      this.end(id);
      this.push(err ? { type: 'resolved', id, error: err.message } : { type: 'resolved', id, address });
    });
    return id;
  }

  send(id: HostSocketId, bytes: Uint8Array, address?: string, port?: number): void {
    this.lastActivity = performance.now();
    this.owed.sent(id, bytes);
    const s = this.streams.get(id);
    if (s !== undefined) {
      s.write(Buffer.from(bytes));
      return;
    }
    const d = this.datagrams.get(id);
    if (d !== undefined && address !== undefined && port !== undefined) d.send(bytes, port, address);
  }

  close(id: HostSocketId): void {
    this.lastActivity = performance.now();
    this.inFlight.delete(id);
    this.owed.closed(id);
    const s = this.streams.get(id);
    if (s !== undefined) {
      this.streams.delete(id);
      s.removeAllListeners('data');
      s.removeAllListeners('end');
      s.removeAllListeners('close');
      s.removeAllListeners('error');
      s.on('error', () => undefined);
      s.end();
      s.destroySoon();
    }
    const d = this.datagrams.get(id);
    if (d !== undefined) {
      this.datagrams.delete(id);
      d.removeAllListeners('message');
      d.close();
    }
  }

  busy(): boolean {
    return this.events.length > 0 || this.owed.owed() !== undefined || this.blocking(performance.now()) || performance.now() - this.lastActivity < this.quietMs;
  }

  openCount(): number {
    return this.streams.size + this.datagrams.size;
  }

  async settle(): Promise<HostSocketEvent[]> {
    const start = performance.now();
    this.stats.settles++;
    let quietTurns = 0;
    let lastEvents = this.events.length;
    await immediate();
    for (;;) {
      const now = performance.now();
      quietTurns = this.events.length === lastEvents ? quietTurns + 1 : 0;
      lastEvents = this.events.length;
      const owed = this.owed.owed();
      if (owed !== undefined && now - start >= this.hangGuardMs) {
        throw new Error(`host sockets: ${owed} still owed after ${Math.round(now - start)} ms of real time; the local server hangs`);
      }
      const quiet = now - this.lastActivity >= this.quietMs && quietTurns >= QUIET_TURNS && (now - start >= this.maxWaitMs || !threadPoolBusy());
      if (!this.blocking(now) && quiet && owed === undefined) break;
      await immediate();
    }
    const out = this.events;
    this.events = [];
    this.stats.events += out.length;
    this.stats.settleMs += performance.now() - start;
    return out;
  }

  closeAll(): void {
    for (const id of [...this.streams.keys(), ...this.datagrams.keys()]) this.close(id);
    this.inFlight.clear();
  }

  private blocking(now: number): boolean {
    for (const op of this.inFlight.values()) if (now - op.started < this.maxWaitMs) return true;
    return false;
  }

  private begin(id: HostSocketId): void {
    const now = performance.now();
    this.inFlight.set(id, { started: now });
    this.lastActivity = now;
  }

  private end(id: HostSocketId): void {
    this.inFlight.delete(id);
  }

  private push(e: HostSocketEvent): void {
    this.lastActivity = performance.now();
    this.owed.received(e);
    this.events.push(e);
  }
}
