/**
 * One MQTT codec request answered as JSON-ready data. The same function runs on Node (in the test)
 * and inside XS (bundled by entry.ts), so the two answers can be compared field for field. Only
 * protocol/ code and ECMAScript built-ins here.
 */
import { fullMqttDecoder } from '../../../protocol/mqtt/decode-server';
import { MqttDecoder } from '../../../protocol/mqtt/decoder';
import { MqttEncodeError, encodeMqtt } from '../../../protocol/mqtt/encode';
import type { MqttPacket } from '../../../protocol/mqtt/types';
import { fromHex, toHex } from '../../../protocol/text/utf8';

/** `device`: decode with the device's MqttDecoder (the packets a server sends), else with one of every type. */
export type MqttRequest =
  | { readonly op: 'encode'; readonly packet: string }
  | { readonly op: 'decode'; readonly hex: string; readonly chunk: number; readonly max: number; readonly device?: boolean };

const BYTES = '$bytes';

/** JSON with each Uint8Array as `{ "$bytes": hex }`. */
export function packetJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (v instanceof Uint8Array ? { [BYTES]: toHex(v) } : v));
}

function parsePacket(text: string): MqttPacket {
  return JSON.parse(text, (_k, v: unknown) => {
    if (v !== null && typeof v === 'object' && BYTES in v) return fromHex((v as Record<string, string>)[BYTES]);
    return v;
  }) as MqttPacket;
}

export function answer(request: MqttRequest): unknown {
  if (request.op === 'encode') {
    try {
      return { ok: true, hex: toHex(encodeMqtt(parsePacket(request.packet))) };
    } catch (e) {
      return { ok: false, encodeError: e instanceof MqttEncodeError, name: (e as Error).name, error: (e as Error).message };
    }
  }
  const bytes = fromHex(request.hex) ?? new Uint8Array(0);
  const decoder = request.device === true ? new MqttDecoder({ maxPacketSize: request.max }) : fullMqttDecoder(request.max);
  const results: unknown[] = [];
  for (let i = 0; i < bytes.length; i += request.chunk) {
    const r = decoder.push(bytes.subarray(i, i + request.chunk));
    if (r.packets.length > 0 || !r.ok) results.push(JSON.parse(packetJson(r)));
  }
  return { results, stats: decoder.stats };
}
