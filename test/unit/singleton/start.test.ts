/**
 * `startSingleton`, branch by branch, through in-memory ports and injected time. The journal lists
 * every port call in order: `acquire` (with its wait: 0 for the request made beside the status
 * read), `status`, `start`, `terminate`, and how the hold on the lock ended (`released` or
 * `leftToExpire`).
 */
import type { StartableOrchestrator } from '../../../src/singleton/catalog';
import type { StartCommand } from '../../../src/singleton/result';
import type { ConflictPolicy, ReusePolicy } from '../../../src/singleton/policy';
import { ConflictHints } from '../../../src/singleton/conflictHints';
import { DependencyError } from '../../../src/dependencies/failure';
import { fakeWorld, settle, startSingleton, type FakeLock } from './fakes';

function command(
  onConflict: ConflictPolicy = 'reject',
  reuse: ReusePolicy = 'always',
  replacesOtherOrchestrators = false,
): StartCommand {
  const orchestrator: StartableOrchestrator = {
    name: 'job',
    reuse,
    ...(replacesOtherOrchestrators && { replacesOtherOrchestrators }),
  };
  return { orchestrator, instanceId: 'id', input: { n: 1 }, onConflict };
}

/**
 * Runs `start` while another holder has the lock when it first asks, and releases it once `start`
 * is waiting for it: the path where the status is read before the lock is held.
 */
async function whileAnotherHolds<T>(lock: FakeLock, start: () => Promise<T>): Promise<T> {
  const other = await lock.acquire({ taskHub: 'hub', instanceId: 'id' }, 0);
  const pending = start();
  await settle();
  await other!.release();
  return pending;
}

/** Where the engine's duplicate check decides alone: reuse `always` and the opt-in. */
function engineChecked(onConflict: ConflictPolicy = 'reject'): StartCommand {
  return command(onConflict, 'always', true);
}

describe('started', () => {
  it('starts a new ID after reading it under the lock, and releases', async () => {
    const { deps, journal, lock } = fakeWorld();

    const outcome = await startSingleton(command(), deps);

    expect(outcome).toEqual({ kind: 'started', instanceId: 'id' });
    // The lock first; whose instance the ID holds, if any, is read under it (safety point 7).
    expect(journal).toEqual(['acquire id 0', 'status id', 'start job id', 'released id']);
    expect(lock.holds).toEqual([{ state: 'released' }]);
  });

  it('leaves the duplicate check to the engine for an orchestrator that may replace others', async () => {
    const { deps, journal, lock } = fakeWorld();

    const outcome = await startSingleton(engineChecked(), deps);

    expect(outcome).toEqual({ kind: 'started', instanceId: 'id' });
    // Reuse `always`, the opt-in, onConflict `reject`: the engine's check under the lock decides.
    expect(journal).toEqual(['acquire id 0', 'start job id', 'released id']);
    expect(lock.holds).toEqual([{ state: 'released' }]);
  });

  it('reads the status again under the lock when the reuse policy is not `always`', async () => {
    const { deps, journal } = fakeWorld();

    const outcome = await startSingleton(command('reject', 'failedOnly'), deps);

    expect(outcome).toEqual({ kind: 'started', instanceId: 'id' });
    expect(journal).toEqual(['acquire id 0', 'status id', 'start job id', 'released id']);
  });

  it('replaces an ended instance the reuse policy allows to be replaced', async () => {
    const { deps, instances, journal } = fakeWorld();
    instances.seed('id', 'Failed');

    const outcome = await startSingleton(command('reject', 'failedOnly'), deps);

    expect(outcome).toEqual({ kind: 'started', instanceId: 'id' });
    expect(journal).toContain('start job id');
  });
});

describe('attached', () => {
  it('attaches to a running instance this process started, reading first, without the lock', async () => {
    const conflictHints = new ConflictHints();
    conflictHints.expectConflict('id');
    const { deps, instances, journal } = fakeWorld({ conflictHints });
    instances.seed('id', 'Running');

    const outcome = await startSingleton(command('attach'), deps);

    expect(outcome).toEqual({ kind: 'attached', instanceId: 'id', runtimeStatus: 'Running' });
    expect(journal).toEqual(['status id']);
  });
});

