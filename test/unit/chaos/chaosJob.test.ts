/**
 * The chaos job through durable-functions' real replay engine: what it records and when, and that
 * its run ID is stable on replay and differs between executions.
 */
import '../../../tools/chaos/functions/chaosJob';
import { taskCompleted, timerFired } from '../../support/history';
import { type Action, ActionType, OrchestrationRun } from '../jobs/orchestrationRun';

const T0 = new Date('2024-05-01T08:00:00.000Z');

function recorded(action: Action | undefined): Record<string, unknown> {
  expect(action).toMatchObject({
    actionType: ActionType.CallActivityWithRetry,
    functionName: 'chaosRecordRun',
  });
  return action?.input as Record<string, unknown>;
}

test('a short job records its start, then its end, with the marker it received', async () => {
  const run = new OrchestrationRun('chaosJob', { marker: 'm-1' }, 'short', T0);
  const first = await run.start();
  const start = recorded(first.newActions[0]);
  expect(start).toMatchObject({ instanceId: 'short', marker: 'm-1', phase: 'start', seq: 0 });

  const second = await run.next([taskCompleted(0, null)]);
  const end = recorded(second.newActions[0]);
  expect(end).toEqual({ ...start, phase: 'end' });

  const done = await run.next([taskCompleted(1, null)]);
  expect(done.state.isDone).toBe(true);
  expect(done.state.output).toEqual({ runId: start.runId, marker: 'm-1' });
});

test('a long job beats on durable timers until its hold has passed', async () => {
  const run = new OrchestrationRun(
    'chaosJob',
    { marker: 'm-2', holdSeconds: 3, beatSeconds: 2 },
    'long',
    T0,
  );
  await run.start();
  const afterStart = await run.next([taskCompleted(0, null)], T0);
  expect(afterStart.newActions).toEqual([
    { actionType: ActionType.CreateTimer, fireAt: '2024-05-01T08:00:02.000Z', isCanceled: false },
  ]);
  const beat = await run.next(
    [timerFired(1, '2024-05-01T08:00:02.000Z')],
    new Date('2024-05-01T08:00:02.000Z'),
  );
  expect(recorded(beat.newActions[0])).toMatchObject({ phase: 'beat', seq: 1 });
  // The last wait is cut to the end of the hold.
  const second = await run.next([taskCompleted(2, null)], new Date('2024-05-01T08:00:02.000Z'));
  expect(second.newActions[0]).toMatchObject({ fireAt: '2024-05-01T08:00:03.000Z' });
  await run.next([timerFired(3, '2024-05-01T08:00:03.000Z')], new Date('2024-05-01T08:00:03.000Z'));
  const end = await run.next([taskCompleted(4, null)], new Date('2024-05-01T08:00:03.000Z'));
  expect(recorded(end.newActions[0])).toMatchObject({ phase: 'end' });
});

test('the run ID is the same on replay and differs between executions of one ID', async () => {
  const run = new OrchestrationRun('chaosJob', { marker: 'm-3' }, 'same', T0);
  const first = recorded((await run.start()).newActions[0]).runId;
  const replayed = (await run.next([taskCompleted(0, null)])).state.actions[0][0];
  expect(recorded(replayed).runId).toBe(first);

  const later = new OrchestrationRun(
    'chaosJob',
    { marker: 'm-3' },
    'same',
    new Date(T0.getTime() + 1),
  );
  expect(recorded((await later.start()).newActions[0]).runId).not.toBe(first);
});

test('an input without a marker fails the run', async () => {
  const episode = await new OrchestrationRun('chaosJob', { holdSeconds: 1 }, 'bad', T0).start();
  expect(episode.failed).toBe(true);
  expect(episode.state.error).toMatch(/marker/);
});
