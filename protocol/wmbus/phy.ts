/**
 * The chip stream a sub-GHz transceiver delivers after its sync word, for the two receiver settings:
 * - S1 (sync 0x547696): Manchester chips of a format-A frame;
 * - T1+C1 (sync 0x543D, shared channel and chip rate): either T1 "3 out of 6" chips of a format-A frame,
 *   or a C1 second sync word, 0x54CD for format A / 0x543D for format B, followed by the NRZ bytes.
 * A stream starting with 0x54 cannot be T1: 0x54 begins with the chips 010101, which is no 3-of-6 code word.
 */
import { MAX_ON_AIR_BYTES, onAirLength, stripBlocks } from './blocks';
import { PORTABLE_KERNELS } from './kernels';
import { chipBytesManchester, decodeManchesterFirst } from './manchester';
import { chipBytes3of6, decode3of6First } from './three-of-six';
import { FrameFormat, LinkMode, PhyOptions, PhyResult, WmbusError, WmbusErrorClass, WmbusPhy } from './types';

/** Head bytes needed by `packetLength` (matches RADIO_HEAD_BYTES of the radio driver). */
export const PHY_HEAD_BYTES = 4;

/** EN 13757-4 mode C: second sync word after 0x543D, first byte. */
const C1_SYNC_FIRST = 0x54;
const C1_SYNC_FORMAT_A = 0xcd;
const C1_SYNC_FORMAT_B = 0x3d;
const C1_SYNC_BYTES = 2;

/** C1 format of a T1+C1 stream from its second sync word, or undefined when it is not C1. */
function c1Format(stream: Uint8Array): FrameFormat | 'bad' | undefined {
  if (stream.length < C1_SYNC_BYTES || stream[0] !== C1_SYNC_FIRST) return undefined;
  if (stream[1] === C1_SYNC_FORMAT_A) return 'A';
  if (stream[1] === C1_SYNC_FORMAT_B) return 'B';
  return 'bad';
}

/**
 * Total chip bytes of the packet after the sync word, from its first bytes (`PHY_HEAD_BYTES` are enough),
 * or -1 when the head cannot start a valid frame. This is what the driver programs as packet length.
 */
export function packetLength(head: Uint8Array, phy: WmbusPhy = 'T1C1'): number {
  if (phy === 'S1') {
    const total = onAirLength(decodeManchesterFirst(head), 'A');
    return total < 0 ? -1 : chipBytesManchester(total);
  }
  const format = c1Format(head);
  if (format === 'bad') return -1;
  if (format !== undefined) {
    if (head.length <= C1_SYNC_BYTES) return -1;
    const total = onAirLength(head[C1_SYNC_BYTES], format);
    return total < 0 ? -1 : C1_SYNC_BYTES + total;
  }
  const total = onAirLength(decode3of6First(head), 'A');
  return total < 0 ? -1 : chipBytes3of6(total);
}

function decodeChips(
  stream: Uint8Array,
  mode: 'T1' | 'S1',
  options: PhyOptions | undefined,
): PhyResult {
  const isT1 = mode === 'T1';
  const codeError: WmbusError = isT1 ? '3of6' : 'manchester';
  if (stream.length < 2) return { ok: false, error: 'length', mode };
  const lField = isT1 ? decode3of6First(stream) : decodeManchesterFirst(stream);
  if (lField < 0) return { ok: false, error: codeError, mode };
  const total = onAirLength(lField, 'A');
  if (total < 0) return { ok: false, error: 'length', mode };
  const chipBytes = isT1 ? chipBytes3of6(total) : chipBytesManchester(total);
  if (stream.length < chipBytes) return { ok: false, error: 'length', mode };
  const k = options?.kernels ?? PORTABLE_KERNELS;
  const scratch = options?.scratch;
  // stripBlocks reads the frame from the start of onAir and copies it out, so a reused buffer will do.
  const onAir = scratch !== undefined && scratch.length >= MAX_ON_AIR_BYTES ? scratch : new Uint8Array(total);
  const decoded = isT1 ? k.decode3of6(stream, onAir, total, 0) : k.decodeManchester(stream, onAir, total, 0);
  if (!decoded) return { ok: false, error: codeError, mode };
  const blocks = stripBlocks(onAir, 'A', options);
  if (!blocks.ok) return { ok: false, error: blocks.error, mode };
  return { ok: true, mode, frame: blocks.frame, format: 'A' };
}

/**
 * Decodes the chip stream after the sync word: chip decoding, block CRCs checked and removed, format-B
 * L-field adapted (unless `bFormatLFieldAdaptation` is false). Never throws.
 */
export function decodePhy(stream: Uint8Array, phy: WmbusPhy, options?: PhyOptions): PhyResult {
  if (phy === 'S1') return decodeChips(stream, 'S1', options);
  const format = c1Format(stream);
  if (format === 'bad') return { ok: false, error: 'sync' };
  if (format === undefined) return decodeChips(stream, 'T1', options);
  const mode: LinkMode = format === 'A' ? 'C1A' : 'C1B';
  const blocks = stripBlocks(stream.subarray(C1_SYNC_BYTES), format, options);
  if (!blocks.ok) return { ok: false, error: blocks.error, mode };
  return { ok: true, mode, frame: blocks.frame, format };
}

/** Which bad-packet counter an error belongs to. */
export function errorClass(error: WmbusError): WmbusErrorClass {
  if (error === 'crc') return 'crc';
  if (error === 'length') return 'length';
  return 'decode';
}

/** The receiver setting that hears a link mode. */
export function phyOfMode(mode: LinkMode): WmbusPhy {
  return mode === 'S1' ? 'S1' : 'T1C1';
}
