/**
 * The overlap policies: what a tick does while a run of the schedule's ID is running. Pure: the
 * scheduler (./scheduler.ts) asks the starter to start, and this says what the answer means.
 *
 *  - `skip`: the tick starts nothing; counted as skipped.
 *  - `bufferOne`: the tick waits and starts when the run ends; while one waits, further ticks
 *    are skipped.
 *  - `bufferAll`: ticks wait in order, up to the schedule's `bufferLimit`; past it, skipped.
 *  - `cancelOther`: the running run is sent the schedule's cancel event (it decides how to stop),
 *    and the tick waits, as with `bufferOne`, replacing a tick already waiting (that one skipped).
 *  - `terminateOther`: the start is `onConflict=restart`: terminate, wait for the end, start.
 *  - `allowAll`: every tick starts its own run, under `{instanceId}-{tick}`: nothing overlaps it.
 *
 * A tick's start carries the Idempotency-Key `schedule:{name}:{tick}`: however often a tick is
 * tried (a waiting tick on each poll, an activity run again by the engine), it starts one run.
 */
import type { OverlapPolicy, Schedule } from './definition';

/** What the starter made of one try of a tick. */
export type FireOutcome =
  /** Started now, or started by an earlier try of the same tick (the key's replay). */
  | { readonly kind: 'started'; readonly instanceId: string }
  /** A run of the ID is running (or another start of it is in progress). */
  | { readonly kind: 'running' }
  /** The starter refused for good: another orchestrator's instance, the reuse policy, bad input. */
  | { readonly kind: 'refused'; readonly detail: string }
  /** No answer (storage, the engine): the tick is tried again. */
  | { readonly kind: 'unavailable'; readonly detail: string };

/** How to ask the starter for a tick. */
export interface TickStart {
  readonly instanceId: string;
  readonly onConflict: 'reject' | 'restart';
  readonly idempotencyKey: string;
}

/** The input of a tick's run: the schedule's, or what its function makes of the tick's time. */
export function inputOf(schedule: Schedule, tick: string): unknown {
  return typeof schedule.input === 'function'
    ? (schedule.input as (tick: string) => unknown)(tick)
    : schedule.input;
}

export function tickStart(schedule: Schedule, tick: string): TickStart {
  const idempotencyKey = `schedule:${schedule.name}:${tick}`;
  if (schedule.overlap === 'allowAll') {
    return { instanceId: `${schedule.instanceId}-${tick}`, onConflict: 'reject', idempotencyKey };
  }
  const onConflict = schedule.overlap === 'terminateOther' ? 'restart' : 'reject';
  return { instanceId: schedule.instanceId, onConflict, idempotencyKey };
}

/** What became of a tick after one try. */
export type TickFate = 'started' | 'buffered' | 'skipped' | 'refused';

export interface AfterTry {
  readonly fate: TickFate;
  /** The waiting ticks from now on, oldest first. */
  readonly buffer: readonly string[];
  /** Ticks the buffer dropped to make room (`cancelOther` replaces the waiting one). */
  readonly dropped: readonly string[];
  /** `cancelOther`: ask the running run to stop. */
  readonly cancelRunning: boolean;
}

/**
 * After a try of `tick`: a new tick (`waiting` false) or the buffer's oldest (`waiting` true, it is
 * still in `buffer`). A tick that got no answer waits whatever the policy: it may still have
 * started, and only its own key can tell (the next try replays it or starts it).
 */
export function afterTry(
  policy: OverlapPolicy,
  limit: number,
  tick: string,
  waiting: boolean,
  outcome: FireOutcome,
  buffer: readonly string[],
): AfterTry {
  const rest = waiting ? buffer.filter((t) => t !== tick) : buffer;
  const kept = (fate: TickFate, dropped: readonly string[] = []): AfterTry => ({
    fate,
    buffer: rest,
    dropped,
    cancelRunning: false,
  });
  switch (outcome.kind) {
    case 'started':
      return kept('started');
    case 'refused':
      return kept('refused');
    case 'unavailable':
      return waiting
        ? { fate: 'buffered', buffer, dropped: [], cancelRunning: false }
        : { fate: 'buffered', buffer: [...buffer, tick], dropped: [], cancelRunning: false };
    case 'running':
      break;
  }
  if (waiting) return { fate: 'buffered', buffer, dropped: [], cancelRunning: false };
  return whileRunning(policy, limit, tick, buffer);
}

function whileRunning(
  policy: OverlapPolicy,
  limit: number,
  tick: string,
  buffer: readonly string[],
): AfterTry {
  const wait = (
    next: readonly string[],
    dropped: readonly string[] = [],
    cancelRunning = false,
  ) => ({
    fate: 'buffered' as const,
    buffer: next,
    dropped,
    cancelRunning,
  });
  const skip = { fate: 'skipped' as const, buffer, dropped: [], cancelRunning: false };
  switch (policy) {
    case 'bufferOne':
      return buffer.length === 0 ? wait([tick]) : skip;
    case 'bufferAll':
      return buffer.length < limit ? wait([...buffer, tick]) : skip;
    case 'cancelOther':
      return wait([tick], buffer, true);
    case 'skip':
    case 'terminateOther':
    case 'allowAll':
      // terminateOther: its restart did not get the run to end in time; allowAll: the tick's
      // own ID already runs. Either way, nothing more to do for this tick.
      return skip;
  }
}
