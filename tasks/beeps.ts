import type { ToneStep } from '../drivers/buzzer/types';
import { freezeTable } from '../protocol/freeze';

/** Buzzer pitch: the piezo's resonance. */
const TONE_HZ = 2700;
const SHORT_MS = 150;
/** §2.4.4.2: the factory-reset confirmation is "a long beep (1 second)". */
const LONG_MS = 1000;
const GAP_MS = 250;

export type BeepCode =
  | 'factorySettings'
  | 'storage'
  | 'runLastOk'
  | 'runLastFailed'
  | 'busy'
  | 'actionStart'
  | 'storageToRun'
  | 'factoryReset'
  | 'resultOk'
  | 'resultFailed';

/** The installer's beep codes of the primary spec §3.1.1 as (count, length) groups. */
const CODES: Readonly<Record<BeepCode, readonly (readonly [count: number, ms: number])[]>> = freezeTable({
  factorySettings: [[1, SHORT_MS]],
  storage: [[2, SHORT_MS]],
  runLastOk: [[3, SHORT_MS]],
  runLastFailed: [[3, LONG_MS]],
  busy: [[1, LONG_MS]],
  actionStart: [[1, LONG_MS]],
  storageToRun: [[3, LONG_MS], [1, LONG_MS]],
  factoryReset: [[1, LONG_MS]],
  resultOk: [[3, SHORT_MS]],
  resultFailed: [[3, LONG_MS]],
});

/** Gap between the groups of a two-part code (3 long + 1 long). */
const GROUP_GAP_MS = 800;

export function beepPattern(code: BeepCode): ToneStep[] {
  const steps: ToneStep[] = [];
  CODES[code].forEach(([count, ms], group) => {
    if (group > 0) steps.push({ hz: 0, ms: GROUP_GAP_MS });
    for (let i = 0; i < count; i++) {
      if (i > 0) steps.push({ hz: 0, ms: GAP_MS });
      steps.push({ hz: TONE_HZ, ms });
    }
  });
  return steps;
}

/** Reads a heard pattern back into beeps (count of short and long tones), for logs and tests. */
export function describeBeeps(tones: readonly { ms: number }[]): string {
  return tones.map((t) => (t.ms >= LONG_MS ? 'L' : 'S')).join('');
}
