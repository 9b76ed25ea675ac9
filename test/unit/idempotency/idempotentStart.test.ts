/**
 * The Idempotency-Key decorator around a scripted start: records in memory with versions like
 * ETags, time injected, and the engine's current run under the test's control.
 */
import { DependencyError } from '../../../src/dependencies/failure';
import { fingerprintOf } from '../../../src/idempotency/fingerprint';
import { IdempotentStart, type OutcomeStep } from '../../../src/idempotency/idempotentStart';
import type { IdempotencyStore, KeyScope, RecordVersion } from '../../../src/idempotency/ports';
import type { IdempotencyRecord } from '../../../src/idempotency/record';
import type { Instances, Run } from '../../../src/singleton/ports';
import type { SingletonResult, StartCommand, StartOutcome } from '../../../src/singleton/result';
import type { StartCall } from '../../../src/singleton/start';

const T0 = Date.parse('2026-11-28T10:00:00.000Z');

/** Records in memory, versioned like ETags; every call is journaled. */
class MemoryStore implements IdempotencyStore {
  readonly records = new Map<string, { record: IdempotencyRecord; version: string }>();
  readonly journal: string[] = [];
  private counter = 0;
  failNext?: Error;
  /** Runs once, just before the next `replace` compares versions (a rival writing first). */
  beforeReplace?: () => void;

  private maybeFail(): void {
    const error = this.failNext;
    this.failNext = undefined;
    if (error) throw error;
  }
  private put(scope: KeyScope, record: IdempotencyRecord): string {
    const version = `v${++this.counter}`;
    this.records.set(scope.key, { record: structuredClone(record), version });
    return version;
  }
  async create(scope: KeyScope, record: IdempotencyRecord) {
    this.journal.push(`create ${record.state}`);
    this.maybeFail();
    return this.records.has(scope.key) ? undefined : this.put(scope, record);
  }
  async read(scope: KeyScope) {
    this.journal.push('read');
    this.maybeFail();
    const found = this.records.get(scope.key);
    return found && { record: structuredClone(found.record), version: found.version };
  }
  async replace(scope: KeyScope, record: IdempotencyRecord, version: RecordVersion) {
    this.journal.push(`replace ${record.state}`);
    this.maybeFail();
    const rival = this.beforeReplace;
    this.beforeReplace = undefined;
    rival?.();
    return this.records.get(scope.key)?.version === version ? this.put(scope, record) : undefined;
  }
  async delete(scope: KeyScope, version: RecordVersion) {
    this.journal.push('delete');
    this.maybeFail();
    if (this.records.get(scope.key)?.version === version) this.records.delete(scope.key);
  }
  /** Overwrites the key's record as another request would, with a new version. */
  overwrite(record: IdempotencyRecord, key = KEY): void {
    this.put({ taskHub: 'hub', key }, record);
  }
  state(key = KEY): IdempotencyRecord | undefined {
    return this.records.get(key)?.record;
  }
}

const KEY = 'key-1';
const STARTED = { kind: 'started', instanceId: 'nightly' } as const;

const command: StartCommand = {
  orchestrator: { name: 'processBatch', reuse: 'always' },
  instanceId: 'nightly',
  onConflict: 'reject',
  input: { items: 3 },
  idempotencyKey: KEY,
};

/** What the next start does. */
type Next = 'start' | 'attach' | 'conflict' | 'failed' | 'timeout' | 'crashAfterStart';

/** The engine as the decorator sees it: the current run, and the starts made through the flow. */
class World implements OutcomeStep {
  now = T0;
  run?: Run;
  starts = 0;
  readonly logs: string[] = [];
  readonly store = new MemoryStore();
  next: Next = 'start';
  /** Runs inside the next start, before it acts: another request arriving meanwhile, a stall. */
  during?: () => Promise<void>;
  /** Runs inside the next start, after it acted. */
  after?: () => Promise<void>;
  /** The next read of the run fails with this. */
  runFails?: Error;
  /** How often the decorator read the current run. */
  runReads = 0;

  readonly instances: Instances = {
    taskHub: 'hub',
    run: async () => {
      this.runReads += 1;
      const failure = this.runFails;
      this.runFails = undefined;
      if (failure) throw failure;
      return this.run;
    },
    status: () => Promise.reject(new Error('the decorator reads no status')),
    start: () => Promise.reject(new Error('the decorator starts nothing itself')),
    terminate: () => Promise.reject(new Error('the decorator terminates nothing')),
    raise: () => Promise.reject(new Error('the decorator raises nothing')),
  };

