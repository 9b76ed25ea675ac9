/**
 * The chaos job through durable-functions' real replay engine: what it records and when, how it
 * reads pings and lists their receipts, its generations, and that its run ID is stable on replay
 * and differs between executions.
 */
import '../../../tools/chaos/functions/chaosJob';
import { findStartable } from '../../../src/singleton/catalog';
import { sealSignal } from '../../../src/singleton/signalReceipt';
import { eventRaised, taskCompleted, timerFired } from '../../support/history';
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

const at = (seconds: number) => new Date(T0.getTime() + seconds * 1_000);
const iso = (seconds: number) => at(seconds).toISOString();
const PING_WAIT = {
  actionType: ActionType.WaitForExternalEvent,
  externalEventName: 'ping',
  reason: 'ExternalEvent',
};

/** A wait for the timer due at `seconds`, or for a ping. */
function timerOrPing(seconds: number, isCanceled = false): Action {
  return {
    actionType: ActionType.WhenAny,
    compoundActions: [
      { actionType: ActionType.CreateTimer, fireAt: iso(seconds), isCanceled },
      PING_WAIT,
    ],
  };
}

/** A record raced against a new ping wait; returns the record's input. */
function recordOrPing(action: Action | undefined): Record<string, unknown> {
  expect(action?.actionType).toBe(ActionType.WhenAny);
  expect(action?.compoundActions?.[1]).toEqual(PING_WAIT);
  return recorded(action?.compoundActions?.[0]);
}

/** A run of `input` past its start record (event 0), waiting on its first timer (event 1). */
async function holding(input: Record<string, unknown>, instanceId = 'held') {
  const run = new OrchestrationRun('chaosJob', input, instanceId, T0);
  const first = await run.start();
  const start = recorded(first.newActions[0]);
  const waiting = await run.next([taskCompleted(0, null)], T0);
  return { run, start, waiting };
}

test('a long job beats on durable timers until its hold has passed, reading pings meanwhile', async () => {
  const { run, waiting } = await holding({ marker: 'm-2', holdSeconds: 3, beatSeconds: 2 });
  expect(waiting.newActions).toEqual([timerOrPing(2)]);
  const beat = await run.next([timerFired(1, iso(2))], at(2));
  expect(recordOrPing(beat.newActions[0])).toMatchObject({ phase: 'beat', seq: 1 });
  // The last wait is cut to the end of the hold.
  const second = await run.next([taskCompleted(2, null)], at(2));
  expect(second.newActions).toEqual([timerOrPing(3)]);
  const lastBeat = await run.next([timerFired(3, iso(3))], at(3));
  expect(recordOrPing(lastBeat.newActions[0])).toMatchObject({ phase: 'beat', seq: 2 });
  // No ping read: no extra beat.
  const end = await run.next([taskCompleted(4, null)], at(3));
  expect(recorded(end.newActions[0])).toMatchObject({ phase: 'end', proven: [] });
  const done = await run.next([taskCompleted(5, null)], at(3));
  expect(done.state.isDone).toBe(true);
  expect(done.state.customStatus).toEqual({ generation: 1, receivedSignals: [] });
});

