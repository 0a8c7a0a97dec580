import type { Network, StreamSocket, TlsOptions } from '../ports/network';

export interface StreamTarget {
  readonly address: string;
  readonly port: number;
  readonly tls?: TlsOptions;
}

export interface StreamEvents {
  /** Bytes received, in order. */
  onData?(bytes: Uint8Array): void;
  /** The socket is gone (peer closed, reset or failed); fires once, after all received bytes were delivered. */
  onClose?(reason: string): void;
  /** Called whenever bytes move in either direction (for inactivity watchdogs). */
  onProgress?(): void;
}

interface Outgoing {
  readonly bytes: Uint8Array;
  offset: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/**
 * Promise-shaped wrapper over a callback `StreamSocket` (ECMA-419 style): `opened` settles on the
 * first `onWritable`, `send` never writes more than the space the socket last reported free and
 * resolves once its bytes are handed over, reads are drained on every `onReadable`.
 */
export class StreamConnection {
  readonly opened: Promise<void>;
  /** Resolves (never rejects) with the close reason. */
  readonly closed: Promise<string>;
  private socket: StreamSocket | undefined;
  private free = 0;
  private isOpen = false;
  private isClosed = false;
  private readablePending = false;
  private readonly outbox: Outgoing[] = [];
  private settleOpen!: { resolve: () => void; reject: (e: Error) => void };
  private settleClosed!: (reason: string) => void;

  constructor(network: Network, target: StreamTarget, private readonly events: StreamEvents = {}) {
    this.opened = new Promise<void>((resolve, reject) => (this.settleOpen = { resolve, reject }));
    this.opened.catch(() => undefined);
    this.closed = new Promise<string>((resolve) => (this.settleClosed = resolve));
    const socket = network.openStream({
      address: target.address,
      port: target.port,
      ...(target.tls ? { tls: target.tls } : {}),
      onWritable: (bytesFree) => this.writable(bytesFree),
      onReadable: () => this.readable(),
      onError: (message) => this.failed(message),
    });
    this.socket = socket;
    if (this.readablePending) this.readable();
    this.pump();
  }

  get isConnected(): boolean {
    return this.isOpen && !this.isClosed;
  }

  /** Queues bytes; resolves once all are handed to the socket, rejects if it closes first. */
  send(bytes: Uint8Array): Promise<void> {
    if (this.isClosed) return Promise.reject(new Error('socket closed'));
    return new Promise<void>((resolve, reject) => {
      this.outbox.push({ bytes, offset: 0, resolve, reject });
      this.pump();
    });
  }

  /** Closes the socket (the socket layer flushes what it already accepted). */
  close(reason = 'closed locally'): void {
    if (this.isClosed) return;
    this.socket?.close();
    this.shutdown(reason);
  }

  private writable(bytesFree: number): void {
    this.free = bytesFree;
    if (!this.isOpen && !this.isClosed) {
      this.isOpen = true;
      this.settleOpen.resolve();
    } else {
      this.events.onProgress?.();
    }
    this.pump();
  }

  private pump(): void {
    const socket = this.socket;
    if (!socket || !this.isOpen || this.isClosed) return;
    while (this.outbox.length > 0 && this.free > 0) {
      const out = this.outbox[0];
      const n = Math.min(this.free, out.bytes.length - out.offset);
      this.free = socket.write(out.bytes.subarray(out.offset, out.offset + n));
      out.offset += n;
      if (out.offset === out.bytes.length) {
        this.outbox.shift();
        out.resolve();
      }
    }
    if (this.outbox.length > 0 && this.outbox[0].bytes.length === 0) this.outbox.shift()?.resolve();
  }

  private readable(): void {
    const socket = this.socket;
    if (!socket) {
      this.readablePending = true;
      return;
    }
    this.readablePending = false;
    for (;;) {
      const bytes = socket.read();
      if (!bytes || bytes.length === 0) break;
      this.events.onProgress?.();
      this.events.onData?.(bytes);
    }
  }

  private failed(message: string): void {
    if (this.isClosed) return;
    if (this.socket) this.readable();
    this.shutdown(message);
  }

  private shutdown(reason: string): void {
    if (this.isClosed) return;
    this.isClosed = true;
    const error = new Error(reason);
    if (!this.isOpen) this.settleOpen.reject(error);
    for (const out of this.outbox.splice(0)) out.reject(error);
    this.settleClosed(reason);
    this.events.onClose?.(reason);
  }
}
