import { fingerprintOf } from '../../../src/idempotency/fingerprint';
import {
  idempotentStart,
  type Answered,
  type IdempotencyDeps,
  type KeyedActions,
  type KeyedRequest,
} from '../../../src/idempotency/idempotentStart';
import type {
  IdempotencyStore,
  KeyScope,
  RecordVersion,
  Run,
  Runs,
} from '../../../src/idempotency/ports';
import type { IdempotencyRecord, RecordedAnswer } from '../../../src/idempotency/record';
import type { StartCommand, StartOutcome } from '../../../src/singleton/outcome';
import { DependencyError } from '../../../src/singleton/ports';

const T0 = Date.parse('2026-11-28T10:00:00.000Z');

/** Records in memory, versioned like ETags; every call is journaled. */
class MemoryStore implements IdempotencyStore {
  readonly records = new Map<string, { record: IdempotencyRecord; version: string }>();
  readonly journal: string[] = [];
  private counter = 0;
  failNext?: Error;

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
    return this.records.get(scope.key)?.version === version ? this.put(scope, record) : undefined;
  }
  async delete(scope: KeyScope, version: RecordVersion) {
    this.journal.push('delete');
    this.maybeFail();
    if (this.records.get(scope.key)?.version === version) this.records.delete(scope.key);
  }
  state(key = KEY): IdempotencyRecord | undefined {
    return this.records.get(key)?.record;
  }
}

const KEY = 'key-1';
const ANSWER_202: RecordedAnswer = {
  status: 202,
  headers: { Location: 'http://host/status/nightly' },
  body: '{"id":"nightly"}',
};

const command: StartCommand = {
  orchestrator: { name: 'processBatch', reuse: 'always' },
  instanceId: 'nightly',
  onConflict: 'reject',
  input: { items: 3 },
};
const request: KeyedRequest = {
  scope: { taskHub: 'hub', key: KEY },
  fingerprint: fingerprintOf(command),
};

/** The engine as the flow sees it: the current run per instance, and the starts made. */
class World implements Runs {
  now = T0;
  run?: Run;
  starts = 0;
  readonly logs: string[] = [];
  readonly store = new MemoryStore();
  /** What the next start does. */
  next: 'start' | 'conflict' | 'timeout' | 'crashAfterStart' = 'start';

  async current(): Promise<Run | undefined> {
    return this.run;
  }

  deps(): IdempotencyDeps {
    return {
      store: this.store,
      runs: this,
      clock: { now: () => this.now },
      log: { info: (m) => this.logs.push(m), warn: (m) => this.logs.push(m) },
      ttlMs: 60_000,
      claimHoldMs: 20_000,
      unsettledHoldMs: 5_000,
    };
  }

  actions(input: unknown = command.input): KeyedActions {
    return {
      start: async (): Promise<Answered> => {
        const outcome = this.attempt(input);
        return { outcome, answer: outcome.kind === 'started' ? ANSWER_202 : problemAnswer(503) };
      },
      startedAnswer: async () => ANSWER_202,
    };
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
    this.starts += 1;
    this.run = { name: 'processBatch', createdTime: new Date(this.now).toISOString(), input };
    if (kind === 'timeout') return { kind: 'unavailable', detail: 'no answer within 5000 ms' };
    if (kind === 'crashAfterStart') throw new Error('the worker died');
    return { kind: 'started', instanceId: 'nightly' };
  }

  send(actions = this.actions()) {
    return idempotentStart(request, this.deps(), actions);
  }
}

function problemAnswer(status: number): RecordedAnswer {
  return { status, headers: { 'Content-Type': 'application/problem+json' }, body: '{}' };
}

