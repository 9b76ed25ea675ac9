/**
 * `processBatch` through durable-functions' real replay engine, episode by episode, with history
 * shaped as the Durable extension sends it.
 */
import '../../../src/functions/processBatch';
import { sealSignal } from '../../../src/singleton/signalReceipt';
import { type ChunkSpec, planChunks } from '../../../src/jobs/processBatch/chunks';
import { combineChecksums, processChunk } from '../../../src/jobs/processBatch/processChunk';
import {
  eventRaised,
  taskCompleted,
  taskFailed,
  taskScheduled,
  timerCreated,
  timerFired,
} from '../../support/history';
import { type Action, ActionType, OrchestrationRun } from './orchestrationRun';

const retryOptions = {
  firstRetryIntervalInMilliseconds: 1_000,
  maxNumberOfAttempts: 3,
  backoffCoefficient: 2,
};

function chunkCall(chunk: ChunkSpec): Action {
  return {
    actionType: ActionType.CallActivityWithRetry,
    functionName: 'processBatchChunk',
    input: chunk,
    retryOptions,
  };
}

/** A wave: its chunks all at once, racing the `cancel` event. */
function fanOut(chunks: ChunkSpec[]): Action[] {
  return [
    {
      actionType: ActionType.WhenAny,
      compoundActions: [
        { actionType: ActionType.WhenAll, compoundActions: chunks.map(chunkCall) },
        {
          actionType: ActionType.WaitForExternalEvent,
          externalEventName: 'cancel',
          reason: 'ExternalEvent',
        } as Action,
      ],
    },
  ];
}

/** The extension's retry after a failed attempt: a timer, then the activity scheduled again. */
async function retry(run: OrchestrationRun, chunk: ChunkSpec): Promise<number> {
  const timerId = run.upcomingEventId;
  const fireAt = new Date(Date.parse('2024-05-01T09:00:00Z') + timerId * 1_000).toISOString();
  run.record(timerCreated(timerId, fireAt));
  await run.next([timerFired(timerId, fireAt)]);
  run.record(taskScheduled(timerId + 1, 'processBatchChunk', chunk));
  return timerId + 1;
}

