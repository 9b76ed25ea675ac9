/**
 * The Durable Functions "singleton orchestrators" sample's starter, ported to the v4 model with
 * the one fix it needs to run at all on durable-functions 3.x (`getStatus` throws for an unknown
 * ID), and otherwise as written: check, then start, with no lock. It is the baseline the tests and
 * the benchmark compare against, and is never part of the deployed app.
 */
import {
  app,
  type HttpRequest,
  type HttpResponse,
  type HttpResponseInit,
  type InvocationContext,
} from '@azure/functions';
import * as df from 'durable-functions';

const ENDED = ['Completed', 'Failed', 'Terminated'];

async function sampleHttpStartSingle(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit | HttpResponse> {
  const client = df.getClient(context);
  const instanceId = request.params.instanceId;
  const existing = await client.getStatus(instanceId).catch(() => undefined);
  if (!existing || ENDED.includes(String(existing.runtimeStatus))) {
    const body = await request.text();
    await client.startNew(request.params.functionName, {
      instanceId,
      ...(body && { input: JSON.parse(body) as unknown }),
    });
    context.log(`Started orchestration with ID = '${instanceId}'.`);
    return client.createCheckStatusResponse(request, instanceId);
  }
  return { status: 409, body: `An instance with ID '${instanceId}' already exists.` };
}

app.http('sampleHttpStartSingle', {
  route: 'sample/orchestrators/{functionName}/{instanceId}',
  methods: ['POST'],
  authLevel: 'function',
  extraInputs: [df.input.durableClient()],
  handler: sampleHttpStartSingle,
});
