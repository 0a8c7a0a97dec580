/** Virtual-time event queue every simulator fake schedules on. Nothing in sim/ reads the wall clock. */
export type SimEventId = number;

export interface SimTime {
  /** Virtual UTC time in milliseconds. */
  now(): number;
  /** Runs `fn` at virtual time `atMs` (events at the same time run in the order they were scheduled). */
  at(atMs: number, fn: () => void): SimEventId;
  cancel(id: SimEventId): void;
}

/** Deterministic random source (seeded). */
export interface SimRandom {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [min, max]. */
  int(min: number, max: number): number;
  /** Normal distribution. */
  gaussian(mean: number, sd: number): number;
}
