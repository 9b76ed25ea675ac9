/**
 * The operator's routes through the real handlers, the lock and the records on Azurite, and the
 * durable client against the extension stand-in: status, list by prefix, terminate and purge, each
 * only for its own orchestrator's instances, and the app's own links in place of the extension's.
 */
import { BlobServiceClient } from '@azure/storage-blob';
import { recordBlobName } from '../../src/storage/blobIdempotencyStore';
import { azuriteConnectionString } from '../support/azurite';
import type { HttpResult } from '../support/invokeHttp';
import {
  FIXTURES,
  HIDDEN,
  freshId,
  operate,
  post,
  useFakeExtension,
  useSettings,
} from './starterHarness';

const extension = useFakeExtension();
const rpc = () => ({ rpcBaseUrl: extension().rpcBaseUrl });
const JOB = FIXTURES.always;

function expectProblem(res: HttpResult, status: number, type: string) {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toBe('application/problem+json');
  expect(res.json).toMatchObject({ type: `urn:durable-singleton:problem:${type}`, status });
}

/** Nothing a function-key caller gets may hold the system key the binding carries. */
function expectNoSystemKey(res: HttpResult) {
  expect(`${JSON.stringify(res.headers)}${res.text}`).not.toMatch(/test-key|code=/);
}

describe('GET one instance', () => {
  it('answers its status without input, output or history, and without the system key', async () => {
    const id = freshId('status');
    extension().seed(id, JOB, 'Running', { secret: 'personal' });
    const res = await operate('status', JOB, id, rpc());
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      name: JOB,
      instanceId: id,
      runtimeStatus: 'Running',
      customStatus: null,
      createdTime: '2026-11-28T00:00:00.000Z',
      lastUpdatedTime: '2026-11-28T00:00:00.000Z',
    });
    expectNoSystemKey(res);
  });

  it('shows input and output with SINGLETON_STATUS_SHOW_INPUT=true', async () => {
    useSettings({ SINGLETON_STATUS_SHOW_INPUT: 'true' });
    const id = freshId('status');
    extension().seed(id, JOB, 'Completed', { n: 1 });
    const res = await operate('status', JOB, id, rpc());
    expect(res.json).toMatchObject({ input: { n: 1 }, output: null });
  });

  it('answers 404, alike, for no instance, an unexposed orchestrator and another orchestrator’s instance', async () => {
    const other = freshId('other');
    extension().seed(other, HIDDEN, 'Running');
    const answers = [
      await operate('status', JOB, freshId('none'), rpc()),
      await operate('status', HIDDEN, other, rpc()),
      await operate('status', JOB, other, rpc()),
      await operate('status', JOB, 'a?b', rpc()),
    ];
    for (const res of answers) expectProblem(res, 404, 'instance-not-found');
    expect(new Set(answers.map((a) => a.json.detail)).size).toBe(1);
  });
});

