import { createRandom } from '../../sim/world/random';

/**
 * Random frames that exercise the header walk (parseHeader, filterIdentity and its C twin): header
 * CIs placed where the walk looks for them. No Node modules: the XS kernel test bundles this too.
 */

/** CI values that steer the header walk: every ELL variant, AFL, short/long/none/manufacturer TPLs. */
const STEERING_CIS = [0x8c, 0x8d, 0x8e, 0x8f, 0x86, 0x90, 0x7a, 0x72, 0x78, 0x71, 0xa0, 0xa7, 0xb1, 0x5a, 0x53, 0x00];
/** Where a CI may sit: after the DLL, after ELL I / II / III / IV, after a short AFL. */
const CI_POSITIONS = [10, 13, 17, 21, 23, 25];
const CI_AFL = 0x90;
const MAX_AFL_LENGTH = 12;
const MAX_FRAME_BYTES = 60;

/** `count` random frames (0–60 bytes) steered through ELL, AFL and TPL headers; small AFL lengths so AFLs fit. */
export function steeredFrames(seed: number, count: number): Uint8Array[] {
  const random = createRandom(seed);
  const frames: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const f = new Uint8Array(random.int(0, MAX_FRAME_BYTES));
    for (let k = 0; k < f.length; k++) f[k] = random.int(0, 255);
    for (const at of CI_POSITIONS) {
      if (at < f.length && random.next() < 0.6) f[at] = STEERING_CIS[random.int(0, STEERING_CIS.length - 1)];
      if (at + 1 < f.length && f[at] === CI_AFL) f[at + 1] = random.int(0, MAX_AFL_LENGTH);
    }
    frames.push(f);
  }
  return frames;
}
