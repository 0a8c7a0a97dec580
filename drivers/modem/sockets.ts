import { quoteParam } from '../../protocol/at/params';
import { parseQird, parseQsslrecv } from '../../protocol/at/responses';
import type { AtUrc } from '../../protocol/at/types';
import { isIpv4 } from '../../protocol/net/address';
import type { Clock, TimerId } from '../../protocol/ports/clock';
import type {
  Datagram,
  DatagramSocket,
  DatagramSocketOptions,
  Network,
  StreamSocket,
  StreamSocketOptions,
  TlsOptions,
} from '../../protocol/ports/network';
import { TLS_CERTIFICATE_REJECTED } from '../../protocol/ports/network';
import type { AtChannel, AtResponse } from './at-channel';
import { fingerprintBytes } from './bg95-config';

/**
 * `Network` over the BG95's TCP/IP and SSL socket services in buffer access mode: data is pulled
 * with AT+QIRD / AT+QSSLRECV after a `"recv"` URC and pushed with AT+QISEND / AT+QSSLSEND.
 * Callback-driven like ECMA-419 `embedded:io/socket/*`, so protocol clients do not know they
 * talk to a modem.
 */

/** BG95 connectIDs 0..11, shared by the TCP/IP and SSL services. */
const CONNECT_IDS = 12;
/** AT+QISEND / AT+QSSLSEND take at most 1460 bytes per command. */
export const MAX_SEND_BYTES = 1460;
/** AT+QIRD / AT+QSSLRECV return at most 1500 bytes per command. */
export const MAX_READ_BYTES = 1500;
/** Output queued in the driver before `write` reports no space: two full sends. */
export const SEND_QUEUE_BYTES = 2 * MAX_SEND_BYTES;
/** Input held in the driver before it stops pulling from the modem (the modem keeps the rest). */
export const RECEIVE_BUFFER_BYTES = 8 * 1024;
/** Largest datagram the UDP service sends. */
const MAX_DATAGRAM_BYTES = MAX_SEND_BYTES;
/** Datagrams held before new ones are left in the modem. */
const RECEIVE_DATAGRAMS = 16;
/** Quectel TCP/IP manual: AT+QIOPEN / AT+QSSLOPEN report within 150 s. */
const OPEN_TIMEOUT_MS = 150_000;
const SEND_TIMEOUT_MS = 10_000;
const READ_TIMEOUT_MS = 5_000;
const CLOSE_TIMEOUT_MS = 10_000;
/** The DNS answer URCs come within 60 s of AT+QIDNSGIP. */
const DNS_TIMEOUT_MS = 60_000;
/** `SEND FAIL` means the modem's send buffer is full: wait for the peer's ACKs, then retry. */
const SEND_FAIL_RETRY_MS = 1_000;
const SEND_FAIL_RETRIES = 30;
/** UDP SERVICE sockets need a local port; these are used when the caller gives none. */
const EPHEMERAL_PORT_FIRST = 49_152;
const EPHEMERAL_PORT_COUNT = 16_384;
/** Name of the CA certificate in the modem's user file system. */
export const CA_FILE = 'UFS:wmbus_ca.pem';
/** AT+QFUPL: 115200 baud moves ~11 bytes/ms; allow for that plus the modem's file write. */
const UPLOAD_BYTES_PER_MS = 10;
const UPLOAD_MARGIN_MS = 5_000;
/** AT+QSSLCFG values: all TLS versions, all cipher suites; seclevel 0 none, 1 verify the server. */
const SSL_VERSION_ALL = 4;
const SSL_CIPHERS_ALL = '0xFFFF';
const SSL_VERIFY_NONE = 0;
const SSL_VERIFY_SERVER = 1;
/**
 * `+QSSLOPEN: <id>,-1`: the SSL handshake failed after the TCP connection was made. The BG95
 * reports a server certificate that does not verify (seclevel 1) this way, not with a code of the
 * TCP/IP list (566 is the TCP connection itself failing).
 */