test('a sealed ping is read at once: listed in the same episode, recorded with its marker', async () => {
  const { run, start } = await holding({ marker: 'm-4', holdSeconds: 10, beatSeconds: 5 });
  const pinged = await run.next(
    [eventRaised('ping', sealSignal('sig-1', { marker: 's-1' }))],
    at(1),
  );
  expect(pinged.state.customStatus).toEqual({ generation: 1, receivedSignals: ['sig-1'] });
  expect(pinged.state.actions[0][1]).toEqual(timerOrPing(5, true));
  expect(recordOrPing(pinged.newActions[0])).toEqual({
    ...start,
    phase: 'signal',
    seq: 0,
    signal: { key: 's:sig-1~0', marker: 's-1', duplicate: false },
    // Read in this episode: not proven yet.
    proven: [],
  });
  // The same signal raised again (a retry): read, recorded as a duplicate, its receipt kept once.
  const again = await run.next(
    [eventRaised('ping', sealSignal('sig-1', { marker: 's-1' }))],
    at(2),
  );
  expect(again.state.customStatus).toEqual({ generation: 1, receivedSignals: ['sig-1'] });
  expect(recordOrPing(again.newActions[0])).toMatchObject({
    phase: 'signal',
    signal: { key: 's:sig-1~1', marker: 's-1', duplicate: true },
    // The first read, replayed from an earlier episode, is proven.
    proven: ['s:sig-1~0'],
  });
  // Data raised past the starter, not sealed: a fresh signal with no receipt to list.
  const raw = await run.next([eventRaised('ping', { marker: 's-2' })], at(3));
  expect(raw.state.customStatus).toEqual({ generation: 1, receivedSignals: ['sig-1'] });
  expect(recordOrPing(raw.newActions[0])).toMatchObject({
    phase: 'signal',
    signal: { key: 'm:s-2~0', marker: 's-2', duplicate: false },
    proven: ['s:sig-1~0', 's:sig-1~1'],
  });
  // Its record written, it sleeps on to the same beat.
  const resumed = await run.next([taskCompleted(4, null)], at(3));
  expect(resumed.newActions).toEqual([timerOrPing(5)]);
});

test('a ping raised while a record is being written is read, not left to a stale wait', async () => {
  const { run } = await holding({ marker: 'm-5', holdSeconds: 10, beatSeconds: 2 });
  // The timer fires; the beat record races a new ping wait.
  await run.next([timerFired(1, iso(2))], at(2));
  const during = await run.next(
    [eventRaised('ping', sealSignal('sig-a', { marker: 's-a' }))],
    at(2),
  );
  expect(during.state.customStatus).toMatchObject({ receivedSignals: ['sig-a'] });
  expect(recordOrPing(during.newActions[0])).toMatchObject({
    phase: 'signal',
    signal: { key: 's:sig-a~0', marker: 's-a', duplicate: false },
  });
  // Two more in one episode, while that record is written: both read, in order.
  const two = await run.next(
    [
      eventRaised('ping', sealSignal('sig-b', { marker: 's-b' })),
      eventRaised('ping', sealSignal('sig-c', { marker: 's-c' })),
    ],
    at(2),
  );
  expect(two.state.customStatus).toMatchObject({ receivedSignals: ['sig-a', 'sig-b', 'sig-c'] });
  expect(two.newActions.map((a) => recordOrPing(a))).toMatchObject([
    { signal: { key: 's:sig-b~0', marker: 's-b' }, proven: ['s:sig-a~0'] },
    // Read in the same episode as sig-b: sig-b is not proven yet.
    { signal: { key: 's:sig-c~0', marker: 's-c' }, proven: ['s:sig-a~0'] },
  ]);
});

test('the same raw marker read twice is two reads, under two keys', async () => {
  const { run } = await holding({ marker: 'm-8', holdSeconds: 10, beatSeconds: 5 });
  await run.next([eventRaised('ping', { marker: 'x' })], at(1));
  const twice = await run.next([eventRaised('ping', { marker: 'x' })], at(2));
  expect(recordOrPing(twice.newActions[0])).toMatchObject({
    signal: { key: 'm:x~1', marker: 'x', duplicate: false },
  });
});

test('a run that read pings beats once more after its hold, so that its end proves every read', async () => {
  const { run, start } = await holding({ marker: 'm-9', holdSeconds: 2, beatSeconds: 2 });
  const read = await run.next(
    [eventRaised('ping', sealSignal('sig-z', { marker: 's-z' }))],
    at(1.5),
  );
  expect(recordOrPing(read.newActions[0])).toMatchObject({ signal: { key: 's:sig-z~0' } });
  // The record done past the hold's end, the wait goes on to the due time: a timer, then the beat.
  const resumed = await run.next([taskCompleted(2, null)], at(2.5));
  expect(resumed.newActions).toEqual([timerOrPing(2)]);
  const beat = await run.next([timerFired(3, iso(2))], at(2.5));
  expect(recordOrPing(beat.newActions[0])).toMatchObject({
    phase: 'beat',
    seq: 1,
    proven: ['s:sig-z~0'],
  });
  const finalBeat = await run.next([taskCompleted(4, null)], at(2.5));
  expect(recorded(finalBeat.newActions[0])).toMatchObject({ phase: 'beat', seq: 2 });
  const end = await run.next([taskCompleted(5, null)], at(2.5));
  expect(recorded(end.newActions[0])).toEqual({ ...start, phase: 'end', proven: ['s:sig-z~0'] });
});

