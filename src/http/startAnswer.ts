/** Turns the start outcome into the HTTP answer. */
import type { HttpRequest, HttpResponse, HttpResponseInit } from '@azure/functions';
import type { StartOutcome } from '../singleton/start';
import { problem, problemResponse } from './problem';

/** The durable client's own check-status answer (202, management links, Location, Retry-After). */
export type CheckStatusResponder = (request: HttpRequest, instanceId: string) => HttpResponse;

export async function startAnswer(
  outcome: StartOutcome,
  request: HttpRequest,
  checkStatus: CheckStatusResponder,
): Promise<HttpResponseInit | HttpResponse> {
  switch (outcome.kind) {
    case 'started':
      return checkStatus(request, outcome.instanceId);
    case 'attached': {
      // Same links as a 202, built the same way, but nothing was started: 200.
      const links = (await checkStatus(request, outcome.instanceId).json()) as Record<
        string,
        unknown
      >;
      return {
        status: 200,
        headers: { 'Content-Type': 'application/json' },
        jsonBody: { ...links, runtimeStatus: outcome.runtimeStatus },
      };
    }
    case 'conflict': {
      const { instanceId, rule, runtimeStatus, because } = outcome;
      const body =
        rule === 'in-progress'
          ? problem(
              'start-in-progress',
              `Another start for instance '${instanceId}' is in progress: ${because}. Retry later.`,
              {
                instanceId,
                rule,
              },
            )
          : problem(
              'instance-exists',
              `An instance with ID '${instanceId}' already exists. Refused because ${because}.`,
              {
                instanceId,
                runtimeStatus,
                rule,
              },
            );
      return problemResponse(body);
    }
    case 'unavailable':
      return problemResponse(problem('backend-unavailable', outcome.detail));
    case 'failed':
      return problemResponse(problem('backend-failure', outcome.detail));
  }
}
