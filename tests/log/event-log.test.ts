/** The event log (§5.8, §4.2.1 logLevel, §5.6.8 logGet, §5.6.9 logClean) on a FileStore ring. */
import type { FileStore } from '../../drivers/files/types';
import { encodeBson } from '../../protocol/bson/encode';
import { EventLog, MAX_ENTRY_BYTES, MAX_EVENT_DATA_BYTES } from '../../tasks/log/event-log';
import { EVENTS, EventDef, LEVEL_DEBUG, LEVEL_ERROR, LEVEL_INFO, LEVEL_WARNING, PROJECT_EVENT_BASE } from '../../tasks/log/events';
import { SimFiles } from '../../sim/drivers/files';
import { ManualClock } from '../fixtures/manual-clock';

const T0 = 1598348100_000;

function store(capacity = 1 << 20): { files: SimFiles; map: Map<string, Uint8Array> } {
  const map = new Map<string, Uint8Array>();
  return { files: new SimFiles(map, capacity), map };
}

function logBytes(files: FileStore): number {
  return files.list('evlog-').reduce((n, name) => n + (files.read(name)?.length ?? 0), 0);
}

describe('event codes', () => {
  test('§5.8 example codes: 33554432 for application traces, 3 for task starts', () => {
    expect(EVENTS.trace.code).toBe(33554432);
    expect(EVENTS.taskStart.code).toBe(3);
  });

  test('codes are unique, and the project’s own sit in their range as positive int32', () => {
    const defs: EventDef[] = Object.values(EVENTS);
    expect(new Set(defs.map((d) => d.code)).size).toBe(defs.length);
    for (const d of defs.filter((e) => e !== EVENTS.trace && e !== EVENTS.taskStart)) {
      expect(d.code).toBeGreaterThan(PROJECT_EVENT_BASE);
      expect(d.code).toBeLessThanOrEqual(0x7fffffff);
    }
  });
});

describe('recording', () => {
  test('events come back oldest first with T in seconds, C and D', () => {
    const { files } = store();
    const clock = new ManualClock(T0);
    const log = new EventLog(files, clock);
    log.record(EVENTS.trace, '[APP] mode: run');
    clock.advance(30_500);
    log.record(EVENTS.boot);
    expect(log.entries()).toEqual([
      { timeSec: 1598348100, code: 33554432, data: '[APP] mode: run' },
      { timeSec: 1598348130, code: EVENTS.boot.code },
    ]);
  });

  test.each<[number, string[]]>([
    [LEVEL_ERROR, ['error']],
    [LEVEL_WARNING, ['error', 'warning']],
    [LEVEL_INFO, ['error', 'warning', 'info']],
    [LEVEL_DEBUG, ['error', 'warning', 'info', 'debug']],
  ])('logLevel %i keeps only events at that level or more severe', (level, kept) => {
    const { files } = store();
    const log = new EventLog(files, new ManualClock(T0), { level: level as 0 | 1 | 2 | 3 });
    const results = [
      log.record(EVENTS.commandFailed, 'error'),
      log.record(EVENTS.configRejected, 'warning'),
      log.record(EVENTS.commandDone, 'info'),
      log.record(EVENTS.taskStart, 'debug'),
    ];
    expect(log.entries().map((e) => e.data)).toEqual(kept);
    expect(results.filter(Boolean)).toHaveLength(kept.length);
  });

  test('the default level is info (§4.2.1) and can be changed at run time', () => {
    const { files } = store();
    const log = new EventLog(files, new ManualClock(T0));
    expect(log.level).toBe(LEVEL_INFO);
    expect(log.record(EVENTS.taskStart)).toBe(false);
    log.level = LEVEL_DEBUG;
    expect(log.record(EVENTS.taskStart)).toBe(true);
  });

  test('long data is cut to 255 UTF-8 bytes at a character boundary', () => {
    const { files } = store();
    const log = new EventLog(files, new ManualClock(T0));
    log.record(EVENTS.trace, 'é'.repeat(200));
    const [entry] = log.entries();
    expect(entry.data).toBe('é'.repeat(127));
    expect(Buffer.byteLength(entry.data as string)).toBeLessThanOrEqual(MAX_EVENT_DATA_BYTES);
  });

  test('a full FileStore drops the event and counts it, without throwing', () => {
    const { files } = store(64);
    const log = new EventLog(files, new ManualClock(T0));
    expect(log.record(EVENTS.trace, 'x')).toBe(false);
    expect(log.failedWrites).toBe(1);
  });
});