describe('conflict', () => {
  it('refuses a running instance this process started or refused before, reading first, without the lock', async () => {
    const conflictHints = new ConflictHints();
    conflictHints.expectConflict('id');
    const { deps, instances, journal } = fakeWorld({ conflictHints });
    instances.seed('id', 'Suspended');

    const outcome = await startSingleton(command('reject'), deps);

    expect(outcome).toEqual({
      kind: 'conflict',
      instanceId: 'id',
      refusal: { rule: 'running', by: 'starter', runtimeStatus: 'Suspended' },
    });
    expect(journal).toEqual(['status id']);
  });

  it('refuses a running instance at once when the lock is taken by another start', async () => {
    const { deps, instances, lock, journal } = fakeWorld();
    instances.seed('id', 'Running');
    await lock.acquire({ taskHub: 'hub', instanceId: 'id' }, 0);
    journal.length = 0;

    const outcome = await startSingleton(command('reject'), deps);

    expect(outcome).toMatchObject({
      kind: 'conflict',
      refusal: { rule: 'running', by: 'starter' },
    });
    expect(journal).toEqual(['acquire id 0', 'status id']);
  });

  it('refuses what it read under the lock, releasing it in the background', async () => {
    const { deps, instances, journal } = fakeWorld();
    instances.seed('id', 'Completed');

    const outcome = await startSingleton(command('reject', 'failedOnly'), deps);

    expect(outcome).toMatchObject({ kind: 'conflict', refusal: { rule: 'reuse' } });
    await settle();
    expect(journal).toEqual(['acquire id 0', 'status id', 'released id']);
  });

  it('refuses an ended instance the reuse policy keeps', async () => {
    const { deps, instances, journal } = fakeWorld();
    instances.seed('id', 'Completed');

    const outcome = await startSingleton(command('reject', 'never'), deps);

    expect(outcome).toEqual({
      kind: 'conflict',
      instanceId: 'id',
      refusal: { rule: 'reuse', reuse: 'never', runtimeStatus: 'Completed' },
    });
    await settle();
    expect(journal).toEqual(['acquire id 0', 'status id', 'released id']);
  });

  it('refuses, under the lock, an instance the read before it missed, and releases', async () => {
    const { deps, instances, journal, lock } = fakeWorld();
    instances.seed('id', 'Completed');
    instances.hideFromReads('id', 1);

    const outcome = await whileAnotherHolds(lock, () =>
      startSingleton(command('reject', 'never'), deps),
    );

    expect(outcome).toMatchObject({ kind: 'conflict', refusal: { rule: 'reuse' } });
    expect(journal).toEqual([
      'acquire id 0', // the other holder's
      'acquire id 0', // taken
      'status id', // misses it
      'acquire id 10000',
      'released id', // the other holder's
      'status id', // under the lock: sees it
      'released id',
    ]);
  });

  it('answers "in progress" when another start holds the lock for the whole wait', async () => {
    const { deps, lock, journal } = fakeWorld({ lockWaitMs: 300 });
    lock.busy = true;

    const outcome = await startSingleton(command(), deps);

    expect(outcome).toEqual({
      kind: 'conflict',
      instanceId: 'id',
      refusal: { rule: 'in-progress', lockWaitMs: 300 },
    });
    expect(journal).toEqual(['acquire id 0', 'status id', 'acquire id 300']);
  });
});

describe('restart', () => {
  it('terminates the running instance, waits for it to end, then starts', async () => {
    const { deps, instances, journal, clock } = fakeWorld({ restartTimeoutMs: 1_000 });
    instances.seed('id', 'Running');
    instances.terminateTakesMs = 600;

    const outcome = await startSingleton(command('restart'), deps);

    expect(outcome).toEqual({ kind: 'started', instanceId: 'id' });
    expect(journal).toEqual([
      'acquire id 0',
      'status id', // under the lock: Running
      'terminate id',
      'status id', // 0 ms: still Running
      'status id', // 250 ms
      'status id', // 500 ms
      'status id', // 750 ms: Terminated
      'start job id',
      'released id',
    ]);
    expect(clock.now()).toBe(750);
  });

  it('answers unavailable, starting nothing, when the instance outlives the restart timeout', async () => {
    const { deps, instances, journal } = fakeWorld({ restartTimeoutMs: 500 });
    instances.seed('id', 'Running');

    const outcome = await startSingleton(command('restart'), deps);

    expect(outcome).toEqual({
      kind: 'unavailable',
      detail: expect.stringMatching(/did not end within 500 ms; nothing was started/),
      restartTimedOut: true,
    });
    expect(journal).not.toContain('start job id');
    expect(journal.at(-1)).toBe('released id');
  });
});

