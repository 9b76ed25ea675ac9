/**
 * The scheduler: one eternal orchestration per schedule, `schedule:{name}`, that turns ticks into
 * starts through the singleton starter. Each generation wakes (a tick is due, a waiting tick or the
 * last run is to be checked, or an operator's event), does what is due, sleeps on a durable timer
 * racing the `pause`, `resume` and `trigger` events, and continues as new with its state.
 *
 * Why no tick runs twice, across app instances, restarts and killed instances:
 *  1. One scheduler per schedule: its instance ID is the schedule's, and it is started only through
 *     the singleton starter (the keeper, an operator's signal), which never starts a second run
 *     of a running ID. Its state (the last tick handled, the waiting ticks, paused) lives in the
 *     orchestration's history, so a restart or a killed instance resumes it where it was.
 *  2. Ticks are handled in order and `lastTick` only moves forward: a tick at or before it is
 *     never due again. A tick's time is its identity (./timing.ts): every instance agrees on it.
 *  3. Every try of a tick asks the starter with the Idempotency-Key `schedule:{name}:{tick}`. The
 *     engine may run an activity again (it was lost with an instance): the key's record answers
 *     the run the first try started, and a waiting tick tried on each poll starts once.
 *  4. The decisions are replayed from history (deterministic: time from `currentUtcDateTime`, the
 *     schedule from an activity's recorded result), so a replay never fires anything again.
 * Missed ticks (no app instance ran, so the timer fired late): those inside the catch-up window
 * are handled now, oldest first, under the overlap policy; older ones are counted as missed and
 * logged with their times. Overlap policies: ./overlap.ts.
 */
import type { OrchestrationContext, OrchestrationHandler, Task } from 'durable-functions';
import { takeSignal } from '../jobs/signalInbox';
import { sleepUntil } from '../jobs/sleepUntil';
import type { Schedule } from './definition';
import { afterTry, type FireOutcome, type TickFate } from './overlap';
import {
  RUN_STATUS_UNREADABLE,
  SCHEDULER_ACTIVITIES,
  SCHEDULER_EVENTS,
  schedulerIdOf,
} from './names';
import { readSchedulerInput, type SchedulerState } from './state';
import { nextTick, ticksBetween } from './timing';
import { isRunning, isRuntimeStatus } from '../singleton/statuses';

/** Due ticks a generation handles before it continues as new (the rest in the next one). */
export const TICKS_PER_GENERATION = 10;
/** Ticks counted at once as missed or paused (past it, counted up to it and skipped to now). */
const TICKS_COUNTED = 10_000;
/** Missed ticks a generation lists by time (the rest are counted). */
const MISSED_LISTED = 5;
/** How long a scheduler whose schedule cannot fire waits before reading it again. */
export const BROKEN_RETRY_MS = 60_000;

/** What the definition activity answers. */
export type DefinitionAnswer =
  | { readonly ok: true; readonly schedule: Schedule; readonly pollMs: number }
  | { readonly ok: false; readonly problem: string };

/** The scheduler's custom status: its part of the operator's view (./scheduleOperations.ts). */
export interface SchedulerStatus {
  readonly name: string;
  /** Ticks up to this time are handled. */
  readonly lastTick: string | null;
  readonly nextTick: string | null;
  readonly paused: SchedulerState['paused'];
  readonly buffer: readonly string[];
  readonly last: SchedulerState['last'];
  readonly counts: SchedulerState['counts'];
  /** Why the schedule cannot fire (an app setting's value); absent when it can. */
  readonly error?: string;
  readonly receivedSignals: readonly string[];
}

