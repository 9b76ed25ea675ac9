import { getRegistration } from '../../tools/functions-core';
import { RUNTIME_STATUSES, isRunning } from '../../src/singleton/statuses';
import type { HttpResult } from '../support/invokeHttp';
import {
  FIXTURES,
  HIDDEN,
  freshId,
  logged,
  post,
  useFakeExtension,
  useSettings,
} from './starterHarness';

const extension = useFakeExtension();
const rpc = () => ({ rpcBaseUrl: extension().rpcBaseUrl });

function expectProblem(
  res: { status: number; headers: Record<string, string>; json: Record<string, unknown> },
  status: number,
  type: string,
) {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toBe('application/problem+json');
  expect(res.json).toMatchObject({ type: `urn:durable-singleton:problem:${type}`, status });
  expect(typeof res.json.title).toBe('string');
  expect(typeof res.json.detail).toBe('string');
}

describe('registration, as the host sees it', () => {
  it('is a POST-only, function-key HTTP trigger on orchestrators/{functionName}/{instanceId} with a durable client', () => {
    const { metadata } = getRegistration('httpStartSingle');
    const bindings = Object.values(metadata.bindings);
    expect(bindings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          type: 'httpTrigger',
          direction: 'in',
          route: 'orchestrators/{functionName}/{instanceId}',
          methods: ['POST'],
          authLevel: 'function',
        }),
        expect.objectContaining({ type: 'http', direction: 'out' }),
        expect.objectContaining({ type: 'durableClient', direction: 'in' }),
      ]),
    );
    expect(bindings).toHaveLength(3);
  });
});

describe('start', () => {
  it('starts a new ID and answers with the check-status response', async () => {
    const id = freshId();
    const res = await post(FIXTURES.always, id, { ...rpc(), body: '{"items":3}' });
    expect(res.status).toBe(202);
    expect(res.json.id).toBe(id);
    for (const link of [
      'statusQueryGetUri',
      'sendEventPostUri',
      'terminatePostUri',
      'purgeHistoryDeleteUri',
    ]) {
      expect(String(res.json[link])).toContain(`/instances/${id}`);
    }
    expect(res.headers.location).toBe(res.json.statusQueryGetUri);
    expect(res.headers['retry-after']).toBe('10');
    expect(extension().startsOf(id)).toEqual([
      { name: FIXTURES.always, instanceId: id, input: { items: 3 } },
    ]);
  });

  it('starts with no input when the body is empty', async () => {
    const id = freshId();
    expect((await post(FIXTURES.always, id, rpc())).status).toBe(202);
    expect(extension().startsOf(id)).toEqual([
      { name: FIXTURES.always, instanceId: id, input: null },
    ]);
  });

  it('matches the orchestrator name case-insensitively and starts it under its declared name', async () => {
    const id = freshId();
    expect((await post(FIXTURES.always.toUpperCase(), id, rpc())).status).toBe(202);
    expect(extension().startsOf(id)[0]?.name).toBe(FIXTURES.always);
  });

  it.each(RUNTIME_STATUSES.filter((s) => !isRunning(s)))(
    'replaces an instance that is %s',
    async (status) => {
      const id = freshId();
      extension().seed(id, FIXTURES.always, status);
      expect((await post(FIXTURES.always, id, rpc())).status).toBe(202);
      expect(extension().startsOf(id)).toHaveLength(1);
    },
  );

  it.each(RUNTIME_STATUSES.filter(isRunning))(
    'refuses with 409 while an instance is %s',
    async (status) => {
      const id = freshId();
      extension().seed(id, FIXTURES.always, status);
      const res = await post(FIXTURES.always, id, rpc());
      expectProblem(res, 409, 'instance-exists');
      expect(res.json.detail).toContain(`An instance with ID '${id}' already exists.`);
      expect(res.json).toMatchObject({ instanceId: id, runtimeStatus: status, rule: 'running' });
      expect(extension().startsOf(id)).toHaveLength(0);
    },
  );
});

describe('bad requests change nothing', () => {
  it.each([['unknownJob'], [HIDDEN], ['someActivity']])(
    '404 for %p, which is not exposed',
    async (name) => {
      const res = await post(name, freshId(), rpc());
      expectProblem(res, 404, 'orchestrator-not-found');
      expect(res.json.detail).not.toContain(name);
      expect(extension().requests).toHaveLength(0);
    },
  );

  it.each(['a?b', 'a#b', 'a/b', 'a\\b', 'a%b', '@entity', 'a ', 'x'.repeat(257), 'a\u0001b'])(
    '400 for instance ID %p, before any client call',
    async (id) => {
      const res = await post(FIXTURES.always, id, rpc());
      expectProblem(res, 400, 'invalid-instance-id');
      expect(extension().requests).toHaveLength(0);
    },
  );

  it('400 for a body that is not JSON', async () => {
    const res = await post(FIXTURES.always, freshId(), { ...rpc(), body: '{"items":' });
    expectProblem(res, 400, 'invalid-input');
    expect(res.json.detail).toMatch(/not valid JSON/);
    expect(extension().requests).toHaveLength(0);
  });

  it('413 for a body over the default limit of 262144 bytes', async () => {
    const body = JSON.stringify({ data: 'x'.repeat(262_144) });
    const res = await post(FIXTURES.always, freshId(), { ...rpc(), body });
    expectProblem(res, 413, 'input-too-large');
    expect(res.json.maxInputBytes).toBe(262_144);
    expect(extension().requests).toHaveLength(0);
  });

  it('413 follows SINGLETON_MAX_INPUT_BYTES, and a body at the limit is accepted', async () => {
    useSettings({ SINGLETON_MAX_INPUT_BYTES: '10' });
    expectProblem(
      await post(FIXTURES.always, freshId(), { ...rpc(), body: '"123456789"' }),
      413,
      'input-too-large',
    );
    expect((await post(FIXTURES.always, freshId(), { ...rpc(), body: '"12345678"' })).status).toBe(
      202,
    );
  });

  it('413 on the declared Content-Length alone, for a small body', async () => {
    const res = await post(FIXTURES.always, freshId(), {
      ...rpc(),
      body: '{}',
      headers: { 'content-length': '999999999' },
    });
    expectProblem(res, 413, 'input-too-large');
  });

  it('400 for an unknown onConflict value', async () => {
    const res = await post(FIXTURES.always, freshId(), { ...rpc(), query: 'onConflict=replace' });
    expectProblem(res, 400, 'invalid-conflict-policy');
    expect(extension().requests).toHaveLength(0);
  });

  it('500 naming the setting when the configuration is invalid', async () => {
    useSettings({ SINGLETON_LOCK_WAIT_MS: 'soon' });
    const res = await post(FIXTURES.always, freshId(), rpc());
    expectProblem(res, 500, 'configuration-error');
    expect(res.json.detail).toMatch(/SINGLETON_LOCK_WAIT_MS/);
    expect(extension().requests).toHaveLength(0);
  });
});

