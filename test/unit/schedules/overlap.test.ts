/**
 * Every overlap policy against every answer of the starter, for a new tick and a waiting one, and
 * how the starter's results read as a tick's outcome.
 */
import type { OverlapPolicy, Schedule } from '../../../src/schedules/definition';
import { fireOutcome } from '../../../src/schedules/fireOutcome';
import { afterTry, inputOf, tickStart, type FireOutcome } from '../../../src/schedules/overlap';

const T1 = '2026-01-01T00:00:02.000Z';
const T2 = '2026-01-01T00:00:04.000Z';
const T3 = '2026-01-01T00:00:06.000Z';
const running: FireOutcome = { kind: 'running' };
const started: FireOutcome = { kind: 'started', instanceId: 'job' };
const noAnswer: FireOutcome = { kind: 'unavailable', detail: 'no answer' };
const refused: FireOutcome = { kind: 'refused', detail: 'reuse' };

const schedule = (overlap: OverlapPolicy): Schedule => ({
  name: 'nightly',
  orchestrator: 'job',
  instanceId: 'job-1',
  timing: { kind: 'interval', ms: 2_000, expression: '00:00:02' },
  input: null,
  overlap,
  catchupWindowMs: 0,
  pauseOnFailure: false,
  bufferLimit: 2,
  cancelEvent: 'cancel',
  initiallyPaused: false,
});

describe('a new tick while a run is running', () => {
  it.each<[OverlapPolicy, string[], ReturnType<typeof afterTry>]>([
    ['skip', [], { fate: 'skipped', buffer: [], dropped: [], cancelRunning: false }],
    ['bufferOne', [], { fate: 'buffered', buffer: [T3], dropped: [], cancelRunning: false }],
    ['bufferOne', [T1], { fate: 'skipped', buffer: [T1], dropped: [], cancelRunning: false }],
    ['bufferAll', [T1], { fate: 'buffered', buffer: [T1, T3], dropped: [], cancelRunning: false }],
    [
      'bufferAll',
      [T1, T2],
      { fate: 'skipped', buffer: [T1, T2], dropped: [], cancelRunning: false },
    ],
    ['cancelOther', [], { fate: 'buffered', buffer: [T3], dropped: [], cancelRunning: true }],
    ['cancelOther', [T1], { fate: 'buffered', buffer: [T3], dropped: [T1], cancelRunning: true }],
    ['terminateOther', [], { fate: 'skipped', buffer: [], dropped: [], cancelRunning: false }],
    ['allowAll', [], { fate: 'skipped', buffer: [], dropped: [], cancelRunning: false }],
  ])('%s with %p waiting', (policy, buffer, expected) => {
    expect(afterTry(policy, 2, T3, false, running, buffer)).toEqual(expected);
  });
});

describe('whatever the policy', () => {
  const policies: OverlapPolicy[] = [
    'skip',
    'bufferOne',
    'bufferAll',
    'cancelOther',
    'terminateOther',
    'allowAll',
  ];

  it.each(policies)(
    '%s: a started tick leaves the buffer as it was (a waiting one leaves it)',
    (policy) => {
      expect(afterTry(policy, 2, T2, false, started, [T1])).toEqual({
        fate: 'started',
        buffer: [T1],
        dropped: [],
        cancelRunning: false,
      });
      expect(afterTry(policy, 2, T1, true, started, [T1, T2])).toEqual({
        fate: 'started',
        buffer: [T2],
        dropped: [],
        cancelRunning: false,
      });
    },
  );

  it.each(policies)('%s: a tick without an answer waits to be tried again, once', (policy) => {
    expect(afterTry(policy, 2, T2, false, noAnswer, [T1])).toEqual({
      fate: 'buffered',
      buffer: [T1, T2],
      dropped: [],
      cancelRunning: false,
    });
    expect(afterTry(policy, 2, T1, true, noAnswer, [T1])).toEqual({
      fate: 'buffered',
      buffer: [T1],
      dropped: [],
      cancelRunning: false,
    });
  });

  it.each(policies)(
    '%s: a refused tick is dropped, a waiting one finding a run keeps waiting',
    (policy) => {
      expect(afterTry(policy, 2, T1, true, refused, [T1])).toEqual({
        fate: 'refused',
        buffer: [],
        dropped: [],
        cancelRunning: false,
      });
      expect(afterTry(policy, 2, T1, true, running, [T1])).toEqual({
        fate: 'buffered',
        buffer: [T1],
        dropped: [],
        cancelRunning: false,
      });
    },
  );
});

describe('inputOf', () => {
  it('gives the schedule’s input, or what its function makes of the tick', () => {
    expect(inputOf({ ...schedule('skip'), input: { n: 1 } }, T1)).toEqual({ n: 1 });
    const byTick = { ...schedule('skip'), input: (tick: string) => ({ tick }) };
    expect(inputOf(byTick, T1)).toEqual({ tick: T1 });
  });
});

describe('tickStart', () => {
  it('keys every try of a tick alike, and gives allowAll a run of its own per tick', () => {
    expect(tickStart(schedule('skip'), T1)).toEqual({
      instanceId: 'job-1',
      onConflict: 'reject',
      idempotencyKey: `schedule:nightly:${T1}`,
    });
    expect(tickStart(schedule('terminateOther'), T1).onConflict).toBe('restart');
    expect(tickStart(schedule('allowAll'), T1)).toEqual({
      instanceId: `job-1-${T1}`,
      onConflict: 'reject',
      idempotencyKey: `schedule:nightly:${T1}`,
    });
  });
});

describe('fireOutcome', () => {
  it('reads the starter’s results as a tick’s', () => {
    expect(fireOutcome({ kind: 'started', instanceId: 'a' })).toEqual({
      kind: 'started',
      instanceId: 'a',
    });
    expect(
      fireOutcome({
        kind: 'replayed',
        instanceId: 'a',
        original: { kind: 'started', instanceId: 'a' },
      }),
    ).toEqual({ kind: 'started', instanceId: 'a' });
    expect(
      fireOutcome({
        kind: 'conflict',
        instanceId: 'a',
        refusal: { rule: 'running', by: 'starter', runtimeStatus: 'Running' },
      }),
    ).toEqual({ kind: 'running' });
    expect(
      fireOutcome({
        kind: 'conflict',
        instanceId: 'a',
        refusal: { rule: 'in-progress', lockWaitMs: 1 },
      }),
    ).toEqual({ kind: 'running' });
    expect(
      fireOutcome({
        kind: 'conflict',
        instanceId: 'a',
        refusal: { rule: 'reuse', reuse: 'never', runtimeStatus: 'Completed' },
      }).kind,
    ).toBe('refused');
    expect(fireOutcome({ kind: 'unavailable', detail: 'x', restartTimedOut: true })).toEqual({
      kind: 'running',
    });
    expect(fireOutcome({ kind: 'unavailable', detail: 'x' }).kind).toBe('unavailable');
    expect(
      fireOutcome({ kind: 'keyInProgress', idempotencyKey: 'k', instanceId: 'a', retryAfterMs: 1 })
        .kind,
    ).toBe('unavailable');
    expect(fireOutcome({ kind: 'failed', detail: 'x' }).kind).toBe('refused');
    expect(fireOutcome({ kind: 'misconfigured', detail: 'x' }).kind).toBe('refused');
  });
});