describe('engine refusal', () => {
  // Reuse `always` and the opt-in leave the check to the engine, which refuses the start; whose
  // instance it refused for is read once more, before anyone is attached to it.
  function runningUnseen(name?: string) {
    const world = fakeWorld();
    world.instances.seed('id', 'Running', name);
    return world;
  }

  it('attaches a caller who asked to attach, once a read shows the instance is its own', async () => {
    const { deps, journal } = runningUnseen();

    const outcome = await startSingleton(engineChecked('attach'), deps);

    expect(outcome).toEqual({ kind: 'attached', instanceId: 'id', runtimeStatus: 'Running' });
    expect(journal).toEqual(['acquire id 0', 'start job id', 'status id', 'released id']);
  });

  it('refuses a caller who asked to reject, naming the engine', async () => {
    const { deps } = runningUnseen();

    const outcome = await startSingleton(engineChecked('reject'), deps);

    expect(outcome).toEqual({
      kind: 'conflict',
      instanceId: 'id',
      refusal: { rule: 'running', by: 'engine', runtimeStatus: 'Running' },
    });
  });

  it.each<ConflictPolicy>(['reject', 'attach'])(
    "refuses onConflict=%s when the running instance is another orchestrator's",
    async (onConflict) => {
      const { deps, instances, log } = runningUnseen('otherJob');

      const outcome = await startSingleton(engineChecked(onConflict), deps);

      expect(outcome).toEqual({
        kind: 'conflict',
        instanceId: 'id',
        refusal: { rule: 'other-orchestrator', runtimeStatus: 'Running' },
      });
      expect(instances.startsAccepted('id')).toBe(0);
      expect(log.lines.join('\n')).toContain("another orchestrator ('otherJob')");
    },
  );

  it('refuses an attach when the read after the refusal fails (whose it is stays unknown)', async () => {
    const { deps, instances } = runningUnseen();
    instances.failNext('status', new DependencyError('durable', 'unavailable', 'down'));

    const outcome = await startSingleton(engineChecked('attach'), deps);

    expect(outcome).toEqual({
      kind: 'conflict',
      instanceId: 'id',
      refusal: { rule: 'running', by: 'engine', runtimeStatus: 'Running' },
    });
  });
});

describe('instances belong to their orchestrator (safety point 7)', () => {
  const POLICIES: ConflictPolicy[] = ['reject', 'attach', 'restart'];

  it.each(POLICIES)(
    "never attaches to, terminates or starts over another orchestrator's running instance (onConflict=%s)",
    async (onConflict) => {
      const { deps, instances, journal } = fakeWorld({ restartTimeoutMs: 0 });
      instances.seed('id', 'Running', 'otherJob');

      const outcome = await startSingleton(command(onConflict), deps);

      expect(outcome).toEqual({
        kind: 'conflict',
        instanceId: 'id',
        refusal: { rule: 'other-orchestrator', runtimeStatus: 'Running' },
      });
      expect(journal.filter((c) => /^(start|terminate)/.test(c))).toEqual([]);
    },
  );

  it.each(POLICIES)(
    "never replaces another orchestrator's ended instance, even under reuse always (onConflict=%s)",
    async (onConflict) => {
      const { deps, instances, journal } = fakeWorld();
      instances.seed('id', 'Completed', 'otherJob');

      const outcome = await startSingleton(command(onConflict, 'always'), deps);

      expect(outcome).toEqual({
        kind: 'conflict',
        instanceId: 'id',
        refusal: { rule: 'other-orchestrator', runtimeStatus: 'Completed' },
      });
      expect(journal.filter((c) => /^(start|terminate)/.test(c))).toEqual([]);
    },
  );

  it('replaces it when the orchestrator opted in (replacesOtherOrchestrators)', async () => {
    const { deps, instances, journal } = fakeWorld();
    instances.seed('id', 'Completed', 'otherJob');

    const outcome = await startSingleton(engineChecked(), deps);

    expect(outcome).toEqual({ kind: 'started', instanceId: 'id' });
    expect(journal).toContain('start job id');
  });

  it("refuses, under the lock, another orchestrator's instance that the read before it missed", async () => {
    // The other holder started another orchestrator under the ID, and it ended at once: the
    // engine would let a start replace it, so only the read under the lock sees whose it is.
    const { deps, instances, journal, lock } = fakeWorld();
    instances.seed('id', 'Completed', 'otherJob');
    instances.hideFromReads('id', 1);

    const outcome = await whileAnotherHolds(lock, () => startSingleton(command(), deps));

    expect(outcome).toEqual({
      kind: 'conflict',
      instanceId: 'id',
      refusal: { rule: 'other-orchestrator', runtimeStatus: 'Completed' },
    });
    expect(journal).not.toContain('start job id');
    expect(journal.slice(-2)).toEqual(['status id', 'released id']);
  });

  it('names the other orchestrator in the log line, never in the outcome', async () => {
    const { deps, instances, log } = fakeWorld();
    instances.seed('id', 'Completed', 'otherJob');

    const outcome = await startSingleton(command(), deps);

    expect(JSON.stringify(outcome)).not.toContain('otherJob');
    expect(log.lines.join('\n')).toContain(
      "found a Completed instance of another orchestrator ('otherJob')",
    );
  });
});

