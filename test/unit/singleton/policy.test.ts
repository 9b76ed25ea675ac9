import {
  decide,
  decideOnEngineRefusal,
  mayReplace,
  mustRecheck,
  type ConflictPolicy,
  type ReusePolicy,
  type StartingOrchestrator,
} from '../../../src/singleton/policy';
import type { ExistingInstance } from '../../../src/singleton/ports';
import { isRunning, RUNTIME_STATUSES, type RuntimeStatus } from '../../../src/singleton/statuses';

/** The orchestrator the starts below are for. */
function job(reuse: ReusePolicy, replacesOtherOrchestrators?: boolean): StartingOrchestrator {
  return {
    name: 'job',
    reuse,
    ...(replacesOtherOrchestrators !== undefined && { replacesOtherOrchestrators }),
  };
}
/** An instance of the starts' own orchestrator (names are case-insensitive). */
function own(runtimeStatus: RuntimeStatus, name = 'job'): ExistingInstance {
  return { name, runtimeStatus };
}
/** An instance of another orchestrator. */
function other(runtimeStatus: RuntimeStatus): ExistingInstance {
  return { name: 'otherJob', runtimeStatus };
}

const RUNNING: RuntimeStatus[] = ['Pending', 'Running', 'ContinuedAsNew', 'Suspended'];
const ENDED: RuntimeStatus[] = ['Completed', 'Failed', 'Terminated', 'Canceled'];

describe('statuses', () => {
  it('partitions every runtime status into running and ended', () => {
    expect([...RUNNING, ...ENDED].sort()).toEqual([...RUNTIME_STATUSES].sort());
    for (const s of RUNNING) expect(isRunning(s)).toBe(true);
    for (const s of ENDED) expect(isRunning(s)).toBe(false);
  });
});

describe('decide: no instance', () => {
  it.each<[ConflictPolicy, ReusePolicy]>([
    ['reject', 'always'],
    ['attach', 'failedOnly'],
    ['restart', 'never'],
  ])('starts (onConflict=%s, reuse=%s)', (onConflict, reuse) => {
    expect(decide(undefined, onConflict, job(reuse))).toEqual({ action: 'start' });
  });
});

describe('decide: running instance (reuse always)', () => {
  it.each(RUNNING)('%s + reject → conflict (rule running)', (status) => {
    expect(decide(own(status), 'reject', job('always'))).toEqual({
      action: 'conflict',
      refusal: { rule: 'running', by: 'starter', runtimeStatus: status },
    });
  });
  it.each(RUNNING)('%s + attach → attach', (status) => {
    expect(decide(own(status), 'attach', job('always'))).toEqual({
      action: 'attach',
      runtimeStatus: status,
    });
  });
  it.each(RUNNING)('%s + restart → restart', (status) => {
    expect(decide(own(status), 'restart', job('always'))).toEqual({
      action: 'restart',
      runtimeStatus: status,
    });
  });
});

describe('decide: ended instance', () => {
  // [status, reuse, may start?]
  const table: [RuntimeStatus, ReusePolicy, boolean][] = [
    ['Completed', 'always', true],
    ['Failed', 'always', true],
    ['Terminated', 'always', true],
    ['Canceled', 'always', true],
    ['Completed', 'failedOnly', false],
    ['Failed', 'failedOnly', true],
    ['Terminated', 'failedOnly', true],
    ['Canceled', 'failedOnly', true],
    ['Completed', 'never', false],
    ['Failed', 'never', false],
    ['Terminated', 'never', false],
    ['Canceled', 'never', false],
  ];
  it.each(table)('%s under reuse=%s: start=%s, whatever onConflict', (status, reuse, starts) => {
    for (const onConflict of ['reject', 'attach', 'restart'] as const) {
      const decision = decide(own(status), onConflict, job(reuse));
      if (starts) {
        expect(decision).toEqual({ action: 'start' });
      } else {
        expect(decision).toEqual({
          action: 'conflict',
          refusal: { rule: 'reuse', reuse, runtimeStatus: status },
        });
      }
      expect(mayReplace(status, reuse)).toBe(starts);
    }
  });
});

describe('decide: restart and reuse policies', () => {
  it('restart is allowed under failedOnly (the terminated instance may be replaced)', () => {
    expect(decide(own('Running'), 'restart', job('failedOnly'))).toEqual({
      action: 'restart',
      runtimeStatus: 'Running',
    });
  });
  it('restart is refused under never', () => {
    expect(decide(own('Running'), 'restart', job('never'))).toEqual({
      action: 'conflict',
      refusal: { rule: 'reuse', reuse: 'never', runtimeStatus: 'Running' },
    });
  });
  it('reject and attach on a running instance do not depend on the reuse policy', () => {
    expect(decide(own('Running'), 'reject', job('never'))).toEqual({
      action: 'conflict',
      refusal: { rule: 'running', by: 'starter', runtimeStatus: 'Running' },
    });
    expect(decide(own('Suspended'), 'attach', job('never'))).toEqual({
      action: 'attach',
      runtimeStatus: 'Suspended',
    });
  });
});

