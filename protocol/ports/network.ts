/**
 * Sockets shaped like ECMA-419 `embedded:io/socket/*`: callback-driven, non-blocking.
 * The modem's socket service implements them; protocol clients (FTP, SNTP, MQTT) take them.
 */
export interface SocketCallbacks {
  /** Bytes are waiting to be read. */
  onReadable?(bytesAvailable: number): void;
  /** The connection is open (first call) or more output space is free. */
  onWritable?(bytesFree: number): void;
  /** The connection failed or dropped; the socket is closed. */
  onError?(message: string): void;
}

/**
 * Start of the error a socket reports when the server's certificate does not verify against the
 * CA it was given: a person must store the right CA, a retry cannot help.
 */
export const TLS_CERTIFICATE_REJECTED = 'TLS: the server certificate does not verify';

export interface TlsOptions {
  /** Server name for SNI and certificate checks. */
  readonly serverName?: string;
  /** CA certificate (DER or PEM bytes) stored by the `certificate` command; absent = no verification. */
  readonly ca?: Uint8Array;
}

export interface StreamSocketOptions extends SocketCallbacks {
  readonly address: string;
  readonly port: number;
  /** Present for TLS over the modem's SSL socket service. */
  readonly tls?: TlsOptions;
}

export interface StreamSocket {
  /** Up to `max` bytes already received, or undefined when none is waiting. */
  read(max?: number): Uint8Array | undefined;
  /** Queues bytes for sending; returns the output space still free after them. */
  write(bytes: Uint8Array): number;
  close(): void;
}

export interface DatagramSocketOptions {
  readonly port?: number;
  onReadable?(packets: number): void;
  onError?(message: string): void;
}

export interface Datagram {
  readonly bytes: Uint8Array;
  readonly address: string;
  readonly port: number;
}

export interface DatagramSocket {
  read(): Datagram | undefined;
  write(bytes: Uint8Array, address: string, port: number): void;
  close(): void;
}

/** The network stack a client gets (over the modem on the device, over the emulator in the simulator). */
export interface Network {
  /** DNS lookup; `address` is a dotted IPv4 string. */
  resolve(host: string, callback: (error: string | undefined, address: string | undefined) => void): void;
  openStream(options: StreamSocketOptions): StreamSocket;
  openDatagram(options: DatagramSocketOptions): DatagramSocket;
}
