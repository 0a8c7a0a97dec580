import type { Clock } from '../../protocol/ports/clock';
import type { HallSensor } from '../hall/types';
import type { DigitalClass, DigitalIo } from './io';

export interface HallOptions {
  readonly io: DigitalClass;
  readonly pin: number;
  /** Output level while a magnet is present (the DRV5032 pulls its output low: 0). */
  readonly activeLevel: 0 | 1;
  readonly clock: Clock;
}

/** A magnet held over the box produces one arrival; edges closer than this are the same pass. */
const DEBOUNCE_MS = 50;

/** Hall switch on a GPIO with an edge interrupt on the magnet's arrival. */
export class Esp32Hall implements HallSensor {
  private readonly input: DigitalIo;
  private readonly activeLevel: 0 | 1;
  private readonly clock: Clock;
  private callback: ((atMs: number) => void) | undefined;
  private lastMs = -Infinity;

  constructor(options: HallOptions) {
    const { io } = options;
    this.activeLevel = options.activeLevel;
    this.clock = options.clock;
    this.input = new io({
      pin: options.pin,
      // The switch drives its output both ways; a pull would only add leakage.
      mode: io.Input,
      edge: options.activeLevel === 1 ? io.Rising : io.Falling,
      onReadable: () => this.onArrival(),
    });
  }

  onEdge(callback: (atMs: number) => void): void {
    this.callback = callback;
  }

  present(): boolean {
    return this.input.read() === this.activeLevel;
  }

  private onArrival(): void {
    const now = this.clock.now();
    if (!this.present() || now - this.lastMs < DEBOUNCE_MS) return;
    this.lastMs = now;
    this.callback?.(now);
  }
}
