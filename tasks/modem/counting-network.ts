import type {
  DatagramSocket,
  DatagramSocketOptions,
  Network,
  StreamSocket,
  StreamSocketOptions,
} from '../../protocol/ports/network';

/** Bytes a session exchanged with its servers (§5.7 counters, the upload bench). */
export interface ByteCount {
  sent: number;
  received: number;
}

/**
 * A `Network` that counts the bytes the clients write and read (application bytes: TLS runs in
 * the modem, below this layer). Everything else passes through unchanged.
 */
export class CountingNetwork implements Network {
  readonly count: ByteCount = { sent: 0, received: 0 };

  constructor(private readonly inner: Network) {}

  resolve(host: string, callback: (error: string | undefined, address: string | undefined) => void): void {
    this.inner.resolve(host, callback);
  }

  openStream(options: StreamSocketOptions): StreamSocket {
    const socket = this.inner.openStream(options);
    const count = this.count;
    return {
      read(max?: number): Uint8Array | undefined {
        const bytes = socket.read(max);
        if (bytes !== undefined) count.received += bytes.length;
        return bytes;
      },
      write(bytes: Uint8Array): number {
        count.sent += bytes.length;
        return socket.write(bytes);
      },
      close(): void {
        socket.close();
      },
    };
  }

  openDatagram(options: DatagramSocketOptions): DatagramSocket {
    const socket = this.inner.openDatagram(options);
    const count = this.count;
    return {
      read() {
        const d = socket.read();
        if (d !== undefined) count.received += d.bytes.length;
        return d;
      },
      write(bytes: Uint8Array, address: string, port: number): void {
        count.sent += bytes.length;
        socket.write(bytes, address, port);
      },
      close(): void {
        socket.close();
      },
    };
  }
}
