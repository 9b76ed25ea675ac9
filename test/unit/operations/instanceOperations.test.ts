/**
 * The operator's operations over in-memory ports: the lock's part (a hold ends once, released or
 * left to expire), ownership on every path, and dependency failures as results.
 */
import { DependencyError } from '../../../src/dependencies/failure';
import { InstanceOperations } from '../../../src/operations/instanceOperations';
import type {
  BackendQuery,
  InstancePage,
  InstanceView,
  OperatedInstances,
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
  list(query: BackendQuery): Promise<InstancePage> {
    this.calls.push('list');
    const all = [...this.byId.values()].filter((i) => i.instanceId.startsWith(query.prefix ?? ''));
    return Promise.resolve({ instances: all.slice(0, query.top) });
  }
  terminate(instanceId: string): Promise<void> {
    this.calls.push(`terminate ${instanceId}`);
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
    expect(w.instances.calls).toEqual(['view a', 'terminate a']);
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
});