describe('dependency failures', () => {
  it('answers unavailable when the lock storage is unavailable, starting nothing', async () => {
    const { deps, lock, journal } = fakeWorld();
    lock.failNext(new DependencyError('lock', 'unavailable', 'storage down'));

    const outcome = await startSingleton(command(), deps);

    expect(outcome).toEqual({ kind: 'unavailable', detail: 'storage down' });
    expect(journal).toEqual(['acquire id 0']);
  });

  it('answers unavailable when the durable backend is unavailable', async () => {
    const { deps, instances, journal } = fakeWorld();
    instances.failNext('status', new DependencyError('durable', 'unavailable', 'extension down'));

    const outcome = await startSingleton(command('reject', 'never'), deps);

    expect(outcome).toEqual({ kind: 'unavailable', detail: 'extension down' });
    await settle();
    expect(journal).toEqual(['acquire id 0', 'status id', 'released id']);
  });

  it('answers failed when the lock storage refuses, starting nothing', async () => {
    const { deps, lock, journal } = fakeWorld();
    lock.failNext(new DependencyError('lock', 'failed', 'forbidden'));

    const outcome = await startSingleton(command(), deps);

    expect(outcome).toEqual({ kind: 'failed', detail: 'forbidden' });
    expect(journal).not.toContain('start job id');
  });

  it('answers failed when the durable backend refuses the start, and releases the lock', async () => {
    const { deps, instances, lock } = fakeWorld();
    instances.failNext('start', new DependencyError('durable', 'failed', 'HTTP 500'));

    const outcome = await startSingleton(command(), deps);

    expect(outcome).toEqual({ kind: 'failed', detail: 'HTTP 500' });
    expect(lock.holds).toEqual([{ state: 'released' }]);
  });

  it('leaves the lock to expire when the start times out, since the start may still land', async () => {
    const { deps, instances, lock, journal } = fakeWorld();
    instances.failNext('start', new DependencyError('durable', 'timedOut', 'no answer in 300 ms'));

    const outcome = await startSingleton(command(), deps);

    expect(outcome).toEqual({ kind: 'unavailable', detail: 'no answer in 300 ms' });
    expect(lock.holds).toEqual([{ state: 'leftToExpire' }]);
    expect(journal.at(-1)).toBe('leftToExpire id');
  });

  it("leaves the lock to expire when a restart's terminate times out", async () => {
    const { deps, instances, lock } = fakeWorld();
    instances.seed('id', 'Running');
    instances.failNext('terminate', new DependencyError('durable', 'timedOut', 'no answer'));

    const outcome = await startSingleton(command('restart'), deps);

    expect(outcome).toEqual({ kind: 'unavailable', detail: 'no answer' });
    expect(lock.holds).toEqual([{ state: 'leftToExpire' }]);
  });

  it('lets an unexpected error through, after releasing the lock', async () => {
    const { deps, instances, lock } = fakeWorld();
    instances.failNext('start', new TypeError('bug'));

    await expect(startSingleton(command(), deps)).rejects.toThrow('bug');
    expect(lock.holds).toEqual([{ state: 'released' }]);
  });
});

