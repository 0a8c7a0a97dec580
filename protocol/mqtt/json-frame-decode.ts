/**
 * Reads back the JSON frame message json-frame.ts writes, for the tests and the simulator (the
 * device only writes it, so this module is not in its image). Never throws: a message that is not
 * JSON, or lacks a field of `FrameJson`, gives `{ ok: false, error }`.
 */
import { utf8Decode } from '../text/utf8';
import type { FrameJson } from './json-frame';

export type FrameJsonResult = { readonly ok: true; readonly value: FrameJson } | { readonly ok: false; readonly error: string };

function isNullable(v: unknown, type: 'string' | 'number'): boolean {
  return v === null || typeof v === type;
}

/** Reads a message back; never throws. */
export function decodeFrameJson(bytes: Uint8Array): FrameJsonResult {
  let value: unknown;
  try {
    value = JSON.parse(utf8Decode(bytes));
  } catch (e) {
    return { ok: false, error: `not JSON: ${(e as Error).message}` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false, error: 'not a JSON object' };
  const o = value as Record<string, unknown>;
  const ok =
    isNullable(o.id, 'string') &&
    isNullable(o.manufacturer, 'string') &&
    isNullable(o.version, 'number') &&
    isNullable(o.type, 'number') &&
    typeof o.rssi === 'number' &&
    typeof o.time === 'string' &&
    isNullable(o.ci, 'number') &&
    typeof o.frame === 'string' &&
    typeof o.gateway === 'string';
  if (!ok) return { ok: false, error: 'a field is missing or of the wrong type' };
  return {
    ok: true,
    value: {
      id: o.id as string | null,
      manufacturer: o.manufacturer as string | null,
      version: o.version as number | null,
      type: o.type as number | null,
      rssi: o.rssi as number,
      time: o.time as string,
      ci: o.ci as number | null,
      frame: o.frame as string,
      gateway: o.gateway as string,
    },
  };
}
