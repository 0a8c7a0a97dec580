/** The campaign's checks find what they look for: a frame lost, a frame duplicated, a frame still on the box. */
import { tallyFrames } from '../../sim/campaign/faults.node';
import { durableFrames, lostFrames } from '../../sim/campaign/power-cuts.node';
import { SimFlash } from '../../sim/drivers/flash';
import { FrameStore } from '../../tasks/store/frame-store';
import { crcFreeCorpusFrames } from '../wmbus/corpus';

const SECTOR = 4096;
const SECTORS = 8;
const T = 1_767_571_200;

function storeOf(frames: readonly Uint8Array[]): SimFlash {
  const flash = new SimFlash({ size: SECTORS * SECTOR });
  const store = FrameStore.open(flash);
  frames.forEach((frame, i) => store.append({ time: T + i, rssi: -70, frame }));
  return flash;
}

describe('the power-cut check', () => {
  const frames = crcFreeCorpusFrames().slice(0, 60);

  test('reads back every frame a store appended as durable', () => {
    expect(durableFrames(storeOf(frames)).size).toBe(frames.length);
  });

  test('counts no loss when the store reads back the same frames', () => {
    const flash = storeOf(frames);
    expect(lostFrames(durableFrames(flash), durableFrames(flash))).toBe(0);
  });

  test('counts the frames of a sector erased under the store as lost', () => {
    const flash = storeOf(frames);
    const before = durableFrames(flash);
    flash.eraseSector(0);
    const lost = lostFrames(before, durableFrames(flash));
    expect(lost).toBeGreaterThan(0);
    expect(lost).toBeLessThan(frames.length);
  });

  test('counts a frame whose bytes changed as lost', () => {
    const flash = storeOf(frames);
    const before = durableFrames(flash);
    const changed = new Map(before);
    changed.set(0, 'other');
    expect(lostFrames(before, changed)).toBe(1);
  });
});

describe('the network-fault check', () => {
  const stored = new Map([
    ['1/-70/aa', false],
    ['2/-70/bb', false],
    ['3/-70/cc', true],
  ]);

  test('a frame the server has once is uploaded exactly once', () => {
    expect(tallyFrames(stored, ['1/-70/aa', '2/-70/bb'])).toEqual({ uploadedOnce: 2, stillPending: 1, lost: 0, duplicated: 0, unknown: 0 });
  });

  test('a frame the server has twice is a duplicate', () => {
    expect(tallyFrames(stored, ['1/-70/aa', '1/-70/aa', '2/-70/bb']).duplicated).toBe(1);
  });

  test('a frame the store counts as uploaded but the server lacks is lost', () => {
    expect(tallyFrames(stored, ['1/-70/aa']).lost).toBe(1);
  });

  test('a frame the server has that the store never recorded is counted apart', () => {
    expect(tallyFrames(stored, ['1/-70/aa', '2/-70/bb', '9/-70/ff']).unknown).toBe(1);
  });
});