export const SSL_HANDSHAKE_FAILED = -1;
/** AT+QIOPEN access mode 0: buffer access (data waits in the modem until read). */
const ACCESS_BUFFER = 0;

export interface ModemNetworkOptions {
  /** PDP context the sockets use (AT+QICSGP / AT+QIACT). */
  readonly contextId?: number;
  /** SSL context for TLS sockets. */
  readonly sslContextId?: number;
  /** Called with true while an uplink send is in progress, false after (power states). */
  readonly transmitting?: (active: boolean) => void;
}

export interface ModemNetworkStats {
  streamsOpened: number;
  datagramsOpened: number;
  openFailures: number;
  bytesSent: number;
  bytesReceived: number;
  sendCommands: number;
  readCommands: number;
  sendFailRetries: number;
  dnsQueries: number;
  caUploads: number;
  dropped: number;
}

type Service = 'tcpip' | 'ssl';

function defer(fn: () => void): void {
  Promise.resolve().then(fn, () => undefined);
}

function concat(chunks: readonly Uint8Array[], length: number): Uint8Array {
  if (chunks.length === 1 && chunks[0].length === length) return chunks[0];
  const out = new Uint8Array(length);
  let at = 0;
  for (const c of chunks) {
    const n = Math.min(c.length, length - at);
    out.set(c.subarray(0, n), at);
    at += n;
    if (at === length) break;
  }
  return out;
}

/** A string parameter for a command line, or undefined when it cannot be sent (quotes, controls). */
function quoted(text: string): string | undefined {
  const q = quoteParam(text);
  return q.ok ? q.value : undefined;
}

interface DnsRequest {
  readonly host: string;
  readonly callback: (error: string | undefined, address: string | undefined) => void;
}

interface SocketBase {
  readonly service: Service;
  onOpened(error: number): void;
  onRecvSignal(): void;
  onPeerClosed(): void;
  fail(message: string): void;
}

export class Bg95Network implements Network {
  readonly stats: ModemNetworkStats = {
    streamsOpened: 0,
    datagramsOpened: 0,
    openFailures: 0,
    bytesSent: 0,
    bytesReceived: 0,
    sendCommands: 0,
    readCommands: 0,
    sendFailRetries: 0,
    dnsQueries: 0,
    caUploads: 0,
    dropped: 0,
  };
  readonly contextId: number;
  readonly sslContextId: number;
  private readonly sockets: (SocketBase | undefined)[] = new Array(CONNECT_IDS).fill(undefined);
  private readonly dnsQueue: DnsRequest[] = [];
  private dnsActive: { request: DnsRequest; expected: number; addresses: string[]; timer: TimerId } | undefined;
  private dnsWaitingHeader = false;
  private caFingerprint: string | undefined;
  private lastTlsUnverified: string | undefined;
  private caUpload: Promise<boolean> = Promise.resolve(true);
  private nextEphemeral = 0;
  private sending = 0;

  constructor(
    readonly channel: AtChannel,
    readonly clock: Clock,
    private readonly options: ModemNetworkOptions = {},
  ) {
    this.contextId = options.contextId ?? 1;
    this.sslContextId = options.sslContextId ?? 1;
    channel.onUrc((urc) => this.onUrc(urc));
  }

  resolve(host: string, callback: (error: string | undefined, address: string | undefined) => void): void {
    if (isIpv4(host)) {
      defer(() => callback(undefined, host));
      return;
    }
    this.dnsQueue.push({ host, callback });
    this.nextDns();
  }

  openStream(options: StreamSocketOptions): StreamSocket {
    return new ModemStream(this, options);
  }

  openDatagram(options: DatagramSocketOptions): DatagramSocket {
    return new ModemDatagram(this, options);
  }

  /** Every socket fails with `reason` and every pending lookup ends (modem off, PDP lost). */
  shutdown(reason: string): void {
    for (const s of this.sockets) s?.fail(reason);
    this.sockets.fill(undefined);
    const active = this.dnsActive;
    this.dnsActive = undefined;
    this.dnsWaitingHeader = false;
    if (active !== undefined) {
      this.clock.clearTimer(active.timer);
      active.request.callback(reason, undefined);
    }
    for (const r of this.dnsQueue.splice(0)) r.callback(reason, undefined);
    this.caFingerprint = undefined;
  }

