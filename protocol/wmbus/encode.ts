/**
 * Transmit side, for the simulator and tests: a frame without CRCs (L-field in format-A meaning) →
 * the chip stream a receiver gets after its sync word (the inverse of `decodePhy`).
 */
import { addBlocks } from './blocks';
import { encodeManchester } from './manchester';
import { encode3of6 } from './three-of-six';
import { LinkMode } from './types';

/** EN 13757-4 mode C second sync words (after 0x543D). */
const C1_SYNC_FORMAT_A: readonly number[] = [0x54, 0xcd];
const C1_SYNC_FORMAT_B: readonly number[] = [0x54, 0x3d];

function withPrefix(prefix: readonly number[], body: Uint8Array): Uint8Array {
  const out = new Uint8Array(prefix.length + body.length);
  for (let i = 0; i < prefix.length; i++) out[i] = prefix[i];
  out.set(body, prefix.length);
  return out;
}

/**
 * The stream after the sync word for `mode`. Undefined when the frame cannot be sent that way: shorter
 * than 10 bytes, `frame[0] !== frame.length - 1`, or (C1B) longer than format B allows (L > 251).
 */
export function encodeStream(frame: Uint8Array, mode: LinkMode): Uint8Array | undefined {
  const onAir = addBlocks(frame, mode === 'C1B' ? 'B' : 'A');
  if (onAir === undefined) return undefined;
  switch (mode) {
    case 'T1':
      return encode3of6(onAir);
    case 'S1':
      return encodeManchester(onAir);
    case 'C1A':
      return withPrefix(C1_SYNC_FORMAT_A, onAir);
    case 'C1B':
      return withPrefix(C1_SYNC_FORMAT_B, onAir);
  }
}
