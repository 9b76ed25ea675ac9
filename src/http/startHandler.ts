/**
 * The singleton starter's HTTP handler: request → validated command → decision and effect →
 * answer. Each step lives in its own module; this only wires them to the invocation.
 */
import type {
  HttpRequest,
  HttpResponse,
  HttpResponseInit,
  InvocationContext,
} from '@azure/functions';
import * as df from 'durable-functions';
import { ConfigError } from '../config';
import { durableInstances } from '../durable/instances';
import { getServices, type Services } from '../services';
import { startSingleton } from '../singleton/start';
import { StorageConnectionError } from '../storage/connection';
import { problem, problemResponse } from './problem';
import { startAnswer } from './startAnswer';
import { parseStartRequest } from './startRequest';

export async function httpStartSingle(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit | HttpResponse> {
  let services: Services;
  try {
    services = getServices();
  } catch (error) {
    if (error instanceof ConfigError || error instanceof StorageConnectionError) {
      context.error(error.message);
      return problemResponse(problem('configuration-error', error.message));
    }
    throw error;
  }
  const { config, lock } = services;

  const parsed = await parseStartRequest(request, config.maxInputBytes);
  if (!parsed.ok) {
    context.info(`Start refused (${parsed.problem.status}): ${parsed.problem.detail}`);
    return problemResponse(parsed.problem);
  }

  const client = df.getClient(context);
  const outcome = await startSingleton(parsed.command, {
    instances: durableInstances(client, config.backendTimeoutMs),
    lock,
    log: { info: (m) => context.info(m), warn: (m) => context.warn(m) },
    lockWaitMs: config.lockWaitMs,
    restartTimeoutMs: config.restartTimeoutMs,
    engineRefusesRunningDuplicates: config.engineRefusesRunningDuplicates,
  });
  return startAnswer(outcome, request, (req, id) => client.createCheckStatusResponse(req, id));
}
