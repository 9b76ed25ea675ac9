/**
 * The schedules' operator routes, under the function key (src/schedules/scheduleOperations.ts):
 *   GET  /api/schedules                   every declared schedule: next tick, last tick's fate,
 *                                         waiting ticks, paused, counts, and why one cannot fire
 *   GET  /api/schedules/{name}            one of them
 *   POST /api/schedules/{name}/pause      stop firing (ticks meanwhile are counted as paused)
 *   POST /api/schedules/{name}/resume     fire again (from the next tick; paused ones stay skipped)
 *   POST /api/schedules/{name}/trigger    one tick now, under the schedule's overlap policy
 * A command answers 200 once the scheduler has read it (it acknowledges: src/singleton/signal.ts);
 * with an `Idempotency-Key`, a retry is answered without sending the command again.
 */
import {
  app,
  type HttpHandler,
  type HttpRequest,
  type HttpResponseInit,
  type InvocationContext,
} from '@azure/functions';
import * as df from 'durable-functions';
import { durableClient } from '../durable/client';
import { problem, problemResponse } from '../http/problem';
import { renderCommand, renderSchedules } from '../http/scheduleAnswer';
import { IDEMPOTENCY_KEY_HEADER, parseIdempotencyKey } from '../idempotency/key';
import type { SchedulerEvent } from '../schedules/names';
import { declaredSchedule, scheduleCommand } from '../schedules/scheduleOperations';
import { processStarter, type AppStarter } from '../starter';

export function scheduleView(starterOf: () => AppStarter = processStarter): HttpHandler {
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const name = request.params.name;
    const answer = await starterOf().schedules(durableClient(context), context, name);
    return renderSchedules(answer, name !== undefined, context.invocationId);
  };
}

export function scheduleCommandRoute(
  command: SchedulerEvent,
  starterOf: () => AppStarter = processStarter,
): HttpHandler {
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const starter = starterOf();
    const client = durableClient(context);
    const name = declaredSchedule(request.params.name ?? '');
    if (name === undefined) {
      return renderSchedules({ kind: 'unknown' }, true, context.invocationId);
    }
    // A retried command with the same key is answered without being raised again (a retried
    // `trigger` would otherwise fire another tick).
    const keyed = parseIdempotencyKey(request.headers.get(IDEMPOTENCY_KEY_HEADER));
    if (!keyed.ok) return problemResponse(problem('invalid-idempotency-key', keyed.detail));
    const result = await starter.signal(scheduleCommand(name, command, keyed.key), client, context);
    const read = result.kind === 'signaled' || result.kind === 'started';
    const after = read ? await starter.schedules(client, context, name) : undefined;
    return renderCommand(command, result, after, context.invocationId);
  };
}

const common = { authLevel: 'function' as const, extraInputs: [df.input.durableClient()] };

app.http('scheduleList', {
  ...common,
  route: 'schedules',
  methods: ['GET'],
  handler: scheduleView(),
});
app.http('scheduleStatus', {
  ...common,
  route: 'schedules/{name}',
  methods: ['GET'],
  handler: scheduleView(),
});
for (const command of ['pause', 'resume', 'trigger'] as const) {
  app.http(`schedule${command[0].toUpperCase()}${command.slice(1)}`, {
    ...common,
    route: `schedules/{name}/${command}`,
    methods: ['POST'],
    handler: scheduleCommandRoute(command),
  });
}
