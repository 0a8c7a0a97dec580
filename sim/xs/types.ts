/**
 * The XS run's host bridge: inside xsnap the simulator calls the Node host synchronously through
 * `issueCommand`. Each call names a channel; the host routes it to the handler registered for it.
 */
export interface HostBridge {
  call(channel: string, request: Uint8Array): Uint8Array;
}

/** Node side of the bridge: one handler per channel. */
export type HostHandler = (request: Uint8Array) => Promise<Uint8Array>;