describe('safety (the argument at the top of start.ts)', () => {
  it('concurrent starts of one new ID: exactly one is started, and the engine accepts one start', async () => {
    // The fake engine's duplicate check lets overlapping starts through, like the real backend:
    // only the lock keeps them apart.
    const { deps, instances, lock } = fakeWorld();
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, () => startSingleton(command(), deps)),
    );
    await settle();

    expect(outcomes.filter((o) => o.kind === 'started')).toHaveLength(1);
    expect(outcomes.filter((o) => o.kind === 'conflict')).toHaveLength(19);
    expect(instances.startsAccepted('id')).toBe(1);
    expect(lock.holds.every((h) => h.state === 'released')).toBe(true);
  });

  it('starts only while holding the lock, even when the first request for it finds it taken', async () => {
    const { deps, instances, lock, journal } = fakeWorld();
    const other = await lock.acquire({ taskHub: 'hub', instanceId: 'id' }, 0);
    const heldAtStart: boolean[] = [];
    const start = instances.start.bind(instances);
    instances.start = (name: string, id: string) => {
      heldAtStart.push(lock.isHeld(id));
      return start(name, id);
    };

    const pending = startSingleton(command(), deps);
    await settle();
    expect(journal).not.toContain('start job id');
    await other!.release();
    const outcome = await pending;

    expect(outcome).toEqual({ kind: 'started', instanceId: 'id' });
    expect(journal).toEqual([
      'acquire id 0', // the other holder's
      'acquire id 0', // beside the status read: taken
      'status id',
      'acquire id 10000',
      'released id', // the other holder's
      'status id', // again under the lock: the other holder may have started any orchestrator
      'start job id',
      'released id',
    ]);
    expect(heldAtStart).toEqual([true]);
  });

  it('answers a conflict read while another start holds the lock, without waiting for it', async () => {
    const { deps, instances, lock, journal } = fakeWorld();
    instances.seed('id', 'Completed');
    lock.busy = true; // another holder keeps it for the whole wait

    const outcome = await startSingleton(command('reject', 'never'), deps);

    expect(outcome).toMatchObject({ kind: 'conflict', refusal: { rule: 'reuse' } });
    expect(journal).toEqual(['acquire id 0', 'status id']);
  });

  it('answers a conflict without waiting for the lock, for an ID this process started before', async () => {
    const conflictHints = new ConflictHints();
    conflictHints.expectConflict('id');
    const { deps, instances, lock } = fakeWorld({ conflictHints });
    instances.seed('id', 'Running');
    lock.stalled = true; // the lock's storage never answers

    const outcome = await startSingleton(command(), deps);

    expect(outcome).toMatchObject({ kind: 'conflict', refusal: { rule: 'running' } });
  });

  it('answers "started" without waiting for the release, which was asked for after the start returned', async () => {
    const { deps, lock, journal } = fakeWorld();
    lock.releaseStalls = true; // the release never completes

    const outcome = await startSingleton(command(), deps);

    expect(outcome).toEqual({ kind: 'started', instanceId: 'id' });
    expect(journal.slice(-2)).toEqual(['start job id', 'released id']);
  });
});

describe('the lock before the status read', () => {
  it('makes no read where the engine decides alone', async () => {
    const { deps, instances, journal } = fakeWorld();
    instances.readsStall = true;

    const outcome = await startSingleton(engineChecked(), deps);

    expect(outcome).toEqual({ kind: 'started', instanceId: 'id' });
    expect(journal).toEqual(['acquire id 0', 'start job id', 'released id']);
  });

  it('never starts over a running instance: the engine refuses under the lock', async () => {
    const { deps, instances, lock } = fakeWorld();
    instances.seed('id', 'Running');
    instances.slowReads = true;

    const outcome = await startSingleton(engineChecked(), deps);

    expect(outcome).toEqual({
      kind: 'conflict',
      instanceId: 'id',
      refusal: { rule: 'running', by: 'engine', runtimeStatus: 'Running' },
    });
    expect(instances.startsAccepted('id')).toBe(0);
    expect(lock.holds).toEqual([{ state: 'released' }]);
  });

  it('reads again under the lock where the reuse policy needs it (safety point 3)', async () => {
    const { deps, instances, journal } = fakeWorld();
    instances.seed('id', 'Completed');
    instances.slowReads = true;

    const outcome = await startSingleton(command('reject', 'failedOnly'), deps);

    expect(outcome).toMatchObject({ kind: 'conflict', refusal: { rule: 'reuse' } });
    expect(journal).not.toContain('start job id');
  });

  it('reads again under the lock when the caller asks for a restart', async () => {
    const { deps, instances, journal } = fakeWorld({ restartTimeoutMs: 0 });
    instances.seed('id', 'Running');
    instances.slowReads = true;

    await startSingleton(command('restart'), deps);

    expect(journal.indexOf('terminate id')).toBeGreaterThan(0);
    expect(journal).not.toContain('start job id');
  });
});

