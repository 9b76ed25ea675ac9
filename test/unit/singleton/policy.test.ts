import {
  decide,
  decideOnEngineRefusal,
  mayReplace,
  mustRecheck,
  type ConflictPolicy,
  type ReusePolicy,
} from '../../../src/singleton/policy';
import { isRunning, RUNTIME_STATUSES, type RuntimeStatus } from '../../../src/singleton/statuses';

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
    expect(decide(undefined, onConflict, reuse)).toEqual({ action: 'start' });
  });
});

describe('decide: running instance (reuse always)', () => {
  it.each(RUNNING)('%s + reject → conflict (rule running)', (status) => {
    expect(decide(status, 'reject', 'always')).toEqual({
      action: 'conflict',
      refusal: { rule: 'running', by: 'starter', runtimeStatus: status },
    });
  });
  it.each(RUNNING)('%s + attach → attach', (status) => {
    expect(decide(status, 'attach', 'always')).toEqual({ action: 'attach', runtimeStatus: status });
  });
  it.each(RUNNING)('%s + restart → restart', (status) => {
    expect(decide(status, 'restart', 'always')).toEqual({
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
      const decision = decide(status, onConflict, reuse);
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
    expect(decide('Running', 'restart', 'failedOnly')).toEqual({
      action: 'restart',
      runtimeStatus: 'Running',
    });
  });
  it('restart is refused under never', () => {
    expect(decide('Running', 'restart', 'never')).toEqual({
      action: 'conflict',
      refusal: { rule: 'reuse', reuse: 'never', runtimeStatus: 'Running' },
    });
  });
  it('reject and attach on a running instance do not depend on the reuse policy', () => {
    expect(decide('Running', 'reject', 'never')).toEqual({
      action: 'conflict',
      refusal: { rule: 'running', by: 'starter', runtimeStatus: 'Running' },
    });
    expect(decide('Suspended', 'attach', 'never')).toEqual({
      action: 'attach',
      runtimeStatus: 'Suspended',
    });
  });
});

describe('decideOnEngineRefusal', () => {
  it('attaches a caller who asked to, to the instance the engine named', () => {
    expect(decideOnEngineRefusal('Running', 'attach')).toEqual({
      action: 'attach',
      runtimeStatus: 'Running',
    });
  });
  it.each<ConflictPolicy>(['reject', 'restart'])(
    'refuses a caller with onConflict=%s',
    (policy) => {
      expect(decideOnEngineRefusal('Pending', policy)).toEqual({
        action: 'conflict',
        refusal: { rule: 'running', by: 'engine', runtimeStatus: 'Pending' },
      });
    },
  );
  it('refuses even an attach when the engine did not name the status (nothing to attach to)', () => {
    expect(decideOnEngineRefusal(undefined, 'attach')).toEqual({
      action: 'conflict',
      refusal: { rule: 'running', by: 'engine' },
    });
  });
});

describe('mustRecheck', () => {
  it('leaves the check to the engine only for an absent instance, reuse always, no restart', () => {
    expect(mustRecheck(undefined, 'reject', 'always', true)).toBe(false);
    expect(mustRecheck(undefined, 'attach', 'always', true)).toBe(false);
  });
  it.each<[RuntimeStatus | undefined, ConflictPolicy, ReusePolicy, boolean]>([
    [undefined, 'restart', 'always', true],
    [undefined, 'reject', 'failedOnly', true],
    [undefined, 'reject', 'never', true],
    [undefined, 'reject', 'always', false],
    ['Completed', 'reject', 'always', true],
    ['Failed', 'attach', 'always', true],
  ])(
    're-reads for seen=%s, onConflict=%s, reuse=%s, engine refuses duplicates=%s',
    (seen, onConflict, reuse, engine) => {
      expect(mustRecheck(seen, onConflict, reuse, engine)).toBe(true);
    },
  );
});
