/**
 * The operator's view of the schedules and their commands. A view reads the schedule's definition
 * now (so a bad app setting shows on every read, naming it) and its scheduler's custom status; the
 * commands (`pause`, `resume`, `trigger`) are signals to the scheduler, which acknowledges them:
 * a 2xx means the scheduler has read the command (src/singleton/signal.ts). A signal to a scheduler
 * that does not run yet starts it (its input is the schedule's name), so a command never waits for
 * the keeper.
 */
import type { Env } from '../env';
import type { Instances } from '../singleton/ports';
import { resolveSchedule, scheduleNames } from './definition';
import { SCHEDULER, schedulerIdOf, type SchedulerEvent } from './names';
import type { SchedulerStatus } from './scheduler';

export interface ScheduleView {
  readonly name: string;
  /** Its scheduler's runtime status; `null` before the keeper (or a command) started it. */
  readonly scheduler: string | null;
  /** Why the schedule cannot fire, read now; absent when it can. */
  readonly error?: string;
  readonly orchestrator?: string;
  readonly instanceId?: string;
  readonly schedule?: string;
  readonly overlap?: string;
  readonly lastTick: string | null;
  readonly nextTick: string | null;
  readonly paused: SchedulerStatus['paused'] | null;
  readonly buffer: readonly string[];
  readonly last: SchedulerStatus['last'] | null;
  readonly counts: SchedulerStatus['counts'] | null;
}

/** The signal that carries a command to a schedule's scheduler. */
export function scheduleCommand(name: string, event: SchedulerEvent, idempotencyKey?: string) {
  return {
    orchestrator: SCHEDULER,
    instanceId: schedulerIdOf(name),
    eventName: event,
    data: null,
    input: { name },
    ...(idempotencyKey !== undefined && { idempotencyKey }),
  };
}

/** The declared schedule's name as declared, or `undefined` when none has it. */
export function declaredSchedule(name: string): string | undefined {
  return scheduleNames().find((declared) => declared.toLowerCase() === name.toLowerCase());
}

export async function viewSchedule(
  name: string,
  env: Env,
  instances: Instances,
): Promise<ScheduleView> {
  const resolved = resolveSchedule(name, env);
  const existing = await instances.status(schedulerIdOf(name));
  const status = (existing?.customStatus ?? null) as Partial<SchedulerStatus> | null;
  const schedule = resolved?.ok ? resolved.schedule : undefined;
  return {
    name,
    scheduler: existing?.runtimeStatus ?? null,
    ...(resolved && !resolved.ok && { error: resolved.problem }),
    ...(schedule && {
      orchestrator: schedule.orchestrator,
      instanceId: schedule.instanceId,
      schedule: schedule.timing.expression,
      overlap: schedule.overlap,
    }),
    lastTick: status?.lastTick ?? null,
    nextTick: resolved?.ok ? (status?.nextTick ?? null) : null,
    paused: status?.paused ?? null,
    buffer: status?.buffer ?? [],
    last: status?.last ?? null,
    counts: status?.counts ?? null,
  };
}

export async function listSchedules(env: Env, instances: Instances): Promise<ScheduleView[]> {
  const views: ScheduleView[] = [];
  // One at a time: a handful of schedules, and each read is one status call.
  for (const name of scheduleNames()) views.push(await viewSchedule(name, env, instances));
  return views;
}
