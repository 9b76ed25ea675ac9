/** The schedule invariant: no tick twice, every tick accounted for, by reports or by runs. */
import type { RunRecord } from '../../../tools/chaos/history';
import { checkSchedules, type ScheduleRecord } from '../../../tools/chaos/scheduleChecker';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const s = (seconds: number) => T0 + seconds * 1000;
const marker = (name: string, seconds: number) =>
  `sched:${name}:${new Date(s(seconds)).toISOString()}`;

function run(
  name: string,
  tick: number,
  startedAt: number,
  lastSeenAt: number,
  id = 'job',
): RunRecord {
  return {
    runId: `${name}-${tick}-${startedAt}`,
    instanceId: id,
    orchestrator: 'chaosJob',
    marker: marker(name, tick),
    startedAt: s(startedAt),
    lastSeenAt: s(lastSeenAt),
    ended: true,
    signals: [],
  };
}

const ends = (started: number, skipped: number, missed = 0, paused = 0) => ({
  started,
  skipped,
  refused: 0,
  missed,
  paused,
});

const reported = (
  before: ScheduleRecord['before'],
  after: ScheduleRecord['after'],
): ScheduleRecord => ({
  name: 'sk',
  instanceId: 'job',
  intervalMs: 2_000,
  before,
  after,
  from: 0,
  to: 0,
});

describe('schedule-ticks, for a scheduler that reports', () => {
  // Ticks at 2, 4, 6, 8, 10 s: 2 and 8 started, the others skipped.
  const before = { lastTick: s(0), ends: ends(0, 0), waiting: 0 };
  const after = { lastTick: s(10), ends: ends(2, 3), waiting: 0 };
  const runs = [run('sk', 2, 2.1, 5.2), run('sk', 8, 8.1, 11.2)];

  it('holds when every tick has one end and each start its run', () => {
    expect(checkSchedules([reported(before, after)], runs)).toEqual([]);
  });

  it('finds a tick that ran twice', () => {
    const twice = [...runs, run('sk', 8, 12, 15)];
    const found = checkSchedules([reported(before, after)], twice);
    expect(found.map((v) => v.detail)).toContainEqual(
      expect.stringMatching(/tick .*:08.000Z ran 2 times/),
    );
  });

  it('finds a tick the scheduler lost (its ends fall short)', () => {
    const found = checkSchedules([reported(before, { ...after, ends: ends(2, 2) })], runs);
    expect(found[0]?.detail).toMatch(/5 ticks in .* but the scheduler accounts for 4/);
  });

  it('counts waiting ticks as accounted for', () => {
    const waiting = { ...after, ends: ends(2, 2), waiting: 1 };
    expect(checkSchedules([reported(before, waiting)], runs)).toEqual([]);
  });

  it('finds missed ticks inside the catch-up window, and starts without runs', () => {
    const missed = checkSchedules([reported(before, { ...after, ends: ends(2, 2, 1) })], runs);
    expect(missed.map((v) => v.detail)).toContainEqual(
      expect.stringMatching(/1 tick\(s\) inside the catch-up window were missed/),
    );
    const phantom = checkSchedules([reported(before, after)], [runs[0]]);
    expect(phantom[0]?.detail).toMatch(/started 2 tick\(s\); runs carry 1/);
  });
});

describe('schedule-ticks, for a schedule that reports nothing (the naive timer)', () => {
  const naive: ScheduleRecord = {
    name: 'nv',
    instanceId: 'naive',
    intervalMs: 2_000,
    from: s(0),
    to: s(10),
  };

  it('accounts for a tick by its run, or by a run of the ID running at its time', () => {
    // 2 starts a run to 5.2 (so 4 met it); 6 starts one to 9.2 (8 met it); 10 runs.
    const runs = [
      run('nv', 2, 2.1, 5.2, 'naive'),
      run('nv', 6, 6.1, 9.2, 'naive'),
      run('nv', 10, 10.1, 12, 'naive'),
    ];
    expect(checkSchedules([naive], runs)).toEqual([]);
  });

  it('takes a run as running at a tick only between heartbeats close together', () => {
    // Records at 2.1, 3.1 then nothing until 9.2 (storage dark): ticks 4, 6 and 8 are not met.
    const stalled = { ...run('nv', 2, 2.1, 9.2, 'naive'), seenAt: [s(2.1), s(3.1), s(9.2)] };
    const [found] = checkSchedules([{ ...naive, to: s(8) }], [stalled]);
    expect(found?.detail).toMatch(/nv: 3 tick\(s\) neither ran nor met a running run/);
  });

  it('finds ticks that left no trace (its start failed: storage down)', () => {
    const runs = [run('nv', 2, 2.1, 5.2, 'naive')];
    const [found] = checkSchedules([naive], runs);
    expect(found?.detail).toMatch(/nv: 3 tick\(s\) neither ran nor met a running run/);
  });
});