describe('conflict hints', () => {
  it('reads the status first, without the lock, for an ID this process just refused', async () => {
    const conflictHints = new ConflictHints();
    const { deps, instances, journal } = fakeWorld({ conflictHints });
    instances.seed('id', 'Running');
    await startSingleton(command(), deps);
    await settle();
    journal.length = 0;

    const outcome = await startSingleton(command(), deps);

    expect(outcome).toMatchObject({ kind: 'conflict', refusal: { rule: 'running' } });
    expect(journal).toEqual(['status id']);
  });

  it('takes the lock after the read when the hinted instance has ended', async () => {
    const conflictHints = new ConflictHints();
    conflictHints.expectConflict('id');
    const { deps, instances, journal } = fakeWorld({ conflictHints });
    instances.seed('id', 'Completed');

    const outcome = await startSingleton(command(), deps);

    expect(outcome).toEqual({ kind: 'started', instanceId: 'id' });
    expect(journal).toEqual([
      'status id',
      'acquire id 10000',
      'status id', // an ended instance was seen: read again under the lock
      'start job id',
      'released id',
    ]);
  });

  it('answers unavailable when the read for a hinted ID fails, taking no lock', async () => {
    const conflictHints = new ConflictHints();
    conflictHints.expectConflict('id');
    const { deps, instances, journal } = fakeWorld({ conflictHints });
    instances.failNext('status', new DependencyError('durable', 'unavailable', 'extension down'));

    const outcome = await startSingleton(command(), deps);

    expect(outcome).toEqual({ kind: 'unavailable', detail: 'extension down' });
    await settle();
    expect(journal).toEqual(['status id']);
  });

  it('expects a conflict for an ID it has just started', async () => {
    const conflictHints = new ConflictHints();
    const { deps } = fakeWorld({ conflictHints });

    await startSingleton(command(), deps);

    expect(conflictHints.expectsConflict('id')).toBe(true);
  });
});

describe('conflict hints after an outcome', () => {
  it.each([
    ['unavailable', new DependencyError('lock', 'unavailable', 'storage down')],
    ['failed', new DependencyError('lock', 'failed', 'forbidden')],
  ])(
    'expects nothing after an %s start: the next one takes the lock as usual',
    async (kind, error) => {
      const conflictHints = new ConflictHints();
      const { deps, lock } = fakeWorld({ conflictHints });
      lock.failNext(error);

      const outcome = await startSingleton(command(), deps);

      expect(outcome.kind).toBe(kind);
      expect(conflictHints.expectsConflict('id')).toBe(false);
    },
  );

  it('expects nothing after a restart that outlived its timeout', async () => {
    const conflictHints = new ConflictHints();
    const { deps, instances } = fakeWorld({ conflictHints, restartTimeoutMs: 500 });
    instances.seed('id', 'Running');

    const outcome = await startSingleton(command('restart'), deps);

    expect(outcome.kind).toBe('unavailable');
    expect(conflictHints.expectsConflict('id')).toBe(false);
  });

  it.each([
    ['attached', 'attach', 'Running'],
    ['conflict', 'reject', 'Running'],
  ] as const)('expects a conflict after an outcome %s', async (kind, onConflict, status) => {
    const conflictHints = new ConflictHints();
    const { deps, instances } = fakeWorld({ conflictHints });
    instances.seed('id', status);

    const outcome = await startSingleton(command(onConflict), deps);

    expect(outcome.kind).toBe(kind);
    expect(conflictHints.expectsConflict('id')).toBe(true);
  });
});