describe('GET the list', () => {
  it('pages through its own instances by prefix, never another orchestrator’s', async () => {
    const prefix = freshId('tenant');
    for (const n of [1, 2, 3, 4, 5]) extension().seed(`${prefix}-${n}`, JOB, 'Running');
    extension().seed(`${prefix}-6`, HIDDEN, 'Running');
    extension().seed(`${prefix}-7`, FIXTURES.never, 'Completed');
    extension().seed(`other-${prefix}`, JOB, 'Running');

    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const query = `prefix=${encodeURIComponent(prefix)}&top=2${token ? `&continuationToken=${token}` : ''}`;
      const res = await operate('list', JOB, undefined, { ...rpc(), query });
      expect(res.status).toBe(200);
      expectNoSystemKey(res);
      const body = res.json as {
        instances: { instanceId: string; name: string }[];
        continuationToken?: string;
      };
      for (const i of body.instances) {
        expect(i.name).toBe(JOB);
        seen.push(i.instanceId);
      }
      token = body.continuationToken;
      pages += 1;
    } while (token !== undefined && pages < 10);
    expect(seen).toEqual([1, 2, 3, 4, 5].map((n) => `${prefix}-${n}`));
    expect(pages).toBe(4);
  });

  it('filters by runtime status and creation time', async () => {
    const prefix = freshId('filtered');
    extension().seed(`${prefix}-a`, JOB, 'Running', null, '2026-11-01T00:00:00Z');
    extension().seed(`${prefix}-b`, JOB, 'Failed', null, '2026-11-02T00:00:00Z');
    extension().seed(`${prefix}-c`, JOB, 'Failed', null, '2026-11-03T00:00:00Z');
    const res = await operate('list', JOB, undefined, {
      ...rpc(),
      query: `prefix=${prefix}&runtimeStatus=failed,completed&createdFrom=2026-11-02&createdTo=2026-11-02T12:00:00Z`,
    });
    expect((res.json.instances as { instanceId: string }[]).map((i) => i.instanceId)).toEqual([
      `${prefix}-b`,
    ]);
  });

  it.each([
    ['an unknown status', 'runtimeStatus=Sleeping', 'runtimeStatus'],
    ['a page size of 0', 'top=0', 'top'],
    ['a page size over 100', 'top=101', 'top'],
    ['a page size that is not a number', 'top=ten', 'top'],
    ['a time that is not ISO 8601', 'createdFrom=yesterday', 'createdFrom'],
    [
      'a range that ends before it starts',
      'createdFrom=2026-11-02&createdTo=2026-11-01',
      'createdTo',
    ],
    ['a prefix no instance ID can start with', 'prefix=a%2Fb', 'prefix'],
    ['a repeated parameter', 'top=1&top=2', 'top'],
    ['a forged continuation token', 'continuationToken=eyJ2IjoxfQ', 'continuationToken'],
  ])('refuses %s with 400 before any backend call', async (_what, query, parameter) => {
    const before = extension().listCalls;
    const res = await operate('list', JOB, undefined, { ...rpc(), query });
    expectProblem(res, 400, 'invalid-query');
    expect(res.json.parameter).toBe(parameter);
    expect(extension().listCalls).toBe(before);
  });

  it('refuses a token handed out for another query or another orchestrator', async () => {
    const prefix = freshId('token');
    for (const n of [1, 2, 3]) extension().seed(`${prefix}-${n}`, JOB, 'Running');
    const first = await operate('list', JOB, undefined, {
      ...rpc(),
      query: `prefix=${prefix}&top=1`,
    });
    const token = first.json.continuationToken as string;
    expect(token).toBeDefined();
    const elsewhere = await operate('list', JOB, undefined, {
      ...rpc(),
      query: `prefix=x&continuationToken=${token}`,
    });
    expectProblem(elsewhere, 400, 'invalid-query');
    const otherJob = await operate('list', FIXTURES.never, undefined, {
      ...rpc(),
      query: `prefix=${prefix}&continuationToken=${token}`,
    });
    expectProblem(otherJob, 400, 'invalid-query');
  });

  it('answers 404 for an orchestrator that is not exposed', async () => {
    const before = extension().listCalls;
    expectProblem(await operate('list', HIDDEN, undefined, rpc()), 404, 'instance-not-found');
    expect(extension().listCalls).toBe(before);
  });
});

describe('POST terminate', () => {
  it('terminates its own running instance: 202 with its status link', async () => {
    const id = freshId('term');
    extension().seed(id, JOB, 'Running');
    const res = await operate('terminate', JOB, id, rpc());
    expect(res.status).toBe(202);
    expect(res.headers.location).toBe(
      `http://localhost:7071/api/orchestrators/${JOB}/${encodeURIComponent(id)}`,
    );
    await new Promise((resolve) => setTimeout(resolve, 20)); // the stand-in ends it a moment later
    expect(extension().instances.get(id)?.runtimeStatus).toBe('Terminated');
    expectNoSystemKey(res);
  });

  it('answers 409 for an ended instance and 404 for another orchestrator’s, touching neither', async () => {
    const ended = freshId('ended');
    const other = freshId('other');
    extension().seed(ended, JOB, 'Completed');
    extension().seed(other, HIDDEN, 'Running');
    expectProblem(await operate('terminate', JOB, ended, rpc()), 409, 'instance-not-running');
    expectProblem(await operate('terminate', JOB, other, rpc()), 404, 'instance-not-found');
    expect(extension().instances.get(other)?.runtimeStatus).toBe('Running');
    expect(extension().requests.filter((r) => r.path.endsWith('/terminate'))).toEqual([]);
  });
});

