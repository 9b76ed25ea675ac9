/**
 * The operator's operations over in-memory ports: the lock's part (a hold ends once, released or
 * left to expire), ownership on every path, and dependency failures as results.
 */
import { DependencyError } from '../../../src/dependencies/failure';
import { InstanceOperations } from '../../../src/operations/instanceOperations';
import {
  QueryRefusedError,
  type BackendQuery,
  type InstancePage,
  type InstanceView,
  type OperatedInstances,
} from '../../../src/operations/ports';
import { exposeForSingletonStart } from '../../../src/singleton/catalog';
import type { RuntimeStatus } from '../../../src/singleton/statuses';
import { FakeLock, FakeLog } from '../singleton/fakes';

exposeForSingletonStart('opsJob');

class FakeOperated implements OperatedInstances {
  readonly taskHub = 'hub';
  readonly byId = new Map<string, InstanceView>();
  readonly calls: string[] = [];
  failNext?: { operation: 'terminate' | 'purge' | 'view'; error: Error };

  seed(instanceId: string, name: string, runtimeStatus: RuntimeStatus): void {
    this.byId.set(instanceId, {
      instanceId,
      name,
      runtimeStatus,
      customStatus: null,
      createdTime: '',
      lastUpdatedTime: '',
    });
  }
  private fail(operation: 'terminate' | 'purge' | 'view') {
    if (this.failNext?.operation !== operation) return;
    const { error } = this.failNext;
    this.failNext = undefined;
    throw error;
  }
  view(instanceId: string): Promise<InstanceView | undefined> {
    this.calls.push(`view ${instanceId}`);
    this.fail('view');
    return Promise.resolve(this.byId.get(instanceId));
  }
  /** The backend's paging: a token names the next ID; `refuse` makes it refuse the query. */
  refuse = false;
  readonly queries: BackendQuery[] = [];
  list(query: BackendQuery, showInput: boolean): Promise<InstancePage> {
    this.calls.push(`list${showInput ? ' with input' : ''}`);
    this.queries.push(query);
    if (this.refuse) return Promise.reject(new QueryRefusedError('refused'));
    const all = [...this.byId.values()]
      .filter((i) => i.instanceId.startsWith(query.prefix ?? ''))
      .filter((i) => !query.runtimeStatus || query.runtimeStatus.includes(i.runtimeStatus))
      .filter((i) => i.instanceId >= (query.continuation ?? ''));
    const next = all[query.top]?.instanceId;
    return Promise.resolve({
      instances: all.slice(0, query.top),
      ...(next !== undefined && { continuation: next }),
    });
  }
  terminate(instanceId: string, reason: string): Promise<void> {
    this.calls.push(`terminate ${instanceId} (${reason})`);
    this.fail('terminate');
    return Promise.resolve();
  }
  purge(instanceId: string): Promise<void> {
    this.calls.push(`purge ${instanceId}`);
    this.fail('purge');
    this.byId.delete(instanceId);
    return Promise.resolve();
  }
}

function world() {
  const journal: string[] = [];
  const lock = new FakeLock(journal);
  const forgotten: string[][] = [];
  const records = {
    forget: (_hub: string, ids: readonly string[]) => {
      forgotten.push([...ids]);
      return Promise.resolve(new Map(ids.map((id) => [id, 1])));
    },
  };
  const operations = new InstanceOperations(lock, records, { lockWaitMs: 100, showInput: false });
  return {
    lock,
    journal,
    forgotten,
    operations,
    instances: new FakeOperated(),
    log: new FakeLog(),
  };
}

