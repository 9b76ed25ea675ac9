/**
 * The schedules' machinery (src/schedules/scheduler.ts says why no tick runs twice): the scheduler
 * orchestration (one per declared schedule, `schedule:{name}`), its activities, and the keeper, a
 * timer that starts each schedule's scheduler if it is not running (through the singleton starter,
 * `attach`: a running scheduler is left alone) and logs, on every round, the schedules that cannot
 * fire. The schedules themselves are declared beside their orchestrators (`scheduleSingleton`).
 */
import { app, type InvocationContext, type Timer } from '@azure/functions';
import * as df from 'durable-functions';
import { isNotFound } from '../durable/instances';
import { scheduleNames, resolveSchedule } from '../schedules/definition';
import { fireOutcome } from '../schedules/fireOutcome';
import {
  SCHEDULER,
  SCHEDULER_ACTIVITIES,
  SCHEDULER_EVENTS,
  RUN_STATUS_UNREADABLE,
  schedulerIdOf,
} from '../schedules/names';
import { inputOf, tickStart, type FireOutcome } from '../schedules/overlap';
import { schedulerOrchestrator, type DefinitionAnswer } from '../schedules/scheduler';
import { checkSchedulerStart } from '../schedules/state';
import { exposeForSingletonStart } from '../singleton/catalog';
import { singletonStarter } from '../singletonStarter';
import { processStarter } from '../starter';
import { ScheduleTelemetry } from '../telemetry/scheduleTelemetry';

/** The keeper's schedule: each minute, so a new schedule's scheduler starts within one. */
export const KEEPER_SCHEDULE = '0 * * * * *';
const DEFAULT_POLL_MS = 10_000;
const telemetry = new ScheduleTelemetry();

df.app.orchestration(SCHEDULER, schedulerOrchestrator);
exposeForSingletonStart(SCHEDULER, {
  input: checkSchedulerStart,
  acknowledgesSignals: true,
  events: Object.fromEntries(SCHEDULER_EVENTS.map((event) => [event, {}])),
});

df.app.activity(SCHEDULER_ACTIVITIES.definition, {
  handler: (name: string, context: InvocationContext): DefinitionAnswer => {
    const resolved = resolveSchedule(name, process.env);
    if (resolved === undefined) {
      return { ok: false, problem: `No schedule "${name}" is declared in this app.` };
    }
    if (!resolved.ok) {
      context.error(resolved.problem);
      return resolved;
    }
    const pollMs = processStarter().config?.schedulePollMs ?? DEFAULT_POLL_MS;
    return { ok: true, schedule: resolved.schedule, pollMs };
  },
});

df.app.activity(SCHEDULER_ACTIVITIES.fire, {
  extraInputs: [df.input.durableClient()],
  handler: async (
    { name, tick }: { name: string; tick: string },
    context: InvocationContext,
  ): Promise<FireOutcome> => {
    const resolved = resolveSchedule(name, process.env);
    if (!resolved?.ok) {
      return { kind: 'refused', detail: resolved?.problem ?? `No schedule "${name}".` };
    }
    const { schedule } = resolved;
    const start = tickStart(schedule, tick);
    return telemetry.tick(schedule, tick, async () => {
      const result = await singletonStarter(context).start(
        schedule.orchestrator,
        start.instanceId,
        inputOf(schedule, tick),
        { onConflict: start.onConflict, idempotencyKey: start.idempotencyKey },
      );
      return fireOutcome(result);
    });
  },
});

df.app.activity(SCHEDULER_ACTIVITIES.runStatus, {
  extraInputs: [df.input.durableClient()],
  handler: async (instanceId: string, context: InvocationContext): Promise<string | null> => {
    try {
      const status = await df.getClient(context).getStatus(instanceId);
      return status.runtimeStatus ?? null;
    } catch (error) {
      if (isNotFound(error)) return null;
      context.warn(`Could not read the status of '${instanceId}': ${String(error)}`);
      return RUN_STATUS_UNREADABLE;
    }
  },
});

df.app.activity(SCHEDULER_ACTIVITIES.cancel, {
  extraInputs: [df.input.durableClient()],
  handler: async (name: string, context: InvocationContext): Promise<string> => {
    const resolved = resolveSchedule(name, process.env);
    if (!resolved?.ok) return 'refused';
    const { schedule } = resolved;
    // Only a running run gets it: a signal that found none must not start a run to cancel it.
    const result = await singletonStarter(context).signal(
      schedule.orchestrator,
      schedule.instanceId,
      schedule.cancelEvent,
      null,
      { startsRun: false },
    );
    context.info(
      `Schedule '${name}': asked the running run to ${schedule.cancelEvent}: ${result.kind}.`,
    );
    return result.kind;
  },
});

export async function scheduleKeeper(_timer: Timer, context: InvocationContext): Promise<void> {
  const starter = singletonStarter(context);
  for (const name of scheduleNames()) {
    const resolved = resolveSchedule(name, process.env);
    if (!resolved?.ok) {
      // Loud on every round until it is mended: the schedule does not fire meanwhile.
      context.error(resolved?.problem ?? `Schedule "${name}" is not declared.`);
    }
    // Its scheduler runs even so, showing the error in its status and reading the setting again.
    const instanceId = schedulerIdOf(name);
    const result = await starter.start(SCHEDULER, instanceId, { name }, { onConflict: 'attach' });
    if (result.kind !== 'attached') {
      context.info(`Schedule '${name}': ${starter.describe(result, instanceId)}`);
    }
  }
}

app.timer('singletonScheduleKeeper', {
  schedule: KEEPER_SCHEDULE,
  extraInputs: [df.input.durableClient()],
  handler: scheduleKeeper,
});
