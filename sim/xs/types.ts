/**
 * The XS run's host bridge: inside XS the simulator calls its Node host synchronously. Each call
 * names a channel; the host routes it to the handler registered for it.
 */
export interface HostBridge {
  call(channel: string, request: Uint8Array): Uint8Array;
}

/**
 * The engine's synchronous host call under the bridge: one framed message (`frame.ts`) out, the
 * reply back. xsnap provides `issueCommand`; the Moddable host build provides `host_bridge.call`
 * (sim/moddable/host_bridge.c, over a pipe).
 */
export type HostTransport = (message: ArrayBuffer) => ArrayBuffer;

/** Node side of the bridge: one handler per channel. */
export type HostHandler = (request: Uint8Array) => Promise<Uint8Array>;