describe('log lines', () => {
  it('says the lock is left to expire when a start timed out, and only then', async () => {
    const timedOut = fakeWorld();
    timedOut.instances.failNext('start', new DependencyError('durable', 'timedOut', 'no answer'));
    await startSingleton(command(), timedOut.deps);
    expect(timedOut.log.lines).toContainEqual(
      "Start of 'job' as 'id': no answer; the lock is left to expire.",
    );

    const refused = fakeWorld();
    refused.instances.failNext('start', new DependencyError('durable', 'failed', 'HTTP 500'));
    await startSingleton(command(), refused.deps);
    expect(refused.log.lines.join('\n')).not.toMatch(/left to expire/);
  });

  it('names what a start replaced: the terminated run on restart, the ended one on reuse', async () => {
    const restarted = fakeWorld({ restartTimeoutMs: 1_000 });
    restarted.instances.seed('id', 'Running');
    restarted.instances.terminateTakesMs = 600;
    await startSingleton(command('restart'), restarted.deps);
    expect(restarted.log.lines.at(-1)).toMatch(
      /found Running → started \(replacing Terminated\)\.$/,
    );

    const reused = fakeWorld();
    reused.instances.seed('id', 'Failed');
    await startSingleton(command('reject', 'failedOnly'), reused.deps);
    expect(reused.log.lines.at(-1)).toMatch(/found Failed → started \(replacing Failed\)\.$/);
  });
});

describe('restart timeout', () => {
  it('gives up exactly at the timeout: polls at 0, 250 and 500 ms for a 500 ms bound', async () => {
    const { deps, instances, journal, clock } = fakeWorld({ restartTimeoutMs: 500 });
    instances.seed('id', 'Running');

    await startSingleton(command('restart'), deps);

    const polls = journal.slice(
      journal.indexOf('terminate id') + 1,
      journal.indexOf('released id'),
    );
    expect(polls).toEqual(['status id', 'status id', 'status id']);
    expect(clock.now()).toBe(500);
  });
});

describe('receipts a new run inherits (safety point 8)', () => {
  const acknowledging = (base: StartCommand): StartCommand => ({
    ...base,
    orchestrator: { ...base.orchestrator, acknowledgesSignals: true },
  });

  it('starts after an ended instance with the receipts it lists, beside the caller’s input', async () => {
    const { deps, instances } = fakeWorld();
    instances.seed('id', 'Completed');
    instances.setCustomStatus('id', { phase: 'done', receivedSignals: ['s1', 's2'] });

    expect(await startSingleton(acknowledging(command()), deps)).toEqual({
      kind: 'started',
      instanceId: 'id',
    });
    expect(instances.startInputs.get('id')).toEqual({
      $singletonReceipts: ['s1', 's2'],
      input: { n: 1 },
    });
  });

  it('passes the input as sent when nothing is inherited, or the orchestrator does not acknowledge', async () => {
    const fresh = fakeWorld();
    await startSingleton(acknowledging(command()), fresh.deps);
    expect(fresh.instances.startInputs.get('id')).toEqual({ n: 1 });

    const plain = fakeWorld();
    plain.instances.seed('id', 'Completed');
    plain.instances.setCustomStatus('id', { receivedSignals: ['s1'] });
    await startSingleton(command(), plain.deps);
    expect(plain.instances.startInputs.get('id')).toEqual({ n: 1 });
  });

  it('reads under the lock even where the engine’s check would do, to find the receipts', async () => {
    const { deps, instances, journal } = fakeWorld();
    instances.seed('id', 'Failed');
    instances.setCustomStatus('id', { receivedSignals: ['s1'] });

    await startSingleton(acknowledging(engineChecked()), deps);

    expect(journal).toEqual(['acquire id 0', 'status id', 'start job id', 'released id']);
    expect(instances.startInputs.get('id')).toEqual({
      $singletonReceipts: ['s1'],
      input: { n: 1 },
    });
  });

  it('a restart inherits what the terminated run listed when it ended, not when first read', async () => {
    const { deps, instances } = fakeWorld({ restartTimeoutMs: 1_000 });
    instances.seed('id', 'Running');
    instances.setCustomStatus('id', { receivedSignals: ['s1'] });
    instances.terminateTakesMs = 600;
    const read = instances.status.bind(instances);
    let reads = 0;
    jest.spyOn(instances, 'status').mockImplementation(async (instanceId) => {
      // The run reads one more signal between the first read and its termination.
      if (++reads === 2) instances.setCustomStatus('id', { receivedSignals: ['s1', 's2'] });
      return read(instanceId);
    });

    expect(await startSingleton(acknowledging(command('restart')), deps)).toEqual({
      kind: 'started',
      instanceId: 'id',
    });
    expect(instances.startInputs.get('id')).toEqual({
      $singletonReceipts: ['s1', 's2'],
      input: { n: 1 },
    });
  });
});
