/**
 * The scheduler through durable-functions' real replay engine, one generation at a time, with the
 * clock injected as the orchestration's own time: first generation, ticks under each policy that
 * waits, catch-up and missed ticks, pause on failure, the operator's commands, a broken schedule.
 */
import '../../../src/functions/schedules';
import type { Schedule } from '../../../src/schedules/definition';
import type { FireOutcome } from '../../../src/schedules/overlap';
import type { DefinitionAnswer } from '../../../src/schedules/scheduler';
import { initialSchedulerState, type SchedulerState } from '../../../src/schedules/state';
import { sealSignal } from '../../../src/singleton/signalReceipt';
import { eventRaised, taskCompleted, timerFired } from '../../support/history';
import { type Action, ActionType, type Episode, OrchestrationRun } from '../jobs/orchestrationRun';

const T0 = new Date('2026-01-01T00:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1_000);
const iso = (seconds: number) => at(seconds).toISOString();
const NAME = 'unit';
const ID = `schedule:${NAME}`;

function schedule(overrides: Partial<Schedule> = {}): Schedule {
  return {
    name: NAME,
    orchestrator: 'job',
    instanceId: 'job-1',
    timing: { kind: 'interval', ms: 2_000, expression: '00:00:02' },
    input: null,
    overlap: 'skip',
    catchupWindowMs: 10_000,
    pauseOnFailure: false,
    bufferLimit: 10,
    cancelEvent: 'cancel',
    initiallyPaused: false,
    ...overrides,
  };
}

const defined = (overrides: Partial<Schedule> = {}): DefinitionAnswer => ({
  ok: true,
  schedule: schedule(overrides),
  pollMs: 1_000,
});

function state(overrides: Partial<SchedulerState> = {}): SchedulerState {
  return { ...initialSchedulerState(NAME), lastTick: iso(0), ...overrides };
}

// durable-functions sends a string input JSON-encoded, an object as it is.
const activity = (name: string, input: unknown): Action => ({
  actionType: ActionType.CallActivity,
  functionName: name,
  input: typeof input === 'string' ? JSON.stringify(input) : input,
});
const fire = (tick: string) => activity('singletonScheduleFire', { name: NAME, tick });
const timerOf = (episode: Episode) => episode.newActions[0]?.compoundActions?.[0];
const continued = (episode: Episode) => {
  const action = episode.newActions.find((a) => a.actionType === ActionType.ContinueAsNew);
  if (!action) throw new Error(`no continue-as-new in ${JSON.stringify(episode.newActions)}`);
  return action.input as SchedulerState;
};

/** A generation up to its first decision: started at `now`, its definition read. */
async function generation(input: unknown, now: Date, definition: DefinitionAnswer = defined()) {
  const run = new OrchestrationRun('singletonScheduler', input, ID, now);
  const first = await run.start();
  expect(first.newActions).toEqual([activity('singletonScheduleDefinition', NAME)]);
  const decided = await run.next([taskCompleted(0, definition)], now);
  return { run, decided };
}

describe('the scheduler', () => {
  it('first generation: ticks count from now; it sleeps until the next tick', async () => {
    const { run, decided } = await generation({ name: NAME }, at(0.5));
    expect(timerOf(decided)).toMatchObject({ actionType: ActionType.CreateTimer, fireAt: iso(2) });
    expect(decided.state.customStatus).toMatchObject({
      name: NAME,
      nextTick: iso(2),
      paused: null,
    });
    const woke = await run.next([timerFired(1, iso(2))], at(2));
    expect(continued(woke)).toMatchObject({ lastTick: iso(0.5), nextTick: iso(2) });
  });

  it('fails at once under an instance ID that is not its schedule’s', async () => {
    const run = new OrchestrationRun('singletonScheduler', { name: NAME }, 'elsewhere', T0);
    const episode = await run.start();
    expect(episode.failed).toBe(true);
    expect(episode.state.error).toContain("runs only as instance 'schedule:unit'");
  });

  it('skip: a tick while the run runs starts nothing and is counted', async () => {
    const { run, decided } = await generation(state(), at(2.5));
    expect(decided.newActions).toEqual([fire(iso(2))]);
    const after = await run.next(
      [taskCompleted(1, { kind: 'running' } satisfies FireOutcome)],
      at(2.6),
    );
    expect(timerOf(after)).toMatchObject({ fireAt: iso(4) });
    const next = continued(await run.next([timerFired(2, iso(4))], at(4)));
    expect(next).toMatchObject({
      lastTick: iso(2),
      buffer: [],
      last: { tick: iso(2), fate: 'skipped' },
    });
    expect(next.counts.skipped).toBe(1);
  });

  it('bufferOne: the tick waits; the next generation tries it first and starts it once the run ended', async () => {
    const { run, decided } = await generation(state(), at(2.5), defined({ overlap: 'bufferOne' }));
    expect(decided.newActions).toEqual([fire(iso(2))]);
    const waiting = await run.next([taskCompleted(1, { kind: 'running' })], at(2.6));
    // It polls (1 s after it woke) rather than sleeping to the next tick.
    expect(timerOf(waiting)).toMatchObject({ fireAt: iso(3.5) });
    const carried = continued(await run.next([timerFired(2, iso(3.5))], at(3.5)));
    expect(carried).toMatchObject({ buffer: [iso(2)], counts: { buffered: 1 } });

    const second = await generation(carried, at(3.7), defined({ overlap: 'bufferOne' }));
    expect(second.decided.newActions).toEqual([fire(iso(2))]);
    const startedOutcome: FireOutcome = { kind: 'started', instanceId: 'job-1' };
    const done = await second.run.next([taskCompleted(1, startedOutcome)], at(3.8));
    expect(timerOf(done)).toMatchObject({ fireAt: iso(4) });
    const next = continued(await second.run.next([timerFired(2, iso(4))], at(4)));
    expect(next).toMatchObject({
      buffer: [],
      active: { instanceId: 'job-1', tick: iso(2) },
      counts: { buffered: 1, started: 1 },
    });
  });

  it('catch-up: ticks older than the window are missed and counted, later ones fired in order', async () => {
    const { run, decided } = await generation(state(), at(30.5));
    // Window 10 s: ticks at 2…20 are missed (10), 22…30 are fired (5), oldest first.
    expect(decided.newActions).toEqual([fire(iso(22))]);
    let episode = decided;
    for (let k = 1; k < 5; k++) {
      episode = await run.next(
        [taskCompleted(k, { kind: 'started', instanceId: 'job-1' })],
        at(30.5),
      );
      expect(episode.newActions).toEqual([fire(iso(22 + 2 * k))]);
    }
    const last = await run.next([taskCompleted(5, { kind: 'running' })], at(30.6));
    const next = continued(await run.next([timerFired(6, iso(32))], at(32)));
    expect(timerOf(last)).toMatchObject({ fireAt: iso(32) });
    expect(next.counts).toMatchObject({ missed: 10, started: 4, skipped: 1 });
    expect(next.lastTick).toBe(iso(30));
  });

  it('pause on failure: the last run failed, so it pauses and fires nothing until resumed', async () => {
    const input = state({ active: { instanceId: 'job-1', tick: iso(0) } });
    const { run, decided } = await generation(input, at(2.5), defined({ pauseOnFailure: true }));
    expect(decided.newActions).toEqual([activity('singletonScheduleRunStatus', 'job-1')]);
    const paused = await run.next([taskCompleted(1, 'Failed')], at(2.6));
    expect(paused.state.customStatus).toMatchObject({
      paused: { reason: `the run of tick ${iso(0)} failed` },
      counts: { paused: 1 },
    });
    // No fire: the tick at 2 s is counted as paused; it waits for a command, with no timer.
    expect(paused.newActions[0]?.compoundActions?.map((a) => a.actionType)).toEqual([
      ActionType.WaitForExternalEvent,
      ActionType.WaitForExternalEvent,
      ActionType.WaitForExternalEvent,
    ]);
    expect(paused.state.customStatus).toMatchObject({ nextTick: null });

    // Resumed at 7 s: the ticks at 4 and 6 fell due while it slept paused; counted, not fired.
    const resumed = await run.next([eventRaised('resume', sealSignal('sig-r', null))], at(7));
    expect(resumed.state.customStatus).toMatchObject({ paused: null, receivedSignals: ['sig-r'] });
    expect(continued(resumed)).toMatchObject({
      paused: null,
      active: null,
      lastTick: iso(6),
      counts: { paused: 3, started: 0 },
    });
  });

  it('pause on failure: a status it could not read keeps the run, and its failure is seen later', async () => {
    const input = state({ active: { instanceId: 'job-1', tick: iso(0) } });
    const first = await generation(input, at(1.5), defined({ pauseOnFailure: true }));
    const unread = await first.run.next([taskCompleted(1, 'unreadable')], at(1.6));
    expect(unread.state.customStatus).toMatchObject({ paused: null });
    const kept = continued(await first.run.next([timerFired(2, iso(2.6))], at(2.6)));
    expect(kept.active).toEqual({ instanceId: 'job-1', tick: iso(0) });

    const second = await generation(kept, at(2.7), defined({ pauseOnFailure: true }));
    expect(second.decided.newActions).toEqual([activity('singletonScheduleRunStatus', 'job-1')]);
    const paused = await second.run.next([taskCompleted(1, 'Failed')], at(2.8));
    expect(paused.state.customStatus).toMatchObject({
      paused: { reason: `the run of tick ${iso(0)} failed` },
    });
  });

  it('pause and trigger: an operator’s commands, each acknowledged in the status', async () => {
    const { run, decided } = await generation(state({ lastTick: iso(2) }), at(2.5));
    expect(timerOf(decided)).toMatchObject({ fireAt: iso(4) });
    const paused = await run.next([eventRaised('pause', sealSignal('sig-p', null))], at(3));
    expect(continued(paused)).toMatchObject({
      paused: { reason: 'paused by an operator', at: iso(3) },
      receivedSignals: ['sig-p'],
    });

    const again = await generation(continued(paused), at(3.1));
    const trigger = await again.run.next(
      [eventRaised('trigger', sealSignal('sig-t', null))],
      at(3.5),
    );
    // Nothing yielded after the wake: the trigger is carried to the next generation.
    expect(trigger.state.customStatus).toMatchObject({ receivedSignals: ['sig-p', 'sig-t'] });
    expect(continued(trigger)).toMatchObject({ triggered: `now-${iso(3.5)}` });
    // Paused or not, that generation fires it first: a tick of its own.
    const third = await generation(continued(trigger), at(3.6));
    expect(third.decided.newActions).toEqual([fire(`now-${iso(3.5)}`)]);
    const fired = await third.run.next(
      [taskCompleted(1, { kind: 'started', instanceId: 'job-1' })],
      at(3.7),
    );
    expect(fired.state.customStatus).toMatchObject({
      counts: { started: 1 },
      last: { tick: `now-${iso(3.5)}`, fate: 'started' },
      nextTick: null,
    });
    const resumed = await third.run.next(
      [eventRaised('resume', sealSignal('sig-r', null))],
      at(4.5),
    );
    expect(continued(resumed)).toMatchObject({
      paused: null,
      triggered: null,
      counts: { started: 1, paused: 1 },
      lastTick: iso(4),
    });
  });

  it('handles a tick due before the pause (caught up late) and counts the later ones as paused', async () => {
    const input = state({ paused: { reason: 'paused by an operator', at: iso(5) } });
    const { run, decided } = await generation(input, at(8.5));
    expect(decided.newActions).toEqual([fire(iso(2))]);
    const second = await run.next(
      [taskCompleted(1, { kind: 'started', instanceId: 'job-1' })],
      at(8.6),
    );
    expect(second.newActions).toEqual([fire(iso(4))]);
    const after = await run.next([taskCompleted(2, { kind: 'running' })], at(8.7));
    expect(after.state.customStatus).toMatchObject({
      counts: { started: 1, skipped: 1, paused: 2 },
      lastTick: iso(8),
    });
  });

  it('ignores a command it has read before (a keyed retry raised it again)', async () => {
    const input = state({ lastTick: iso(2), receivedSignals: ['sig-p'] });
    const { run } = await generation(input, at(2.5));
    const episode = await run.next([eventRaised('pause', sealSignal('sig-p', null))], at(3));
    expect(continued(episode)).toMatchObject({ paused: null, receivedSignals: ['sig-p'] });
  });

  it('a first run inherits the receipts of the scheduler it follows: a late copy of a command is ignored', async () => {
    // As the starter starts a scheduler after one that listed 'sig-p' (src/singleton/signalReceipt.ts).
    const input = { $singletonReceipts: ['sig-p'], input: { name: NAME } };
    const { run, decided } = await generation(input, at(0.5));
    expect(decided.state.customStatus).toMatchObject({ receivedSignals: ['sig-p'] });
    const episode = await run.next([eventRaised('pause', sealSignal('sig-p', null))], at(1));
    expect(continued(episode)).toMatchObject({ paused: null, receivedSignals: ['sig-p'] });
  });

  it('a schedule that cannot fire: says why in its status, and reads it again a minute later', async () => {
    const problem = 'Schedule "unit" cannot fire: the app setting X is not set.';
    const { run, decided } = await generation(state(), at(2.5), { ok: false, problem });
    expect(decided.state.customStatus).toMatchObject({ error: problem, nextTick: null });
    expect(timerOf(decided)).toMatchObject({ fireAt: iso(62.5) });
    const next = continued(await run.next([timerFired(1, iso(62.5))], at(62.5)));
    // Nothing was handled meanwhile: the ticks wait for a schedule that can fire.
    expect(next.lastTick).toBe(iso(0));
  });
});
