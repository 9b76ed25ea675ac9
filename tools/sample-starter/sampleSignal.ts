/**
 * The naive signal-with-start that users write today with durable-functions 3.x's client, as the
 * chaos suite's baseline for signals (never part of the deployed app): read the status, then raise
 * the event to the running instance, or start one and raise it to the new run. No lock, no receipt:
 *
 *  - `raiseEvent` treats the extension's 410 (the run has ended) as success, so an event raised to a
 *    run that ended after the read is answered 200 and reaches nothing;
 *  - an event the engine took in a run's last episode is dropped with the run, still answered 200;
 *  - two callers that both read "no instance" both start (one start message wins), and both raise.
 *
 * `POST /api/sample/orchestrators/{functionName}/{instanceId}/events/{eventName}`: the body is the
 * event's data (JSON), the `Singleton-Start-Input` header the input of a run it starts.
 */
import {
  app,
  type HttpRequest,
  type HttpResponse,
  type HttpResponseInit,
  type InvocationContext,
} from '@azure/functions';
import * as df from 'durable-functions';

const RUNNING = ['Running', 'Pending'];

function parse(text: string | null): unknown {
  return text === null || text === '' ? undefined : (JSON.parse(text) as unknown);
}

async function sampleSignal(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit | HttpResponse> {
  const client = df.getClient(context);
  const { functionName, instanceId, eventName } = request.params;
  try {
    const data = parse(await request.text());
    const input = parse(request.headers.get('Singleton-Start-Input'));
    // durable-functions 3.x throws for an unknown ID (the extension's 404): no instance.
    const existing = await client.getStatus(instanceId).catch((error: unknown) => {
      if (error instanceof Error && /HTTP 404/.test(error.message)) return undefined;
      throw error;
    });
    if (existing && RUNNING.includes(String(existing.runtimeStatus))) {
      await client.raiseEvent(instanceId, eventName, data);
      context.log(`Raised '${eventName}' to '${instanceId}'.`);
      return { status: 200, jsonBody: { instanceId, raised: eventName } };
    }
    await client.startNew(functionName, { instanceId, ...(input !== undefined && { input }) });
    await client.raiseEvent(instanceId, eventName, data);
    context.log(`Started '${instanceId}' and raised '${eventName}' to it.`);
    return client.createCheckStatusResponse(request, instanceId);
  } catch (error) {
    context.error(`Signal '${eventName}' to '${instanceId}' failed: ${String(error)}`);
    return { status: 500, body: String(error) };
  }
}

app.http('sampleSignal', {
  route: 'sample/orchestrators/{functionName}/{instanceId}/events/{eventName}',
  methods: ['POST'],
  authLevel: 'function',
  extraInputs: [df.input.durableClient()],
  handler: sampleSignal,
});
