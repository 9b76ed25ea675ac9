/**
 * Starts with an Idempotency-Key through the real handler, with the records in Azurite: replay,
 * mismatch, in progress, expiry, a refused start releasing the key, and a timed-out start that
 * landed being found by the retry.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { BlobServiceClient } from '@azure/storage-blob';
import { recordBlobName } from '../../src/storage/blobIdempotencyStore';
import { azuriteConnectionString } from '../support/azurite';
import type { HttpResult } from '../support/invokeHttp';
import { FIXTURES, freshId, post, useFakeExtension, useSettings } from './starterHarness';

// The burst and the lease-expiry case take seconds on a loaded machine; this bounds a hang only.
jest.setTimeout(40_000);
const extension = useFakeExtension();
const rpc = () => ({ rpcBaseUrl: extension().rpcBaseUrl });

function keyed(key: string, body = '{"items":3,"chunkSize":1}', query?: string) {
  return { ...rpc(), body, query, headers: { 'idempotency-key': key } };
}

/** The key's record as stored, or undefined. */
async function storedRecord(key: string): Promise<Record<string, unknown> | undefined> {
  const blob = BlobServiceClient.fromConnectionString(azuriteConnectionString())
    .getContainerClient('singleton-locks')
    .getBlobClient(recordBlobName({ taskHub: 'TestHubName', key }));
  if (!(await blob.exists())) return undefined;
  return JSON.parse((await blob.downloadToBuffer()).toString('utf8')) as Record<string, unknown>;
}

function expectProblem(res: HttpResult, status: number, type: string) {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toBe('application/problem+json');
  expect(res.json).toMatchObject({ type: `urn:durable-singleton:problem:${type}`, status });
}

