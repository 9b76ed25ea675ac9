/**
 * The singleton guarantee under a same-ID burst, and refusals that must start nothing.
 */
import { getStatus, post, sleep, start, statusUrl, uniqueId, waitForStatus } from './http';

describe('same-ID burst', () => {
  // The eternal job never ends on its own, so every start of the burst meets a running instance
  // (a finite job that completed mid-burst could legitimately be replaced by a later start).
  test('30 concurrent starts of one new ID → exactly one 202, one execution in its history', async () => {
    const id = uniqueId('burst');
    const input = { intervalSeconds: 2 };
    const answers = await Promise.all(
      Array.from({ length: 30 }, () => start('periodicSync', id, input)),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 202)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(29);

    const accepted = answers.find((a) => a.status === 202)!;
    expect(accepted.json.id).toBe(id);
    await waitForStatus(
      accepted.json.statusQueryGetUri,
      (s) => s.runtimeStatus === 'Running',
      30_000,
      'Running',
    );
    expect(
      (await post(accepted.json.sendEventPostUri.replace('{eventName}', 'stop'), {})).status,
    ).toBe(202);
    const ended = await waitForStatus(
      accepted.json.statusQueryGetUri,
      (s) => s.runtimeStatus === 'Completed',
      30_000,
      'Completed after stop',
    );
    // Give a duplicate start message time to surface, had one been sent.
    await sleep(2_000);
    const history = await getStatus(accepted.json.statusQueryGetUri, true);
    expect(history.json.runtimeStatus).toBe('Completed');
    expect(history.json.lastUpdatedTime).toBe(ended.lastUpdatedTime);
    const executions = (history.json.historyEvents ?? []).filter(
      (e) => e.EventType === 'ExecutionStarted',
    );
    expect(executions).toHaveLength(1);
  });
});

describe('refusals start nothing', () => {
  async function expectNothingStarted(id: string): Promise<void> {
    const status = await getStatus(statusUrl(id));
    expect(status.status).toBe(404);
  }

  test.each([
    ['whitespace', 'bad id'],
    ['entity-style @ prefix', '@counter@x'],
    ['over 256 characters', 'x'.repeat(257)],
    ['percent', 'a%b'],
  ])('invalid instance ID (%s) → 400', async (_label, id) => {
    const answer = await start('processBatch', id, { items: 1 });
    expect(answer.status).toBe(400);
    expect(answer.headers.get('content-type')).toContain('application/problem+json');
    if (!id.includes('%')) await expectNothingStarted(id);
  });

  test('a backslash or hash in the ID → 4xx', async () => {
    for (const id of ['a\\b', 'a#b']) {
      const answer = await start('processBatch', id, { items: 1 });
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
    }
    await expectNothingStarted('a');
  });

  test('invalid JSON body → 400, nothing started', async () => {
    const id = uniqueId('badjson');
    const answer = await start('processBatch', id, undefined, {}, '{"items": 3');
    expect(answer.status).toBe(400);
    await expectNothingStarted(id);
  });

  test('over-size body → 413, nothing started', async () => {
    const id = uniqueId('big');
    const answer = await start(
      'processBatch',
      id,
      undefined,
      {},
      JSON.stringify({ pad: 'x'.repeat(300_000) }),
    );
    expect(answer.status).toBe(413);
    await expectNothingStarted(id);
  });

  test('unknown orchestrator → 404, nothing started', async () => {
    const id = uniqueId('nofn');
    const answer = await start('noSuchOrchestrator', id, {});
    expect(answer.status).toBe(404);
    await expectNothingStarted(id);
  });

  test('an activity is not startable → 404, nothing started', async () => {
    const id = uniqueId('activity');
    const answer = await start('processBatchChunk', id, {});
    expect(answer.status).toBe(404);
    await expectNothingStarted(id);
  });

  test('invalid onConflict → 400, nothing started', async () => {
    const id = uniqueId('policy');
    const answer = await start('processBatch', id, { items: 1 }, { onConflict: 'overwrite' });
    expect(answer.status).toBe(400);
    await expectNothingStarted(id);
  });
});
