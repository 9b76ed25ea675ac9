/**
 * The singleton starter: `POST /api/orchestrators/{functionName}/{instanceId}` starts the named
 * orchestrator under the ID unless an instance with it is running (202 with the check-status links,
 * or 409; `onConflict` chooses attach or restart instead). Request → validated command → start →
 * answer; each step lives in its own module, and this wires them to the invocation.
 */
import {
  app,
  type HttpHandler,
  type HttpRequest,
  type HttpResponse,
  type HttpResponseInit,
  type InvocationContext,
} from '@azure/functions';
import * as df from 'durable-functions';
import { setTimeout as sleep } from 'node:timers/promises';
import { durableInstances } from '../durable/instances';
import { readHostJson } from '../durable/hostSettings';
import { durableRuns } from '../durable/runs';
import { keyedStartAnswer } from '../http/idempotentAnswer';
import { problem, problemResponse } from '../http/problem';
import { startAnswer } from '../http/startAnswer';
import { parseStartRequest } from '../http/startRequest';
import { IDEMPOTENCY_KEY_HEADER, parseIdempotencyKey } from '../idempotency/key';
import { startSingleton, type Clock } from '../singleton/start';
import { createStarter, type Starter } from '../starter';

const systemClock: Clock = { now: () => Date.now(), sleep: (ms) => sleep(ms) };

/** The HTTP handler, for the given starter (built once per process, below). */
export function httpStartSingle(starter: Starter): HttpHandler {
  return async (
    request: HttpRequest,
    context: InvocationContext,
  ): Promise<HttpResponseInit | HttpResponse> => {
    if (!starter.ok) {
      context.error(starter.misconfiguration);
      return problemResponse(problem('configuration-error', starter.misconfiguration));
    }
    const { config, lock, idempotency, telemetry, conflictHints } = starter;

    const parsed = await parseStartRequest(request, config.maxInputBytes);
    if (!parsed.ok) {
      context.info(`Start refused (${parsed.problem.status}): ${parsed.problem.detail}`);
      return problemResponse(parsed.problem);
    }

    const keyed = parseIdempotencyKey(request.headers.get(IDEMPOTENCY_KEY_HEADER));
    if (!keyed.ok) {
      context.info(`Start refused (400): ${keyed.reason}`);
      return problemResponse(problem('invalid-idempotency-key', keyed.reason));
    }

    const client = df.getClient(context);
    const instances = durableInstances(client, config.backendTimeoutMs);
    const log = { info: (m: string) => context.info(m), warn: (m: string) => context.warn(m) };
    const start = async () => {
      const outcome = await telemetry.traced(startSingleton)(parsed.command, {
        instances,
        lock,
        log,
        clock: systemClock,
        lockWaitMs: config.lockWaitMs,
        restartTimeoutMs: config.restartTimeoutMs,
        engineRefusesRunningDuplicates: config.engineRefusesRunningDuplicates,
        conflictHints,
      });
      return { outcome, answer: startAnswer(outcome, request, client, log) };
    };
    if (keyed.key === undefined) return (await start()).answer;

    const { instanceId } = parsed.command;
    return keyedStartAnswer(
      keyed.key,
      parsed.command,
      {
        lockWaitMs: config.lockWaitMs,
        restartTimeoutMs: config.restartTimeoutMs,
        lockLeaseSeconds: config.lockLeaseSeconds,
        backendTimeoutMs: config.backendTimeoutMs,
        idempotencyTtlSeconds: config.idempotencyTtlSeconds,
        store: idempotency,
        runs: durableRuns(client, config.backendTimeoutMs),
        taskHub: instances.taskHub,
        clock: systemClock,
        log,
      },
      {
        start,
        startedAnswer: async () =>
          startAnswer({ kind: 'started', instanceId }, request, client, log),
      },
    );
  };
}

app.http('httpStartSingle', {
  route: 'orchestrators/{functionName}/{instanceId}',
  methods: ['POST'],
  authLevel: 'function',
  extraInputs: [df.input.durableClient()],
  handler: httpStartSingle(createStarter(process.env, readHostJson())),
});