  /** Sockets currently holding a connectID. */
  openCount(): number {
    return this.sockets.filter((s) => s !== undefined).length;
  }

  allocate(socket: SocketBase): number | undefined {
    const id = this.sockets.indexOf(undefined);
    if (id < 0) return undefined;
    this.sockets[id] = socket;
    return id;
  }

  release(id: number, socket: SocketBase): void {
    if (this.sockets[id] === socket) this.sockets[id] = undefined;
  }

  /** Frees the connectID in the modem (AT+QICLOSE / AT+QSSLCLOSE), then in the driver. */
  closeInModem(id: number, socket: SocketBase): void {
    const cmd = socket.service === 'ssl' ? `AT+QSSLCLOSE=${id}` : `AT+QICLOSE=${id}`;
    this.channel.command(cmd, { timeoutMs: CLOSE_TIMEOUT_MS }).then(() => this.release(id, socket));
  }

  nextEphemeralPort(): number {
    const p = EPHEMERAL_PORT_FIRST + (this.nextEphemeral % EPHEMERAL_PORT_COUNT);
    this.nextEphemeral++;
    return p;
  }

  /** Sends one chunk; reports the uplink activity around it. */
  async send(command: string, payload: Uint8Array): Promise<AtResponse> {
    this.stats.sendCommands++;
    if (this.sending++ === 0) this.options.transmitting?.(true);
    const r = await this.channel.command(command, { payload, timeoutMs: SEND_TIMEOUT_MS });
    if (--this.sending === 0) this.options.transmitting?.(false);
    if (r.final.kind === 'send-ok') this.stats.bytesSent += payload.length;
    return r;
  }

  /** Stores the CA certificate in the modem once per content (AT+QFDEL, AT+QFUPL). */
  uploadCa(ca: Uint8Array): Promise<boolean> {
    const fp = fingerprintBytes(ca);
    this.caUpload = this.caUpload.then(async () => {
      if (this.caFingerprint === fp) return true;
      await this.channel.command(`AT+QFDEL="${CA_FILE}"`);
      const timeoutMs = Math.ceil(ca.length / UPLOAD_BYTES_PER_MS) + UPLOAD_MARGIN_MS;
      const timeoutS = Math.ceil(timeoutMs / 1000);
      const r = await this.channel.command(`AT+QFUPL="${CA_FILE}",${ca.length},${timeoutS}`, { upload: ca, prefix: '+QFUPL', timeoutMs });
      if (r.final.kind !== 'ok') return false;
      this.stats.caUploads++;
      this.caFingerprint = fp;
      return true;
    });
    return this.caUpload;
  }

  /** AT+QSSLCFG for one TLS connection: versions, ciphers, verification, CA and SNI. */
  async configureTls(tls: TlsOptions): Promise<boolean> {
    const ctx = this.sslContextId;
    if (tls.ca !== undefined && !(await this.uploadCa(tls.ca))) return false;
    const commands = [
      `AT+QSSLCFG="sslversion",${ctx},${SSL_VERSION_ALL}`,
      `AT+QSSLCFG="ciphersuite",${ctx},${SSL_CIPHERS_ALL}`,
      `AT+QSSLCFG="seclevel",${ctx},${tls.ca !== undefined ? SSL_VERIFY_SERVER : SSL_VERIFY_NONE}`,
    ];
    if (tls.ca !== undefined) commands.push(`AT+QSSLCFG="cacert",${ctx},"${CA_FILE}"`);
    if (tls.serverName !== undefined) commands.push(`AT+QSSLCFG="sni",${ctx},1`);
    for (const c of commands) {
      const r = await this.channel.command(c);
      if (r.final.kind !== 'ok') return false;
    }
    return true;
  }

