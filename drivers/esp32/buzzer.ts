import type { Buzzer, ToneStep } from '../buzzer/types';
import type { Clock, TimerId } from '../../protocol/ports/clock';
import type { PowerSink } from '../power/types';
import type { PwmClass, PwmIo } from './io';

export interface BuzzerOptions {
  readonly io: PwmClass;
  readonly pin: number;
  readonly clock: Clock;
  readonly powerSink: PowerSink;
}

/**
 * A piezo on an LEDC PWM channel: each tone is a 50 % duty square wave at the step's frequency.
 * The LEDC timer's frequency is fixed when the channel opens, so a new pitch reopens it.
 */
export class Esp32Buzzer implements Buzzer {
  private readonly io: PwmClass;
  private readonly pin: number;
  private readonly clock: Clock;
  private readonly sink: PowerSink;
  private pwm: PwmIo | undefined;
  private hz = 0;
  private sounding = false;
  private steps: readonly ToneStep[] = [];
  private index = 0;
  private done: (() => void) | undefined;
  private timer: TimerId | undefined;

  constructor(options: BuzzerOptions) {
    this.io = options.io;
    this.pin = options.pin;
    this.clock = options.clock;
    this.sink = options.powerSink;
  }

  play(steps: readonly ToneStep[], done?: () => void): void {
    this.stop();
    this.steps = steps;
    this.index = 0;
    this.done = done;
    this.next();
  }

  stop(): void {
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timer = undefined;
    this.steps = [];
    this.done = undefined;
    this.release();
  }

  private next(): void {
    if (this.index >= this.steps.length) {
      const done = this.done;
      this.steps = [];
      this.done = undefined;
      this.release();
      done?.();
      return;
    }
    const step = this.steps[this.index++];
    this.tone(step.hz);
    this.timer = this.clock.setTimer(this.clock.now() + Math.max(0, step.ms), () => {
      this.timer = undefined;
      this.next();
    });
  }

  private tone(hz: number): void {
    if (hz <= 0) {
      this.pwm?.write(0);
      this.setSounding(false);
      return;
    }
    if (this.pwm === undefined || hz !== this.hz) {
      this.release();
      this.pwm = new this.io({ pin: this.pin, hz: Math.round(hz) });
      this.hz = hz;
    }
    this.pwm.write(2 ** (this.pwm.resolution - 1));
    this.setSounding(true);
  }

  private release(): void {
    if (this.pwm !== undefined) {
      this.pwm.write(0);
      this.pwm.close?.();
    }
    this.pwm = undefined;
    this.hz = 0;
    this.setSounding(false);
  }

  private setSounding(on: boolean): void {
    if (on === this.sounding) return;
    this.sounding = on;
    this.sink.report('buzzer', on ? 'on' : 'off');
  }
}
