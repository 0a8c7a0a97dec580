import { filterIdentity, parseHeader } from '../../protocol/wmbus/header';
import { IDENTITY_BYTES } from '../../protocol/wmbus/identity';
import type { HeaderOptions } from '../../protocol/wmbus/types';
import { bytes, crcFreeCorpusFrames } from './corpus';
import { steeredFrames } from './steered-frames';

/** The radio task's lean identity must agree with parseHeader on every frame, good or bad. */
const OPTIONS: readonly HeaderOptions[] = [{}, { longHeader: false }, { ellPlaintext: true }, { longHeader: false, ellPlaintext: true }];

/** `undefined` when both agree, else a description of the first disagreement. */
function disagreement(frame: Uint8Array, options: HeaderOptions): string | undefined {
  const out = new Uint8Array(IDENTITY_BYTES).fill(0xee);
  const lean = filterIdentity(frame, out, options);
  const full = parseHeader(frame, options);
  const expected = full.ok ? full.header.identitySource : full.error;
  if (lean !== expected) return `${Buffer.from(frame).toString('hex')}: ${lean} instead of ${expected}`;
  if (full.ok && Buffer.compare(Buffer.from(out), Buffer.from(full.header.identity)) !== 0) {
    return `${Buffer.from(frame).toString('hex')}: identity ${Buffer.from(out).toString('hex')}`;
  }
  return undefined;
}

function disagreements(frames: Iterable<Uint8Array>): string[] {
  const found: string[] = [];
  for (const f of frames) {
    for (const o of OPTIONS) {
      const d = disagreement(f, o);
      if (d !== undefined) found.push(d);
    }
  }
  return found;
}

describe('filterIdentity, the hot-path identity', () => {
  const corpus = crcFreeCorpusFrames();

  test('agrees with parseHeader on the 352 corpus telegrams (identity and its source)', () => {
    expect(corpus.length).toBe(352);
    expect(disagreements(corpus)).toEqual([]);
  });

  test('takes the identity from a long TPL header unless longHeader is false', () => {
    // CI 0x72 long header: id 78563412, M 0x2c2d, version 0x01, type 0x07.
    const frame = bytes('1e44ae4c9999999999997278563412' + '2d2c0107' + '00000000' + '0102030405060708090a0b');
    frame[0] = frame.length - 1;
    const out = new Uint8Array(IDENTITY_BYTES);
    expect(filterIdentity(frame, out)).toBe('tpl');
    expect(Buffer.from(out).toString('hex')).toBe('2d2c785634120107');
    expect(filterIdentity(frame, out, { longHeader: false })).toBe('dll');
    expect(Buffer.from(out).toString('hex')).toBe('ae4c999999999999');
  });

  test('fails like parseHeader on every truncation of every corpus telegram', () => {
    const prefixes = corpus.flatMap((f) => Array.from({ length: f.length + 1 }, (_, n) => f.subarray(0, n)));
    expect(disagreements(prefixes)).toEqual([]);
  });

  test('agrees on 20 000 random frames steered through ELL, AFL and TPL headers', () => {
    const frames = steeredFrames(0x1d, 20_000);
    expect(disagreements(frames)).toEqual([]);
  });
});
