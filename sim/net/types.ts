/**
 * Real sockets the simulator bridges emulated modem sockets to. Operations return at once; their
 * outcomes (connected, bytes, peer closed, errors, DNS answers) are collected and handed over by
 * `settle`, which the world loop awaits before advancing virtual time (see `HostIo` in
 * sim/world/world.ts). Node implements it directly (`host-sockets.node.ts`); the XS run reaches the
 * Node implementation through the host bridge (`host-sockets.bridge.ts`).
 */
export type HostSocketId = number;

export interface HostTlsRequest {
  /** SNI and the name the certificate must match; absent: no SNI, the address is checked. */
  readonly serverName?: string;
  /** Trusted CA (PEM or DER); absent with `verify`: the platform's default roots. */
  readonly ca?: Uint8Array;
  /** Reject a server whose certificate does not verify. */
  readonly verify: boolean;
}

export interface HostStreamRequest {
  readonly host: string;
  readonly port: number;
  readonly tls?: HostTlsRequest;
}

export type HostSocketEvent =
  | { readonly type: 'open'; readonly id: HostSocketId }
  | { readonly type: 'data'; readonly id: HostSocketId; readonly bytes: Uint8Array; readonly address?: string; readonly port?: number }
  /** The peer closed its side (TCP FIN / TLS close_notify). */
  | { readonly type: 'end'; readonly id: HostSocketId }
  /** Connect failure, reset, certificate rejection; the socket is gone. */
  | { readonly type: 'error'; readonly id: HostSocketId; readonly message: string }
  | { readonly type: 'resolved'; readonly id: HostSocketId; readonly address?: string; readonly error?: string };

export interface HostSockets {
  openStream(request: HostStreamRequest): HostSocketId;
  /** A UDP socket bound to an ephemeral local port. */
  openDatagram(): HostSocketId;
  /** DNS lookup (IPv4); the answer comes as a `resolved` event with the returned id. */
  resolve(host: string): HostSocketId;
  /** Stream: bytes in order. Datagram: one datagram to `address:port`. */
  send(id: HostSocketId, bytes: Uint8Array, address?: string, port?: number): void;
  close(id: HostSocketId): void;
  /** True while real I/O may still produce events: operations in flight, replies owed, uncollected events, recent traffic. */
  busy(): boolean;
  /** Connections currently open (a peer may still send). */
  openCount(): number;
  /**
   * Waits in real time until operations in flight have answered, every reply the local servers owe
   * for what was sent has arrived (sim/servers/replies-owed.ts) and traffic has been quiet for a
   * short interval, then returns the events collected since the last call, in arrival order. It
   * throws, naming the reply, when a server hangs; it never returns with a reply still owed.
   */
  settle(): Promise<HostSocketEvent[]>;
  /** A local FTP server listens on `port`: a connection to it owes the greeting from the connect. */
  ftpServer?(port: number): void;
  /** Closes every socket (end of a run). */
  closeAll(): void;
}
