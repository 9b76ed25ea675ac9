/**
 * Signal-with-start through the real handler, the lock on Azurite and the durable client against
 * the extension stand-in (which answers a raise as the extension does: 202 running, 410 ended,
 * 404 none): every outcome, and bad input that raises and starts nothing.
 */
import type { HttpResult } from '../support/invokeHttp';
import {
  ACKNOWLEDGING,
  FIXTURES,
  HIDDEN,
  SIGNALLED,
  freshId,
  signal,
  useFakeExtension,
  useSettings,
} from './starterHarness';

const extension = useFakeExtension();
const rpc = (more: { body?: string; headers?: Record<string, string> } = {}) => ({
  rpcBaseUrl: extension().rpcBaseUrl,
  ...more,
});

function expectProblem(res: HttpResult, status: number, type: string) {
  expect(res.status).toBe(status);
  expect(res.json).toMatchObject({ type: `urn:durable-singleton:problem:${type}`, status });
}

const raisedTo = (id: string) =>
  extension()
    .raisedEvents.filter((e) => e.instanceId === id)
    .map(({ eventName, data }) => ({ eventName, data }));

describe('POST …/{instanceId}/events/{eventName}', () => {
  it('raises the event, with the body as data, to the running instance: 200, nothing started', async () => {
    const id = freshId('sig');
    extension().seed(id, SIGNALLED, 'Running');
    const res = await signal(SIGNALLED, id, 'RESIZE', rpc({ body: '{"size":3}' }));
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ id, runtimeStatus: 'Running' });
    expect(raisedTo(id)).toEqual([{ eventName: 'resize', data: { size: 3 } }]);
    expect(extension().startsOf(id)).toEqual([]);
  });

  it('starts the instance with Singleton-Start-Input when none runs, and the new run gets the event: 202', async () => {
    const id = freshId('sig');
    const res = await signal(
      SIGNALLED,
      id,
      'poke',
      rpc({ body: '"now"', headers: { 'Singleton-Start-Input': '{"n":1}' } }),
    );
    expect(res.status).toBe(202);
    expect(extension().startsOf(id)).toEqual([
      { name: SIGNALLED, instanceId: id, input: { n: 1 } },
    ]);
    expect(raisedTo(id)).toEqual([{ eventName: 'poke', data: 'now' }]);
  });

  it('replaces an ended instance the reuse policy lets go, and refuses one it protects (409)', async () => {
    const failed = freshId('sig');
    const completed = freshId('sig');
    extension().seed(failed, SIGNALLED, 'Failed');
    extension().seed(completed, SIGNALLED, 'Completed');
    expect((await signal(SIGNALLED, failed, 'poke', rpc())).status).toBe(202);
    const refused = await signal(SIGNALLED, completed, 'poke', rpc());
    expectProblem(refused, 409, 'instance-exists');
    expect(refused.json.rule).toBe('reuse');
    expect(raisedTo(completed)).toEqual([]);
    expect(extension().startsOf(completed)).toEqual([]);
  });

  it("never raises to another orchestrator's instance", async () => {
    const id = freshId('sig');
    extension().seed(id, HIDDEN, 'Running');
    const res = await signal(SIGNALLED, id, 'poke', rpc());
    expectProblem(res, 409, 'instance-exists');
    expect(res.json.rule).toBe('other-orchestrator');
    expect(raisedTo(id)).toEqual([]);
  });

  it.each<[string, string, string, Record<string, string>, number, string]>([
    [
      'an event the orchestrator does not declare',
      SIGNALLED,
      'selfDestruct',
      {},
      404,
      'event-not-found',
    ],
    [
      'data its check refuses',
      SIGNALLED,
      'resize',
      { body: '{"size":99}' },
      400,
      'invalid-event-data',
    ],
    ['data that is not JSON', SIGNALLED, 'poke', { body: '{size:' }, 400, 'invalid-input'],
    ['a start input that is not JSON', SIGNALLED, 'poke', { header: '{n:' }, 400, 'invalid-input'],
    ['an orchestrator without events', FIXTURES.always, 'poke', {}, 404, 'event-not-found'],
    ['an empty Idempotency-Key', SIGNALLED, 'poke', { key: '""' }, 400, 'invalid-idempotency-key'],
  ])('refuses %s, raising and starting nothing', async (_what, job, event, given, status, type) => {
    const id = freshId('sig-bad');
    extension().seed(id, job, 'Running');
    const headers: Record<string, string> = {};
    if (given.header) headers['Singleton-Start-Input'] = given.header;
    if (given.key) headers['Idempotency-Key'] = given.key;
    const res = await signal(job, id, event, rpc({ body: given.body, headers }));
    expectProblem(res, status, type);
    expect(res.text).not.toContain('selfDestruct');
    expect(raisedTo(id)).toEqual([]);
    expect(extension().startsOf(id)).toEqual([]);
  });
});

describe('signals to a job that acknowledges them', () => {
  const sealedTo = (id: string) =>
    raisedTo(id).map(({ data }) => data as { $singletonSignal: string; data: unknown });

  it('answers 200 once the run lists the signal, with the data sealed under its ID', async () => {
    const id = freshId('ack');
    extension().seed(id, ACKNOWLEDGING, 'Running');
    const res = await signal(ACKNOWLEDGING, id, 'go', rpc({ body: '{"n":1}' }));
    expect(res.status).toBe(200);
    const [sealed] = sealedTo(id);
    expect(sealed).toEqual({ $singletonSignal: expect.any(String) as unknown, data: { n: 1 } });
  });

  it('a run that ends without reading it: a new run receives it, 202', async () => {
    const id = freshId('ack');
    extension().seed(id, ACKNOWLEDGING, 'Running');
    extension().signalReading = 'endsUnread';
    const res = await signal(
      ACKNOWLEDGING,
      id,
      'go',
      rpc({ headers: { 'Singleton-Start-Input': '{"fresh":true}' } }),
    );
    expect(res.status).toBe(202);
    expect(extension().startsOf(id)).toEqual([
      { name: ACKNOWLEDGING, instanceId: id, input: { fresh: true } },
    ]);
    const [first, second] = sealedTo(id);
    expect(second.$singletonSignal).toBe(first.$singletonSignal);
  });

  it('a run that does not read it in time: 503 with Retry-After, saying what to do', async () => {
    useSettings({ SINGLETON_SIGNAL_RECEIPT_WAIT_MS: '300' });
    const id = freshId('ack');
    extension().seed(id, ACKNOWLEDGING, 'Running');
    extension().signalReading = 'never';
    const res = await signal(ACKNOWLEDGING, id, 'go', rpc());
    expectProblem(res, 503, 'signal-unconfirmed');
    expect(res.headers['retry-after'] ?? res.headers['Retry-After']).toBeDefined();
    expect(res.json.detail).toContain('same Idempotency-Key');
  });

  it('a retry with the same Idempotency-Key raises nothing again; another request with it: 422', async () => {
    const id = freshId('ack');
    extension().seed(id, ACKNOWLEDGING, 'Running');
    const keyed = (body: string) =>
      signal(ACKNOWLEDGING, id, 'go', rpc({ body, headers: { 'Idempotency-Key': '"k-1"' } }));
    expect((await keyed('{"n":1}')).status).toBe(200);
    expect((await keyed('{"n":1}')).status).toBe(200);
    expect(sealedTo(id)).toHaveLength(1);
    const other = await keyed('{"n":2}');
    expectProblem(other, 422, 'idempotency-key-mismatch');
    expect(sealedTo(id)).toHaveLength(1);
  });
});