  /** Host of the last TLS connection, when it ran without verifying the server; undefined after a verified one. */
  tlsUnverified(): string | undefined {
    return this.lastTlsUnverified;
  }

  /** A TLS connection was configured: verified (seclevel 1 with the CA) or not. */
  noteTls(host: string, verified: boolean): void {
    this.lastTlsUnverified = verified ? undefined : host;
  }

  private onUrc(urc: AtUrc): void {
    switch (urc.type) {
      case 'open':
        this.socketOf(urc.connectId, urc.service)?.onOpened(urc.error);
        return;
      case 'recv':
        this.socketOf(urc.connectId, urc.service)?.onRecvSignal();
        return;
      case 'closed':
        this.socketOf(urc.connectId, urc.service)?.onPeerClosed();
        return;
      case 'pdpdeact':
        if (urc.contextId === this.contextId) this.pdpLost();
        return;
      case 'dnsgip-header':
        this.onDnsHeader(urc.error, urc.count);
        return;
      case 'dnsgip-address':
        this.onDnsAddress(urc.address);
        return;
      default:
        return;
    }
  }

  private socketOf(id: number, service: Service): SocketBase | undefined {
    const s = this.sockets[id];
    return s !== undefined && s.service === service ? s : undefined;
  }

  private pdpLost(): void {
    for (let id = 0; id < CONNECT_IDS; id++) {
      const s = this.sockets[id];
      if (s === undefined) continue;
      s.fail('pdpdeact');
      // Quectel: after "pdpdeact" every socket of the context must still be closed.
      this.closeInModem(id, s);
    }
  }

  private nextDns(): void {
    if (this.dnsActive !== undefined) return;
    const request = this.dnsQueue.shift();
    if (request === undefined) return;
    const host = quoted(request.host);
    if (host === undefined) {
      defer(() => request.callback('bad host name', undefined));
      this.nextDns();
      return;
    }
    this.stats.dnsQueries++;
    const timer = this.clock.setTimer(this.clock.now() + DNS_TIMEOUT_MS, () => this.endDns('dns timeout', undefined));
    this.dnsActive = { request, expected: 0, addresses: [], timer };
    this.dnsWaitingHeader = true;
    this.channel.command(`AT+QIDNSGIP=${this.contextId},${host}`).then((r) => {
      if (r.final.kind !== 'ok' && this.dnsActive?.request === request) this.endDns(`dns: ${r.final.text}`, undefined);
    });
  }

  private onDnsHeader(error: number, count: number): void {
    const a = this.dnsActive;
    if (a === undefined || !this.dnsWaitingHeader) return;
    this.dnsWaitingHeader = false;
    if (error !== 0) return this.endDns(`dns error ${error}`, undefined);
    if (count === 0) return this.endDns('dns: no address', undefined);
    a.expected = count;
  }

  private onDnsAddress(address: string): void {
    const a = this.dnsActive;
    if (a === undefined || this.dnsWaitingHeader) return;
    a.addresses.push(address);
    if (a.addresses.length < a.expected) return;
    const v4 = a.addresses.find(isIpv4);
    this.endDns(v4 === undefined ? 'dns: no IPv4 address' : undefined, v4);
  }

  private endDns(error: string | undefined, address: string | undefined): void {
    const a = this.dnsActive;
    if (a === undefined) return;
    this.clock.clearTimer(a.timer);
    this.dnsActive = undefined;
    this.dnsWaitingHeader = false;
    a.request.callback(error, address);
    this.nextDns();
  }
}

type StreamState = 'opening' | 'open' | 'closed';

/**
 * What a stream and a datagram socket share: the connectID, the open handshake (AT+QIOPEN or
 * AT+QSSLOPEN, then the `+QIOPEN` / `+QSSLOPEN` URC within OPEN_TIMEOUT_MS), and the "recv" URC
 * bookkeeping that tells the read pump whether the modem holds data.
 */
