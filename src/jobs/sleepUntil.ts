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
 * Sleeps until `dueAt`, or until one of `interrupts` completes, whichever comes first; returns the
 * interrupt that ended the sleep, after cancelling the pending timer so the instance can go on at
 * once, or `undefined` when the due time came. Use with `yield*`.
 */
export function* sleepUntil(
  context: OrchestrationContext,
  dueAt: Date,
  interrupts: readonly Task[],
): Generator<Task, Task | undefined, unknown> {
  let fireAt = dueAt;
  for (;;) {
    const timer = context.df.createTimer(fireAt);
    const winner: unknown = yield context.df.Task.any([timer, ...interrupts]);
    const interrupt = interrupts.find((task) => task === winner);
    if (interrupt !== undefined) {
      if (!timer.isCompleted) {
        timer.cancel();
      }
      return interrupt;
    }
    const now = context.df.currentUtcDateTime.getTime();
    if (now >= dueAt.getTime()) {
      return undefined;
    }
    fireAt = new Date(Math.max(dueAt.getTime(), now + MIN_FOLLOW_UP_MS));
  }
}