/**
 * A 5xx names the invocation and says what to do; what the dependency said is in the invocation's
 * log, not in the answer.
 */
function expectDependencyTextLoggedNotAnswered(res: HttpResult, dependencyText: RegExp): void {
  expect(res.json.invocationId).toEqual(expect.any(String));
  expect(res.json.detail).not.toMatch(dependencyText);
  expect(logged).toContainEqual(expect.stringMatching(dependencyText));
}

describe('backend failures', () => {
  it('502 when the extension fails a start, and nothing is reported started', async () => {
    useSettings({ SINGLETON_LOCK_WAIT_MS: '0' });
    const id = freshId();
    extension().mode = 'error500Starts';
    const res = await post(FIXTURES.always, id, rpc());
    expectProblem(res, 502, 'backend-failure');
    expectDependencyTextLoggedNotAnswered(res, /Starting the orchestration: /);
    expect(res.json).not.toHaveProperty('id');
    expect(extension().startsOf(id)).toEqual([]);
    // The start was answered (no), so the lock was released: the next start goes through at once.
    extension().mode = 'normal';
    expect((await post(FIXTURES.always, id, rpc())).status).toBe(202);
  });

  it('502 when the extension fails a status read', async () => {
    extension().mode = 'error500';
    // Reuse `never` needs the status: with `always`, the start call would be the first call.
    const res = await post(FIXTURES.never, freshId(), rpc());
    expectProblem(res, 502, 'backend-failure');
    expectDependencyTextLoggedNotAnswered(res, /Reading the instance status: /);
  });

  it('503 with Retry-After when the extension is unreachable', async () => {
    const res = await post(FIXTURES.always, freshId(), {
      rpcBaseUrl: 'http://127.0.0.1:1/durabletask/',
    });
    expectProblem(res, 503, 'backend-unavailable');
    expect(res.headers['retry-after']).toBe('5');
  });

  it('503 within the backend timeout when the extension does not answer', async () => {
    useSettings({ SINGLETON_BACKEND_TIMEOUT_MS: '300' });
    extension().mode = 'hang';
    const res = await post(FIXTURES.always, freshId(), rpc());
    expectProblem(res, 503, 'backend-unavailable');
    expectDependencyTextLoggedNotAnswered(res, /no answer within 300 ms/);
  });

  it('a start call that times out leaves the lock to expire, so no second start overlaps it', async () => {
    useSettings({ SINGLETON_BACKEND_TIMEOUT_MS: '300', SINGLETON_LOCK_WAIT_MS: '0' });
    const id = freshId();
    extension().mode = 'hangStarts';
    const first = await post(FIXTURES.always, id, rpc());
    expectProblem(first, 503, 'backend-unavailable');
    expectDependencyTextLoggedNotAnswered(
      first,
      /Starting the orchestration: no answer within 300 ms/,
    );
    // The backend recovers at once, but the first start may still land: the ID stays locked.
    extension().mode = 'normal';
    const second = await post(FIXTURES.always, id, rpc());
    expectProblem(second, 409, 'start-in-progress');
  });

  it('503 with Retry-After when the lock storage is unreachable, and nothing starts', async () => {
    useSettings({
      AzureWebJobsStorage:
        'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;BlobEndpoint=http://127.0.0.1:1/devstoreaccount1;',
      SINGLETON_BACKEND_TIMEOUT_MS: '1000',
    });
    const id = freshId();
    const res = await post(FIXTURES.always, id, rpc());
    expectProblem(res, 503, 'backend-unavailable');
    expect(res.headers['retry-after']).toBe('5');
    expectDependencyTextLoggedNotAnswered(
      res,
      /Creating the container 'singleton-locks' failed: connect ECONNREFUSED/,
    );
    expect(extension().startsOf(id)).toHaveLength(0);
  });

  it.each([409, 500] as const)(
    '409, not 502, when the engine itself refuses a duplicate start (answered %d)',
    async (engineStatus) => {
      const id = freshId();
      extension().duplicateStatus = engineStatus;
      // Someone outside this starter starts the ID between our check and our start.
      extension().hiddenReads.set(id, Infinity);
      extension().seed(id, FIXTURES.always, 'Running');
      const res = await post(FIXTURES.always, id, rpc());
      expectProblem(res, 409, 'instance-exists');
      expect(res.json).toMatchObject({ instanceId: id, runtimeStatus: 'Running' });
      expect(res.json.detail).toMatch(/Durable engine refused/);
    },
  );
});