describe('the ring stays within its byte budget', () => {
  test('writing 10× the budget never takes more than the budget, and keeps the newest events', () => {
    const { files } = store();
    const clock = new ManualClock(T0);
    const budget = 4096;
    const log = new EventLog(files, clock, { budgetBytes: budget, segmentBytes: 512, level: LEVEL_DEBUG });
    let written = 0;
    let n = 0;
    while (written < 10 * budget) {
      const data = `event ${n} ` + 'x'.repeat(n % 120);
      log.record(EVENTS.trace, data);
      written += 9 + data.length;
      n++;
      clock.advance(1000);
      expect(logBytes(files)).toBeLessThanOrEqual(budget);
      expect(log.bytesUsed()).toBe(logBytes(files));
    }
    const kept = log.entries();
    expect(kept[kept.length - 1].data).toBe(`event ${n - 1} ` + 'x'.repeat((n - 1) % 120));
    const numbers = kept.map((e) => Number((e.data as string).split(' ')[1]));
    expect(numbers).toEqual(numbers.map((_, i) => numbers[0] + i));
    // Only whole segments are dropped, so at least budget − 2 segments of history remain.
    expect(logBytes(files)).toBeGreaterThan(budget - 2 * 512);
  });

  test('a smaller budget at start-up trims the oldest segments at once', () => {
    const { files } = store();
    const big = new EventLog(files, new ManualClock(T0), { budgetBytes: 8192, segmentBytes: 512 });
    for (let i = 0; i < 400; i++) big.record(EVENTS.trace, `e${i}`.padEnd(40, '.'));
    const small = new EventLog(files, new ManualClock(T0), { budgetBytes: 2048, segmentBytes: 512 });
    expect(logBytes(files)).toBeLessThanOrEqual(2048);
    expect(small.entries().pop()?.data).toBe('e399'.padEnd(40, '.'));
  });

  test('segment and budget sizes that cannot make a ring are refused', () => {
    const { files } = store();
    expect(() => new EventLog(files, new ManualClock(T0), { segmentBytes: MAX_ENTRY_BYTES - 1 })).toThrow(RangeError);
    expect(() => new EventLog(files, new ManualClock(T0), { budgetBytes: 1024, segmentBytes: 1024 })).toThrow(RangeError);
  });
});

describe('persistence', () => {
  test('the log survives a reboot and continues where it stopped', () => {
    const { files, map } = store();
    const clock = new ManualClock(T0);
    const before = new EventLog(files, clock, { budgetBytes: 2048, segmentBytes: 512 });
    for (let i = 0; i < 30; i++) before.record(EVENTS.trace, `before ${i}`);
    const kept = before.entries();
    const after = new EventLog(new SimFiles(map, 1 << 20), clock, { budgetBytes: 2048, segmentBytes: 512 });
    expect(after.entries()).toEqual(kept);
    after.record(EVENTS.boot, 'timer');
    expect(after.entries()).toEqual([...kept, { timeSec: 1598348100, code: EVENTS.boot.code, data: 'timer' }]);
  });

  test('a truncated segment yields the events before the damage', () => {
    const { files, map } = store();
    const log = new EventLog(files, new ManualClock(T0));
    log.record(EVENTS.trace, 'one');
    log.record(EVENTS.trace, 'two');
    const [name] = files.list('evlog-');
    map.set(name, (map.get(name) as Uint8Array).slice(0, -2));
    const reread = new EventLog(files, new ManualClock(T0));
    expect(reread.entries().map((e) => e.data)).toEqual(['one']);
    expect(reread.damagedReads).toBe(1);
  });
});

describe('logGet and logClean', () => {
  test('§5.6.8 logGet gives the §5.8 file: uid, source, TS and log [{T, C, D}]', () => {
    const { files } = store();
    const log = new EventLog(files, new ManualClock(T0));
    log.record(EVENTS.trace, '[APP][appRun():27]run application');
    log.record(EVENTS.watchdogReset);
    const doc = log.logGet({ uid: 'WE_1234', source: 'schedule', timeSec: 1560068897 });
    expect(doc).toEqual({
      uid: 'WE_1234',
      source: 'schedule',
      TS: 1560068897,
      log: [
        { T: 1598348100, C: 33554432, D: '[APP][appRun():27]run application' },
        { T: 1598348100, C: EVENTS.watchdogReset.code },
      ],
    });
    expect(() => encodeBson(doc)).not.toThrow();
  });

  test('§5.6.9 logClean erases every event and the files that held them', () => {
    const { files } = store();
    const log = new EventLog(files, new ManualClock(T0), { budgetBytes: 2048, segmentBytes: 512 });
    for (let i = 0; i < 100; i++) log.record(EVENTS.trace, `e${i}`);
    log.logClean();
    expect(log.entries()).toEqual([]);
    expect(files.list('evlog-')).toEqual([]);
    log.record(EVENTS.logCleaned);
    expect(log.entries()).toEqual([{ timeSec: 1598348100, code: EVENTS.logCleaned.code }]);
  });
});