abstract class ModemConnection implements SocketBase {
  protected state: StreamState = 'opening';
  protected id: number | undefined;
  protected sending = false;
  protected reading = false;
  /** The modem said data waits ("recv" URC) and no read since has come back empty. */
  protected modemHasData = false;
  protected recvSignals = 0;
  private openTimer: TimerId | undefined;

  /** Takes a connectID; without one the socket is closed and `onError` hears it after the caller returns. */
  constructor(
    protected readonly net: Bg95Network,
    readonly service: Service,
    opened: 'streamsOpened' | 'datagramsOpened',
    onError: ((message: string) => void) | undefined,
  ) {
    const id = net.allocate(this);
    if (id === undefined) {
      this.state = 'closed';
      net.stats.openFailures++;
      defer(() => onError?.('no free connection'));
      return;
    }
    this.id = id;
    net.stats[opened]++;
  }

  abstract fail(message: string): void;
  abstract onPeerClosed(): void;
  abstract onOpened(error: number): void;
  protected abstract pumpRx(): Promise<void>;

  /** What a failed open URC reports to `onError`. */
  protected openFailure(error: number): string {
    return `open failed (${error})`;
  }

  onRecvSignal(): void {
    this.modemHasData = true;
    this.recvSignals++;
    if (this.state === 'open') this.pumpRx();
  }

  /** The open command was sent: the URC must follow within OPEN_TIMEOUT_MS. */
  protected armOpenTimer(id: number): void {
    this.openTimer = this.net.clock.setTimer(this.net.clock.now() + OPEN_TIMEOUT_MS, () => {
      this.openTimer = undefined;
      this.net.closeInModem(id, this);
      this.fail('open timeout');
    });
  }

  protected clearOpenTimer(): void {
    if (this.openTimer !== undefined) this.net.clock.clearTimer(this.openTimer);
    this.openTimer = undefined;
  }

  /** The modem refused the open command itself: no URC will come. */
  protected openRefused(id: number, r: AtResponse): void {
    if (r.final.kind === 'ok') return;
    this.clearOpenTimer();
    this.net.release(id, this);
    this.fail(`open refused: ${r.final.text}`);
  }

  /**
   * The open URC: true when the socket is now open. A socket closed meanwhile frees its connectID
   * (closing it in the modem if the open succeeded); a failed open is reported.
   */
  protected opened(error: number): boolean {
    this.clearOpenTimer();
    const id = this.id as number;
    if (this.state === 'closed') {
      if (error === 0) this.net.closeInModem(id, this);
      else this.net.release(id, this);
      return false;
    }
    if (error !== 0) {
      this.net.stats.openFailures++;
      this.net.closeInModem(id, this);
      this.fail(this.openFailure(error));
      return false;
    }
    this.state = 'open';
    return true;
  }
}

class ModemStream extends ModemConnection implements StreamSocket {
  private readonly rx: Uint8Array[] = [];
  private rxBytes = 0;
  private readonly tx: Uint8Array[] = [];
  private txBytes = 0;
  private peerClosed = false;
  /** The application closed the socket: no more callbacks; queued output is still sent, then AT+QICLOSE. */
  private closeRequested = false;

  constructor(net: Bg95Network, private readonly options: StreamSocketOptions) {
    super(net, options.tls !== undefined ? 'ssl' : 'tcpip', 'streamsOpened', options.onError);
    if (this.id !== undefined) this.open(this.id).catch((e: unknown) => this.fail(String(e)));
  }

  read(max?: number): Uint8Array | undefined {
    if (this.rxBytes === 0) return undefined;
    const n = Math.min(max ?? this.rxBytes, this.rxBytes);
    const out = new Uint8Array(n);
    let at = 0;
    while (at < n) {
      const head = this.rx[0];
      const take = Math.min(head.length, n - at);
      out.set(head.subarray(0, take), at);
      at += take;
      if (take === head.length) this.rx.shift();
      else this.rx[0] = head.subarray(take);
    }
    this.rxBytes -= n;
    if (this.state === 'open') {
      if (this.modemHasData && this.rxBytes < RECEIVE_BUFFER_BYTES / 2) this.pumpRx();
      if (this.peerClosed) this.checkDrained();
    }
    return out;
  }