describe('idempotentStart', () => {
  let world: World;
  beforeEach(() => {
    world = new World();
  });

  it('the first request claims the key, starts, and records the answer and the run', async () => {
    expect(await world.send()).toEqual({ kind: 'answered', answer: ANSWER_202 });
    expect(world.starts).toBe(1);
    expect(world.store.journal).toEqual(['create pending', 'replace completed']);
    expect(world.store.state()).toMatchObject({
      state: 'completed',
      key: KEY,
      fingerprint: request.fingerprint,
      answer: ANSWER_202,
      run: { instanceId: 'nightly', createdTime: new Date(T0).toISOString() },
    });
  });

  it('a retry with the same request replays the answer and starts nothing, whatever the instance does now', async () => {
    await world.send();
    world.now += 30_000;
    world.run = undefined; // the run ended and was purged, say
    expect(await world.send()).toEqual({
      kind: 'replayed',
      answer: ANSWER_202,
      run: { instanceId: 'nightly', createdTime: new Date(T0).toISOString() },
    });
    expect(world.starts).toBe(1);
  });

  it('a retry with a different body is refused as a mismatch, and starts nothing', async () => {
    await world.send();
    const differs = await idempotentStart(
      { ...request, fingerprint: fingerprintOf({ ...command, input: { items: 4 } }) },
      world.deps(),
      world.actions({ items: 4 }),
    );
    expect(differs).toEqual({ kind: 'mismatch', differences: ['inputSha256'] });
    expect(world.starts).toBe(1);
  });

  it('while the first request holds the key, a retry is told it is in progress', async () => {
    let during: unknown;
    const slow: KeyedActions = {
      ...world.actions(),
      start: async () => {
        world.now += 1_000;
        during = await world.send();
        return world.actions().start();
      },
    };
    expect((await world.send(slow)).kind).toBe('answered');
    expect(during).toEqual({ kind: 'inProgress', retryAfterMs: 19_000 });
    expect(world.starts).toBe(1);
  });

  it('past the TTL the key is free: the record is replaced and the request starts anew', async () => {
    await world.send();
    world.now += 60_001;
    expect((await world.send()).kind).toBe('answered');
    expect(world.starts).toBe(2);
    expect(world.logs).toContain(`Idempotency-Key '${KEY}': the expired record is replaced.`);
  });

  it('a refused start (409) releases the key, so a later retry may start', async () => {
    world.next = 'conflict';
    await world.send();
    expect(world.store.state()).toBeUndefined();
    expect(world.store.journal).toEqual(['create pending', 'delete']);
    expect((await world.send()).kind).toBe('answered');
    expect(world.starts).toBe(1);
  });

  describe('a start that got no answer (it may still land)', () => {
    beforeEach(async () => {
      world.next = 'timeout';
      const first = await world.send();
      expect(first).toEqual({ kind: 'answered', answer: problemAnswer(503) });
    });

    it('keeps the key until such a start can no longer land', async () => {
      expect(world.store.state()).toMatchObject({
        state: 'pending',
        abandonedAfter: new Date(T0 + 5_000).toISOString(),
      });
      world.now += 4_999;
      expect(await world.send()).toEqual({ kind: 'inProgress', retryAfterMs: 1 });
    });

    it('then a retry finds the run it made: replayed as a 202, and not started again', async () => {
      world.now += 5_000;
      expect(await world.send()).toEqual({
        kind: 'replayed',
        answer: ANSWER_202,
        run: { instanceId: 'nightly', createdTime: new Date(T0).toISOString() },
      });
      expect(world.starts).toBe(1);
      expect(world.store.state()).toMatchObject({ state: 'completed', answer: ANSWER_202 });
      // And from now on it is an ordinary replay.
      expect((await world.send()).kind).toBe('replayed');
    });

    it('or, when it did not land, the retry starts', async () => {
      world.run = undefined;
      world.now += 5_000;
      expect(await world.send()).toEqual({ kind: 'answered', answer: ANSWER_202 });
      expect(world.starts).toBe(2);
    });

    it('a run started before the claim, or with another input, is not taken for it', async () => {
      world.run = {
        name: 'processBatch',
        createdTime: '2026-11-28T09:00:00Z',
        input: { items: 3 },
      };
      world.now += 5_000;
      expect((await world.send()).kind).toBe('answered');
      world.store.records.clear();
      world.next = 'timeout';
      await world.send();
      world.run = { ...world.run, input: { items: 99 } };
      world.now += 5_000;
      expect((await world.send()).kind).toBe('answered');
    });
  });

  it('a holder that dies between its start and its record: after the claim lapses, its run is found', async () => {
    world.next = 'crashAfterStart';
    await expect(world.send()).rejects.toThrow('the worker died');
    world.now += 19_999;
    expect((await world.send()).kind).toBe('inProgress');
    world.now += 1;
    expect((await world.send()).kind).toBe('replayed');
    expect(world.starts).toBe(1);
  });

  it('a takeover keeps the first claim’s time, so a run from before the takeover is still found', async () => {
    world.next = 'crashAfterStart';
    await expect(world.send()).rejects.toThrow();
    world.now += 20_000;
    // The second holder takes over, then its own read of the run fails: it dies too.
    const failing: Runs = {
      current: () => Promise.reject(new DependencyError('durable', 'unavailable', 'down')),
    };
    expect(
      await idempotentStart(request, { ...world.deps(), runs: failing }, world.actions()),
    ).toEqual({ kind: 'unavailable', detail: 'down' });
    world.now += 20_000;
    expect((await world.send()).kind).toBe('replayed');
    expect(world.starts).toBe(1);
  });

  it('of two requests taking over the same abandoned claim, one wins; the other is told in progress', async () => {
    world.next = 'crashAfterStart';
    await expect(world.send()).rejects.toThrow();
    world.run = undefined; // the crashed start did not land
    world.now += 20_000;
    let rival: unknown;
    const racing: KeyedActions = {
      ...world.actions(),
      start: async () => {
        rival = await world.send();
        return world.actions().start();
      },
    };
    expect((await world.send(racing)).kind).toBe('answered');
    expect(rival).toEqual({ kind: 'inProgress', retryAfterMs: 20_000 });
    expect(world.starts).toBe(2);
  });

  it('a holder whose claim was taken over does not overwrite its successor’s record', async () => {
    const outlived: KeyedActions = {
      ...world.actions(),
      start: async () => {
        const answered = await world.actions().start();
        world.now += 20_000; // this holder stalls past its claim
        expect((await world.send()).kind).toBe('replayed'); // a retry takes over, finds the run
        return answered;
      },
    };
    expect(await world.send(outlived)).toEqual({ kind: 'answered', answer: ANSWER_202 });
    expect(world.logs).toContain(
      `Idempotency-Key '${KEY}': the claim was taken over before the answer was recorded.`,
    );
    expect(world.starts).toBe(1);
  });

  it('storage failing before the claim: 503, nothing started', async () => {
    world.store.failNext = new DependencyError('lock', 'unavailable', 'storage down');
    expect(await world.send()).toEqual({ kind: 'unavailable', detail: 'storage down' });
    expect(world.starts).toBe(0);
  });

  it('a record that cannot be written after the start still answers the start', async () => {
    const failingRecord: KeyedActions = {
      ...world.actions(),
      start: async () => {
        const answered = await world.actions().start();
        world.store.failNext = new DependencyError('lock', 'unavailable', 'storage down');
        return answered;
      },
    };
    expect(await world.send(failingRecord)).toEqual({ kind: 'answered', answer: ANSWER_202 });
    expect(world.store.state()?.state).toBe('pending');
  });
});
