/** Hall-effect sensor: a magnet passing over the box. */
export interface HallSensor {
  /** Called on each magnet arrival (rising edge of presence). */
  onEdge(callback: (atMs: number) => void): void;
  /** Whether a magnet is present now (checked at boot for the factory-reset gesture). */
  present(): boolean;
}
