import { setTimeout as sleep } from 'node:timers/promises';
import { BlobLeaseLock } from '../../src/storage/blobLeaseLock';
import type { RuntimeStatus } from '../../src/singleton/statuses';
import { createBlobServiceClient } from '../../src/storage/blobService';
import { azuriteConnectionString } from '../support/azurite';
import { FIXTURES, HIDDEN, freshId, post, useFakeExtension, useSettings } from './starterHarness';

const extension = useFakeExtension();
const rpc = () => ({ rpcBaseUrl: extension().rpcBaseUrl });

describe('onConflict=attach', () => {
  it("answers 200 with the running instance's links and status, starting nothing", async () => {
    const id = freshId();
    extension().seed(id, FIXTURES.always, 'Running');
    const res = await post(FIXTURES.always, id, { ...rpc(), query: 'onConflict=attach' });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ id, runtimeStatus: 'Running' });
    expect(String(res.json.statusQueryGetUri)).toContain(`/instances/${id}`);
    expect(extension().startsOf(id)).toHaveLength(0);
  });

  it('starts normally when nothing is running', async () => {
    const id = freshId();
    expect((await post(FIXTURES.always, id, { ...rpc(), query: 'onConflict=attach' })).status).toBe(
      202,
    );
    expect(extension().startsOf(id)).toHaveLength(1);
  });
});

describe('onConflict=restart', () => {
  it('terminates the running instance, waits for it to end, then starts: 202', async () => {
    const id = freshId();
    extension().seed(id, FIXTURES.always, 'Running');
    extension().terminateDelayMs = 300;
    const res = await post(FIXTURES.always, id, {
      ...rpc(),
      body: '{"n":2}',
      query: 'onConflict=restart',
    });
    expect(res.status).toBe(202);
    expect(
      extension().requests.some((r) => r.path === `/durabletask/instances/${id}/terminate`),
    ).toBe(true);
    expect(extension().startsOf(id)).toEqual([
      { name: FIXTURES.always, instanceId: id, input: { n: 2 } },
    ]);
  });

  it('answers 503 with Retry-After, starting nothing, when the instance does not end in time', async () => {
    useSettings({ SINGLETON_RESTART_TIMEOUT_MS: '500' });
    const id = freshId();
    extension().seed(id, FIXTURES.always, 'Running');
    extension().terminateDelayMs = Infinity;
    const res = await post(FIXTURES.always, id, { ...rpc(), query: 'onConflict=restart' });
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.json.detail).toMatch(/did not end within 500 ms/);
    expect(extension().startsOf(id)).toHaveLength(0);
  });

  it('racing with concurrent rejects: the restart wins with 202, every reject gets 409, one start', async () => {
    const id = freshId();
    extension().seed(id, FIXTURES.always, 'Running');
    // The instance ends only when the test says so.
    extension().terminateDelayMs = Infinity;
    const restart = post(FIXTURES.always, id, { ...rpc(), query: 'onConflict=restart' });
    const rejectBurst = () =>
      Promise.all(Array.from({ length: 5 }, () => post(FIXTURES.always, id, rpc())));
    // While the restart holds the lock and waits for the instance to end: it still runs.
    await until(() =>
      extension().requests.some((r) => r.path === `/durabletask/instances/${id}/terminate`),
    );
    const whileRunning = await rejectBurst();
    // Once it has ended: whether a reject reads before or after the restart's start, it is
    // refused, by the lock the restart holds or by the new instance.
    extension().instances.get(id)!.runtimeStatus = 'Terminated';
    const afterEnd = await rejectBurst();

    expect((await restart).status).toBe(202);
    expect([...whileRunning, ...afterEnd].map((r) => r.status)).toEqual(Array(10).fill(409));
    expect(extension().startsOf(id)).toHaveLength(1);
  });
});

