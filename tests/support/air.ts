import { fromHex } from '../../protocol/text/utf8';
import { encodeStream } from '../../protocol/wmbus/encode';
import type { LinkMode } from '../../protocol/wmbus/types';
import type { AirSource, AirTransmission } from '../../sim/drivers/radio';

/** Chip rates of EN 13757-4: T and C modes 100 kchip/s, S mode 32.768 kchip/s (plus the sync word). */
const CHIPS_PER_MS: Readonly<Record<'S1' | 'T1C1', number>> = { S1: 32.768, T1C1: 100 };
const SYNC_CHIPS = 32;

export interface ScriptedTelegram {
  readonly atMs: number;
  readonly frame: Uint8Array;
  readonly mode: LinkMode;
  readonly rssiDbm?: number;
  /** Flips one chip bit so the CRC fails. */
  readonly corrupt?: boolean;
}

/** An air with exactly these telegrams on it, as the CC1101 would deliver them. */
export function scriptedAir(telegrams: readonly ScriptedTelegram[]): AirSource {
  const txs: AirTransmission[] = telegrams.map((t) => {
    const stream = encodeStream(t.frame, t.mode);
    if (stream === undefined) throw new Error('frame cannot be sent in ' + t.mode);
    if (t.corrupt) stream[stream.length - 3] ^= 0x10;
    const phy = t.mode === 'S1' ? 'S1' : 'T1C1';
    return { atMs: t.atMs, phy, stream, rssiDbm: t.rssiDbm ?? -70, durationMs: ((stream.length * 8 + SYNC_CHIPS) / CHIPS_PER_MS[phy]) };
  });
  txs.sort((a, b) => a.atMs - b.atMs);
  return { transmissions: (from, to) => txs.filter((t) => t.atMs >= from && t.atMs < to) };
}

/** A real frame (SEN iPerl water meter, CI 0x7A short header) with its id and length changed. */
export function meterFrame(id: number, length = 25): Uint8Array {
  const base = fromHex('1844ae4c4455223368077a55000000041389e20100023b0000') as Uint8Array;
  const f = new Uint8Array(Math.max(length, base.length));
  f.set(base);
  for (let i = base.length; i < f.length; i++) f[i] = 0x2f;
  f[0] = f.length - 1;
  const digits = String(id).padStart(8, '0');
  for (let b = 0; b < 4; b++) f[4 + b] = parseInt(digits.substr(6 - 2 * b, 2), 16);
  return f;
}
