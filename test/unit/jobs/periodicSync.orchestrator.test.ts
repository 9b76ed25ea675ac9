/**
 * `periodicSync` through durable-functions' real replay engine, one generation at a time, with
 * history shaped as the Durable extension sends it.
 */
import '../../../src/functions/periodicSync';
import type { PeriodicSyncState } from '../../../src/jobs/periodicSync/state';
import { sealSignal } from '../../../src/singleton/signalReceipt';
import { eventRaised, taskCompleted, timerFired } from '../../support/history';
import { type Action, ActionType, type Episode, OrchestrationRun } from './orchestrationRun';

const T0 = new Date('2024-05-01T08:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1_000);
const iso = (seconds: number) => at(seconds).toISOString();

function syncCall(iteration: number, since: string): Action {
  return {
    actionType: ActionType.CallActivityWithRetry,
    functionName: 'periodicSyncRun',
    input: { iteration, since },
    retryOptions: {
      firstRetryIntervalInMilliseconds: 2_000,
      maxNumberOfAttempts: 3,
      backoffCoefficient: 2,
    },
  };
}

function timerOrStop(fireAt: string, isCanceled = false): Action {
  return {
    actionType: ActionType.WhenAny,
    compoundActions: [
      { actionType: ActionType.CreateTimer, fireAt, isCanceled },
      ...['stop', 'runNow', 'setInterval'].map(
        (externalEventName) =>
          ({
            actionType: ActionType.WaitForExternalEvent,
            externalEventName,
            reason: 'ExternalEvent',
          }) as Action,
      ),
    ],
  };
}

const fireAtOf = (episode: Episode) =>
  String(episode.newActions[0]?.compoundActions?.[0]?.fireAt ?? '');

/** Runs one generation from its start to the timer firing (or to `stop`); returns every episode. */
async function generation(input: unknown, startAt: Date, records: number, stop = false) {
  const run = new OrchestrationRun('periodicSync', input, 'sync', startAt);
  const episodes: Episode[] = [await run.start()];
  const ranAt = new Date(startAt.getTime() + 1_000);
  episodes.push(await run.next([taskCompleted(0, { recordsSynced: records })], ranAt));
  const fireAt = fireAtOf(episodes[1]);
  const ending = stop ? eventRaised('stop') : timerFired(1, fireAt);
  episodes.push(await run.next([ending], stop ? ranAt : new Date(fireAt)));
  return { run, episodes, last: episodes[episodes.length - 1] };
}

/** One generation with `intervalSeconds: 2` up to its wait: the pass ends at 1 s, due at 3 s. */
async function waitingGeneration() {
  const run = new OrchestrationRun('periodicSync', { intervalSeconds: 2 }, 'sync', T0);
  await run.start();
  const waiting = await run.next([taskCompleted(0, { recordsSynced: 4 })], at(1));
  expect(waiting.newActions).toEqual([timerOrStop(iso(3))]);
  return run;
}

describe('periodicSync orchestrator', () => {
  it('with input {} first runs the sync activity', async () => {
    const first = await new OrchestrationRun('periodicSync', {}, 'sync', T0).start();

    expect(first.failed).toBe(false);
    expect(first.state.isDone).toBe(false);
    expect(first.newActions).toEqual([syncCall(1, iso(0))]);
    expect(first.state.customStatus).toMatchObject({
      phase: 'syncing',
      iteration: 1,
      intervalSeconds: 60,
    });
  });

  it('after the run, records progress and waits on a timer racing the stop event', async () => {
    const run = new OrchestrationRun('periodicSync', {}, 'sync', T0);
    await run.start();
    const waiting = await run.next([taskCompleted(0, { recordsSynced: 4 })], at(3));

    expect(waiting.state.isDone).toBe(false);
    expect(waiting.newActions).toEqual([timerOrStop(iso(63))]);
    expect(waiting.state.customStatus).toEqual({
      phase: 'waiting',
      iteration: 1,
      lastRunAt: iso(3),
      nextRunAt: iso(63),
      intervalSeconds: 60,
      recentRuns: [iso(0)],
      totals: { recordsSynced: 4, failedRuns: 0 },
      receivedSignals: [],
    });
  });

  it('continues as new with the carried state when the timer fires', async () => {
    const { last } = await generation({ intervalSeconds: 2 }, T0, 4);

    expect(last.state.isDone).toBe(true);
    const carried: PeriodicSyncState = {
      input: { intervalSeconds: 2 },
      iteration: 1,
      startedAt: iso(0),
      lastRunAt: iso(1),
      recentRuns: [iso(0)],
      totals: { recordsSynced: 4, failedRuns: 0 },
    };
    expect(last.newActions).toEqual([{ actionType: ActionType.ContinueAsNew, input: carried }]);

    const next = await new OrchestrationRun('periodicSync', carried, 'sync', at(3)).start();
    expect(next.newActions).toEqual([syncCall(2, iso(1))]);
    expect(next.state.customStatus).toMatchObject({
      iteration: 2,
      lastRunAt: iso(1),
      intervalSeconds: 2,
      recentRuns: [iso(0), iso(3)],
    });
  });

  it('keeps only the latest pass starts in its state and status', async () => {
    const carried: PeriodicSyncState = {
      input: { intervalSeconds: 2 },
      iteration: 5,
      startedAt: iso(0),
      lastRunAt: iso(13),
      recentRuns: [iso(0), iso(3), iso(6), iso(9), iso(12)],
      totals: { recordsSynced: 20, failedRuns: 0 },
    };
    const next = await new OrchestrationRun('periodicSync', carried, 'sync', at(15)).start();

    expect(next.state.customStatus).toMatchObject({
      iteration: 6,
      recentRuns: [iso(3), iso(6), iso(9), iso(12), iso(15)],
    });
  });

  it('waits again for the remainder when the timer fires before the due time', async () => {
    const run = await waitingGeneration();
    const early = await run.next([timerFired(1, iso(3))], at(1.5));

    expect(early.failed).toBe(false);
    expect(early.state.isDone).toBe(false);
    expect(early.newActions).toEqual([timerOrStop(iso(3))]);
    expect(early.state.customStatus).toMatchObject({ phase: 'waiting', nextRunAt: iso(3) });

    const due = await run.next([timerFired(2, iso(3))], at(3));
    expect(due.state.isDone).toBe(true);
    expect(due.newActions).toEqual([
      {
        actionType: ActionType.ContinueAsNew,
        input: expect.objectContaining({ iteration: 1, lastRunAt: iso(1) }),
      },
    ]);
  });

  it('sets a follow-up timer at least a second ahead, so a short remainder cannot spin', async () => {
    const run = await waitingGeneration();
    const early = await run.next([timerFired(1, iso(3))], at(2.2));
    expect(early.newActions).toEqual([timerOrStop(iso(3.2))]);
    expect(early.state.customStatus).toMatchObject({ nextRunAt: iso(3) });
  });

  it('keeps waiting while timers fire early, and continues once the due time is reached', async () => {
    const run = await waitingGeneration();
    await run.next([timerFired(1, iso(3))], at(1.8));
    const stillEarly = await run.next([timerFired(2, iso(3))], at(2.9));
    expect(stillEarly.newActions).toEqual([timerOrStop(iso(3.9))]);

    const late = await run.next([timerFired(3, iso(3.9))], at(3.9));
    expect(late.state.isDone).toBe(true);
    expect(late.newActions.map((action) => action.actionType)).toEqual([ActionType.ContinueAsNew]);
  });

  it('continues at once when the timer fires on time', async () => {
    const run = await waitingGeneration();
    const onTime = await run.next([timerFired(1, iso(3))], at(3));

    expect(onTime.state.isDone).toBe(true);
    expect(onTime.newActions.map((action) => action.actionType)).toEqual([
      ActionType.ContinueAsNew,
    ]);
    expect(onTime.state.actions[0].filter((a) => a.actionType === ActionType.WhenAny)).toHaveLength(
      1,
    );
  });

  it('stops during the wait for the remainder, cancelling the second timer', async () => {
    const run = await waitingGeneration();
    await run.next([timerFired(1, iso(3))], at(2.1));
    const stopped = await run.next([eventRaised('stop')], at(2.5));

    expect(stopped.failed).toBe(false);
    expect(stopped.state.isDone).toBe(true);
    expect(stopped.state.output).toEqual({
      iterations: 1,
      startedAt: iso(0),
      stoppedAt: iso(2.5),
      totals: { recordsSynced: 4, failedRuns: 0 },
    });
    expect(stopped.state.actions[0]).toEqual([
      syncCall(1, iso(0)),
      timerOrStop(iso(3)),
      timerOrStop(iso(3.1), true),
    ]);
    expect(stopped.state.customStatus).toMatchObject({ phase: 'stopped', nextRunAt: null });
  });

  it('completes with a summary when the stop event arrives, cancelling the timer', async () => {
    const { episodes, last } = await generation({}, T0, 4, true);

    expect(last.failed).toBe(false);
    expect(last.state.isDone).toBe(true);
    expect(last.state.output).toEqual({
      iterations: 1,
      startedAt: iso(0),
      stoppedAt: iso(1),
      totals: { recordsSynced: 4, failedRuns: 0 },
    });
    expect(last.state.actions[0]).toEqual([syncCall(1, iso(0)), timerOrStop(iso(61), true)]);
    expect(last.state.customStatus).toMatchObject({ phase: 'stopped', nextRunAt: null });
    expect(episodes[1].state.isDone).toBe(false);
  });

  it('runNow ends the wait at once: the next generation runs its pass now', async () => {
    const run = await waitingGeneration();
    const woken = await run.next([eventRaised('runNow')], at(1.5));

    expect(woken.state.isDone).toBe(true);
    expect(woken.newActions).toEqual([
      {
        actionType: ActionType.ContinueAsNew,
        input: expect.objectContaining({ iteration: 1, lastRunAt: iso(1) }) as unknown,
      },
    ]);
    expect(woken.state.actions[0]).toEqual([
      syncCall(1, iso(0)),
      timerOrStop(iso(3), true),
      { actionType: ActionType.ContinueAsNew, input: expect.anything() as unknown },
    ]);
  });

  it('lists a sealed signal it read in its status, and carries the receipt into the next generation', async () => {
    const run = await waitingGeneration();
    const woken = await run.next([eventRaised('runNow', sealSignal('sig-1', null))], at(1.5));

    expect(woken.state.customStatus).toMatchObject({ receivedSignals: ['sig-1'] });
    expect(woken.newActions).toEqual([
      {
        actionType: ActionType.ContinueAsNew,
        input: expect.objectContaining({ receivedSignals: ['sig-1'] }) as unknown,
      },
    ]);
  });

  it('ignores a signal it has read before (a retry raised it again), and waits on for a fresh one', async () => {
    const carried = {
      input: { intervalSeconds: 2 },
      iteration: 1,
      startedAt: iso(0),
      lastRunAt: iso(0),
      recentRuns: [iso(0)],
      totals: { recordsSynced: 0, failedRuns: 0 },
      receivedSignals: ['sig-1'],
    };
    const run = new OrchestrationRun('periodicSync', carried, 'sync', T0);
    await run.start();
    await run.next([taskCompleted(0, { recordsSynced: 1 })], at(1));
    const again = await run.next([eventRaised('stop', sealSignal('sig-1', null))], at(1.5));
    expect(again.state.isDone).toBe(false);
    expect(again.state.customStatus).toMatchObject({
      phase: 'waiting',
      receivedSignals: ['sig-1'],
    });
    const fresh = await run.next([eventRaised('stop', sealSignal('sig-2', null))], at(2));
    expect(fresh.state.isDone).toBe(true);
    expect(fresh.state.customStatus).toMatchObject({
      phase: 'stopped',
      receivedSignals: ['sig-1', 'sig-2'],
    });
  });

  it('a first run inherits the receipts of the instance it follows: a late copy of its stop is no stop', async () => {
    // As the starter starts a run after one that listed 'sig-old' (src/singleton/signalReceipt.ts).
    const input = { $singletonReceipts: ['sig-old'], input: { intervalSeconds: 2 } };
    const run = new OrchestrationRun('periodicSync', input, 'sync', T0);
    await run.start();
    const waiting = await run.next([taskCompleted(0, { recordsSynced: 1 })], at(1));
    expect(waiting.state.customStatus).toMatchObject({
      phase: 'waiting',
      intervalSeconds: 2,
      receivedSignals: ['sig-old'],
    });
    const copy = await run.next([eventRaised('stop', sealSignal('sig-old', null))], at(1.5));
    expect(copy.state.isDone).toBe(false);
    const fresh = await run.next([eventRaised('stop', sealSignal('sig-new', null))], at(2));
    expect(fresh.state.isDone).toBe(true);
    expect(fresh.state.customStatus).toMatchObject({ receivedSignals: ['sig-old', 'sig-new'] });
  });

  it('setInterval waits on to the new due time, and the next generation keeps the interval', async () => {
    const run = await waitingGeneration();
    const longer = await run.next([eventRaised('setInterval', { intervalSeconds: 10 })], at(2));

    expect(longer.state.isDone).toBe(false);
    expect(longer.newActions).toEqual([timerOrStop(iso(11))]);
    expect(longer.state.customStatus).toMatchObject({ intervalSeconds: 10, nextRunAt: iso(11) });
    const fired = await run.next([timerFired(2, iso(11))], at(11));
    expect(fired.newActions).toEqual([
      {
        actionType: ActionType.ContinueAsNew,
        input: expect.objectContaining({ input: { intervalSeconds: 10 } }) as unknown,
      },
    ]);
  });

  it('setInterval to a shorter interval that is already due continues at once', async () => {
    const run = await waitingGeneration();
    await run.next([eventRaised('setInterval', { intervalSeconds: 10 })], at(2));
    const shorter = await run.next([eventRaised('setInterval', { intervalSeconds: 1 })], at(4));
    expect(shorter.state.isDone).toBe(true);
    expect(shorter.newActions[0]).toMatchObject({
      actionType: ActionType.ContinueAsNew,
      input: { input: { intervalSeconds: 1 } },
    });
  });

  it('ignores setInterval data past its check, and keeps waiting', async () => {
    const run = await waitingGeneration();
    const ignored = await run.next([eventRaised('setInterval', { intervalSeconds: 0 })], at(2));
    expect(ignored.state.isDone).toBe(false);
    expect(ignored.state.customStatus).toMatchObject({ intervalSeconds: 2, nextRunAt: iso(3) });
  });

  it('honours a stop raised while the sync is still running', async () => {
    const run = new OrchestrationRun('periodicSync', {}, 'sync', T0);
    await run.start();
    await run.next([eventRaised('stop')]);
    const last = await run.next([taskCompleted(0, { recordsSynced: 2 })], at(5));

    expect(last.state.isDone).toBe(true);
    expect(last.state.output).toMatchObject({ iterations: 1, stoppedAt: iso(5) });
  });

  it('refuses counters in the caller input: they belong to the carried state', async () => {
    const first = await new OrchestrationRun('periodicSync', {
      intervalSeconds: 2,
      iteration: 41,
    }).start();

    expect(first.failed).toBe(true);
    expect(first.newActions).toEqual([]);
    expect(first.state.error).toBe(
      'Invalid input for periodicSync: unknown property "iteration" (allowed: intervalSeconds).',
    );
  });

  it('fails fast on an interval out of bounds', async () => {
    const first = await new OrchestrationRun('periodicSync', { intervalSeconds: 0 }).start();

    expect(first.failed).toBe(true);
    expect(first.newActions).toEqual([]);
    expect(first.state.error).toBe(
      'Invalid input for periodicSync: intervalSeconds must be an integer from 1 to 86400 (got one out of range).',
    );
  });

  it('keeps every generation the same size: iteration 100 looks like iteration 1', async () => {
    const sizes: { actions: number; events: number; inputKeys: string }[] = [];
    const inputLengths: number[] = [];
    let input: unknown = {};
    let startAt = T0;
    for (let iteration = 1; iteration <= 100; iteration++) {
      const { run, last } = await generation(input, startAt, 3);
      const [continueAsNew] = last.newActions;
      expect(continueAsNew.actionType).toBe(ActionType.ContinueAsNew);
      sizes.push({
        actions: last.state.actions[0].length,
        events: run.history.events.length,
        inputKeys: Object.keys(continueAsNew.input as object).join(),
      });
      input = continueAsNew.input;
      inputLengths.push(JSON.stringify(input).length);
      startAt = new Date(startAt.getTime() + 62_000);
    }

    expect(sizes[99]).toEqual(sizes[0]);
    expect(new Set(sizes.map((size) => JSON.stringify(size))).size).toBe(1);
    // Once the recent passes fill up, only the counters' digits grow: "10" → "100", "30" → "300".
    expect(inputLengths[99] - inputLengths[9]).toBe(2);
    expect(input).toMatchObject({
      iteration: 100,
      startedAt: iso(0),
      totals: { recordsSynced: 300 },
    });
    expect((input as PeriodicSyncState).recentRuns).toHaveLength(5);
  });
});