/** Waits for `condition`, checking every few milliseconds. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await sleep(5);
}

describe('reuse policies', () => {
  it.each<[string, RuntimeStatus, number]>([
    [FIXTURES.failedOnly, 'Completed', 409],
    [FIXTURES.failedOnly, 'Failed', 202],
    [FIXTURES.failedOnly, 'Terminated', 202],
    [FIXTURES.never, 'Completed', 409],
    [FIXTURES.never, 'Failed', 409],
  ])('%s with an existing %s instance → %d', async (name, status, expected) => {
    const id = freshId();
    extension().seed(id, name, status);
    const res = await post(name, id, rpc());
    expect(res.status).toBe(expected);
    if (expected === 409) {
      expect(res.json).toMatchObject({ rule: 'reuse', runtimeStatus: status });
      expect(res.json.detail).toMatch(/reuse policy/);
      expect(extension().startsOf(id)).toHaveLength(0);
    } else {
      expect(extension().startsOf(id)).toHaveLength(1);
    }
  });

  it("never: restart of a running instance is refused, since it would replace the ID's instance", async () => {
    const id = freshId();
    extension().seed(id, FIXTURES.never, 'Running');
    const res = await post(FIXTURES.never, id, { ...rpc(), query: 'onConflict=restart' });
    expect(res.status).toBe(409);
    expect(res.json.detail).toMatch(/reuse policy 'never'/);
    expect(
      extension().requests.some((r) => r.path === `/durabletask/instances/${id}/terminate`),
    ).toBe(false);
  });
});

describe('lock wait bound', () => {
  it('answers 409 start-in-progress while another app instance holds the lock past the wait, then starts', async () => {
    useSettings({ SINGLETON_LOCK_WAIT_MS: '300' });
    const id = freshId();
    // Another app instance, in the middle of starting this ID: same storage, its own lock object.
    const storage = createBlobServiceClient(
      { kind: 'connectionString', connectionString: azuriteConnectionString() },
      5_000,
    );
    const otherInstance = new BlobLeaseLock(storage, 'singleton-locks', {
      leaseSeconds: 15,
      timeoutMs: 5_000,
    });
    const held = await otherInstance.acquire({ taskHub: 'TestHubName', instanceId: id }, 0);
    expect(held).toBeDefined();

    const blocked = await post(FIXTURES.always, id, rpc());
    expect(blocked.status).toBe(409);
    expect(blocked.json).toMatchObject({
      type: 'urn:durable-singleton:problem:start-in-progress',
      rule: 'in-progress',
    });
    expect(blocked.json.detail).toMatch(/did not finish within 300 ms/);
    expect(extension().startsOf(id)).toHaveLength(0);

    await held!.release();
    expect((await post(FIXTURES.always, id, rpc())).status).toBe(202);
    expect(extension().startsOf(id)).toHaveLength(1);
  });
});

/** Another app instance's lock object on the same storage. */
function otherAppInstanceLock(): BlobLeaseLock {
  const storage = createBlobServiceClient(
    { kind: 'connectionString', connectionString: azuriteConnectionString() },
    5_000,
  );
  return new BlobLeaseLock(storage, 'singleton-locks', { leaseSeconds: 15, timeoutMs: 5_000 });
}

