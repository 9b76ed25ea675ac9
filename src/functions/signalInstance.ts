/**
 * The signal door: `POST /api/orchestrators/{functionName}/{instanceId}/events/{eventName}` raises
 * the event, with the body as its data, to the running instance (200, its links), or starts the
 * instance and raises it to the new run (202), under the ID's lock (src/singleton/signal.ts says
 * why no event answered 2xx is lost to a race). A run it starts gets the JSON of the
 * `Singleton-Start-Input` header as its input (none: `null`, the job's defaults): the body is the
 * event's. The body is read as a start's is (JSON the engine keeps as sent, at most
 * `SINGLETON_MAX_INPUT_BYTES`, with a Content-Length).
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
import { DEFAULT_MAX_INPUT_BYTES } from '../config';
import { durableClient } from '../durable/client';
import { renderResult } from '../http/answer';
import { readJsonInput } from '../http/jsonInput';
import { problem, problemResponse } from '../http/problem';
import { parseStartRequest } from '../http/startRequest';
import { processStarter, type AppStarter } from '../starter';

export const START_INPUT_HEADER = 'Singleton-Start-Input';

export function signalInstance(starterOf: () => AppStarter = processStarter): HttpHandler {
  return async (
    request: HttpRequest,
    context: InvocationContext,
  ): Promise<HttpResponseInit | HttpResponse> => {
    const starter = starterOf();
    const maxInputBytes = starter.config?.maxInputBytes ?? DEFAULT_MAX_INPUT_BYTES;
    const parsed = await parseStartRequest(request, maxInputBytes);
    if (!parsed.ok) return problemResponse(parsed.problem);
    const header = request.headers.get(START_INPUT_HEADER);
    let input: unknown = null;
    if (header !== null) {
      const read = readJsonInput(new TextEncoder().encode(header));
      if (!read.ok) {
        return problemResponse(problem('invalid-input', `${START_INPUT_HEADER}: ${read.detail}`));
      }
      input = read.input;
    }
    const { orchestrator, instanceId, input: data, idempotencyKey } = parsed.request;
    const eventName = request.params.eventName ?? '';
    const client = durableClient(context);
    const result = await starter.signal(
      {
        orchestrator,
        instanceId,
        eventName,
        data,
        input,
        ...(idempotencyKey !== undefined && { idempotencyKey }),
      },
      client,
      context,
    );
    const { redaction } = starter;
    const linkOrigin = starter.config?.linkOrigin;
    const appLinksOf = starter.config?.links === 'app' ? orchestrator : undefined;
    const answered = { url: request.url, linkOrigin, redaction, instanceId, appLinksOf };
    // `signaled` answers as an attach does (200, the run's links and status); a started run, 202.
    const shown =
      result.kind === 'signaled'
        ? { kind: 'attached' as const, instanceId, runtimeStatus: result.runtimeStatus }
        : result;
    return renderResult(shown, answered, client, context);
  };
}

app.http('signalInstance', {
  route: 'orchestrators/{functionName}/{instanceId}/events/{eventName}',
  methods: ['POST'],
  authLevel: 'function',
  extraInputs: [df.input.durableClient()],
  handler: signalInstance(),
});
