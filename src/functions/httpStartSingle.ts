/**
 * The HTTP door of the singleton starter: `POST /api/orchestrators/{functionName}/{instanceId}`
 * starts the named orchestrator under the ID unless an instance with it is running (202 with the
 * check-status links, or 409; `onConflict` chooses attach or restart instead). Parse → start →
 * render; the starter is the process's one, built at the first request, and the durable client
 * one per binding (src/durable/client.ts).
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
import { durableClient } from '../durable/client';
import { renderResult } from '../http/answer';
import { problemResponse } from '../http/problem';
import { parseStartRequest } from '../http/startRequest';
import { DEFAULT_MAX_INPUT_BYTES } from '../config';
import { processStarter, type AppStarter } from '../starter';

/** The HTTP handler over the given starter (tests give their own; the app, the process's). */
export function httpStartSingle(starterOf: () => AppStarter = processStarter): HttpHandler {
  return async (
    request: HttpRequest,
    context: InvocationContext,
  ): Promise<HttpResponseInit | HttpResponse> => {
    const starter = starterOf();
    const maxInputBytes = starter.config?.maxInputBytes ?? DEFAULT_MAX_INPUT_BYTES;
    const parsed = await parseStartRequest(request, maxInputBytes);
    if (!parsed.ok) {
      context.info(`Start refused (${parsed.problem.status}): ${parsed.problem.detail}`);
      return problemResponse(parsed.problem);
    }
    const client = durableClient(context);
    const result = await starter.start(parsed.request, client, context);
    const { redaction } = starter;
    const { instanceId } = parsed.request;
    const linkOrigin = starter.config?.linkOrigin;
    const appLinksOf = starter.config?.links === 'app' ? parsed.request.orchestrator : undefined;
    const answered = { url: request.url, linkOrigin, redaction, instanceId, appLinksOf };
    return renderResult(result, answered, client, context);
  };
}

app.http('httpStartSingle', {
  route: 'orchestrators/{functionName}/{instanceId}',
  methods: ['POST'],
  authLevel: 'function',
  extraInputs: [df.input.durableClient()],
  handler: httpStartSingle(),
});