export const schedulerOrchestrator: OrchestrationHandler = function* (
  context: OrchestrationContext,
) {
  const df = context.df;
  const at = () => df.currentUtcDateTime;
  let state = readSchedulerInput(df.getInput(), df.instanceId);
  const log = (message: string) => {
    if (!df.isReplaying) context.info(`Schedule '${state.name}': ${message}`);
  };
  // Every episode ends with the status up to date: the operator's view, and the receipts of the
  // commands read (the starter waits for them: src/singleton/signal.ts).
  const show = (error?: string) =>
    df.setCustomStatus({
      name: state.name,
      lastTick: state.lastTick,
      nextTick: state.nextTick,
      paused: state.paused,
      buffer: state.buffer,
      last: state.last,
      counts: state.counts,
      ...(error !== undefined && { error }),
      receivedSignals: state.receivedSignals,
    } satisfies SchedulerStatus);
  show();

  const definition = (yield df.callActivity(
    SCHEDULER_ACTIVITIES.definition,
    state.name,
  )) as DefinitionAnswer;
  if (!definition.ok) {
    // Loud, not silent: the status says why, the activity logged it, and it is read again.
    log(definition.problem);
    state = { ...state, nextTick: null };
    show(definition.problem);
    yield* wake(new Date(at().getTime() + BROKEN_RETRY_MS), undefined);
    df.continueAsNew(state);
    return undefined;
  }
  const { schedule, pollMs } = definition;
  if (state.lastTick === null) {
    // The first generation: ticks count from now, and the schedule starts paused if declared so.
    state = {
      ...state,
      lastTick: at().toISOString(),
      paused: schedule.initiallyPaused
        ? { reason: 'declared initiallyPaused', at: at().toISOString() }
        : null,
    };
  }

  // The run this schedule started last: a failure pauses the schedule (pauseOnFailure; without
  // it, nothing needs to know how a run ended).
  if (state.active !== null && !schedule.pauseOnFailure) state = { ...state, active: null };
  const active = state.active;
  if (active !== null) {
    const status = (yield df.callActivity(SCHEDULER_ACTIVITIES.runStatus, active.instanceId)) as
      string | null;
    if (status === 'Failed') {
      log(`the run of tick ${active.tick} failed; pausing until resumed.`);
      // From the failed run's tick on: no tick after it starts, however late it is handled.
      const since = Date.parse(active.tick);
      state = {
        ...state,
        paused: {
          reason: `the run of tick ${active.tick} failed`,
          at: Number.isNaN(since) ? at().toISOString() : active.tick,
        },
      };
    }
    if (status === RUN_STATUS_UNREADABLE) {
      // Unknown is not ended: keep the run, and read its status again on the next wake.
      log(`could not read the status of '${active.instanceId}'; reading it again later.`);
    } else if (status === null || !isRuntimeStatus(status) || !isRunning(status)) {
      state = { ...state, active: null };
    }
  }

  // An operator's trigger, read at the end of the last generation.
  if (state.triggered !== null) {
    const tick = state.triggered;
    state = { ...state, triggered: null };
    yield* fire(tick, false);
  }

  // The oldest waiting tick, once per wake.
  if (state.buffer.length > 0 && state.paused === null) {
    yield* fire(state.buffer[0], true);
  }

  // Due ticks: missed ones first (older than the catch-up window), then the ones to handle.
  const now = at();
  const lastTick = new Date(state.lastTick ?? now.toISOString());
  const windowStart = new Date(now.getTime() - schedule.catchupWindowMs);
  if (lastTick < windowStart) {
    const missed = ticksBetween(schedule.timing, lastTick, windowStart, TICKS_COUNTED);
    if (missed.ticks.length > 0) {
      const listed = missed.ticks.slice(0, MISSED_LISTED).map((t) => t.toISOString());
      const count = `${missed.ticks.length}${missed.more ? '+' : ''}`;
      log(
        `${count} tick(s) older than the catch-up window were missed and are skipped: ${listed.join(', ')}${missed.ticks.length > MISSED_LISTED ? ', …' : ''}.`,
      );
      const last = missed.ticks[missed.ticks.length - 1].toISOString();
      state = {
        ...state,
        lastTick: missed.more ? windowStart.toISOString() : last,
        counts: { ...state.counts, missed: state.counts.missed + missed.ticks.length },
        last: { tick: last, fate: 'missed', at: now.toISOString() },
      };
    }
    if (new Date(state.lastTick ?? 0) < windowStart) {
      state = { ...state, lastTick: windowStart.toISOString() };
    }
  }
  const due = ticksBetween(
    schedule.timing,
    new Date(state.lastTick ?? now),
    now,
    TICKS_PER_GENERATION,
  );
  for (const tick of due.ticks) {
    const id = tick.toISOString();
    // A pause stops the ticks due after it; one due before it (caught up late: its host was
    // killed, storage was dark) is handled as it would have been on time.
    if (state.paused !== null && tick.getTime() >= Date.parse(state.paused.at)) {
      state = {
        ...state,
        counts: { ...state.counts, paused: state.counts.paused + 1 },
        last: { tick: id, fate: 'paused', at: now.toISOString() },
      };
    } else {
      yield* fire(id, false);
    }
    state = { ...state, lastTick: id };
  }
  if (due.more) {
    // More are due (a long catch-up): on with them in a fresh generation, without sleeping.
    show();
    df.continueAsNew(state);
    return undefined;
  }

  if (state.paused !== null) {
    // Paused: no timer, nothing fires until an operator's command; the ticks meanwhile are
    // counted as paused when it is resumed.
    state = { ...state, nextTick: null };
    show();
    yield* wake(undefined, schedule);
    df.continueAsNew(state);
    return undefined;
  }
  const next = nextTick(schedule.timing, new Date(state.lastTick ?? now));
  const polling = state.buffer.length > 0 || (state.active !== null && schedule.pauseOnFailure);
  const wakeAt = polling ? new Date(Math.min(next.getTime(), now.getTime() + pollMs)) : next;
  state = { ...state, nextTick: next.toISOString() };
  show();
  yield* wake(wakeAt, schedule);
  df.continueAsNew(state);
  return undefined;

  /** Tries one tick (new, or the oldest waiting one) and records what became of it. */
  function* fire(tick: string, waiting: boolean): Generator<Task, void, unknown> {
    const outcome = (yield df.callActivity(SCHEDULER_ACTIVITIES.fire, {
      name: state.name,
      tick,
    })) as FireOutcome;
    const after = afterTry(
      schedule.overlap,
      schedule.bufferLimit,
      tick,
      waiting,
      outcome,
      state.buffer,
    );
    if (after.cancelRunning) {
      yield df.callActivity(SCHEDULER_ACTIVITIES.cancel, state.name);
    }
    const counts = { ...state.counts };
    // A waiting tick was counted as buffered when it began to wait; count only its end.
    if (!(waiting && after.fate === 'buffered')) counts[after.fate] += 1;
    counts.skipped += after.dropped.length;
    const detail =
      outcome.kind === 'refused' || outcome.kind === 'unavailable' ? outcome.detail : undefined;
    log(`tick ${tick}: ${describe(after.fate, outcome)}.`);
    state = {
      ...state,
      buffer: [...after.buffer],
      counts,
      ...(outcome.kind === 'started' && { active: { instanceId: outcome.instanceId, tick } }),
      last: {
        tick,
        fate: after.fate,
        at: at().toISOString(),
        ...(outcome.kind === 'started' && { instanceId: outcome.instanceId }),
        ...(detail !== undefined && { detail }),
      },
    };
  }

  /**
   * Sleeps until `dueAt` (none: until a command) or an operator's event, and takes the event; with
   * `known`, the schedule can fire. Nothing is yielded after it in a generation (see the trigger).
   */
  function* wake(
    dueAt: Date | undefined,
    known: Schedule | undefined,
  ): Generator<Task, void, unknown> {
    const events = SCHEDULER_EVENTS.map((name) => df.waitForExternalEvent(name));
    const woken =
      dueAt === undefined
        ? ((yield df.Task.any(events)) as Task)
        : yield* sleepUntil(context, dueAt, events);
    if (woken === undefined) return;
    const event = SCHEDULER_EVENTS[events.indexOf(woken)];
    const taken = takeSignal(state.receivedSignals, woken.result);
    state = { ...state, receivedSignals: taken.receipts };
    show();
    if (!taken.fresh) return;
    const stamp = at().toISOString();
    if (event === 'pause') {
      log('paused by an operator.');
      state = { ...state, paused: { reason: 'paused by an operator', at: stamp } };
    } else if (event === 'resume') {
      log(`resumed${state.paused ? ` (was: ${state.paused.reason})` : ''}.`);
      if (state.paused !== null && known !== undefined && state.lastTick !== null) {
        // The ticks that fell due while it slept paused: counted, never fired.
        const slept = ticksBetween(known.timing, new Date(state.lastTick), at(), TICKS_COUNTED);
        const last = slept.ticks.at(-1);
        state = {
          ...state,
          counts: { ...state.counts, paused: state.counts.paused + slept.ticks.length },
          lastTick: slept.more ? stamp : (last?.toISOString() ?? state.lastTick),
          ...(last && { last: { tick: last.toISOString(), fate: 'paused' as const, at: stamp } }),
        };
      }
      state = { ...state, paused: null };
    } else if (known !== undefined) {
      // Trigger now: a tick of its own, under the overlap policy, paused or not, fired first thing
      // in the next generation. Not here: durable-functions hands an event that arrives while the
      // orchestrator waits on anything else to the newest wait for that event it ever made, even
      // one abandoned like this wake's, so a command sent during a firing here would be lost.
      state = { ...state, triggered: `now-${stamp}` };
    }
    show();
  }
};

function describe(fate: TickFate, outcome: FireOutcome): string {
  switch (fate) {
    case 'started':
      return outcome.kind === 'started' ? `started ${outcome.instanceId}` : 'started';
    case 'buffered':
      return outcome.kind === 'unavailable'
        ? `no answer (${outcome.detail}); it waits and is tried again`
        : 'a run is running; it waits for the run to end';
    case 'skipped':
      return 'a run is running; skipped';
    case 'refused':
      return `refused: ${outcome.kind === 'refused' ? outcome.detail : ''}`;
  }
}

export { schedulerIdOf };