describe('DELETE (purge)', () => {
  it('purges an ended instance with its Idempotency-Key records', async () => {
    const id = freshId('purge');
    const key = `key-${id}`;
    const started = await post(JOB, id, { ...rpc(), headers: { 'Idempotency-Key': `"${key}"` } });
    expect(started.status).toBe(202);
    const records = BlobServiceClient.fromConnectionString(azuriteConnectionString())
      .getContainerClient('singleton-locks')
      .getBlobClient(recordBlobName({ taskHub: 'TestHubName', key }));
    expect(await records.exists()).toBe(true);
    extension().instances.get(id)!.runtimeStatus = 'Completed';

    const res = await operate('purge', JOB, id, rpc());

    expect(res.status).toBe(200);
    expect(res.json).toEqual({ id, instancesDeleted: 1, idempotencyRecordsDeleted: 1 });
    expect(extension().instances.has(id)).toBe(false);
    expect(await records.exists()).toBe(false);
    // The ID starts afresh: the key's old answer no longer points to a purged run.
    const again = await post(JOB, id, { ...rpc(), headers: { 'Idempotency-Key': `"${key}"` } });
    expect(again.status).toBe(202);
    expect(again.headers['idempotent-replayed']).toBeUndefined();
  });

  it('refuses a running instance (409) and another orchestrator’s (404), purging nothing', async () => {
    const running = freshId('running');
    const other = freshId('other');
    extension().seed(running, JOB, 'Running');
    extension().seed(other, HIDDEN, 'Completed');
    expectProblem(await operate('purge', JOB, running, rpc()), 409, 'instance-running');
    expectProblem(await operate('purge', JOB, other, rpc()), 404, 'instance-not-found');
    expect(extension().purged).not.toContain(running);
    expect(extension().purged).not.toContain(other);
  });

  it('waits for a start of the ID that holds its lock, and answers 409 if it does not end', async () => {
    useSettings({ SINGLETON_LOCK_WAIT_MS: '0', SINGLETON_BACKEND_TIMEOUT_MS: '400' });
    const id = freshId('locked');
    extension().seed(id, JOB, 'Completed');
    extension().mode = 'hangStarts';
    const start = post(JOB, id, rpc());
    await new Promise((resolve) => setTimeout(resolve, 100));
    const res = await operate('purge', JOB, id, rpc());
    expectProblem(res, 409, 'start-in-progress');
    expect(res.headers['retry-after']).toBe('1');
    expect(extension().purged).not.toContain(id);
    await start;
  });
});

describe('a backend that fails', () => {
  it('is 503 with Retry-After when it does not answer, 502 when it refuses, naming the invocation', async () => {
    useSettings({ SINGLETON_BACKEND_TIMEOUT_MS: '200' });
    const id = freshId('down');
    extension().mode = 'hang';
    const hung = await operate('status', JOB, id, rpc());
    expectProblem(hung, 503, 'backend-unavailable');
    expect(hung.headers['retry-after']).toBe('5');
    extension().mode = 'error500';
    const failed = await operate('list', JOB, undefined, rpc());
    expectProblem(failed, 502, 'backend-failure');
    expect(failed.text).not.toContain('Simulated failure');
    expect(failed.json.invocationId).toEqual(expect.any(String));
  });
});

describe('SINGLETON_LINKS', () => {
  it('app: the answers link the operator routes, and carry no system key', async () => {
    useSettings({ SINGLETON_LINKS: 'app', SINGLETON_LINK_ORIGIN: 'https://jobs.example.com' });
    const id = freshId('links');
    const res = await post(JOB, id, rpc());
    expect(res.status).toBe(202);
    const instance = `https://jobs.example.com/api/orchestrators/${JOB}/${encodeURIComponent(id)}`;
    expect(res.json).toEqual({
      id,
      statusQueryGetUri: instance,
      terminatePostUri: `${instance}/terminate`,
      purgeHistoryDeleteUri: instance,
    });
    expect(res.headers.location).toBe(instance);
    expectNoSystemKey(res);
    // The link works with the caller's own key.
    const status = await operate('status', JOB, id, rpc());
    expect(status.json.instanceId).toBe(id);
  });

  it('extension (the default): the sample’s links, system key included', async () => {
    const res = await post(JOB, freshId('links'), rpc());
    expect(res.json.statusQueryGetUri).toContain('/runtime/webhooks/durabletask/instances/');
    expect(res.json.statusQueryGetUri).toContain('code=test-key');
  });
});