describe('decide: an instance of another orchestrator', () => {
  const POLICIES: ConflictPolicy[] = ['reject', 'attach', 'restart'];
  // Running: refused even with the opt-in. Ended: refused by default, even under reuse always.
  it.each([
    ...RUNNING.map((status) => [status, [job('always'), job('always', true)]] as const),
    ...ENDED.map((status) => [status, [job('always'), job('always', false)]] as const),
  ])('%s: refused whatever onConflict (orchestrators %j)', (status, orchestrators) => {
    for (const onConflict of POLICIES) {
      for (const orchestrator of orchestrators) {
        expect(decide(other(status), onConflict, orchestrator)).toEqual({
          action: 'conflict',
          refusal: { rule: 'other-orchestrator', runtimeStatus: status },
        });
      }
    }
  });
  it('ended, with replacesOtherOrchestrators: replaced under the reuse policy', () => {
    expect(decide(other('Completed'), 'reject', job('always', true))).toEqual({ action: 'start' });
    expect(decide(other('Failed'), 'attach', job('failedOnly', true))).toEqual({
      action: 'start',
    });
    expect(decide(other('Completed'), 'reject', job('failedOnly', true))).toEqual({
      action: 'conflict',
      refusal: { rule: 'reuse', reuse: 'failedOnly', runtimeStatus: 'Completed' },
    });
  });
  it('compares orchestrator names case-insensitively, as function names are', () => {
    expect(decide(own('Running', 'JOB'), 'attach', job('always'))).toEqual({
      action: 'attach',
      runtimeStatus: 'Running',
    });
    expect(decide(own('Completed', 'Job'), 'reject', job('always'))).toEqual({ action: 'start' });
  });
  it("an instance whose orchestrator is unknown (no name) is another's: refused", () => {
    expect(decide(own('Completed', ''), 'reject', job('always'))).toEqual({
      action: 'conflict',
      refusal: { rule: 'other-orchestrator', runtimeStatus: 'Completed' },
    });
  });
});

describe('decideOnEngineRefusal', () => {
  it('attaches a caller who asked to, to its own instance, in the status the engine named', () => {
    expect(decideOnEngineRefusal(own('Pending'), 'Running', 'attach', job('always'))).toEqual({
      action: 'attach',
      runtimeStatus: 'Running',
    });
    expect(decideOnEngineRefusal(own('Running'), undefined, 'attach', job('always'))).toEqual({
      action: 'attach',
      runtimeStatus: 'Running',
    });
  });
  it.each<ConflictPolicy>(['reject', 'restart'])(
    'refuses a caller with onConflict=%s',
    (policy) => {
      expect(decideOnEngineRefusal(own('Pending'), 'Pending', policy, job('always'))).toEqual({
        action: 'conflict',
        refusal: { rule: 'running', by: 'engine', runtimeStatus: 'Pending' },
      });
    },
  );
  it.each<ConflictPolicy>(['reject', 'attach', 'restart'])(
    "refuses onConflict=%s when the instance is another orchestrator's (rule of its own)",
    (policy) => {
      expect(
        decideOnEngineRefusal(other('Running'), 'Running', policy, job('always', true)),
      ).toEqual({
        action: 'conflict',
        refusal: { rule: 'other-orchestrator', runtimeStatus: 'Running' },
      });
      expect(decideOnEngineRefusal(other('Suspended'), undefined, policy, job('always'))).toEqual({
        action: 'conflict',
        refusal: { rule: 'other-orchestrator', runtimeStatus: 'Suspended' },
      });
    },
  );
  it('refuses an attach when the read after the refusal found nothing (whose it is is unknown)', () => {
    expect(decideOnEngineRefusal(undefined, 'Running', 'attach', job('always'))).toEqual({
      action: 'conflict',
      refusal: { rule: 'running', by: 'engine', runtimeStatus: 'Running' },
    });
    expect(decideOnEngineRefusal(undefined, undefined, 'attach', job('always'))).toEqual({
      action: 'conflict',
      refusal: { rule: 'running', by: 'engine' },
    });
  });
});

describe('mustRecheck', () => {
  it('leaves the check to the engine only for an absent instance, reuse always, the opt-in, no restart', () => {
    expect(mustRecheck(undefined, 'reject', job('always', true), true)).toBe(false);
    expect(mustRecheck(undefined, 'attach', job('always', true), true)).toBe(false);
  });
  it.each<[ExistingInstance | undefined, ConflictPolicy, StartingOrchestrator, boolean]>([
    [undefined, 'reject', job('always'), true],
    [undefined, 'reject', job('always', false), true],
    [undefined, 'restart', job('always', true), true],
    [undefined, 'reject', job('failedOnly', true), true],
    [undefined, 'reject', job('never', true), true],
    [undefined, 'reject', job('always', true), false],
    [own('Completed'), 'reject', job('always', true), true],
    [own('Failed'), 'attach', job('always', true), true],
  ])(
    're-reads for seen=%j, onConflict=%s, orchestrator=%j, engine refuses duplicates=%s',
    (seen, onConflict, orchestrator, engine) => {
      expect(mustRecheck(seen, onConflict, orchestrator, engine)).toBe(true);
    },
  );
});
