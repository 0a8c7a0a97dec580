import type { Buzzer, ToneStep } from '../../drivers/buzzer/types';
import type { PowerSink } from '../../drivers/power/types';
import { describeBeeps } from '../../tasks/beeps';
import type { SimEventId, SimTime } from '../world/types';

export interface HeardTone {
  readonly atMs: number;
  readonly hz: number;
  readonly ms: number;
}

/** Plays patterns in virtual time and keeps what an installer would have heard. */
export class SimBuzzer implements Buzzer {
  private pending: SimEventId[] = [];

  /** `onPattern`: each pattern played to its end, as S (short) and L (long) tones (tasks/beeps.ts describeBeeps). */
  constructor(
    private readonly time: SimTime,
    private readonly sink: PowerSink,
    private readonly heard: HeardTone[],
    private readonly onPattern?: (beeps: string) => void,
  ) {}

  play(steps: readonly ToneStep[], done?: () => void): void {
    this.stop();
    let t = this.time.now();
    for (const s of steps) {
      const start = t;
      if (s.hz > 0) {
        this.pending.push(this.time.at(start, () => {
          this.heard.push({ atMs: start, hz: s.hz, ms: s.ms });
          this.sink.report('buzzer', 'on');
        }));
        this.pending.push(this.time.at(start + s.ms, () => this.sink.report('buzzer', 'off')));
      }
      t += s.ms;
    }
    const tones = steps.filter((s) => s.hz > 0);
    this.pending.push(this.time.at(t, () => {
      this.pending = [];
      if (tones.length > 0) this.onPattern?.(describeBeeps(tones));
      done?.();
    }));
  }

  stop(): void {
    for (const e of this.pending) this.time.cancel(e);
    if (this.pending.length > 0) this.sink.report('buzzer', 'off');
    this.pending = [];
  }
}
