/**
 * A durable sleep that does not end early. The Durable engine on Azure Storage queues (measured on
 * Azurite) fires a timer up to ~1 s before its `fireAt`, as queue visibility delays are whole
 * seconds, so a timer that fires before the due time, by the orchestration's own clock, is followed
 * by another one for the remainder (a remainder under a second then fires at once, again and again,
 * until the due time: a burst of short episodes, never an early end). Deterministic under replay:
 * the decision reads only `context.df.currentUtcDateTime`.
 */
import type { OrchestrationContext, Task } from 'durable-functions';

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
  for (;;) {
    const timer = context.df.createTimer(dueAt);
    const winner: unknown = yield context.df.Task.any([timer, interrupt]);
    if (winner === interrupt) {
      if (!timer.isCompleted) {
        timer.cancel();
      }
      return true;
    }
    if (context.df.currentUtcDateTime.getTime() >= dueAt.getTime()) {
      return false;
    }
  }
}
