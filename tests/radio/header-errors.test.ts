import { encodeStream } from '../../protocol/wmbus/encode';
import { IDENTITY_BYTES } from '../../protocol/wmbus/identity';
import { zeroCounters, type RadioCounters } from '../../tasks/counters';
import { whitelistTable, WindowFilter, type RecordingRules } from '../../tasks/radio/filter';
import { ReceivePath, type ReceiveSettings } from '../../tasks/radio/receive';
import type { FrameRecord } from '../../tasks/store/types';
import { bytes, hex } from '../wmbus/corpus';

/**
 * Issue 13 item 1, "forward every valid frame": a CRC-valid frame whose upper header is cut short
 * is stored raw under its DLL identity whenever the filters can be decided on that identity.
 * The frames are corpus telegrams cut after their DLL and re-encoded, so the encoder computes
 * their block CRCs again (EN 13757-4 format A).
 */

/** Corpus: EE4D (SON) meter 12345678, short TPL header (CI 0x7A, then ACC 8F, status, CF). */
const SHORT_TPL = bytes('a244ee4d785634123c067a8f0000000c1348550000426ce1f14c1300');
/** Corpus: DLL 2324 (HYD) 81100028 v64 t0E carrying a long TPL header of A511 (DME) 64745666 v70 t07. */
const LONG_TPL = bytes('6644242328001081640e7266567464a51170071f0050052c411a0867');
const SHORT_TPL_DLL_IDENTITY = 'ee4d785634123c06';
const LONG_TPL_DLL_IDENTITY = '242328001081640e';

/** The first `n` bytes of a frame with its L-field set to match. */
function cut(frame: Uint8Array, n: number): Uint8Array {
  const f = frame.slice(0, n);
  f[0] = n - 1;
  return f;
}

/** The short header (4 bytes after CI 0x7A) cut after its access number. */
const CUT_SHORT = cut(SHORT_TPL, 12);
/** The long header (8 address bytes + 4 after CI 0x72) cut inside its address. */
const CUT_LONG = cut(LONG_TPL, 15);

interface Bench {
  readonly receive: ReceivePath;
  readonly counters: RadioCounters;
  readonly stored: FrameRecord[];
}

function bench(rules: Partial<RecordingRules> = {}, longHeader = true, listed: Uint8Array[] = []): Bench {
  const packed = new Uint8Array(listed.length * IDENTITY_BYTES);
  listed.forEach((l, i) => packed.set(l, i * IDENTITY_BYTES));
  const filter = new WindowFilter({ manufFilter: [], mediumFilter: [], whitelist: whitelistTable(packed), mask: {}, ...rules });
  const settings: ReceiveSettings = { phy: 'T1C1', t1Only: false, bFormatLFieldAdaptation: true, longHeader };
  const stored: FrameRecord[] = [];
  const counters = zeroCounters().radio;
  return { receive: new ReceivePath(settings, filter, { append: (r) => stored.push(r) }, counters), counters, stored };
}

/** The frame as a T1 transceiver delivers it, block CRCs computed by the project's encoder. */
function chips(frame: Uint8Array): Uint8Array {
  const stream = encodeStream(frame, 'T1');
  if (stream === undefined) throw new Error('frame cannot be sent in T1');
  return stream;
}

describe('a CRC-valid frame with a malformed upper header', () => {
  test('is stored raw with no filter active and counted apart from well-formed ones', () => {
    const b = bench();
    expect(b.receive.onPacket(chips(CUT_SHORT), -71, 1_000_000)).toBe(true);
    expect(b.stored.map((r) => hex(r.frame))).toEqual([hex(CUT_SHORT)]);
    expect(b.counters).toMatchObject({ frames: 1, recorded: 1, headerErrors: 1, decodeErrors: 0 });
  });

  test('a well-formed frame is recorded without counting a header error', () => {
    const b = bench();
    expect(b.receive.onPacket(chips(cut(SHORT_TPL, SHORT_TPL.length)), -71, 1_000_000)).toBe(true);
    expect(b.counters).toMatchObject({ recorded: 1, headerErrors: 0 });
  });

  test('a cut long TPL header is stored with no filter active, although its identity would be the TPL one', () => {
    const b = bench();
    expect(b.receive.onPacket(chips(CUT_LONG), -71, 1_000_000)).toBe(true);
    expect(b.counters).toMatchObject({ recorded: 1, headerErrors: 1 });
  });

  test('with a filter on and longHeader on, a cut long TPL header cannot be judged and is a decode error', () => {
    const b = bench({ manufFilter: [Uint8Array.of(0x24, 0x23)] });
    expect(b.receive.onPacket(chips(CUT_LONG), -71, 1_000_000)).toBe(false);
    expect(b.stored).toEqual([]);
    expect(b.counters).toMatchObject({ recorded: 0, headerErrors: 0, decodeErrors: 1 });
  });

  test('with longHeader off the filters judge the DLL identity of a cut long TPL header', () => {
    const kept = bench({ manufFilter: [Uint8Array.of(0x24, 0x23)] }, false);
    expect(kept.receive.onPacket(chips(CUT_LONG), -71, 1_000_000)).toBe(true);
    expect(kept.counters).toMatchObject({ recorded: 1, headerErrors: 1 });
    const other = bench({ manufFilter: [Uint8Array.of(0xa5, 0x11)] }, false);
    expect(other.receive.onPacket(chips(CUT_LONG), -71, 1_000_000)).toBe(false);
    expect(other.counters).toMatchObject({ recorded: 0, filtered: 1, decodeErrors: 0 });
  });

  test('a cut short TPL header is judged on its DLL identity by the white list, longHeader on', () => {
    const listed = bench({}, true, [bytes(SHORT_TPL_DLL_IDENTITY)]);
    expect(listed.receive.onPacket(chips(CUT_SHORT), -71, 1_000_000)).toBe(true);
    expect(listed.counters).toMatchObject({ recorded: 1, headerErrors: 1 });
    const unlisted = bench({}, true, [bytes(LONG_TPL_DLL_IDENTITY)]);
    expect(unlisted.receive.onPacket(chips(CUT_SHORT), -71, 1_000_000)).toBe(false);
    expect(unlisted.counters).toMatchObject({ recorded: 0, filtered: 1 });
  });
});
