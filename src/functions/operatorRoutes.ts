/**
 * The operator's routes, under the function key, for the orchestrators exposed for singleton
 * start (src/operations/instanceOperations.ts says what each does and why it stays in bounds):
 *   GET    /api/orchestrators/{functionName}/{instanceId}            one instance's status
 *   GET    /api/orchestrators/{functionName}?prefix=&runtimeStatus=&createdFrom=&createdTo=&top=&continuationToken=
 *   POST   /api/orchestrators/{functionName}/{instanceId}/terminate  terminate a running instance
 *   DELETE /api/orchestrators/{functionName}/{instanceId}            purge an ended instance
 *   POST   /api/bulk/orchestrators/{functionName}/terminate?prefix=…  terminate many, a chunk a call
 *   POST   /api/bulk/orchestrators/{functionName}/purge?prefix=…      purge many, a chunk a call
 * (The bulk routes live under `bulk/`: a literal segment beside `{instanceId}` would shadow the
 * instance of that name on the start route.)
 * Nothing here needs the Durable extension's system key, and no answer carries it.
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
import { renderOperation } from '../http/operationAnswer';
import { processStarter, type AppStarter, type OperationRequest } from '../starter';

type Operation = OperationRequest['operation'];

/** The handler of one operation over the given starter (tests give their own). */
export function operatorRoute(
  operation: Operation,
  starterOf: () => AppStarter = processStarter,
): HttpHandler {
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const starter = starterOf();
    const orchestrator = request.params.functionName ?? '';
    const asked: OperationRequest =
      operation === 'status' || operation === 'terminate' || operation === 'purge'
        ? { operation, orchestrator, instanceId: request.params.instanceId ?? '' }
        : { operation, orchestrator, query: (name) => request.query.getAll(name) };
    const result = await starter.operate(asked, durableClient(context), context);
    const origin = starter.config?.linkOrigin ?? new URL(request.url).origin;
    return renderOperation(result, { origin, orchestrator, invocationId: context.invocationId });
  };
}

const common = { authLevel: 'function' as const, extraInputs: [df.input.durableClient()] };

app.http('instanceStatus', {
  ...common,
  route: 'orchestrators/{functionName}/{instanceId}',
  methods: ['GET'],
  handler: operatorRoute('status'),
});

app.http('instancePurge', {
  ...common,
  route: 'orchestrators/{functionName}/{instanceId}',
  methods: ['DELETE'],
  handler: operatorRoute('purge'),
});

app.http('instanceTerminate', {
  ...common,
  route: 'orchestrators/{functionName}/{instanceId}/terminate',
  methods: ['POST'],
  handler: operatorRoute('terminate'),
});

app.http('instanceList', {
  ...common,
  route: 'orchestrators/{functionName}',
  methods: ['GET'],
  handler: operatorRoute('list'),
});

app.http('instancesTerminate', {
  ...common,
  route: 'bulk/orchestrators/{functionName}/terminate',
  methods: ['POST'],
  handler: operatorRoute('terminateMany'),
});

app.http('instancesPurge', {
  ...common,
  route: 'bulk/orchestrators/{functionName}/purge',
  methods: ['POST'],
  handler: operatorRoute('purgeMany'),
});
