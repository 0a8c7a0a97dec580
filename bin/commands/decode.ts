/** `wmbus decode [--mode t1c1|s1] HEX…`: chip streams after the sync word → one JSON line per stream. */
import { fromHex, toHex } from '../../protocol/text/utf8';
import { parseHeader } from '../../protocol/wmbus/header';
import { decodePhy } from '../../protocol/wmbus/phy';
import type { WmbusPhy } from '../../protocol/wmbus/types';
import { hex2 } from './json';

const USAGE =
  'usage: wmbus decode [--mode t1c1|s1] HEX…  (each HEX is the chip stream after the sync word; quote a stream written with spaces)';
const MODES: Readonly<Record<string, WmbusPhy>> = { t1c1: 'T1C1', s1: 'S1' };
/** Offset of the CI-field after the link layer. */
const CI_OFFSET = 10;

function decodeOne(text: string, phy: WmbusPhy): Record<string, unknown> {
  const stream = fromHex(text);
  if (stream === undefined || stream.length === 0) return { mode: null, crcOk: false, error: 'hex' };
  const r = decodePhy(stream, phy);
  if (!r.ok) return { mode: r.mode ?? null, crcOk: false, error: r.error };
  const line: Record<string, unknown> = { mode: r.mode, crcOk: true, frame: toHex(r.frame) };
  const h = parseHeader(r.frame);
  // A frame whose upper header is cut short still has its link layer: the identity it is recorded under.
  const link = h.ok ? h.header.link : h.link;
  if (link !== undefined) {
    const a = link.address;
    line.manufacturer = a.manufacturer;
    line.id = a.id;
    line.version = hex2(a.version);
    line.deviceType = hex2(a.deviceType);
  }
  line.ci = r.frame.length > CI_OFFSET ? hex2(r.frame[CI_OFFSET]) : null;
  if (!h.ok) line.error = h.error;
  return line;
}

/** Hex digits of one byte, as a stream written `2e 44 33 …` reaches us split by the shell. */
function isOneByte(text: string): boolean {
  return /^[0-9a-fA-F]{2}$/.test(text);
}

/**
 * Each argument is one stream, and a stream may hold spaces when quoted. Arguments that are all
 * single bytes are one stream the shell split at its spaces: no chip stream is one byte long.
 */
function joinSplitBytes(streams: string[]): string[] {
  return streams.length > 1 && streams.every(isOneByte) ? [streams.join(' ')] : streams;
}

export async function run(args: string[]): Promise<number> {
  let phy: WmbusPhy = 'T1C1';
  const streams: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--help' || a === '-h') {
      process.stdout.write(USAGE + '\n');
      return 0;
    }
    if (a === '--mode' || a.startsWith('--mode=')) {
      const value = a === '--mode' ? args[++i] : a.slice('--mode='.length);
      const mode = value === undefined ? undefined : MODES[value.toLowerCase()];
      if (mode === undefined) {
        process.stderr.write(`unknown mode ${value ?? '(missing)'}\n${USAGE}\n`);
        return 2;
      }
      phy = mode;
      continue;
    }
    streams.push(a);
  }
  if (streams.length === 0) {
    process.stderr.write(USAGE + '\n');
    return 2;
  }
  let allOk = true;
  for (const s of joinSplitBytes(streams)) {
    const line = decodeOne(s, phy);
    if (line.crcOk !== true || line.error !== undefined) allOk = false;
    process.stdout.write(JSON.stringify(line) + '\n');
  }
  return allOk ? 0 : 1;
}