test('generations continue as new carrying the run ID, counters, receipts and reads', async () => {
  const input = { marker: 'm-6', holdSeconds: 2, beatSeconds: 2, generations: 2 };
  const { run, start } = await holding(input);
  await run.next([eventRaised('ping', sealSignal('sig-1', { marker: 's-1' }))], at(1));
  await run.next([taskCompleted(2, null)], at(1));
  await run.next([timerFired(3, iso(2))], at(2));
  const last = await run.next([taskCompleted(4, null)], at(2));
  const carried = {
    generation: 2,
    runId: start.runId,
    beats: 1,
    receivedSignals: ['sig-1'],
    reads: ['s:sig-1~0'],
  };
  expect(last.newActions).toEqual([
    { actionType: ActionType.ContinueAsNew, input: { ...input, carried } },
  ]);

  // The next generation: no start record, the same run ID, counters going on, receipts listed,
  // earlier reads proven.
  const next = new OrchestrationRun('chaosJob', { ...input, carried }, 'held', at(2));
  const first = await next.start();
  expect(first.state.customStatus).toEqual({ generation: 2, receivedSignals: ['sig-1'] });
  expect(first.newActions).toEqual([timerOrPing(4)]);
  const duplicate = await next.next(
    [eventRaised('ping', sealSignal('sig-1', { marker: 's-1' }))],
    at(3),
  );
  expect(recordOrPing(duplicate.newActions[0])).toEqual({
    ...start,
    phase: 'signal',
    seq: 0,
    signal: { key: 's:sig-1~1', marker: 's-1', duplicate: true },
    proven: ['s:sig-1~0'],
  });
  await next.next([taskCompleted(1, null)], at(3));
  const beat = await next.next([timerFired(2, iso(4))], at(4));
  expect(recordOrPing(beat.newActions[0])).toMatchObject({ runId: start.runId, seq: 2 });
  const finalBeat = await next.next([taskCompleted(3, null)], at(4));
  expect(recorded(finalBeat.newActions[0])).toMatchObject({ phase: 'beat', seq: 3 });
  const end = await next.next([taskCompleted(4, null)], at(4));
  expect(recorded(end.newActions[0])).toEqual({
    ...start,
    phase: 'end',
    proven: ['s:sig-1~0', 's:sig-1~1'],
  });
});

test('a job with holdSeconds 0 and generations ends every generation at once', async () => {
  const input = { marker: 'm-7', holdSeconds: 0, generations: 2 };
  const run = new OrchestrationRun('chaosJob', input, 'quick', T0);
  await run.start();
  const last = await run.next([taskCompleted(0, null)], T0);
  expect(last.newActions).toEqual([
    {
      actionType: ActionType.ContinueAsNew,
      input: {
        marker: 'm-7',
        holdSeconds: 0,
        beatSeconds: 2,
        generations: 2,
        carried: expect.objectContaining({ generation: 2, beats: 0, reads: [] }) as unknown,
      },
    },
  ]);
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

test('chaosJob is exposed with its ping and acknowledges signals; chaosOtherJob is not exposed', () => {
  expect(findStartable('chaosJob')).toMatchObject({ acknowledgesSignals: true });
  expect(findStartable('chaosJob')?.events?.get('ping')).toEqual({ name: 'ping' });
  expect(findStartable('chaosOtherJob')).toBeUndefined();
});
