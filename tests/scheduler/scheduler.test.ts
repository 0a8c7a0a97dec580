import type { PowerControl, PowerSink, WakeCause } from '../../drivers/power/types';
import { Scheduler, STEP_ACTIVE_MS, WATCHDOG_FEED_MS } from '../../tasks/scheduler';
import type { Task, TaskHost } from '../../tasks/types';
import { SimClock } from '../../sim/drivers/clock';
import { SimRtc } from '../../sim/drivers/rtc';
import { SimWatchdog } from '../../sim/drivers/watchdog';
import { SimWorld } from '../../sim/world/world';

const T0 = Date.parse('2026-03-02T00:00:00Z');

class Harness {
  readonly world = new SimWorld(T0);
  readonly clock = new SimClock(this.world, new SimRtc(this.world, 0, 0));
  readonly log: string[] = [];
  readonly sleeps: number[] = [];
  readonly charged: number[] = [];
  readonly power: PowerControl = {
    wakeCause: 'timer' as WakeCause,
    retained: new Uint8Array(8),
    deepSleep: (until: number) => this.sleeps.push(until),
    restart: () => undefined,
  };
  readonly sink: PowerSink = {
    report: (c, s) => this.log.push(`${c}:${s}`),
    charge: (_c, _s, ms) => this.charged.push(ms),
  };
  readonly scheduler = new Scheduler(this.clock, this.power, this.sink, new SimWatchdog(this.world, () => undefined));
}

/** A task driven by a list of due times; it records when it ran. */
class TimedTask implements Task {
  readonly runs: number[] = [];
  constructor(readonly name: string, readonly priority: number, private due: number[], private readonly trace: string[], private isBusy = false) {}
  nextWake(): number {
    return this.due.length > 0 ? this.due[0] : Infinity;
  }
  busy(): boolean {
    return this.isBusy;
  }
  step(now: number): void {
    this.runs.push(now);
    this.trace.push(this.name);
    while (this.due.length > 0 && this.due[0] <= now) this.due.shift();
  }
  setBusy(b: boolean): void {
    this.isBusy = b;
  }
}

describe('cooperative scheduler', () => {
  test('tasks due at the same time run in priority order', async () => {
    const h = new Harness();
    const trace: string[] = [];
    h.scheduler.add(new TimedTask('modem', 20, [T0 + 60_000], trace, true));
    h.scheduler.add(new TimedTask('radio', 0, [T0 + 60_000], trace, true));
    h.scheduler.start();
    await h.world.runUntil(T0 + 120_000);
    expect(trace).toEqual(['radio', 'modem']);
  });

  test('the radio takes the RF slot first and the modem waits until it is released', async () => {
    const h = new Harness();
    const order: string[] = [];
    class SlotTask implements Task {
      holding = false;
      done = false;
      constructor(readonly name: string, readonly priority: number, private readonly host: TaskHost, private readonly holdMs: number, private readonly world: SimWorld) {}
      nextWake(): number {
        return this.done || this.holding ? Infinity : T0 + 60_000;
      }
      busy(): boolean {
        return this.holding || !this.done;
      }
      step(): void {
        if (this.done || this.holding || !this.host.acquire(this)) return;
        this.holding = true;
        order.push(`${this.name} start ${(this.world.now() - T0) / 1000}`);
        this.world.at(this.world.now() + this.holdMs, () => {
          this.holding = false;
          this.done = true;
          order.push(`${this.name} end ${(this.world.now() - T0) / 1000}`);
          this.host.release(this);
        });
      }
    }
    h.scheduler.add(new SlotTask('modem', 20, h.scheduler, 30_000, h.world));
    h.scheduler.add(new SlotTask('radio', 0, h.scheduler, 120_000, h.world));
    h.scheduler.start();
    await h.world.runUntil(T0 + 600_000);
    expect(order).toEqual(['radio start 60', 'radio end 180', 'modem start 180', 'modem end 210']);
  });

  test('with no busy task it deep-sleeps until the earliest next wake', async () => {
    const h = new Harness();
    const trace: string[] = [];
    h.scheduler.add(new TimedTask('monitoring', 30, [T0 + 3_600_000], trace));
    h.scheduler.add(new TimedTask('radio', 0, [T0 + 7_200_000], trace));
    h.scheduler.start();
    expect(h.sleeps).toEqual([T0 + 3_600_000]);
  });

  test('a busy task keeps the MCU in light sleep with one timer armed for the next wake', async () => {
    const h = new Harness();
    const trace: string[] = [];
    const radio = new TimedTask('radio', 0, [T0 + 1000, T0 + 61_000], trace, true);
    h.scheduler.add(radio);
    h.scheduler.start();
    expect(h.sleeps).toEqual([]);
    expect(h.log).toContain('mcu:light-sleep');
    await h.world.runUntil(T0 + 30_000);
    expect(radio.runs).toEqual([T0 + 1000]);
  });

  test('while idle in light sleep no task runs: the only wake-ups feed the watchdog', async () => {
    const h = new Harness();
    const trace: string[] = [];
    h.scheduler.add(new TimedTask('waiting', 0, [], trace, true));
    h.scheduler.start();
    const steps = h.scheduler.stats.steps;
    const passes = h.scheduler.stats.passes;
    await h.world.runUntil(T0 + 86_400_000);
    expect(h.scheduler.stats.steps).toBe(steps);
    expect(h.scheduler.stats.passes - passes).toBe(86_400_000 / WATCHDOG_FEED_MS);
  });

  test('a task that waits for a slot is not stepped again until an event: no spin at one instant', async () => {
    const h = new Harness();
    let stepsAtDue = 0;
    h.scheduler.add({ name: 'stuck', priority: 0, nextWake: () => T0 + 1000, busy: () => true, step: () => stepsAtDue++ });
    h.scheduler.start();
    await h.world.runUntil(T0 + 30_000);
    expect(stepsAtDue).toBe(1);
  });

  test('a driver event wakes a waiting task at once', async () => {
    const h = new Harness();
    const trace: string[] = [];
    const t = new TimedTask('radio', 0, [], trace, true);
    h.scheduler.add(t);
    h.scheduler.start();
    h.world.at(T0 + 5000, () => h.scheduler.wake(t));
    await h.world.runUntil(T0 + 10_000);
    expect(t.runs).toEqual([T0 + 5000]);
  });

  test('each task step is charged as MCU active time', async () => {
    const h = new Harness();
    const trace: string[] = [];
    h.scheduler.add(new TimedTask('a', 0, [T0], trace, true));
    h.scheduler.add(new TimedTask('b', 1, [T0], trace, true));
    h.scheduler.start();
    expect(h.charged).toEqual([2 * STEP_ACTIVE_MS]);
  });

  test('tasks are asked to persist before deep sleep', () => {
    const h = new Harness();
    let suspended = 0;
    h.scheduler.add({ name: 's', priority: 0, nextWake: () => T0 + 3_600_000, busy: () => false, step: () => undefined, suspend: () => suspended++ });
    h.scheduler.start();
    expect(suspended).toBe(1);
    expect(h.sleeps).toHaveLength(1);
  });
});