describe('processBatch orchestrator', () => {
  it('with input {} fans out the first wave of chunks with retries and reports 0 done', async () => {
    const first = await new OrchestrationRun('processBatch', {}).start();

    expect(first.failed).toBe(false);
    expect(first.state.isDone).toBe(false);
    expect(first.state.schemaVersion).toBe(2);
    expect(first.newActions).toEqual(fanOut(planChunks(40, 5).slice(0, 4)));
    expect(first.state.customStatus).toEqual({ done: 0, total: 40, receivedSignals: [] });
  });

  it('reports progress after each wave and completes with the summary', async () => {
    const chunks = planChunks(40, 5);
    const results = chunks.map(processChunk);
    const run = new OrchestrationRun('processBatch', {});
    await run.start();

    const second = await run.next([0, 1, 2, 3].map((id) => taskCompleted(id, results[id])));
    expect(second.state.isDone).toBe(false);
    expect(second.state.customStatus).toEqual({ done: 20, total: 40, receivedSignals: [] });
    expect(second.newActions).toEqual(fanOut(chunks.slice(4, 8)));

    const done = await run.next(
      [4, 5, 6, 7].map((id) => taskCompleted(id, results[id])),
      new Date('2024-05-01T08:00:07.000Z'),
    );
    expect(done.state.isDone).toBe(true);
    expect(done.newActions).toEqual([]);
    expect(done.state.customStatus).toEqual({ done: 40, total: 40, receivedSignals: [] });
    expect(done.state.output).toEqual({
      items: 40,
      chunks: 8,
      processed: results.reduce((sum, r) => sum + r.processed, 0),
      rejected: results.reduce((sum, r) => sum + r.rejected, 0),
      checksum: combineChecksums(results.map((r) => r.checksum)),
      startedAt: '2024-05-01T08:00:00.000Z',
      completedAt: '2024-05-01T08:00:07.000Z',
    });
  });

  it('cancel: the wave in flight finishes, no other is scheduled, and the summary says so', async () => {
    const chunks = planChunks(40, 5);
    const results = chunks.map(processChunk);
    const run = new OrchestrationRun('processBatch', {});
    await run.start();

    const cancelled = await run.next([eventRaised('cancel')]);
    expect(cancelled.state.isDone).toBe(false);
    expect(cancelled.newActions).toEqual([]);
    const done = await run.next(
      [0, 1, 2, 3].map((id) => taskCompleted(id, results[id])),
      new Date('2024-05-01T08:00:03.000Z'),
    );
    expect(done.state.isDone).toBe(true);
    expect(done.newActions).toEqual([]);
    expect(done.state.output).toMatchObject({
      items: 40,
      chunks: 8,
      processed: results.slice(0, 4).reduce((sum, r) => sum + r.processed, 0),
      cancelled: { skippedItems: 20 },
    });
  });

  it('lists a sealed cancel it read in its status at once, before the wave in flight ends', async () => {
    const run = new OrchestrationRun('processBatch', {});
    await run.start();
    const cancelled = await run.next([eventRaised('cancel', sealSignal('sig-c', null))]);
    expect(cancelled.state.customStatus).toEqual({
      done: 0,
      total: 40,
      receivedSignals: ['sig-c'],
    });
  });

  it('ignores a late copy of a cancel the run before it read (inherited receipts), not a new one', async () => {
    const chunks = planChunks(40, 5);
    const results = chunks.map(processChunk);
    // As the starter starts a run after one that listed 'sig-old' (src/singleton/signalReceipt.ts).
    const run = new OrchestrationRun('processBatch', {
      $singletonReceipts: ['sig-old'],
      input: {},
    });
    const first = await run.start();
    expect(first.newActions).toEqual(fanOut(chunks.slice(0, 4)));
    expect(first.state.customStatus).toEqual({ done: 0, total: 40, receivedSignals: ['sig-old'] });

    await run.next([eventRaised('cancel', sealSignal('sig-old', null))]);
    const second = await run.next([0, 1, 2, 3].map((id) => taskCompleted(id, results[id])));
    expect(second.state.isDone).toBe(false);
    expect(second.state.customStatus).toEqual({
      done: 20,
      total: 40,
      receivedSignals: ['sig-old'],
    });

    await run.next([eventRaised('cancel', sealSignal('sig-new', null))]);
    const done = await run.next([4, 5, 6, 7].map((id) => taskCompleted(id, results[id])));
    expect(done.state.isDone).toBe(true);
    expect(done.state.customStatus).toEqual({
      done: 40,
      total: 40,
      receivedSignals: ['sig-old', 'sig-new'],
    });
    expect(done.state.output).toMatchObject({ items: 40, cancelled: { skippedItems: 0 } });
  });

  it('retries a failed chunk instead of failing, and completes when the retry succeeds', async () => {
    const chunks = planChunks(2, 1);
    const run = new OrchestrationRun('processBatch', { items: 2, chunkSize: 1 });
    await run.start();

    const afterFailure = await run.next([
      taskCompleted(0, processChunk(chunks[0])),
      taskFailed(1, 'Error: storage timeout', 'transient'),
    ]);
    expect(afterFailure.failed).toBe(false);
    expect(afterFailure.state.isDone).toBe(false);

    const retried = await retry(run, chunks[1]);
    const done = await run.next([taskCompleted(retried, processChunk(chunks[1]))]);
    expect(done.state.isDone).toBe(true);
    expect(done.state.output).toMatchObject({ items: 2, chunks: 2 });
  });

  it('fails with a clear message when a chunk still fails after every attempt', async () => {
    const [chunk] = planChunks(1, 1);
    const run = new OrchestrationRun('processBatch', { items: 1 });
    await run.start();

    let scheduledId = 0;
    for (let attempt = 1; attempt < 3; attempt++) {
      const failed = await run.next([taskFailed(scheduledId, 'Error: storage timeout', '')]);
      expect(failed.failed).toBe(false);
      scheduledId = await retry(run, chunk);
    }
    await run.next([taskFailed(scheduledId, 'Error: storage timeout', '')]);
    const timerId = run.upcomingEventId;
    run.record(timerCreated(timerId, '2024-05-01T09:00:00.000Z'));
    const final = await run.next([timerFired(timerId, '2024-05-01T09:00:00.000Z')]);

    expect(final.failed).toBe(true);
    expect(final.state.error).toMatch(
      /^A chunk of records 1-1 still failed after 3 attempts: Error: storage timeout/,
    );
  });

  it('fails fast on invalid input, before scheduling anything', async () => {
    const first = await new OrchestrationRun('processBatch', {
      items: 0,
      chunkSize: 'ten',
    }).start();

    expect(first.failed).toBe(true);
    expect(first.newActions).toEqual([]);
    expect(first.state.error).toBe(
      'Invalid input for processBatch: items must be an integer from 1 to 10000 (got one out of range); ' +
        'chunkSize must be an integer from 1 to 1000 (got a string).',
    );
  });
});