  write(bytes: Uint8Array): number {
    if (this.state === 'closed' || this.closeRequested) {
      this.net.stats.dropped += bytes.length;
      return 0;
    }
    if (bytes.length > 0) {
      this.tx.push(bytes.slice());
      this.txBytes += bytes.length;
      if (this.state === 'open') this.pumpTx();
    }
    return Math.max(0, SEND_QUEUE_BYTES - this.txBytes);
  }

  /** Stops all callbacks; output already accepted is still sent before the connection is closed. */
  close(): void {
    if (this.state === 'closed' || this.closeRequested) return;
    this.closeRequested = true;
    if (this.state === 'open' && this.txBytes === 0 && !this.sending) this.finishClose();
    else if (this.state === 'opening' && this.txBytes === 0) {
      // The modem still owes the open URC; `onOpened` closes the connection then.
      this.state = 'closed';
      this.clearOpenTimer();
    }
  }

  onOpened(error: number): void {
    if (!this.opened(error)) return;
    if (!this.closeRequested) this.options.onWritable?.(Math.max(0, SEND_QUEUE_BYTES - this.txBytes));
    if (this.txBytes > 0) this.pumpTx();
    if (this.modemHasData) this.pumpRx();
  }

  onPeerClosed(): void {
    if (this.state === 'closed') return;
    if (this.closeRequested) {
      this.finishClose();
      return;
    }
    this.peerClosed = true;
    // Data may still wait in the modem after the peer's FIN: read it out before reporting.
    this.modemHasData = true;
    this.recvSignals++;
    this.pumpRx();
  }

