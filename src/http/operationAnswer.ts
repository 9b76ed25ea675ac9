/**
 * The one renderer of an operator route's result as an HTTP answer: the instance or a page of
 * them as JSON (the extension's field names), 202 for a terminate, 200 for a purge, and an RFC 9457
 * problem for everything else. Another orchestrator's instance is answered exactly as a missing
 * one (404), so that the answer does not confirm the ID is in use.
 */
import type { HttpResponseInit } from '@azure/functions';
import type { InstanceView } from '../operations/ports';
import type { OperatorResult } from '../operations/instanceOperations';
import { instanceRoute } from './appLinks';
import { problem, problemResponse } from './problem';

const BACKEND_FAILURE_DETAIL =
  'The Durable backend or the lock storage refused a call; nothing was changed. The app log of this invocation says which.';
const BACKEND_UNAVAILABLE_DETAIL =
  'The Durable backend or the lock storage is unavailable or did not answer in time; a terminate or purge may or may not have happened. Retry later.';

export interface OperationContext {
  /** The links' origin (config.ts), else the request URL's. */
  readonly origin: string;
  readonly orchestrator: string;
  readonly invocationId: string;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) => ({
  status,
  headers: { 'Content-Type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

function view(instance: InstanceView): InstanceView {
  // Field order as the extension's status answer has it.
  const { instanceId, name, runtimeStatus, customStatus, createdTime, lastUpdatedTime } = instance;
  return {
    name,
    instanceId,
    runtimeStatus,
    customStatus,
    createdTime,
    lastUpdatedTime,
    ...('input' in instance && { input: instance.input, output: instance.output }),
  };
}

export function renderOperation(result: OperatorResult, at: OperationContext): HttpResponseInit {
  switch (result.kind) {
    case 'found':
      return json(200, view(result.instance));
    case 'page':
      return json(200, {
        instances: result.instances.map(view),
        ...(result.continuationToken !== undefined && {
          continuationToken: result.continuationToken,
        }),
      });
    case 'chunk': {
      const counts: Record<string, number> = {};
      for (const { outcome } of result.results) counts[outcome] = (counts[outcome] ?? 0) + 1;
      return json(200, {
        counts,
        instances: result.results,
        ...(result.continuationToken !== undefined && {
          continuationToken: result.continuationToken,
        }),
      });
    }
    case 'terminating': {
      const status = instanceRoute(at.origin, at.orchestrator, result.instanceId);
      return json(
        202,
        { id: result.instanceId, runtimeStatus: result.was, statusQueryGetUri: status },
        { Location: status, 'Retry-After': '5' },
      );
    }
    case 'purged':
      return json(200, {
        id: result.instanceId,
        instancesDeleted: 1,
        idempotencyRecordsDeleted: result.records,
      });
    case 'notFound':
      return problemResponse(
        problem(
          'instance-not-found',
          'No instance of this orchestrator has this ID, or the orchestrator is not exposed for singleton start.',
        ),
      );
    case 'conflict':
      return problemResponse(
        result.rule === 'running'
          ? problem(
              'instance-running',
              `The instance is ${result.runtimeStatus}: only an ended instance is purged. Terminate it first.`,
              { runtimeStatus: result.runtimeStatus },
            )
          : problem(
              'instance-not-running',
              `The instance has already ended (${result.runtimeStatus}).`,
              {
                runtimeStatus: result.runtimeStatus,
              },
            ),
      );
    case 'inProgress': {
      const answer = problemResponse(
        problem(
          'start-in-progress',
          `A start of this ID held its lock for ${result.lockWaitMs} ms; nothing was changed. Retry later.`,
          { rule: 'in-progress' },
        ),
      );
      return { ...answer, headers: { ...answer.headers, 'Retry-After': '1' } };
    }
    case 'invalid':
      return problemResponse(
        problem('invalid-query', result.detail, { parameter: result.parameter }),
      );
    case 'unavailable':
      return problemResponse(
        problem('backend-unavailable', BACKEND_UNAVAILABLE_DETAIL, {
          invocationId: at.invocationId,
        }),
      );
    case 'failed':
      return problemResponse(
        problem('backend-failure', BACKEND_FAILURE_DETAIL, { invocationId: at.invocationId }),
      );
    case 'misconfigured':
      return problemResponse(
        problem('configuration-error', result.detail, { invocationId: at.invocationId }),
      );
  }
}
