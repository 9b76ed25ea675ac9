/** Schedule expressions: NCRONTAB as Functions timers read it, TimeSpan intervals, tick times. */
import { nextTick, parseTiming, ticksBetween, type Timing } from '../../../src/schedules/timing';

const at = (iso: string) => new Date(iso);
const timing = (expression: string): Timing => {
  const parsed = parseTiming(expression);
  if ('problem' in parsed) throw new Error(parsed.problem);
  return parsed;
};

describe('parseTiming', () => {
  it.each([
    ['0 30 2 * * *', 'cron'],
    ['*/5 * * * * *', 'cron'],
    ['0 0 9 * * MON-FRI', 'cron'],
    // Both day fields, which NCRONTAB allows (cron-parser's strict mode would refuse it).
    ['0 0 0 1 * MON', 'cron'],
    ['0  30 2 * * *', 'cron'],
    ['00:00:05', 'interval'],
    ['1.00:00:00', 'interval'],
    ['100.00:00:00', 'interval'],
  ])('reads %p as %s', (expression, kind) => {
    expect(timing(expression).kind).toBe(kind);
  });

  it('reads a TimeSpan to its length', () => {
    expect(timing('01:02:03')).toEqual({ kind: 'interval', ms: 3_723_000, expression: '01:02:03' });
    expect(timing('2.00:00:01')).toMatchObject({ ms: 172_801_000 });
    // The bounds: the shortest interval, and the largest hours, minutes and seconds.
    expect(timing('00:00:01')).toMatchObject({ ms: 1_000 });
    expect(timing(' 23:59:59 ')).toEqual({
      kind: 'interval',
      ms: 86_399_000,
      expression: '23:59:59',
    });
  });

  it.each([
    ['0 30 2 * *', /six fields.*\(got 5\)/],
    ['61 * * * * *', /invalid NCRONTAB expression/],
    ['every minute', /six fields/],
    ['00:00:00', /at least 00:00:01/],
    ['00:60:00', /minutes and seconds below 60/],
    ['24:00:00', /hours below 24/],
    ['00:00:60', /minutes and seconds below 60/],
    ['1000.00:00:00', /six fields/],
    ['x00:00:05', /six fields/],
    ['00:00:05x', /six fields/],
    ['', /six fields/],
  ])('refuses %p, saying why', (expression, problem) => {
    const parsed = parseTiming(expression);
    expect(parsed).toEqual({ problem: expect.stringMatching(problem) as unknown });
  });
});

describe('tick times', () => {
  it('fires an interval on its multiples since the epoch, whenever it is asked', () => {
    const every5 = timing('00:00:05');
    expect(nextTick(every5, at('2026-01-01T00:00:03.500Z'))).toEqual(at('2026-01-01T00:00:05Z'));
    expect(nextTick(every5, at('2026-01-01T00:00:05Z'))).toEqual(at('2026-01-01T00:00:10Z'));
  });

  it('fires NCRONTAB in UTC, strictly after the time given', () => {
    const daily = timing('0 30 2 * * *');
    expect(nextTick(daily, at('2026-01-01T02:30:00Z'))).toEqual(at('2026-01-02T02:30:00Z'));
    expect(nextTick(daily, at('2026-01-01T02:29:59Z'))).toEqual(at('2026-01-01T02:30:00Z'));
  });

  it('lists the ticks in a span, oldest first, up to a cap, and says when more follow', () => {
    const every2 = timing('00:00:02');
    const from = at('2026-01-01T00:00:00Z');
    expect(ticksBetween(every2, from, at('2026-01-01T00:00:06Z'), 10)).toEqual({
      ticks: [at('2026-01-01T00:00:02Z'), at('2026-01-01T00:00:04Z'), at('2026-01-01T00:00:06Z')],
      more: false,
    });
    expect(ticksBetween(every2, from, at('2026-01-01T00:00:06Z'), 2)).toEqual({
      ticks: [at('2026-01-01T00:00:02Z'), at('2026-01-01T00:00:04Z')],
      more: true,
    });
    expect(ticksBetween(every2, from, at('2026-01-01T00:00:01Z'), 5)).toEqual({
      ticks: [],
      more: false,
    });
  });
});