  fail(message: string): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.clearOpenTimer();
    if (!this.closeRequested) this.options.onError?.(message);
  }

  private finishClose(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.clearOpenTimer();
    if (this.id !== undefined) this.net.closeInModem(this.id, this);
  }

  /** A handshake failure on a verified connection is the server certificate: say so, not only the code. */
  protected override openFailure(error: number): string {
    const tls = this.options.tls;
    if (this.service !== 'ssl' || error !== SSL_HANDSHAKE_FAILED) return super.openFailure(error);
    if (tls?.ca !== undefined) return `${TLS_CERTIFICATE_REJECTED} against the stored CA (handshake failed, ${error})`;
    return `TLS: handshake failed (${error})`;
  }

  private async open(id: number): Promise<void> {
    const net = this.net;
    const tls = this.options.tls;
    // The BG95 verifies (and sends as SNI) the name it connects to.
    const host = quoted(tls?.serverName ?? this.options.address);
    if (host === undefined) {
      net.release(id, this);
      this.fail('bad address');
      return;
    }
    let command: string;
    if (tls !== undefined) {
      if (!(await net.configureTls(tls))) {
        net.release(id, this);
        this.fail('tls configuration failed');
        return;
      }
      net.noteTls(tls.serverName ?? this.options.address, tls.ca !== undefined);
      command = `AT+QSSLOPEN=${net.contextId},${net.sslContextId},${id},${host},${this.options.port},${ACCESS_BUFFER}`;
    } else {
      command = `AT+QIOPEN=${net.contextId},${id},"TCP",${host},${this.options.port},0,${ACCESS_BUFFER}`;
    }
    if (this.state === 'closed') {
      net.release(id, this);
      return;
    }
    this.armOpenTimer(id);
    this.openRefused(id, await net.channel.command(command));
  }

  private async pumpTx(): Promise<void> {
    if (this.sending || this.state !== 'open') return;
    this.sending = true;
    let retries = 0;
    while (this.state === 'open' && this.txBytes > 0) {
      const n = Math.min(MAX_SEND_BYTES, this.txBytes);
      const chunk = concat(this.tx, n);
      const id = this.id as number;
      const cmd = this.service === 'ssl' ? `AT+QSSLSEND=${id},${n}` : `AT+QISEND=${id},${n}`;
      const r = await this.net.send(cmd, chunk);
      if (this.state !== 'open') break;
      if (r.final.kind === 'send-ok') {
        retries = 0;
        this.consumeTx(n);
        if (!this.closeRequested) this.options.onWritable?.(Math.max(0, SEND_QUEUE_BYTES - this.txBytes));
      } else if (r.final.kind === 'send-fail' && retries < SEND_FAIL_RETRIES) {
        retries++;
        this.net.stats.sendFailRetries++;
        await new Promise<void>((resolve) => this.net.clock.setTimer(this.net.clock.now() + SEND_FAIL_RETRY_MS, resolve));
      } else if (this.peerClosed) {
        // The peer is gone: what is still queued cannot be sent; the read side reports 'closed'.
        this.net.stats.dropped += this.txBytes;
        this.tx.length = 0;
        this.txBytes = 0;
      } else {
        this.net.closeInModem(id, this);
        this.fail(`send failed: ${r.final.text}`);
      }
    }
    this.sending = false;
    if (this.closeRequested && this.state === 'open' && this.txBytes === 0) this.finishClose();
  }

  private consumeTx(n: number): void {
    let left = n;
    while (left > 0) {
      const head = this.tx[0];
      if (head.length <= left) {
        this.tx.shift();
        left -= head.length;
      } else {
        this.tx[0] = head.subarray(left);
        left = 0;
      }
    }
    this.txBytes -= n;
  }

  protected async pumpRx(): Promise<void> {
    if (this.reading || this.state !== 'open' || this.closeRequested) return;
    this.reading = true;
    while (this.state === 'open' && !this.closeRequested && this.modemHasData && this.rxBytes < RECEIVE_BUFFER_BYTES) {
      const id = this.id as number;
      const signals = this.recvSignals;
      const ssl = this.service === 'ssl';
      this.net.stats.readCommands++;
      const r = await this.net.channel.command(ssl ? `AT+QSSLRECV=${id},${MAX_READ_BYTES}` : `AT+QIRD=${id},${MAX_READ_BYTES}`, {
        prefix: ssl ? '+QSSLRECV' : '+QIRD',
        timeoutMs: READ_TIMEOUT_MS,
      });
      if (this.state !== 'open') break;
      if (r.final.kind !== 'ok') {
        this.net.closeInModem(id, this);
        this.fail(`read failed: ${r.final.text}`);
        break;
      }
      const data = readPayload(r, ssl);
      if (data === undefined || data.length === 0) {
        // A "recv" URC that raced with this empty read means more data is on its way.
        if (this.recvSignals === signals) this.modemHasData = false;
        continue;
      }
      this.rx.push(data);
      this.rxBytes += data.length;
      this.net.stats.bytesReceived += data.length;
      if (!this.closeRequested) this.options.onReadable?.(this.rxBytes);
    }
    this.reading = false;
    if (this.peerClosed) this.checkDrained();
  }

  /** After the peer closed: once the modem and the local buffer are empty, report and free the ID. */
  private checkDrained(): void {
    if (this.state !== 'open' || this.modemHasData || this.rxBytes > 0 || this.reading) return;
    this.net.closeInModem(this.id as number, this);
    this.fail('closed');
  }
}

function readPayload(r: AtResponse, ssl: boolean): Uint8Array | undefined {
  const line = r.lines[0];
  if (line === undefined) return undefined;
  const header = ssl ? parseQsslrecv(line.text) : parseQird(line.text);
  if (!header.ok) return undefined;
  return line.data ?? new Uint8Array(0);
}

interface OutgoingDatagram {
  readonly bytes: Uint8Array;
  readonly address: string;
  readonly port: number;
}

class ModemDatagram extends ModemConnection implements DatagramSocket {
  private readonly rx: Datagram[] = [];
  private readonly tx: OutgoingDatagram[] = [];

