/**
 * The singleton guarantee under a same-ID burst, and refusals that must start nothing.
 */
import {
  getStatus,
  post,
  sleep,
  start,
  statusUrl,
  uniqueId,
  waitForStatus,
  type Answer,
  type Problem,
} from './http';

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

  /** The starter's own refusal, not the router's: the exact status and problem type. */
  function expectProblem(answer: Answer<Problem>, status: number, type: string): void {
    expect(answer.status).toBe(status);
    expect(answer.headers.get('content-type')).toContain('application/problem+json');
    expect(answer.json).toMatchObject({ type: `urn:durable-singleton:problem:${type}`, status });
  }

  test.each([
    ['a trailing space', ' '],
    ['entity-style @ prefix', '@counter@'],
    ['percent', '%b'],
  ])('invalid instance ID (%s) → 400', async (label, suffix) => {
    const id = suffix.startsWith('@')
      ? `${suffix}${uniqueId('entity')}`
      : `${uniqueId(label)}${suffix}`;
    const answer = await start('processBatch', id, { items: 1 });
    expectProblem(answer, 400, 'invalid-instance-id');
    await expectNothingStarted(id);
  });

  test('invalid instance ID (over 256 characters) → 400', async () => {
    const id = uniqueId('long').padEnd(257, 'x');
    const answer = await start('processBatch', id, { items: 1 });
    expectProblem(answer, 400, 'invalid-instance-id');
    await expectNothingStarted(id);
  });

  test.each([
    ['a backslash', '\\b'],
    ['a hash', '#b'],
  ])('%s in the ID → 400, and neither the ID nor its prefix is started', async (_label, suffix) => {
    const prefix = uniqueId('sep');
    const answer = await start('processBatch', `${prefix}${suffix}`, { items: 1 });
    expectProblem(answer, 400, 'invalid-instance-id');
    await expectNothingStarted(`${prefix}${suffix}`);
    await expectNothingStarted(prefix);
  });

  test('invalid JSON body → 400, nothing started', async () => {
    const id = uniqueId('badjson');
    const answer = await start('processBatch', id, undefined, {}, '{"items": 3');
    expectProblem(answer, 400, 'invalid-input');
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
    expectProblem(answer, 413, 'input-too-large');
    await expectNothingStarted(id);
  });

  test('unknown orchestrator → 404, nothing started', async () => {
    const id = uniqueId('nofn');
    const answer = await start('noSuchOrchestrator', id, {});
    expectProblem(answer, 404, 'orchestrator-not-found');
    await expectNothingStarted(id);
  });

  test('an activity is not startable → 404, nothing started', async () => {
    const id = uniqueId('activity');
    const answer = await start('processBatchChunk', id, {});
    expectProblem(answer, 404, 'orchestrator-not-found');
    await expectNothingStarted(id);
  });

  test('invalid onConflict → 400, nothing started', async () => {
    const id = uniqueId('policy');
    const answer = await start('processBatch', id, { items: 1 }, { onConflict: 'overwrite' });
    expectProblem(answer, 400, 'invalid-conflict-policy');
    await expectNothingStarted(id);
  });
});
