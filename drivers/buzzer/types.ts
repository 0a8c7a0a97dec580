/** One step of a beep pattern: a tone (0 Hz = silence) for a duration. */
export interface ToneStep {
  readonly hz: number;
  readonly ms: number;
}

export interface Buzzer {
  /** Plays the steps in order; `done` is called after the last one. Replaces any pattern playing. */
  play(steps: readonly ToneStep[], done?: () => void): void;
  stop(): void;
}
