/** Turns the start outcome into the HTTP answer. */
import type { HttpRequest, HttpResponse, HttpResponseInit } from '@azure/functions';
import type { DurableClient } from 'durable-functions';
import { conflictDetail } from '../singleton/messages';
import type { StartOutcome } from '../singleton/outcome';
import { problem, problemResponse } from './problem';

/** The durable client call that builds the answers' management links. */
export type LinkMaker = Pick<DurableClient, 'createCheckStatusResponse'>;

export async function startAnswer(
  outcome: StartOutcome,
  request: HttpRequest,
  links: LinkMaker,
): Promise<HttpResponseInit | HttpResponse> {
  switch (outcome.kind) {
    case 'started':
      // The durable client's own check-status answer: 202, management links, Location, Retry-After.
      return links.createCheckStatusResponse(request, outcome.instanceId);
    case 'attached': {
      // The same links as the 202, but nothing was started: 200. Taken from the check-status
      // answer because it, unlike `createHttpManagementPayload`, puts the request's origin in the
      // links (the two differ behind a proxy or custom domain, and on a host not on port 7071).
      const started = links.createCheckStatusResponse(request, outcome.instanceId);
      return {
        status: 200,
        headers: { 'Content-Type': 'application/json' },
        jsonBody: { ...((await started.json()) as object), runtimeStatus: outcome.runtimeStatus },
      };
    }
    case 'conflict': {
      const { instanceId, refusal } = outcome;
      const detail = conflictDetail(instanceId, refusal);
      return problemResponse(
        refusal.rule === 'in-progress'
          ? problem('start-in-progress', detail, { instanceId, rule: refusal.rule })
          : problem('instance-exists', detail, {
              instanceId,
              runtimeStatus: refusal.runtimeStatus,
              rule: refusal.rule,
            }),
      );
    }
    case 'unavailable':
      return problemResponse(problem('backend-unavailable', outcome.detail));
    case 'failed':
      return problemResponse(problem('backend-failure', outcome.detail));
  }
}
