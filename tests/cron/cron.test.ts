import { cronMatches, nextCronMatch, parseCron, type Cron } from '../../protocol/cron/cron';
import { TriggerSchedule } from '../../protocol/cron/schedule';

const utc = (s: string): number => Date.parse(s + 'Z');
const cron = (text: string): Cron => {
  const r = parseCron(text);
  if (!r.ok) throw new Error(r.error);
  return r.cron;
};

describe('cron timer triggers (§4.2.5.1: mm hh dd MM DD)', () => {
  test('a specific minute fires once per hour', () => {
    expect(nextCronMatch(cron('5 * * * *'), utc('2026-03-01T10:05:00'))).toBe(utc('2026-03-01T11:05:00'));
  });

  test('all values with a weekday fires every hour on Mondays only', () => {
    // 2026-03-01 is a Sunday.
    expect(nextCronMatch(cron('0 * * * 1'), utc('2026-03-01T10:00:00'))).toBe(utc('2026-03-02T00:00:00'));
  });

  test('a range fires at 11:30, 12:30 and 13:30', () => {
    const c = cron('30 11-13 * * *');
    let t = utc('2026-03-01T00:00:00');
    const fired: number[] = [];
    for (let i = 0; i < 4; i++) fired.push((t = nextCronMatch(c, t)));
    expect(fired).toEqual([utc('2026-03-01T11:30:00'), utc('2026-03-01T12:30:00'), utc('2026-03-01T13:30:00'), utc('2026-03-02T11:30:00')]);
  });

  test('a set of values fires at each listed minute', () => {
    const c = cron('5,12,47 * * * *');
    expect(nextCronMatch(c, utc('2026-03-01T10:05:00'))).toBe(utc('2026-03-01T10:12:00'));
    expect(nextCronMatch(c, utc('2026-03-01T10:12:00'))).toBe(utc('2026-03-01T10:47:00'));
  });

  test('an interval fires every two hours from midnight', () => {
    const c = cron('0 */2 * * *');
    expect(nextCronMatch(c, utc('2026-03-01T00:00:00'))).toBe(utc('2026-03-01T02:00:00'));
    expect(nextCronMatch(c, utc('2026-03-01T23:00:00'))).toBe(utc('2026-03-02T00:00:00'));
  });

  test('the next match is strictly after the minute given', () => {
    expect(nextCronMatch(cron('* * * * *'), utc('2026-03-01T10:05:30'))).toBe(utc('2026-03-01T10:06:00'));
  });

  test('when both day fields are restricted, either one matching is enough', () => {
    const c = cron('0 0 15 * 1');
    expect(cronMatches(c, utc('2026-03-15T00:00:00'))).toBe(true); // the 15th, a Sunday
    expect(cronMatches(c, utc('2026-03-16T00:00:00'))).toBe(true); // a Monday
    expect(cronMatches(c, utc('2026-03-17T00:00:00'))).toBe(false);
  });

  test('a trigger that names an impossible date never fires', () => {
    expect(nextCronMatch(cron('0 0 31 2 *'), utc('2026-01-01T00:00:00'))).toBe(Infinity);
  });

  test.each([
    ['60 * * * *', 'minute'],
    ['* 24 * * *', 'hour'],
    ['* * 0 * *', 'day of month'],
    ['* * * 13 *', 'month'],
    ['* * * * 7', 'day of week'],
    ['*/0 * * * *', 'step'],
    ['5-1 * * * *', 'backwards'],
    ['* * * *', '5 fields'],
  ])('"%s" is rejected (%s)', (text) => {
    expect(parseCron(text).ok).toBe(false);
  });
});

describe('a schedule of triggers (§4.2.5.1)', () => {
  test('the earliest trigger fires first', () => {
    const s = new TriggerSchedule();
    expect(s.next([{ cron: '0 3 * * *' }, { cron: '30 1 * * *' }], utc('2026-03-01T00:00:00'))).toEqual({ at: utc('2026-03-01T01:30:00'), index: 1 });
  });

  test('when two triggers fall in the same minute the first in the file wins', () => {
    const s = new TriggerSchedule();
    expect(s.next([{ cron: '0 * * * *' }, { cron: '0 3 * * *' }], utc('2026-03-01T02:30:00'))).toEqual({ at: utc('2026-03-01T03:00:00'), index: 0 });
  });

  test('an unparsable trigger is skipped and an empty schedule never fires', () => {
    const s = new TriggerSchedule();
    expect(s.next([{ cron: 'not a cron' }], utc('2026-03-01T00:00:00'))).toEqual({ at: Infinity, index: -1 });
    expect(s.next([], utc('2026-03-01T00:00:00'))).toEqual({ at: Infinity, index: -1 });
  });

  test('a new schedule replaces the old one', () => {
    const s = new TriggerSchedule();
    s.next([{ cron: '0 3 * * *' }], utc('2026-03-01T00:00:00'));
    expect(s.next([{ cron: '0 4 * * *' }], utc('2026-03-01T00:00:00')).at).toBe(utc('2026-03-01T04:00:00'));
  });
});
