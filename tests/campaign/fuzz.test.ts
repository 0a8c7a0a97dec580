/** The campaign's fuzzer: every parser the device feeds from outside, held to its contract. */
import { fuzzInput, fuzzTargets, runFuzz, type FuzzTarget } from '../../sim/campaign/fuzz';
import { createRandom } from '../../sim/world/random';
import { decodePhy } from '../../protocol/wmbus/phy';
import { decodeBson } from '../../protocol/bson/decode';
import { crcFreeCorpusFrames } from '../wmbus/corpus';

const telegrams = crcFreeCorpusFrames();
let tick = 0;
const steadyClock = (): number => tick;

describe('the fuzzer', () => {
  test('covers every input the device parses', () => {
    expect(fuzzTargets(telegrams).map((t) => t.name)).toEqual([
      'radio chip stream (T1/C1)',
      'radio chip stream (S1)',
      'wM-Bus frame header',
      'BSON file',
      'configuration file',
      'white-list file',
      'command file',
      'AT reply stream',
      'AT reply line',
      'FTP reply',
      'SNTP packet',
      'MQTT packet stream',
      'SMS (list and command)',
      'firmware image header',
    ]);
  });

  test('starts every target from real vectors, which its parser reads without an exception', () => {
    for (const target of fuzzTargets(telegrams)) {
      expect(target.seeds.length).toBeGreaterThan(0);
      for (const seed of target.seeds) expect(() => target.parse(seed)).not.toThrow();
    }
  });

  test('the radio seeds are chip streams of corpus telegrams that decode without an error', () => {
    const [t1c1, s1] = fuzzTargets(telegrams);
    const decoded = t1c1.seeds.filter((stream) => decodePhy(stream, 'T1C1').ok || decodePhy(stream, 'S1').ok);
    expect(s1.seeds).toBe(t1c1.seeds);
    expect(decoded.length).toBe(t1c1.seeds.length);
    expect(decoded.length).toBeGreaterThan(300);
  });

  test('some inputs of the document parsers are seed documents with a value, a type or a key changed, which still decode', () => {
    const target = fuzzTargets(telegrams).find((t) => t.name === 'configuration file') as FuzzTarget;
    const inputs = Array.from({ length: 40 }, (_, i) => fuzzInput(target, createRandom(i), 8 * i + 1));
    const decoded = inputs.filter((input) => decodeBson(input).ok);
    expect(decoded.length).toBe(inputs.length);
    expect(decoded.some((input) => !target.seeds.some((seed) => seed.length === input.length && seed.every((b, k) => b === input[k])))).toBe(true);
  });

  test('an exception out of a parser counts as a crash, with the input that made it', () => {
    const throwing: FuzzTarget = {
      name: 'throws on a leading 0xff',
      seeds: [Uint8Array.of(0xff, 1, 2)],
      parse: (input) => {
        if (input[0] === 0xff) throw new TypeError('synthetic');
      },
    };
    const r = runFuzz({ inputs: 400, seed: 3, telegrams: [], now: steadyClock, targets: [throwing] });
    expect(r.crashes).toBeGreaterThan(0);
    expect(r.crashList[0]).toMatchObject({ target: 'throws on a leading 0xff', error: 'TypeError: synthetic' });
    expect(r.crashList[0].inputHex.startsWith('ff')).toBe(true);
  });

  test('a parse over the step bound counts as a hang', () => {
    const slow: FuzzTarget = {
      name: 'slow',
      seeds: [Uint8Array.of(1)],
      parse: () => {
        tick += 10;
      },
    };
    const r = runFuzz({ inputs: 5, seed: 1, telegrams: [], now: steadyClock, hangBoundMs: 5, targets: [slow] });
    expect(r.hangs).toBe(5);
  });

  test('the same seed gives the same inputs', () => {
    const target = fuzzTargets(telegrams)[0];
    const a = fuzzInput(target, createRandom(9), 4);
    const b = fuzzInput(target, createRandom(9), 4);
    expect(b).toEqual(a);
  });

  test('20 000 inputs over every parser: no crash and no hang', () => {
    const r = runFuzz({ inputs: 20_000, seed: 1, telegrams, now: steadyClock });
    expect(r.crashList).toEqual([]);
    expect(r.hangs).toBe(0);
  });
});