describe('InstanceOperations', () => {
  it('terminates its own running instance under the lock, and releases it', async () => {
    const w = world();
    w.instances.seed('a', 'OPSJOB', 'Running');
    const result = await w.operations.terminate(w.instances, 'opsJob', 'a', w.log);
    expect(result).toEqual({ kind: 'terminating', instanceId: 'a', was: 'Running' });
    expect(w.journal).toEqual(['acquire a 100', 'released a']);
    expect(w.instances.calls).toEqual([
      'view a',
      'terminate a (Terminated by an operator (singleton operator route))',
    ]);
    expect(w.log.lines).toEqual(["Operator: terminating 'a' (Running)."]);
  });

  it("never acts on another orchestrator's instance, nor on one of an unexposed orchestrator", async () => {
    const w = world();
    w.instances.seed('b', 'otherJob', 'Running');
    for (const [name, act] of [
      ['opsJob', 'terminate'],
      ['opsJob', 'purge'],
      ['opsJob', 'status'],
      ['otherJob', 'terminate'],
      ['otherJob', 'purge'],
    ] as const) {
      expect(await w.operations[act](w.instances, name, 'b', w.log)).toEqual({ kind: 'notFound' });
    }
    expect(w.instances.calls.filter((c) => !c.startsWith('view'))).toEqual([]);
  });

  it('answers inProgress, acting on nothing, when a start holds the lock for the whole wait', async () => {
    const w = world();
    w.instances.seed('c', 'opsJob', 'Completed');
    w.lock.busy = true;
    expect(await w.operations.purge(w.instances, 'opsJob', 'c', w.log)).toEqual({
      kind: 'inProgress',
      lockWaitMs: 100,
    });
    expect(w.instances.calls).toEqual([]);
  });

  it('leaves the lock to expire when a terminate timed out (it may still land)', async () => {
    const w = world();
    w.instances.seed('d', 'opsJob', 'Running');
    w.instances.failNext = {
      operation: 'terminate',
      error: new DependencyError('durable', 'timedOut', 'no answer within 5000 ms'),
    };
    expect(await w.operations.terminate(w.instances, 'opsJob', 'd', w.log)).toMatchObject({
      kind: 'unavailable',
    });
    expect(w.journal).toEqual(['acquire d 100', 'leftToExpire d']);
  });

  it('releases the lock when the read under it fails, and says failed', async () => {
    const w = world();
    w.instances.failNext = {
      operation: 'view',
      error: new DependencyError('durable', 'failed', 'HTTP 500'),
    };
    expect(await w.operations.purge(w.instances, 'opsJob', 'e', w.log)).toMatchObject({
      kind: 'failed',
    });
    expect(w.journal).toEqual(['acquire e 100', 'released e']);
  });

  it('purges only an ended instance, then forgets its records', async () => {
    const w = world();
    w.instances.seed('f', 'opsJob', 'Suspended');
    w.instances.seed('g', 'opsJob', 'Failed');
    expect(await w.operations.purge(w.instances, 'opsJob', 'f', w.log)).toMatchObject({
      kind: 'conflict',
      rule: 'running',
    });
    expect(await w.operations.purge(w.instances, 'opsJob', 'g', w.log)).toEqual({
      kind: 'purged',
      instanceId: 'g',
      records: 1,
    });
    expect(w.forgotten).toEqual([['g']]);
  });

  it('a bulk purge forgets the records of a chunk in one pass', async () => {
    const w = world();
    for (const id of ['p1', 'p2', 'p3']) w.instances.seed(id, 'opsJob', 'Completed');
    w.instances.seed('p4', 'opsJob', 'Running');
    const chunk = await w.operations.many(
      w.instances,
      'opsJob',
      'purge',
      (name) => (name === 'prefix' ? ['p'] : []),
      w.log,
    );
    expect(chunk).toMatchObject({ kind: 'chunk' });
    expect(w.forgotten).toEqual([['p1', 'p2', 'p3']]);
    expect([...w.instances.byId.keys()]).toEqual(['p4']);
  });

  it('answers an ended instance’s terminate with conflict, terminating nothing', async () => {
    const w = world();
    w.instances.seed('h', 'opsJob', 'Terminated');
    expect(await w.operations.terminate(w.instances, 'opsJob', 'h', w.log)).toEqual({
      kind: 'conflict',
      rule: 'not-running',
      runtimeStatus: 'Terminated',
    });
    expect(w.instances.calls).toEqual(['view h']);
  });

  it('releases the lock when the read under it timed out (nothing was acted on)', async () => {
    const w = world();
    w.instances.failNext = {
      operation: 'view',
      error: new DependencyError('durable', 'timedOut', 'no answer'),
    };
    await w.operations.terminate(w.instances, 'opsJob', 'i', w.log);
    expect(w.journal).toEqual(['acquire i 100', 'released i']);
    expect(w.log.lines).toEqual(['Operator terminate failed: no answer']);
  });

  it('logs a purge with the records it forgot', async () => {
    const w = world();
    w.instances.seed('j', 'opsJob', 'Completed');
    await w.operations.purge(w.instances, 'opsJob', 'j', w.log);
    expect(w.log.lines).toEqual(["Operator: purged 'j' and 1 Idempotency-Key record(s)."]);
  });

  it('lists only its own instances, without input unless asked, and hands out a token for the rest', async () => {
    const w = world();
    w.instances.seed('k1', 'opsJob', 'Running');
    w.instances.seed('k2', 'otherJob', 'Running');
    w.instances.seed('k3', 'opsJob', 'Running');
    const page = await w.operations.list(
      w.instances,
      'opsJob',
      (name) => (name === 'prefix' ? ['k'] : name === 'top' ? ['2'] : []),
      w.log,
    );
    expect(page).toMatchObject({ kind: 'page', instances: [{ instanceId: 'k1' }] });
    expect(page.kind === 'page' && page.continuationToken).toEqual(expect.any(String));
    expect(w.instances.calls).toEqual(['list']);
    const last = await w.operations.list(
      w.instances,
      'opsJob',
      (name) => (name === 'prefix' ? ['k3'] : []),
      w.log,
    );
    expect(last).toEqual({
      kind: 'page',
      instances: [expect.objectContaining({ instanceId: 'k3' })],
    });
  });

  it('answers a query the backend refuses as an invalid continuation token', async () => {
    const w = world();
    w.instances.refuse = true;
    for (const act of [
      () => w.operations.list(w.instances, 'opsJob', () => [], w.log),
      () => w.operations.many(w.instances, 'opsJob', 'purge', () => [], w.log),
    ]) {
      expect(await act()).toEqual({
        kind: 'invalid',
        parameter: 'continuationToken',
        detail: 'The backend refused the continuation token; start again without it.',
      });
    }
  });

  it('a bulk terminate lists only running instances, a bulk purge only ended ones, without input', async () => {
    const w = world();
    await w.operations.many(w.instances, 'opsJob', 'terminate', () => [], w.log);
    await w.operations.many(w.instances, 'opsJob', 'purge', () => [], w.log);
    expect(w.instances.queries.map((q) => q.runtimeStatus)).toEqual([
      ['Pending', 'Running', 'ContinuedAsNew', 'Suspended'],
      ['Completed', 'Failed', 'Terminated', 'Canceled'],
    ]);
    expect(w.instances.calls).toEqual(['list', 'list']);
    expect(w.forgotten).toEqual([]);
  });

  it('a bulk chunk says what came of each instance, and where to go on', async () => {
    const w = world();
    // In the backend's order: another orchestrator's instance inside the first page.
    w.instances.seed('q1', 'opsJob', 'Running');
    w.instances.seed('q0', 'otherJob', 'Running');
    w.instances.seed('q2', 'opsJob', 'Running');
    w.instances.seed('q3', 'opsJob', 'Running');
    // q2 ends under the lock before its turn: its terminate finds it not running.
    const view = w.instances.view.bind(w.instances);
    w.instances.view = async (id) => {
      const found = await view(id);
      return id === 'q2' && found ? { ...found, runtimeStatus: 'Completed' } : found;
    };
    const chunk = await w.operations.many(
      w.instances,
      'opsJob',
      'terminate',
      (name) => (name === 'prefix' ? ['q'] : name === 'top' ? ['3'] : []),
      w.log,
    );
    expect(chunk).toEqual({
      kind: 'chunk',
      results: [
        { instanceId: 'q1', outcome: 'terminating' },
        { instanceId: 'q2', outcome: 'notRunning' },
      ],
      continuationToken: expect.any(String) as string,
    });
    expect(w.log.lines.at(-1)).toBe(
      'Operator: terminate by prefix, 2 instance(s) in this chunk; more to come.',
    );
  });
});
