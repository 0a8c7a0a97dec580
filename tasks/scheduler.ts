import type { Clock, TimerId } from '../protocol/ports/clock';
import type { PowerControl, PowerSink } from '../drivers/power/types';
import type { Watchdog } from '../drivers/watchdog/types';
import type { Task, TaskHost } from './types';

/** CPU time charged per task step: XS handling one event at 80 MHz (see docs/power-model.md). */
export const STEP_ACTIVE_MS = 2;
/** Deep sleep is not worth it for gaps shorter than the boot cost; stay in light sleep instead. */
export const MIN_DEEP_SLEEP_MS = 5_000;
/** Upper bound of steps in one pass: a task that keeps saying it is due must not starve the others. */
const MAX_STEPS_PER_PASS = 64;
export const WATCHDOG_TIMEOUT_MS = 120_000;
/** While awake and idle, the scheduler wakes this often just to feed the watchdog. */
export const WATCHDOG_FEED_MS = WATCHDOG_TIMEOUT_MS / 2;

export interface SchedulerStats {
  passes: number;
  steps: number;
}

/**
 * Single-threaded cooperative scheduler. It never loops while idle: after each pass it arms one
 * timer for the earliest `nextWake` (light sleep) or, when no task is busy, deep-sleeps until then.
 */
export class Scheduler implements TaskHost {
  private readonly tasks: Task[] = [];
  private readonly woken = new Set<Task>();
  private timer: TimerId | undefined;
  private timerAt = Infinity;
  private owner: Task | undefined;
  private running = false;
  private stopped = false;
  readonly stats: SchedulerStats = { passes: 0, steps: 0 };

  constructor(
    private readonly clock: Clock,
    private readonly power: PowerControl,
    private readonly sink: PowerSink,
    private readonly watchdog: Watchdog,
  ) {}

  add(task: Task): void {
    this.tasks.push(task);
    this.tasks.sort((a, b) => a.priority - b.priority);
  }

  start(): void {
    this.watchdog.start(WATCHDOG_TIMEOUT_MS);
    this.pass();
  }

  wake(task: Task): void {
    this.woken.add(task);
    this.arm(this.clock.now());
  }

  acquire(task: Task): boolean {
    if (this.owner !== undefined && this.owner !== task) return false;
    this.owner = task;
    return true;
  }

  release(task: Task): void {
    if (this.owner !== task) return;
    this.owner = undefined;
    // Whoever was waiting for the slot gets a step now.
    for (const t of this.tasks) if (t !== task) this.woken.add(t);
    this.arm(this.clock.now());
  }

  /** Earliest time any task wants a step. */
  nextWake(): number {
    let next = Infinity;
    for (const t of this.tasks) next = Math.min(next, t.nextWake());
    return next;
  }

  private arm(at: number): void {
    if (this.stopped || this.running) return;
    if (this.timer !== undefined && this.timerAt <= at) return;
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timerAt = at;
    this.timer = this.clock.setTimer(at, () => {
      this.timer = undefined;
      this.timerAt = Infinity;
      this.pass();
    });
  }

  private pass(): void {
    if (this.stopped) return;
    this.running = true;
    this.stats.passes++;
    this.watchdog.feed();
    let steps = 0;
    // A task is stepped once per pass for being due; after that, a due time that did not move means
    // it waits for an event (a driver callback or the slot's release), not for the clock.
    const stepped = new Set<Task>();
    for (;;) {
      const now = this.clock.now();
      const due = this.tasks.filter((t) => this.woken.has(t) || (t.nextWake() <= now && !stepped.has(t)));
      if (due.length === 0 || steps >= MAX_STEPS_PER_PASS) break;
      for (const t of due) {
        this.woken.delete(t);
        stepped.add(t);
        t.step(now);
        steps++;
        if (this.stopped) return;
      }
    }
    this.stats.steps += steps;
    this.sink.charge('mcu', 'active', steps * STEP_ACTIVE_MS);
    this.running = false;
    this.plan(stepped);
  }

  private plan(stepped: ReadonlySet<Task>): void {
    const now = this.clock.now();
    let next = Infinity;
    for (const t of this.tasks) {
      const at = t.nextWake();
      if (at > now || !stepped.has(t)) next = Math.min(next, Math.max(at, now));
    }
    const busy = this.tasks.some((t) => t.busy());
    if (busy || this.woken.size > 0 || next - now < MIN_DEEP_SLEEP_MS) {
      this.sink.report('mcu', 'light-sleep');
      if (this.woken.size > 0) this.arm(now);
      else this.arm(Math.min(next, now + WATCHDOG_FEED_MS));
      return;
    }
    for (const t of this.tasks) t.suspend?.();
    this.stopped = true;
    this.watchdog.stop();
    this.power.deepSleep(next);
  }
}