  // Bounds chosen so that a claim is held 20 s, and an unsettled start's claim 5 s.
  readonly keyed = new IdempotentStart(this, {
    store: this.store,
    clock: { now: () => this.now },
    ttlSeconds: 60,
    lockWaitMs: 4_000,
    restartTimeoutMs: 0,
    lockLeaseSeconds: 4,
    backendTimeoutMs: 1_000,
  });

  async start(started: StartCommand): Promise<StartOutcome> {
    const { during, after } = this;
    this.during = this.after = undefined;
    await during?.();
    const outcome = this.attempt(started.input);
    await after?.();
    return outcome;
  }

  private attempt(input: unknown): StartOutcome {
    const kind = this.next;
    this.next = 'start';
    if (kind === 'conflict') {
      return {
        kind: 'conflict',
        instanceId: 'nightly',
        refusal: { rule: 'running', by: 'starter', runtimeStatus: 'Running' },
      };
    }
    if (kind === 'failed') return { kind: 'failed', detail: 'the engine said no' };
    if (kind === 'attach')
      return { kind: 'attached', instanceId: 'nightly', runtimeStatus: 'Running' };
    this.starts += 1;
    this.run = { name: 'processBatch', createdTime: new Date(this.now).toISOString(), input };
    if (kind === 'timeout') return { kind: 'unavailable', detail: 'no answer within 5000 ms' };
    if (kind === 'crashAfterStart') throw new Error('the worker died');
    return STARTED;
  }

  send(request: StartCommand = command): Promise<SingletonResult> {
    const call: StartCall = {
      instances: this.instances,
      lock: { acquire: () => Promise.reject(new Error('the decorator takes no lock')) },
      log: {
        debug: (m) => this.logs.push(m),
        info: (m) => this.logs.push(m),
        warn: (m) => this.logs.push(m),
      },
    };
    return this.keyed.start(request, call);
  }
}

const inProgress = (retryAfterMs: number) => ({
  kind: 'keyInProgress',
  idempotencyKey: KEY,
  instanceId: 'nightly',
  retryAfterMs,
});
const REPLAYED = { kind: 'replayed', instanceId: 'nightly', original: STARTED };

