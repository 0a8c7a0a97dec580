/**
 * sim/moddable/host_bridge.js + host_bridge.c: the Moddable host build's synchronous call to its
 * Node host. sim/moddable/manifest.json lists the module as `host_bridge` and adds this file to
 * mcconfig's TypeScript `types`.
 */
declare module 'host_bridge' {
  /** Sends one framed bridge message (sim/xs/frame.ts) and blocks until the host's reply arrives. */
  export function call(message: ArrayBuffer): ArrayBuffer;
}