describe('bulk terminate and purge by prefix', () => {
  type Chunk = {
    counts: Record<string, number>;
    instances: { instanceId: string; outcome: string }[];
    continuationToken?: string;
  };

  async function allChunks(operation: 'terminateMany' | 'purgeMany', query: string) {
    const chunks: Chunk[] = [];
    let token: string | undefined;
    do {
      const res = await operate(operation, JOB, undefined, {
        ...rpc(),
        query: `${query}${token ? `&continuationToken=${token}` : ''}`,
      });
      expect(res.status).toBe(200);
      expectNoSystemKey(res);
      chunks.push(res.json as unknown as Chunk);
      token = (res.json as unknown as Chunk).continuationToken;
    } while (token !== undefined && chunks.length < 20);
    return chunks;
  }

  it('terminates its own running instances a chunk at a time, and no other orchestrator’s', async () => {
    const prefix = freshId('bulk-term');
    for (const n of [1, 2, 3, 4, 5]) extension().seed(`${prefix}-${n}`, JOB, 'Running');
    extension().seed(`${prefix}-6`, JOB, 'Completed');
    extension().seed(`${prefix}-7`, HIDDEN, 'Running');

    const chunks = await allChunks('terminateMany', `prefix=${prefix}&top=2`);

    const done = chunks.flatMap((c) => c.instances);
    expect(done.map((i) => i.instanceId).sort()).toEqual(
      [1, 2, 3, 4, 5].map((n) => `${prefix}-${n}`),
    );
    expect(done.every((i) => i.outcome === 'terminating')).toBe(true);
    expect(chunks.every((c) => c.instances.length <= 2)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(extension().instances.get(`${prefix}-7`)?.runtimeStatus).toBe('Running');
    expect(extension().instances.get(`${prefix}-6`)?.runtimeStatus).toBe('Completed');
  });

  it('purges its own ended instances, never a running one or another orchestrator’s', async () => {
    const prefix = freshId('bulk-purge');
    for (const n of [1, 2, 3]) extension().seed(`${prefix}-${n}`, JOB, 'Completed');
    extension().seed(`${prefix}-4`, JOB, 'Failed');
    extension().seed(`${prefix}-5`, JOB, 'Running');
    extension().seed(`${prefix}-6`, HIDDEN, 'Completed');

    const chunks = await allChunks('purgeMany', `prefix=${prefix}&top=3`);

    expect(chunks.flatMap((c) => c.instances.map((i) => i.outcome))).toEqual([
      'purged',
      'purged',
      'purged',
      'purged',
    ]);
    expect([...extension().instances.keys()].filter((id) => id.startsWith(prefix)).sort()).toEqual([
      `${prefix}-5`,
      `${prefix}-6`,
    ]);
  });

  it("forgets the purged instances' Idempotency-Key records, and only theirs", async () => {
    const prefix = freshId('bulk-keys');
    const container =
      BlobServiceClient.fromConnectionString(azuriteConnectionString()).getContainerClient(
        'singleton-locks',
      );
    const record = (key: string) =>
      container.getBlobClient(recordBlobName({ taskHub: 'TestHubName', key }));
    const keyed = (id: string) => ({ ...rpc(), headers: { 'Idempotency-Key': `"k-${id}"` } });
    const ids = [`${prefix}-1`, `${prefix}-2`, `other-${prefix}`];
    for (const id of ids) expect((await post(JOB, id, keyed(id))).status).toBe(202);
    for (const id of ids) extension().instances.get(id)!.runtimeStatus = 'Completed';

    const chunk = await operate('purgeMany', JOB, undefined, {
      ...rpc(),
      query: `prefix=${prefix}`,
    });

    expect(chunk.json.counts).toEqual({ purged: 2 });
    expect(await record(`k-${prefix}-1`).exists()).toBe(false);
    expect(await record(`k-${prefix}-2`).exists()).toBe(false);
    expect(await record(`k-other-${prefix}`).exists()).toBe(true);
  });

  it.each([
    ['terminateMany', 'runtimeStatus=Completed'],
    ['purgeMany', 'runtimeStatus=Running'],
    ['purgeMany', 'top=500'],
  ] as const)('%s refuses %s with 400, acting on nothing', async (operation, query) => {
    const before = extension().listCalls;
    const res = await operate(operation, JOB, undefined, { ...rpc(), query });
    expectProblem(res, 400, 'invalid-query');
    expect(extension().listCalls).toBe(before);
  });

  it('a purge token does not continue a listing or a terminate', async () => {
    const prefix = freshId('bulk-token');
    for (const n of [1, 2, 3]) extension().seed(`${prefix}-${n}`, JOB, 'Running');
    const first = await operate('terminateMany', JOB, undefined, {
      ...rpc(),
      query: `prefix=${prefix}&top=1`,
    });
    const token = first.json.continuationToken as string;
    expect(token).toBeDefined();
    const listed = await operate('list', JOB, undefined, {
      ...rpc(),
      query: `prefix=${prefix}&runtimeStatus=Pending,Running,ContinuedAsNew,Suspended&continuationToken=${token}`,
    });
    expectProblem(listed, 400, 'invalid-query');
  });
});