describe('Idempotency-Key', () => {
  it('a retry gets the original 202 again, marked replayed, and starts nothing, whatever the instance does now', async () => {
    const id = freshId('idem');
    const key = `key-${id}`;
    const first = await post(FIXTURES.always, id, keyed(`"${key}"`));
    expect(first.status).toBe(202);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(await storedRecord(key)).toMatchObject({
      state: 'completed',
      key,
      fingerprint: { functionName: FIXTURES.always, instanceId: id, onConflict: 'reject' },
      outcome: { kind: 'started', instanceId: id },
      run: {
        instanceId: id,
        createdTime: new Date(extension().instances.get(id)!.createdTime).toISOString(),
      },
    });
    // A record holds facts, not the answer: no links, so no key and no host name.
    expect(JSON.stringify(await storedRecord(key))).not.toMatch(/code=|localhost|answer/);

    // The run ends; the retry (bare key, keys reordered, name in other case) still replays.
    extension().instances.get(id)!.runtimeStatus = 'Completed';
    const retry = await post(
      FIXTURES.always.toUpperCase(),
      id,
      keyed(key, '{"chunkSize":1,"items":3}'),
    );
    expect(retry.status).toBe(202);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.text).toBe(first.text);
    expect(retry.headers.location).toBe(first.headers.location);
    expect(retry.headers['retry-after']).toBe(first.headers['retry-after']);
    expect(extension().startsOf(id)).toHaveLength(1);
  });

  it('replays an attach 200 as a 200', async () => {
    const id = freshId('idem-attach');
    extension().seed(id, FIXTURES.always, 'Running');
    const first = await post(FIXTURES.always, id, keyed(`k-${id}`, '', 'onConflict=attach'));
    expect(first.status).toBe(200);
    extension().instances.get(id)!.runtimeStatus = 'Completed';
    const retry = await post(FIXTURES.always, id, keyed(`k-${id}`, '', 'onConflict=attach'));
    expect(retry.status).toBe(200);
    expect(retry.json).toEqual(first.json);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(extension().startsOf(id)).toHaveLength(0);
  });

  it('the same key for a different request → 422 naming what differs; nothing started', async () => {
    const id = freshId('idem-mismatch');
    expect((await post(FIXTURES.always, id, keyed(`k-${id}`))).status).toBe(202);
    const other = freshId('idem-other');
    const res = await post(
      FIXTURES.always,
      other,
      keyed(`k-${id}`, '{"items":4}', 'onConflict=attach'),
    );
    expectProblem(res, 422, 'idempotency-key-mismatch');
    expect(res.json).toMatchObject({
      idempotencyKey: `k-${id}`,
      differences: ['instanceId', 'onConflict', 'input'],
    });
    expect(res.json.detail).toMatch(/the instance ID, onConflict and the input .* differ/);
    expect(extension().startsOf(other)).toHaveLength(0);
  });

  it.each(['"unterminated', '', 'x'.repeat(256), 'caf\u00e9'])(
    '400 invalid-idempotency-key for %p, before any client call',
    async (key) => {
      const res = await post(FIXTURES.always, freshId(), keyed(key));
      expectProblem(res, 400, 'invalid-idempotency-key');
      expect(extension().requests).toHaveLength(0);
    },
  );

  it('a burst with one key: one start; every answer the 202, a replay of it, or 409 in progress', async () => {
    extension().duplicateCheckDelayMs = 200;
    try {
      const id = freshId('idem-burst');
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => post(FIXTURES.always, id, keyed(`k-${id}`))),
      );
      expect(extension().startsOf(id)).toHaveLength(1);
      const original = answers.filter(
        (a) => a.status === 202 && a.headers['idempotent-replayed'] === undefined,
      );
      expect(original).toHaveLength(1);
      for (const answer of answers) {
        if (answer.status === 202) {
          expect(answer.text).toBe(original[0]!.text);
        } else {
          expectProblem(answer, 409, 'start-in-progress');
          expect(answer.json).toMatchObject({ instanceId: id, idempotencyKey: `k-${id}` });
          expect(Number(answer.headers['retry-after'])).toBeGreaterThanOrEqual(1);
        }
      }
    } finally {
      extension().duplicateCheckDelayMs = 0;
    }
  });

  it('someone else’s run found: 409 instance-exists, and the key is released for a later retry', async () => {
    const id = freshId('idem-theirs');
    extension().seed(id, FIXTURES.always, 'Running');
    expectProblem(await post(FIXTURES.always, id, keyed(`k-${id}`)), 409, 'instance-exists');
    expect(await storedRecord(`k-${id}`)).toBeUndefined();
    extension().instances.get(id)!.runtimeStatus = 'Completed';
    const retry = await post(FIXTURES.always, id, keyed(`k-${id}`));
    expect(retry.status).toBe(202);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
    expect(extension().startsOf(id)).toHaveLength(1);
  });

  it('past SINGLETON_IDEMPOTENCY_TTL_SECONDS the key is free again: the retry starts a new run', async () => {
    useSettings({ SINGLETON_IDEMPOTENCY_TTL_SECONDS: '1' });
    const id = freshId('idem-ttl');
    expect((await post(FIXTURES.always, id, keyed(`k-${id}`))).status).toBe(202);
    extension().instances.get(id)!.runtimeStatus = 'Completed';
    const within = await post(FIXTURES.always, id, keyed(`k-${id}`));
    expect(within.headers['idempotent-replayed']).toBe('true');
    await sleep(1_100);
    const after = await post(FIXTURES.always, id, keyed(`k-${id}`));
    expect(after.status).toBe(202);
    expect(after.headers['idempotent-replayed']).toBeUndefined();
    expect(extension().startsOf(id)).toHaveLength(2);
  });

  it('a start that timed out keeps the key; once it can no longer land, the retry finds the run it made', async () => {
    useSettings({ SINGLETON_BACKEND_TIMEOUT_MS: '300', SINGLETON_LOCK_WAIT_MS: '0' });
    const id = freshId('idem-timeout');
    const body = '{"items":3}';
    extension().mode = 'hangStarts';
    expectProblem(
      await post(FIXTURES.always, id, keyed(`k-${id}`, body)),
      503,
      'backend-unavailable',
    );
    // The start landed after all, though no answer came back.
    extension().mode = 'normal';
    extension().seed(id, FIXTURES.always, 'Running', { items: 3 }, new Date().toISOString());
    const early = await post(FIXTURES.always, id, keyed(`k-${id}`, body));
    expectProblem(early, 409, 'start-in-progress');
    // The first start's lease (15 s) is left to expire; until then the outcome is unknown.
    await sleep(15_500);
    const retry = await post(FIXTURES.always, id, keyed(`k-${id}`, body));
    expect(retry.status).toBe(202);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.json.id).toBe(id);
    expect(extension().startsOf(id)).toHaveLength(0);
  });

  it('no header: no record is written', async () => {
    const id = freshId('idem-none');
    expect((await post(FIXTURES.always, id, rpc())).status).toBe(202);
    const container =
      BlobServiceClient.fromConnectionString(azuriteConnectionString()).getContainerClient(
        'singleton-locks',
      );
    for await (const blob of container.listBlobsFlat({ prefix: 'idempotency/' })) {
      const record = JSON.parse(
        (await container.getBlobClient(blob.name).downloadToBuffer()).toString('utf8'),
      ) as { fingerprint: { instanceId: string } };
      expect(record.fingerprint.instanceId).not.toBe(id);
    }
  });
});
