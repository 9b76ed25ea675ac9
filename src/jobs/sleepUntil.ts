/**
 * A durable sleep that does not end early. The Durable engine on Azure Storage queues (measured on
 * Azurite) fires a timer up to ~1 s before its `fireAt`, as queue visibility delays are whole
 * seconds, so a timer that fires before the due time, by the orchestration's own clock, is followed
 * by another one for the remainder. That one is set at least a second ahead: a shorter timer gets a
 * zero visibility delay and fires at once, so exact remainders would spin through dozens of timers
 * in the last second. The pass therefore starts on time or up to about a second late, never early.
 * Deterministic under replay: the decision reads only `context.df.currentUtcDateTime`.
 */
import type { OrchestrationContext, Task } from 'durable-functions';

/** The shortest follow-up timer: the Azure Storage queues' visibility granularity. */
export const MIN_FOLLOW_UP_MS = 1_000;

/**
 * Sleeps until `dueAt`, or until `interrupt` completes, whichever comes first; returns `true` when
 * it was interrupted, after cancelling the pending timer so the instance can complete at once.
 * Use with `yield*`.
 */
export function* sleepUntil(
  context: OrchestrationContext,
  dueAt: Date,
  interrupt: Task,
): Generator<Task, boolean, unknown> {
  let fireAt = dueAt;
  for (;;) {
    const timer = context.df.createTimer(fireAt);
    const winner: unknown = yield context.df.Task.any([timer, interrupt]);
    if (winner === interrupt) {
      if (!timer.isCompleted) {
        timer.cancel();
      }
      return true;
    }
    const now = context.df.currentUtcDateTime.getTime();
    if (now >= dueAt.getTime()) {
      return false;
    }
    fireAt = new Date(Math.max(dueAt.getTime(), now + MIN_FOLLOW_UP_MS));
  }
}
