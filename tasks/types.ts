/**
 * A cooperative task: the scheduler calls `step` when the task is due; a step never blocks and
 * returns quickly. A task waiting for I/O returns and is woken by the driver callback through
 * `Scheduler.wake`; a task waiting for time says so through `nextWake`.
 */
export interface Task {
  readonly name: string;
  /** Lower runs first when several tasks are due together (the radio before the modem). */
  readonly priority: number;
  /** UTC ms at which the task next needs a step; Infinity when it only waits for events. */
  nextWake(): number;
  /** True while the task keeps the MCU awake (listening window, modem session, magnet gesture). */
  busy(): boolean;
  step(now: number): void;
  /** Called once before deep sleep: persist whatever the next boot needs. */
  suspend?(): void;
}

/** The scheduler as tasks see it. */
export interface TaskHost {
  /** Requests a step of `task` as soon as possible (from a driver callback or another task). */
  wake(task: Task): void;
  /**
   * Takes the exclusive RF/modem slot: one listening window or modem session at a time, so the
   * modem never transmits next to an open 868 MHz receiver. Returns false when another task holds it.
   */
  acquire(task: Task): boolean;
  release(task: Task): void;
}
