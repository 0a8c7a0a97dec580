import { utf8Decode, utf8Encode } from '../../protocol/text/utf8';
import type { HostBridge, HostTransport } from './types';

/**
 * One bridge message between the XS run and its Node host:
 * [channel length u8][channel UTF-8][virtual time f64 LE][payload].
 * Every call carries the run's virtual time so host services (the SNTP server) can answer in it.
 */
export interface BridgeMessage {
  readonly channel: string;
  readonly virtualMs: number;
  readonly payload: Uint8Array;
}

const TIME_BYTES = 8;

export function encodeBridgeMessage(m: BridgeMessage): Uint8Array {
  const channel = utf8Encode(m.channel);
  const out = new Uint8Array(1 + channel.length + TIME_BYTES + m.payload.length);
  out[0] = channel.length;
  out.set(channel, 1);
  new DataView(out.buffer).setFloat64(1 + channel.length, m.virtualMs, true);
  out.set(m.payload, 1 + channel.length + TIME_BYTES);
  return out;
}

export function decodeBridgeMessage(bytes: Uint8Array): BridgeMessage {
  const n = bytes[0];
  const channel = utf8Decode(bytes, 1, 1 + n);
  const virtualMs = new DataView(bytes.buffer, bytes.byteOffset).getFloat64(1 + n, true);
  return { channel, virtualMs, payload: bytes.slice(1 + n + TIME_BYTES) };
}

/** The bridge over an engine's host call: each call framed with its channel and the virtual time `now()`. */
export function framedBridge(transport: HostTransport, now: () => number): HostBridge {
  return {
    call(channel, request) {
      const m = encodeBridgeMessage({ channel, virtualMs: now(), payload: request });
      return new Uint8Array(transport(m.buffer.slice(m.byteOffset, m.byteOffset + m.byteLength) as ArrayBuffer));
    },
  };
}