describe('IdempotentStart', () => {
  let world: World;
  beforeEach(() => {
    world = new World();
  });

  it('passes a request without a key straight to the start, recording nothing', async () => {
    const { idempotencyKey: _none, ...unkeyed } = command;
    expect(await world.send(unkeyed)).toEqual(STARTED);
    expect(world.store.journal).toEqual([]);
  });

  it('refuses an invalid key before anything is claimed or started', async () => {
    expect(await world.send({ ...command, idempotencyKey: 'caf\u00e9' })).toEqual({
      kind: 'invalid',
      field: 'idempotencyKey',
      detail: expect.stringMatching(/printable ASCII/) as unknown,
    });
    expect(world.store.journal).toEqual([]);
    expect(world.starts).toBe(0);
  });

  it('the first request claims the key, starts, and records the outcome and the run', async () => {
    expect(await world.send()).toEqual(STARTED);
    expect(world.starts).toBe(1);
    expect(world.store.journal).toEqual(['create pending', 'replace completed']);
    expect(world.store.state()).toEqual({
      state: 'completed',
      key: KEY,
      fingerprint: fingerprintOf(command),
      claimedAt: new Date(T0).toISOString(),
      completedAt: new Date(T0).toISOString(),
      outcome: STARTED,
      run: { instanceId: 'nightly', createdTime: new Date(T0).toISOString() },
    });
    expect(world.logs.join('\n')).not.toMatch(/taken over/);
  });

  it('records an attach through the keyed path, and replays it as an attach', async () => {
    world.run = { name: 'processBatch', createdTime: new Date(T0 - 1000).toISOString(), input: 1 };
    world.next = 'attach';
    const attached = { kind: 'attached', instanceId: 'nightly', runtimeStatus: 'Running' };
    expect(await world.send()).toEqual(attached);
    expect(world.store.state()).toMatchObject({
      outcome: attached,
      run: { createdTime: new Date(T0 - 1000).toISOString() },
    });
    expect(await world.send()).toEqual({
      kind: 'replayed',
      instanceId: 'nightly',
      original: attached,
    });
  });

  it('a run that cannot be read after the start is recorded without its time, and answered', async () => {
    world.after = async () => {
      world.runFails = new DependencyError('durable', 'unavailable', 'down');
    };
    expect(await world.send()).toEqual(STARTED);
    expect(world.store.state()).toMatchObject({ outcome: STARTED, run: { instanceId: 'nightly' } });
    expect(world.store.state()).toMatchObject({ run: { createdTime: undefined } });
    expect(world.logs.some((l) => l.includes('could not be read (down)'))).toBe(true);
  });

  it('a retry with the same request replays the outcome and starts nothing, whatever the instance does now', async () => {
    await world.send();
    world.now += 30_000;
    world.run = undefined; // the run ended and was purged, say
    expect(await world.send()).toEqual(REPLAYED);
    expect(world.starts).toBe(1);
  });

  it('a retry with a different body is refused as a mismatch, and starts nothing', async () => {
    await world.send();
    expect(await world.send({ ...command, input: { items: 4 } })).toEqual({
      kind: 'keyMismatch',
      idempotencyKey: KEY,
      differences: ['input'],
    });
    expect(world.starts).toBe(1);
  });

  it('while the first request holds the key, a retry is told it is in progress', async () => {
    let during: unknown;
    world.during = async () => {
      world.now += 1_000;
      during = await world.send();
    };
    expect(await world.send()).toEqual(STARTED);
    expect(during).toEqual(inProgress(19_000));
    expect(world.starts).toBe(1);
  });

  it('past the TTL the key is free: the record is replaced and the request starts anew', async () => {
    await world.send();
    world.now += 60_001;
    expect(await world.send()).toEqual(STARTED);
    expect(world.starts).toBe(2);
    expect(world.logs).toContain(`Idempotency-Key '${KEY}': the expired record is replaced.`);
    // An expired record's request ended long ago: no run of it is looked for, only the new one read.
    expect(world.runReads).toBe(2);
  });

  it('a takeover that loses its swap starts nothing: the winner holds the key', async () => {
    await world.send();
    world.now += 60_001;
    const winner = { ...world.store.state()!, state: 'pending' } as IdempotencyRecord;
    world.store.beforeReplace = () =>
      world.store.overwrite({
        ...winner,
        state: 'pending',
        claimedAt: new Date(world.now).toISOString(),
        abandonedAfter: new Date(world.now + 20_000).toISOString(),
        runsSince: new Date(world.now).toISOString(),
      } as IdempotencyRecord);
    expect(await world.send()).toEqual(inProgress(20_000));
    expect(world.starts).toBe(1);
  });

  it('claims again when the record vanishes between the claim and the read, then starts once', async () => {
    world.store.overwrite({
      state: 'pending',
      key: KEY,
      fingerprint: fingerprintOf(command),
      claimedAt: new Date(T0).toISOString(),
      abandonedAfter: new Date(T0 + 20_000).toISOString(),
      runsSince: new Date(T0).toISOString(),
    });
    const read = world.store.read.bind(world.store);
    world.store.read = async (scope) => {
      world.store.records.clear(); // released by its holder just now
      world.store.read = read;
      return read(scope);
    };
    expect(await world.send()).toEqual(STARTED);
    expect(world.store.journal).toEqual([
      'create pending',
      'read',
      'create pending',
      'replace completed',
    ]);
    expect(world.starts).toBe(1);
  });

  it('after three rounds of losing the key, answers in progress and starts nothing', async () => {
    world.store.create = async () => {
      world.store.journal.push('create pending');
      return undefined; // always taken
    };
    world.store.read = async () => {
      world.store.journal.push('read');
      return undefined; // and always gone by the read
    };
    expect(await world.send()).toEqual(inProgress(1000));
    expect(world.store.journal).toEqual([
      'create pending',
      'read',
      'create pending',
      'read',
      'create pending',
      'read',
    ]);
    expect(world.starts).toBe(0);
  });

  it.each(['conflict', 'failed'] as const)(
    'a start that ends %s releases the key, so a later retry may start',
    async (next) => {
      world.next = next;
      expect((await world.send()).kind).toBe(next);
      expect(world.store.state()).toBeUndefined();
      expect(world.store.journal).toEqual(['create pending', 'delete']);
      expect(await world.send()).toEqual(STARTED);
      expect(world.starts).toBe(1);
    },
  );

  describe('a start that got no answer (it may still land)', () => {
    beforeEach(async () => {
      world.next = 'timeout';
      expect(await world.send()).toEqual({
        kind: 'unavailable',
        detail: 'no answer within 5000 ms',
      });
    });

    it('keeps the key until such a start can no longer land', async () => {
      expect(world.store.state()).toMatchObject({
        state: 'pending',
        abandonedAfter: new Date(T0 + 5_000).toISOString(),
      });
      world.now += 4_999;
      expect(await world.send()).toEqual(inProgress(1));
    });

    it('then a retry finds the run it made: replayed as a start, and not started again', async () => {
      world.now += 5_000;
      expect(await world.send()).toEqual(REPLAYED);
      expect(world.starts).toBe(1);
      expect(world.store.state()).toMatchObject({
        state: 'completed',
        outcome: STARTED,
        run: { instanceId: 'nightly', createdTime: new Date(T0).toISOString() },
      });
      // And from now on it is an ordinary replay.
      expect(await world.send()).toEqual(REPLAYED);
    });

    it('or, when it did not land, the retry starts', async () => {
      world.run = undefined;
      world.now += 5_000;
      expect(await world.send()).toEqual(STARTED);
      expect(world.starts).toBe(2);
    });

    it('a run started before the claim, or with another input, is not taken for it', async () => {
      world.run = {
        name: 'processBatch',
        createdTime: '2026-11-28T09:00:00Z',
        input: { items: 3 },
      };
      world.now += 5_000;
      expect(await world.send()).toEqual(STARTED);
      world.store.records.clear();
      world.next = 'timeout';
      await world.send();
      world.run = { ...world.run, input: { items: 99 } };
      world.now += 5_000;
      expect(await world.send()).toEqual(STARTED);
    });
  });

  it('a holder that dies between its start and its record: after the claim lapses, its run is found', async () => {
    world.next = 'crashAfterStart';
    await expect(world.send()).rejects.toThrow('the worker died');
    world.now += 19_999;
    expect((await world.send()).kind).toBe('keyInProgress');
    world.now += 1;
    expect(await world.send()).toEqual(REPLAYED);
    expect(world.starts).toBe(1);
  });

  it('a takeover keeps the first claim’s time, so a run from before the takeover is still found', async () => {
    world.next = 'crashAfterStart';
    await expect(world.send()).rejects.toThrow();
    world.now += 20_000;
    // The second holder takes over, then its own read of the run fails: it dies too.
    world.runFails = new DependencyError('durable', 'unavailable', 'down');
    expect(await world.send()).toEqual({ kind: 'unavailable', detail: 'down' });
    world.now += 20_000;
    expect(await world.send()).toEqual(REPLAYED);
    expect(world.starts).toBe(1);
  });

  it('of two requests taking over the same abandoned claim, one wins; the other is told in progress', async () => {
    world.next = 'crashAfterStart';
    await expect(world.send()).rejects.toThrow();
    world.run = undefined; // the crashed start did not land
    world.now += 20_000;
    let rival: unknown;
    world.during = async () => {
      rival = await world.send();
    };
    expect(await world.send()).toEqual(STARTED);
    expect(rival).toEqual(inProgress(20_000));
    expect(world.starts).toBe(2);
  });

  it('a holder whose claim was taken over does not overwrite its successor’s record', async () => {
    world.after = async () => {
      world.now += 20_000; // this holder stalls past its claim
      expect(await world.send()).toEqual(REPLAYED); // a retry takes over, finds the run
    };
    expect(await world.send()).toEqual(STARTED);
    expect(world.logs).toContain(
      `Idempotency-Key '${KEY}': the claim was taken over before the answer was recorded.`,
    );
    expect(world.starts).toBe(1);
  });

  it.each([
    ['unavailable', 'unavailable'],
    ['timedOut', 'unavailable'],
    ['failed', 'failed'],
  ] as const)(
    'records failing with %s before the claim: %s, nothing started',
    async (kind, result) => {
      world.store.failNext = new DependencyError('records', kind, 'storage down');
      expect(await world.send()).toEqual({ kind: result, detail: 'storage down' });
      expect(world.starts).toBe(0);
    },
  );

  it('a record that cannot be written after the start still answers the start', async () => {
    world.after = async () => {
      world.store.failNext = new DependencyError('records', 'unavailable', 'storage down');
    };
    expect(await world.send()).toEqual(STARTED);
    expect(world.store.state()?.state).toBe('pending');
    expect(world.logs).toContain(
      `Idempotency-Key '${KEY}': the record could not be written (DependencyError: storage down); the claim lapses by itself.`,
    );
  });

  it('a start without an answer whose longer hold cannot be written still answers, and says so', async () => {
    world.next = 'timeout';
    world.after = async () => {
      world.store.failNext = new DependencyError('records', 'unavailable', 'storage down');
    };
    expect(await world.send()).toEqual({ kind: 'unavailable', detail: 'no answer within 5000 ms' });
    expect(world.logs).toContain(
      `Idempotency-Key '${KEY}': the record could not be written (DependencyError: storage down); the claim lapses by itself.`,
    );
  });

  it('a refused start whose claim cannot be released still answers, and says so', async () => {
    world.next = 'conflict';
    world.after = async () => {
      world.store.failNext = new DependencyError('records', 'unavailable', 'storage down');
    };
    expect(await world.send()).toMatchObject({ kind: 'conflict' });
    expect(world.store.state()?.state).toBe('pending');
    expect(world.logs).toContain(
      `Idempotency-Key '${KEY}': the claim could not be released (DependencyError: storage down); it lapses by itself.`,
    );
  });
});
