import { addBlocks, onAirLength, stripBlocks } from '../../protocol/wmbus/blocks';
import { bytes, hex, loadCorpus } from './corpus';

const corpus = loadCorpus();
const crcFrames = corpus.filter((e) => e.dll_crc_present);

function frameOfLength(total: number): Uint8Array {
  const f = Uint8Array.from({ length: total }, (_, i) => (i * 37 + 11) & 0xff);
  f[0] = total - 1;
  return f;
}

describe('DLL blocks (EN 13757-4 frame formats A and B)', () => {
  test('the corpus holds two format-A and one format-B frame with CRCs', () => {
    expect(crcFrames.map((e) => e.frame_format).sort()).toEqual(['A', 'A', 'B']);
  });

  test.each(crcFrames.map((e) => [e.frame_format, e.telegram_hex.slice(0, 20), e] as const))(
    'format %s frame %s… verifies and strips to telegram_hex_crc_stripped',
    (format, _head, entry) => {
      const r = stripBlocks(bytes(entry.telegram_hex), format!);
      expect(r.ok).toBe(true);
      if (r.ok) expect(hex(r.frame)).toBe(entry.telegram_hex_crc_stripped!.toLowerCase());
    },
  );

  test('format B L-field counts the CRCs and is rewritten to the format-A meaning by default', () => {
    const entry = crcFrames.find((e) => e.frame_format === 'B')!;
    const onAir = bytes(entry.telegram_hex);
    expect(onAir[0]).toBe(entry.l_field_given);
    const r = stripBlocks(onAir, 'B');
    expect(r.ok && r.frame[0]).toBe(r.ok ? r.frame.length - 1 : -1);
  });

  test('with bFormatLFieldAdaptation false the format-B L-field is kept as received', () => {
    const entry = crcFrames.find((e) => e.frame_format === 'B')!;
    const r = stripBlocks(bytes(entry.telegram_hex), 'B', { bFormatLFieldAdaptation: false });
    expect(r.ok && r.frame[0]).toBe(entry.l_field_given);
  });

  test('a corrupted data byte in a later block is a CRC error', () => {
    const onAir = bytes(crcFrames.find((e) => e.frame_format === 'A')!.telegram_hex);
    onAir[40] ^= 0x01;
    expect(stripBlocks(onAir, 'A')).toEqual({ ok: false, error: 'crc' });
  });

  test('a frame cut short is a length error', () => {
    const onAir = bytes(crcFrames.find((e) => e.frame_format === 'A')!.telegram_hex);
    expect(stripBlocks(onAir.subarray(0, onAir.length - 1), 'A')).toEqual({ ok: false, error: 'length' });
  });

  test('an L-field below 9 is a length error', () => {
    expect(stripBlocks(Uint8Array.of(8, 0x44, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), 'A')).toEqual({ ok: false, error: 'length' });
  });

  test('format A: block 1 of 10 bytes, then 16-byte blocks, each with a CRC', () => {
    expect(onAirLength(9, 'A')).toBe(12);
    expect(onAirLength(10, 'A')).toBe(15);
    expect(onAirLength(25, 'A')).toBe(30);
    expect(onAirLength(26, 'A')).toBe(33);
    expect(onAirLength(115, 'A')).toBe(132);
  });

  test('format B: up to 128 bytes carry one CRC, longer frames two; 129 bytes is impossible', () => {
    expect(onAirLength(11, 'B')).toBe(12);
    expect(onAirLength(127, 'B')).toBe(128);
    expect(onAirLength(128, 'B')).toBe(-1);
    expect(onAirLength(129, 'B')).toBe(130);
    expect(onAirLength(10, 'B')).toBe(-1);
  });

  test('adding blocks inverts stripping for every length, format A', () => {
    for (let total = 10; total <= 256; total++) {
      const frame = frameOfLength(total);
      const r = stripBlocks(addBlocks(frame, 'A')!, 'A');
      expect(r.ok && hex(r.frame)).toBe(hex(frame));
    }
  });

  test('adding blocks inverts stripping for every length format B allows (L up to 251)', () => {
    for (let total = 10; total <= 252; total++) {
      const frame = frameOfLength(total);
      const onAir = addBlocks(frame, 'B')!;
      expect(onAir[0]).toBe(onAir.length - 1);
      const r = stripBlocks(onAir, 'B');
      expect(r.ok && hex(r.frame)).toBe(hex(frame));
    }
    expect(addBlocks(frameOfLength(253), 'B')).toBeUndefined();
  });

  test('the encoder reproduces the corpus format-B frame byte for byte', () => {
    const entry = crcFrames.find((e) => e.frame_format === 'B')!;
    expect(hex(addBlocks(bytes(entry.telegram_hex_crc_stripped!), 'B')!)).toBe(entry.telegram_hex.toLowerCase());
  });

  test('a frame whose L-field disagrees with its length is not encoded', () => {
    const frame = frameOfLength(20);
    frame[0] = 5;
    expect(addBlocks(frame, 'A')).toBeUndefined();
  });
});
