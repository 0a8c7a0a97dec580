import { encodeStream } from '../../protocol/wmbus/encode';
import { PHY_HEAD_BYTES, decodePhy, errorClass, packetLength, phyOfMode } from '../../protocol/wmbus/phy';
import type { LinkMode } from '../../protocol/wmbus/types';
import { SeededRandom } from '../../sim/world/random';
import { bytes, hex, loadCorpus, storedFrames } from './corpus';
import { referenceDecode } from './reference';

const MODES: readonly LinkMode[] = ['T1', 'C1A', 'C1B', 'S1'];
const frames = storedFrames(loadCorpus());

function syntheticFrame(l: number): Uint8Array {
  const f = Uint8Array.from({ length: l + 1 }, (_, i) => (i * 151 + 7) & 0xff);
  f.set([l, 0x44, 0xee, 0x4d, 0x78, 0x56, 0x34, 0x12, 0x3c, 0x07]);
  return f;
}

function maxL(mode: LinkMode): number {
  return mode === 'C1B' ? 251 : 255;
}

describe('PHY streams after the sync word', () => {
  test.each(MODES)('%s: every L from 9 to the format maximum survives encode → decode', (mode) => {
    for (let l = 9; l <= maxL(mode); l++) {
      const frame = syntheticFrame(l);
      const r = decodePhy(encodeStream(frame, mode)!, phyOfMode(mode));
      expect(r).toEqual({ ok: true, mode, frame, format: mode === 'C1B' ? 'B' : 'A' });
    }
  });

  test.each(MODES)('%s: packetLength from the first 4 bytes equals the stream length for every L', (mode) => {
    for (let l = 9; l <= maxL(mode); l++) {
      const stream = encodeStream(syntheticFrame(l), mode)!;
      expect(packetLength(stream.subarray(0, PHY_HEAD_BYTES), phyOfMode(mode))).toBe(stream.length);
    }
  });

  test.each(MODES)('%s: every stored corpus frame round-trips', (mode) => {
    let n = 0;
    for (const frame of frames) {
      if (frame[0] > maxL(mode)) continue;
      const r = decodePhy(encodeStream(frame, mode)!, phyOfMode(mode));
      expect(r.ok && hex(r.frame)).toBe(hex(frame));
      n++;
    }
    expect(n).toBeGreaterThan(300);
  });

  test('C1 streams start with the second sync word 0x54CD (format A) or 0x543D (format B)', () => {
    const frame = syntheticFrame(40);
    expect(Array.from(encodeStream(frame, 'C1A')!.subarray(0, 2))).toEqual([0x54, 0xcd]);
    expect(Array.from(encodeStream(frame, 'C1B')!.subarray(0, 2))).toEqual([0x54, 0x3d]);
  });

  test('in T1+C1 a stream without a C1 second sync word is read as T1 3-of-6 chips', () => {
    const r = decodePhy(encodeStream(syntheticFrame(30), 'T1')!, 'T1C1');
    expect(r.ok && r.mode).toBe('T1');
  });

  test('0x54 followed by anything but 0xCD or 0x3D is a sync error', () => {
    expect(decodePhy(Uint8Array.of(0x54, 0x00, 0x1e, 0x44), 'T1C1')).toEqual({ ok: false, error: 'sync' });
    expect(packetLength(Uint8Array.of(0x54, 0x00, 0x1e, 0x44))).toBe(-1);
  });

  test('a C1 format-B L-field keeps its on-air value (L + 4 CRC bytes) when adaptation is off', () => {
    const frame = syntheticFrame(200);
    const r = decodePhy(encodeStream(frame, 'C1B')!, 'T1C1', { bFormatLFieldAdaptation: false });
    expect(r.ok && r.frame[0]).toBe(204);
  });

  test('a real format-B corpus frame behind 0x543D decodes as C1B', () => {
    const entry = loadCorpus().find((e) => e.frame_format === 'B')!;
    const stream = Uint8Array.from([0x54, 0x3d, ...bytes(entry.telegram_hex)]);
    const r = decodePhy(stream, 'T1C1');
    expect(r.ok && [r.mode, hex(r.frame)]).toEqual(['C1B', entry.telegram_hex_crc_stripped!.toLowerCase()]);
  });

  test('a stream shorter than its L-field announces is a length error', () => {
    const stream = encodeStream(syntheticFrame(60), 'T1')!;
    expect(decodePhy(stream.subarray(0, stream.length - 1), 'T1C1')).toEqual({ ok: false, error: 'length', mode: 'T1' });
  });

  test('an invalid 3-of-6 code word is a 3of6 error, an invalid Manchester pair a manchester error', () => {
    const t1 = encodeStream(syntheticFrame(20), 'T1')!;
    t1[5] = 0xff;
    expect(decodePhy(t1, 'T1C1')).toMatchObject({ ok: false, error: '3of6' });
    const s1 = encodeStream(syntheticFrame(20), 'S1')!;
    s1[7] = 0xff;
    expect(decodePhy(s1, 'S1')).toMatchObject({ ok: false, error: 'manchester' });
  });

  test('a flipped bit in a C1 payload is a CRC error', () => {
    const c1 = encodeStream(syntheticFrame(20), 'C1A')!;
    c1[20] ^= 0x40;
    expect(decodePhy(c1, 'T1C1')).toEqual({ ok: false, error: 'crc', mode: 'C1A' });
  });

  test('an empty stream is a length error and never throws', () => {
    expect(decodePhy(new Uint8Array(0), 'T1C1')).toMatchObject({ ok: false, error: 'length' });
    expect(decodePhy(new Uint8Array(0), 'S1')).toMatchObject({ ok: false, error: 'length' });
    expect(packetLength(new Uint8Array(0))).toBe(-1);
  });

  test('errors fall into the decode, length and CRC counters', () => {
    expect(['sync', '3of6', 'manchester', 'length', 'crc'].map((e) => errorClass(e as never))).toEqual([
      'decode', 'decode', 'decode', 'length', 'crc',
    ]);
  });

  test('random bit flips (seeded, 4000 streams) never yield an ok frame the reference CRC check rejects', () => {
    const random = new SeededRandom(0x5eed);
    const seen: Record<string, number> = {};
    for (let trial = 0; trial < 4000; trial++) {
      const mode = MODES[random.int(0, 3)];
      let frame = frames[random.int(0, frames.length - 1)];
      if (frame[0] > maxL(mode)) frame = syntheticFrame(100);
      const stream = encodeStream(frame, mode)!;
      const flips = random.int(1, 4);
      for (let f = 0; f < flips; f++) stream[random.int(0, stream.length - 1)] ^= 1 << random.int(0, 7);
      const r = decodePhy(stream, phyOfMode(mode));
      const key = r.ok ? 'ok' : r.error;
      seen[key] = (seen[key] ?? 0) + 1;
      if (r.ok) {
        const reference = referenceDecode(stream, r.mode);
        expect(reference).toBeDefined();
        expect(hex(r.frame)).toBe(hex(Uint8Array.from(reference!)));
      }
    }
    expect(Object.keys(seen).sort()).toEqual(expect.arrayContaining(['3of6', 'crc', 'manchester']));
  });
});
