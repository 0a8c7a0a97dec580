/** ESP32 clock (RTC + Moddable timers), power control and watchdog over a fake native module. */
import { Esp32Clock, type TimerModule } from '../../drivers/esp32/clock';
import { Esp32Power, type PowerNative } from '../../drivers/esp32/power';
import { Esp32Watchdog } from '../../drivers/esp32/watchdog';
import { RecordingSink } from './esp32-fakes';

/** Moddable one-shot timers counting from when they were set, on a shared fake time base. */
class FakeTimers implements TimerModule {
  monotonic = 0;
  private armed: { at: number; cb: () => void; handle: object }[] = [];
  readonly delays: number[] = [];
  set(callback: () => void, delayMs: number): unknown {
    const handle = {};
    this.delays.push(delayMs);
    this.armed.push({ at: this.monotonic + delayMs, cb: callback, handle });
    return handle;
  }
  clear(id: unknown): void {
    this.armed = this.armed.filter((t) => t.handle !== id);
  }
  /** Advances time; `rtc` moves with it. */
  run(ms: number, rtc: FakeRtc): void {
    const end = this.monotonic + ms;
    for (;;) {
      this.armed.sort((a, b) => a.at - b.at);
      const t = this.armed[0];
      if (t === undefined || t.at > end) break;
      this.armed.shift();
      rtc.ms += t.at - this.monotonic;
      this.monotonic = t.at;
      t.cb();
    }
    rtc.ms += end - this.monotonic;
    this.monotonic = end;
  }
  count(): number {
    return this.armed.length;
  }
}

class FakeRtc {
  ms = 1_700_000_000_000;
  rtcNow(): number {
    return this.ms;
  }
  rtcSet(utcMs: number): void {
    this.ms = utcMs;
  }
}

describe('clock', () => {
  test('now() is the RTC', () => {
    const rtc = new FakeRtc();
    expect(new Esp32Clock(new FakeTimers(), rtc).now()).toBe(1_700_000_000_000);
  });

  test('a timer fires at its UTC time', () => {
    const rtc = new FakeRtc();
    const timers = new FakeTimers();
    const clock = new Esp32Clock(timers, rtc);
    const fired: number[] = [];
    clock.setTimer(rtc.ms + 250, () => fired.push(rtc.ms));
    timers.run(249, rtc);
    expect(fired).toEqual([]);
    timers.run(1, rtc);
    expect(fired).toEqual([1_700_000_000_250]);
  });

  test('a wait of a day is cut into hourly timer hops', () => {
    const rtc = new FakeRtc();
    const timers = new FakeTimers();
    const clock = new Esp32Clock(timers, rtc);
    let fired = false;
    clock.setTimer(rtc.ms + 86_400_000, () => (fired = true));
    timers.run(86_399_999, rtc);
    expect(fired).toBe(false);
    timers.run(1, rtc);
    expect(fired).toBe(true);
    expect(Math.max(...timers.delays)).toBe(3_600_000);
  });

  test('setting the RTC re-arms pending timers against the new time', () => {
    const rtc = new FakeRtc();
    const timers = new FakeTimers();
    const clock = new Esp32Clock(timers, rtc);
    const target = rtc.ms + 60_000;
    let firedAt = 0;
    clock.setTimer(target, () => (firedAt = rtc.ms));
    clock.set(rtc.ms + 50_000); // SNTP says we were 50 s late
    timers.run(10_000, rtc);
    expect(firedAt).toBe(target);
    expect(timers.count()).toBe(0);
  });

  test('a timer in the past fires at the next turn; a cleared one never', () => {
    const rtc = new FakeRtc();
    const timers = new FakeTimers();
    const clock = new Esp32Clock(timers, rtc);
    const calls: string[] = [];
    clock.setTimer(rtc.ms - 5, () => calls.push('past'));
    const id = clock.setTimer(rtc.ms + 10, () => calls.push('cleared'));
    clock.clearTimer(id);
    timers.run(100, rtc);
    expect(calls).toEqual(['past']);
  });
});

class FakeNative implements PowerNative {
  cause = 'timer';
  retained = new Uint8Array(256);
  sleeps: number[][] = [];
  restarts = 0;
  wakeCause(): string {
    return this.cause;
  }
  deepSleep(...args: number[]): void {
    this.sleeps.push(args);
  }
  restart(): void {
    this.restarts++;
  }
  retainedRead(): ArrayBuffer {
    return this.retained.slice().buffer;
  }
  retainedWrite(buffer: ArrayBuffer): void {
    this.retained.set(new Uint8Array(buffer));
  }
}

describe('power control', () => {
  function power(cause = 'timer') {
    const native = new FakeNative();
    native.cause = cause;
    native.retained[0] = 42;
    const rtc = new FakeRtc();
    const clock = new Esp32Clock(new FakeTimers(), rtc);
    const sink = new RecordingSink();
    const p = new Esp32Power(native, clock, sink, { hallPin: 33, hallLevel: 0, usbPin: 32 });
    return { native, rtc, sink, p };
  }

  test.each(['power-on', 'timer', 'hall', 'usb', 'reset', 'watchdog'])('wake cause %s is reported as is', (cause) => {
    expect(power(cause).p.wakeCause).toBe(cause);
  });

  test('an unexpected native answer reads as power-on', () => {
    expect(power('brownout').p.wakeCause).toBe('power-on');
  });

  test('retained memory is a copy from boot, written back before the sleep', () => {
    const { native, rtc, p } = power();
    expect(p.retained[0]).toBe(42);
    p.retained[1] = 7;
    expect(native.retained[1]).toBe(0);
    p.deepSleep(rtc.ms + 60_000);
    expect(native.retained[1]).toBe(7);
  });

  test('deep sleep: duration in µs, Hall on ext0 (low), USB on ext1, held pads and their levels', () => {
    const { native, rtc, p, sink } = power();
    p.holdThroughSleep({ pin: 25, level: () => 1 });
    p.holdThroughSleep({ pin: 5, level: () => 0 });
    p.deepSleep(rtc.ms + 900_000);
    expect(native.sleeps).toEqual([[900_000_000, 33, 0, 32, 2 ** 25 + 2 ** 5, 2 ** 25]]);
    expect(sink.last('mcu')).toBe('deep-sleep');
  });

  test('a wake time already past still sleeps briefly instead of not at all', () => {
    const { native, rtc, p } = power();
    p.deepSleep(rtc.ms - 1000);
    expect(native.sleeps[0][0]).toBe(10_000);
  });

  test('parts are parked before sleep and restart, even if one of them fails', () => {
    const { native, rtc, p } = power();
    const parked: string[] = [];
    p.onBeforeSleep(() => {
      throw new Error('radio not answering');
    });
    p.onBeforeSleep(() => parked.push('gauge'));
    p.deepSleep(rtc.ms + 1000);
    p.restart();
    expect(parked).toEqual(['gauge', 'gauge']);
    expect(native.restarts).toBe(1);
  });
});

describe('watchdog', () => {
  test('start, feed and stop reach the native task-watchdog user', () => {
    const calls: string[] = [];
    const w = new Esp32Watchdog({
      watchdogStart: (ms) => calls.push(`start ${ms}`),
      watchdogFeed: () => calls.push('feed'),
      watchdogStop: () => calls.push('stop'),
    });
    w.start(30_000);
    w.feed();
    w.stop();
    expect(calls).toEqual(['start 30000', 'feed', 'stop']);
  });
});
