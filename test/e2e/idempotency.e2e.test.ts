/**
 * Idempotency-Key on the real engine: a retry replays the original answer and starts nothing, a
 * burst with one key makes one run, a different request with the key is refused, and (when the
 * host runs with a short SINGLETON_IDEMPOTENCY_TTL_SECONDS, given here as
 * E2E_IDEMPOTENCY_TTL_SECONDS) the key is free again once its record has expired.
 */
import {
  BASE,
  getStatus,
  sleep,
  statusUrl,
  uniqueId,
  waitForStatus,
  type Answer,
  type CheckStatusLinks,
  type Problem,
} from './http';

async function keyedStart(
  instanceId: string,
  key: string,
  body: unknown,
  query = '',
): Promise<Answer<CheckStatusLinks & Problem & Record<string, unknown>>> {
  const response = await fetch(
    `${BASE}/api/orchestrators/processBatch/${encodeURIComponent(instanceId)}${query}`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    },
  );
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    text,
    json: text ? JSON.parse(text) : undefined,
  };
}

const SMALL = { items: 3, chunkSize: 3, parallelism: 1 };

async function completed(instanceId: string) {
  return waitForStatus(
    statusUrl(instanceId),
    (s) => s.runtimeStatus === 'Completed',
    60_000,
    `${instanceId} to complete`,
  );
}

async function executions(instanceId: string): Promise<number> {
  const history = await getStatus(statusUrl(instanceId), true);
  return (history.json.historyEvents ?? []).filter((e) => e.EventType === 'ExecutionStarted')
    .length;
}

describe('Idempotency-Key', () => {
  test('a retry after the short job ended replays the 202 and starts nothing', async () => {
    const id = uniqueId('idem-retry');
    const key = `"${id}-key"`;
    const first = await keyedStart(id, key, SMALL);
    expect(first.status).toBe(202);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const run = await completed(id);

    // Same request, keys in another order: the same request by JSON value.
    const retry = await keyedStart(id, key, { parallelism: 1, chunkSize: 3, items: 3 });
    expect(retry.status).toBe(202);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.text).toBe(first.text);
    expect(retry.headers.get('location')).toBe(first.headers.get('location'));

    const after = (await getStatus(statusUrl(id))).json;
    expect(after.runtimeStatus).toBe('Completed');
    expect(after.createdTime).toBe(run.createdTime);
    expect(after.output).toEqual(run.output);
    expect(await executions(id)).toBe(1);
  });

  test('a burst of 50 with one key on a fresh ID: one run; each answer the 202, its replay or 409 in progress', async () => {
    const id = uniqueId('idem-burst');
    const key = `${id}-key`;
    const answers = await Promise.all(Array.from({ length: 50 }, () => keyedStart(id, key, SMALL)));
    const originals = answers.filter(
      (a) => a.status === 202 && a.headers.get('idempotent-replayed') === null,
    );
    expect(originals).toHaveLength(1);
    for (const answer of answers) {
      if (answer.status === 202) {
        expect(answer.text).toBe(originals[0]!.text);
      } else {
        expect(answer.status).toBe(409);
        expect(answer.json.type).toBe('urn:durable-singleton:problem:start-in-progress');
        expect(answer.headers.get('retry-after')).toMatch(/^\d+$/);
      }
    }
    await completed(id);
    expect(await executions(id)).toBe(1);
    // Once answered, the key replays.
    const late = await keyedStart(id, key, SMALL);
    expect(late.status).toBe(202);
    expect(late.headers.get('idempotent-replayed')).toBe('true');
  });

  test('the key with a different body → 422 naming what differs; nothing started', async () => {
    const id = uniqueId('idem-mismatch');
    const key = `${id}-key`;
    expect((await keyedStart(id, key, SMALL)).status).toBe(202);
    const run = await completed(id);
    const other = await keyedStart(id, key, { ...SMALL, items: 4 });
    expect(other.status).toBe(422);
    expect(other.headers.get('content-type')).toContain('application/problem+json');
    expect(other.json).toMatchObject({
      type: 'urn:durable-singleton:problem:idempotency-key-mismatch',
      status: 422,
      differences: ['input'],
    });
    expect((await getStatus(statusUrl(id))).json.createdTime).toBe(run.createdTime);
  });

  test('an invalid key → 400 invalid-idempotency-key; no instance exists afterwards', async () => {
    const id = uniqueId('idem-invalid');
    const res = await keyedStart(id, '"unterminated', SMALL);
    expect(res.status).toBe(400);
    expect(res.json.type).toBe('urn:durable-singleton:problem:invalid-idempotency-key');
    expect((await getStatus(statusUrl(id))).status).toBe(404);
  });

  const ttl = Number(process.env.E2E_IDEMPOTENCY_TTL_SECONDS ?? NaN);
  // The host's TTL is an app setting; only a host started with a short one can show expiry here
  // (the integration suite shows it always).
  (ttl > 0 && ttl <= 60 ? test : test.skip)(
    'past the TTL the key is free again: the retry starts a new run',
    async () => {
      const id = uniqueId('idem-ttl');
      const key = `${id}-key`;
      expect((await keyedStart(id, key, SMALL)).status).toBe(202);
      const run = await completed(id);
      await sleep(ttl * 1000 + 1_500);
      const again = await keyedStart(id, key, SMALL);
      expect(again.status).toBe(202);
      expect(again.headers.get('idempotent-replayed')).toBeNull();
      const second = await waitForStatus(
        statusUrl(id),
        (s) => s.runtimeStatus === 'Completed' && s.createdTime !== run.createdTime,
        60_000,
        'a second run',
      );
      expect(Date.parse(second.createdTime)).toBeGreaterThan(Date.parse(run.createdTime));
    },
  );
});
