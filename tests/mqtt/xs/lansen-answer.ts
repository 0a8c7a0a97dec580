/**
 * One Lansen / frame-JSON codec request answered as JSON-ready data. The same function runs on Node
 * (in tests/mqtt/lansen-xs.test.ts) and inside XS (bundled by lansen-entry.ts). Only protocol/ code
 * and ECMAScript built-ins here.
 */
import { encodeFrameJson } from '../../../protocol/mqtt/json-frame';
import { decodeFrameJson } from '../../../protocol/mqtt/json-frame-decode';
import { encodeContainer, encodeReady, encodeStatus, type LansenStatus } from '../../../protocol/mqtt/lansen';
import { decodeContainer, decodeReady, decodeStatus } from '../../../protocol/mqtt/lansen-decode';
import { fromHex, toHex, utf8Decode } from '../../../protocol/text/utf8';

export type LansenRequest =
  | { readonly op: 'container'; readonly hex: string }
  | { readonly op: 'wrap'; readonly time: number; readonly rssi: number; readonly hex: string; readonly serial: string }
  | { readonly op: 'status'; readonly status: LansenStatus; readonly serial: string }
  | { readonly op: 'ready'; readonly serial: string; readonly access: number }
  | { readonly op: 'json'; readonly time: number; readonly rssi: number; readonly hex: string; readonly uid: string };

/** JSON with each Uint8Array as hex. */
function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_k, v: unknown) => (v instanceof Uint8Array ? toHex(v) : v)));
}

export function answer(request: LansenRequest): unknown {
  switch (request.op) {
    case 'container': {
      const d = decodeContainer(fromHex(request.hex) ?? new Uint8Array(0));
      if (!d.ok) return d;
      const again = encodeContainer({ time: d.time ?? 0, rssi: d.rssi, frame: d.telegram }, d.serial, {
        access: d.access,
        status: d.status,
        repeater: d.repeater ?? undefined,
        repeaterRssi: d.repeaterRssi ?? undefined,
        receivedAt: d.receivedAt,
      });
      return { decoded: plain(d), again: toHex(again) };
    }
    case 'wrap': {
      const packet = encodeContainer({ time: request.time, rssi: request.rssi, frame: fromHex(request.hex) ?? new Uint8Array(0) }, request.serial);
      return { hex: toHex(packet), decoded: plain(decodeContainer(packet)) };
    }
    case 'status': {
      const packet = encodeStatus(request.status, request.serial);
      return { hex: toHex(packet), decoded: plain(decodeStatus(packet)) };
    }
    case 'ready': {
      const packet = encodeReady(request.serial, { access: request.access });
      return { hex: toHex(packet), decoded: plain(decodeReady(packet)) };
    }
    case 'json': {
      const message = encodeFrameJson({ time: request.time, rssi: request.rssi, frame: fromHex(request.hex) ?? new Uint8Array(0) }, { uid: request.uid });
      return { text: utf8Decode(message), decoded: plain(decodeFrameJson(message)) };
    }
  }
}