  constructor(net: Bg95Network, private readonly options: DatagramSocketOptions) {
    super(net, 'tcpip', 'datagramsOpened', options.onError);
    const id = this.id;
    if (id === undefined) return;
    const localPort = options.port ?? net.nextEphemeralPort();
    this.armOpenTimer(id);
    // UDP SERVICE: one socket that sends to any address given per AT+QISEND.
    net.channel
      .command(`AT+QIOPEN=${net.contextId},${id},"UDP SERVICE","127.0.0.1",0,${localPort},${ACCESS_BUFFER}`)
      .then((r) => this.openRefused(id, r));
  }

  read(): Datagram | undefined {
    const d = this.rx.shift();
    if (d !== undefined && this.state === 'open' && this.modemHasData) this.pumpRx();
    return d;
  }

  write(bytes: Uint8Array, address: string, port: number): void {
    if (this.state === 'closed' || bytes.length > MAX_DATAGRAM_BYTES) {
      this.net.stats.dropped += bytes.length;
      return;
    }
    this.tx.push({ bytes: bytes.slice(), address, port });
    if (this.state === 'open') this.pumpTx();
  }

  close(): void {
    if (this.state === 'closed') return;
    const wasOpening = this.state === 'opening';
    this.state = 'closed';
    this.clearOpenTimer();
    if (!wasOpening && this.id !== undefined) this.net.closeInModem(this.id, this);
  }

  onOpened(error: number): void {
    if (!this.opened(error)) return;
    if (this.tx.length > 0) this.pumpTx();
    if (this.modemHasData) this.pumpRx();
  }

  onPeerClosed(): void {
    this.fail('closed');
  }

  fail(message: string): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.clearOpenTimer();
    this.options.onError?.(message);
  }

  private async pumpTx(): Promise<void> {
    if (this.sending || this.state !== 'open') return;
    this.sending = true;
    while (this.state === 'open' && this.tx.length > 0) {
      const d = this.tx[0];
      const address = isIpv4(d.address) ? d.address : await this.lookup(d.address);
      if (this.state !== 'open') break;
      if (address === undefined) {
        this.tx.shift();
        this.net.stats.dropped += d.bytes.length;
        continue;
      }
      const r = await this.net.send(`AT+QISEND=${this.id as number},${d.bytes.length},"${address}",${d.port}`, d.bytes);
      if (this.state !== 'open') break;
      this.tx.shift();
      if (r.final.kind !== 'send-ok') this.net.stats.dropped += d.bytes.length;
    }
    this.sending = false;
  }

  private lookup(host: string): Promise<string | undefined> {
    return new Promise((resolve) => this.net.resolve(host, (_e, a) => resolve(a)));
  }

  protected async pumpRx(): Promise<void> {
    if (this.reading || this.state !== 'open') return;
    this.reading = true;
    while (this.state === 'open' && this.modemHasData && this.rx.length < RECEIVE_DATAGRAMS) {
      const id = this.id as number;
      const signals = this.recvSignals;
      this.net.stats.readCommands++;
      const r = await this.net.channel.command(`AT+QIRD=${id},${MAX_READ_BYTES}`, { prefix: '+QIRD', timeoutMs: READ_TIMEOUT_MS });
      if (this.state !== 'open') break;
      const line = r.lines[0];
      const header = line !== undefined ? parseQird(line.text) : undefined;
      if (r.final.kind !== 'ok' || header === undefined || !header.ok || header.value.kind !== 'data') {
        if (r.final.kind !== 'ok') {
          this.net.closeInModem(id, this);
          this.fail(`read failed: ${r.final.text}`);
        } else if (this.recvSignals === signals) {
          this.modemHasData = false;
        }
        continue;
      }
      const h = header.value;
      if (h.length === 0 || line?.data === undefined) {
        if (this.recvSignals === signals) this.modemHasData = false;
        continue;
      }
      this.rx.push({ bytes: line.data, address: h.remoteAddress ?? '', port: h.remotePort ?? 0 });
      this.net.stats.bytesReceived += line.data.length;
      this.options.onReadable?.(this.rx.length);
    }
    this.reading = false;
  }
}
