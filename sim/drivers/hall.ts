import type { HallSensor } from '../../drivers/hall/types';

/** The magnet as the firmware sees it during one boot; the device routes edges here while awake. */
export class SimHall implements HallSensor {
  private callback: ((atMs: number) => void) | undefined;

  constructor(private readonly isPresent: () => boolean) {}

  onEdge(callback: (atMs: number) => void): void {
    this.callback = callback;
  }

  present(): boolean {
    return this.isPresent();
  }

  /** Delivers an edge; returns false when no firmware listener is attached. */
  edge(atMs: number): boolean {
    if (this.callback === undefined) return false;
    this.callback(atMs);
    return true;
  }
}