describe('the check under the lock', () => {
  /**
   * The instance appeared while another app instance held the lock (its own start): this
   * request, finding the lock taken, reads first and misses it, then waits for the lock.
   */
  const appearedWhileLocked = async (
    id: string,
    name: string,
    status: RuntimeStatus,
    send: () => Promise<Awaited<ReturnType<typeof post>>>,
  ) => {
    const held = await otherAppInstanceLock().acquire(
      { taskHub: 'TestHubName', instanceId: id },
      0,
    );
    expect(held).toBeDefined();
    extension().seed(id, name, status);
    extension().hiddenReads.set(id, 1);
    const pending = send();
    await sleep(300);
    await held!.release();
    return pending;
  };

  it('re-reads under the lock, and refuses the Completed instance the read before it missed (reuse never)', async () => {
    const id = freshId();
    const res = await appearedWhileLocked(id, FIXTURES.never, 'Completed', () =>
      post(FIXTURES.never, id, rpc()),
    );
    expect(res.status).toBe(409);
    expect(res.json).toMatchObject({ rule: 'reuse', runtimeStatus: 'Completed' });
    expect(extension().startsOf(id)).toHaveLength(0);
  });

  it('under reuse always and the opt-in, leaves the duplicate check to the engine: a running instance is still refused', async () => {
    const id = freshId();
    // No read comes before the start here: the engine's check is the only one.
    extension().seed(id, FIXTURES.anyOwner, 'Running');
    const res = await post(FIXTURES.anyOwner, id, rpc());
    expect(res.status).toBe(409);
    expect(res.json).toMatchObject({ rule: 'running', runtimeStatus: 'Running' });
    expect(res.json.detail).toMatch(/Durable engine refused/);
    expect(extension().startsOf(id)).toHaveLength(0);
  });

  it('attaches when the engine reports the running instance, and a read shows it is its own', async () => {
    const id = freshId();
    extension().seed(id, FIXTURES.anyOwner, 'Running');
    const res = await post(FIXTURES.anyOwner, id, { ...rpc(), query: 'onConflict=attach' });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ id, runtimeStatus: 'Running' });
  });

  it('re-reads when the host lets starts overwrite running instances (AnyState)', async () => {
    useSettings({
      AzureFunctionsJobHost__extensions__durableTask__overridableExistingInstanceStates: 'AnyState',
    });
    const id = freshId();
    const res = await appearedWhileLocked(id, FIXTURES.always, 'Running', () =>
      post(FIXTURES.always, id, rpc()),
    );
    expect(res.status).toBe(409);
    expect(res.json.detail).not.toMatch(/Durable engine refused/);
    expect(res.json.detail).toMatch(/is Running, and onConflict is 'reject'/);
  });
});

describe("another orchestrator's instance", () => {
  const POLICIES = ['reject', 'attach', 'restart'] as const;
  const acted = (id: string) =>
    extension().requests.filter(
      (r) => r.method === 'POST' && decodeURIComponent(r.path).includes(id),
    );

  // Ended: refused under reuse always too, so its history is kept.
  it.each(
    (['Running', 'Completed'] as const).flatMap((status) =>
      POLICIES.map((onConflict) => [status, onConflict] as const),
    ),
  )(
    'a %s one: 409 other-orchestrator, not attached, terminated or started over (onConflict=%s)',
    async (status, onConflict) => {
      const id = freshId();
      extension().seed(id, HIDDEN, status);
      const res = await post(FIXTURES.always, id, { ...rpc(), query: `onConflict=${onConflict}` });
      expect(res.status).toBe(409);
      expect(res.json).toMatchObject({
        type: 'urn:durable-singleton:problem:instance-exists',
        rule: 'other-orchestrator',
        runtimeStatus: status,
      });
      // The caller learns that the ID is taken, not by what.
      expect(JSON.stringify(res.json)).not.toContain(HIDDEN);
      expect(acted(id)).toEqual([]);
    },
  );

  it('an ended one is replaced by an orchestrator exposed with replacesOtherOrchestrators', async () => {
    const id = freshId();
    extension().seed(id, HIDDEN, 'Completed');
    const res = await post(FIXTURES.anyOwner, id, rpc());
    expect(res.status).toBe(202);
    expect(extension().startsOf(id)).toHaveLength(1);
  });

  it('a running one is refused with the opt-in too, after the engine refused the start', async () => {
    const id = freshId();
    extension().seed(id, HIDDEN, 'Running');
    const res = await post(FIXTURES.anyOwner, id, { ...rpc(), query: 'onConflict=attach' });
    expect(res.status).toBe(409);
    expect(res.json).toMatchObject({ rule: 'other-orchestrator', runtimeStatus: 'Running' });
    expect(extension().startsOf(id)).toHaveLength(0);
  });
});
