/**
 * The `periodicSync` orchestrator, an eternal job. One generation is one cycle: run the sync
 * activity, record progress in custom status, sleep until the interval has passed, then continue
 * as new with the carried state, so the history never grows past one cycle. The sleep takes
 * commands: `stop` ends the job with its summary, `runNow` ends the sleep (the next pass runs at
 * once, and the one after is timed from it), `setInterval` `{ intervalSeconds }` changes the
 * interval and sleeps on to the new due time. An event raised while a pass runs waits for the
 * sleep (the engine keeps it); one raised between generations reaches the next (measured: 16 of
 * 16 `stop` events raised at random points of a 1 s loop). Deterministic: time comes only from
 * `context.df.currentUtcDateTime`.
 */
import * as df from 'durable-functions';
import type { OrchestrationContext, OrchestrationHandler, Task } from 'durable-functions';
import { openStartInput, takeSignal } from '../signalInbox';
import { sleepUntil } from '../sleepUntil';
import { checkSetIntervalData } from './input';
import { PERIODIC_SYNC_RUN, RUN_NOW_EVENT, SET_INTERVAL_EVENT, STOP_EVENT } from './names';
import { type PeriodicSyncState, RECENT_RUNS, requireGenerationInput } from './state';
import type { SyncRunRequest, SyncRunResult } from './syncRun';

/** Custom status, updated when a cycle starts, when it has run, and when the job stops. */
export interface PeriodicSyncStatus {
  phase: 'syncing' | 'waiting' | 'stopped';
  /** The cycle running now or last run (1-based). */
  iteration: number;
  lastRunAt: string | null;
  nextRunAt: string | null;
  intervalSeconds: number;
  /** When the latest passes (this one included) started, oldest first. */
  recentRuns: string[];
  totals: PeriodicSyncState['totals'];
  /** The signals read (src/jobs/signalInbox.ts): how the starter knows a command arrived. */
  receivedSignals: string[];
}

export interface PeriodicSyncSummary {
  iterations: number;
  startedAt: string;
  stoppedAt: string;
  totals: PeriodicSyncState['totals'];
}

/** A failed pass is retried briefly; if it still fails the cycle is counted as failed, not fatal. */
export const RUN_RETRY = Object.assign(new df.RetryOptions(2_000, 3), { backoffCoefficient: 2 });

export const periodicSyncOrchestrator: OrchestrationHandler = function* (
  context: OrchestrationContext,
) {
  const now = () => context.df.currentUtcDateTime.toISOString();
  const opened = openStartInput(context.df.getInput());
  const read = requireGenerationInput(opened.input, now());
  // A first generation inherits the receipts of the instance it follows (../signalInbox.ts).
  const previous: PeriodicSyncState =
    opened.receipts.length === 0
      ? read
      : { ...read, receivedSignals: [...opened.receipts, ...(read.receivedSignals ?? [])] };
  const iteration = previous.iteration + 1;
  const recentRuns = [...previous.recentRuns, now()].slice(-RECENT_RUNS);
  const status = (
    phase: PeriodicSyncStatus['phase'],
    state: PeriodicSyncState,
    next: string | null,
  ) =>
    context.df.setCustomStatus({
      phase,
      iteration,
      lastRunAt: state.lastRunAt,
      nextRunAt: next,
      intervalSeconds: state.input.intervalSeconds,
      recentRuns,
      totals: state.totals,
      receivedSignals: state.receivedSignals ?? [],
    } satisfies PeriodicSyncStatus);
  status('syncing', previous, null);

  const totals = { ...previous.totals };
  const request: SyncRunRequest = { iteration, since: previous.lastRunAt ?? previous.startedAt };
  try {
    const result = (yield context.df.callActivityWithRetry(
      PERIODIC_SYNC_RUN,
      RUN_RETRY,
      request,
    )) as SyncRunResult;
    totals.recordsSynced += result.recordsSynced;
  } catch {
    totals.failedRuns += 1;
  }

  const lastRunAt = context.df.currentUtcDateTime;
  let state: PeriodicSyncState = {
    ...previous,
    iteration,
    lastRunAt: lastRunAt.toISOString(),
    recentRuns,
    totals,
  };
  let stop = context.df.waitForExternalEvent(STOP_EVENT);
  let runNow = context.df.waitForExternalEvent(RUN_NOW_EVENT);
  let woken: Task | undefined;
  for (;;) {
    const nextRunAt = new Date(lastRunAt.getTime() + state.input.intervalSeconds * 1_000);
    // A shorter interval may already be due: the next pass runs now.
    if (nextRunAt <= context.df.currentUtcDateTime) break;
    status('waiting', state, nextRunAt.toISOString());
    // A new one each time: a `setInterval` already taken would otherwise win every race after it.
    const setInterval = context.df.waitForExternalEvent(SET_INTERVAL_EVENT);
    woken = yield* sleepUntil(context, nextRunAt, [stop, runNow, setInterval]);
    if (woken === undefined) break;
    const taken = takeSignal(state.receivedSignals ?? [], woken.result);
    state = { ...state, receivedSignals: taken.receipts };
    // The receipt is in the status this episode ends with, whatever the event leads to.
    status('waiting', state, nextRunAt.toISOString());
    if (!taken.fresh) {
      // Read before (a retry raised it again): wait on for the next one, as if it never came.
      if (woken === stop) stop = context.df.waitForExternalEvent(STOP_EVENT);
      if (woken === runNow) runNow = context.df.waitForExternalEvent(RUN_NOW_EVENT);
      woken = undefined;
      continue;
    }
    if (woken !== setInterval) break;
    const changed = checkSetIntervalData(taken.data);
    // The starter checks the data before raising it; an event raised past it is ignored.
    if (changed.ok) state = { ...state, input: { intervalSeconds: changed.value.intervalSeconds } };
  }
  if (woken === stop) {
    status('stopped', state, null);
    const summary: PeriodicSyncSummary = {
      iterations: iteration,
      startedAt: state.startedAt,
      stoppedAt: now(),
      totals,
    };
    return summary;
  }

  context.df.continueAsNew(state);
  return undefined;
};
