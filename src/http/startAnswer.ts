/** Turns the start outcome into the HTTP answer. */
import { HttpResponse, type HttpResponseInit } from '@azure/functions';
import { conflictDetail } from '../singleton/messages';
import type { StartOutcome } from '../singleton/outcome';
import type { RuntimeStatus } from '../singleton/statuses';
import { checkStatusLinks, type LinkTemplates } from './checkStatusLinks';
import { problem, problemResponse } from './problem';

/** What the answer needs of the request. */
export interface AnsweredRequest {
  readonly url: string;
}

export interface AnswerLog {
  warn(message: string): void;
}

/** Seconds the client should wait before polling the status link (durable-functions' value). */
const RETRY_AFTER_SECONDS = '10';

/** Visible ASCII only: a header value that every HTTP stack carries unchanged. */
const HEADER_SAFE = /^[\x21-\x7e]+$/;

export function startAnswer(
  outcome: StartOutcome,
  request: AnsweredRequest,
  links: LinkTemplates,
  log: AnswerLog,
): HttpResponseInit | HttpResponse {
  switch (outcome.kind) {
    case 'started':
      return linksAnswer(202, outcome.instanceId, undefined, request, links, log);
    case 'attached':
      // The same links as the 202, but nothing was started: 200, with the status found.
      return linksAnswer(200, outcome.instanceId, outcome.runtimeStatus, request, links, log);
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

/**
 * The 202 (`Location` and `Retry-After` as durable-functions sets them) or the attach 200. The
 * instance exists by now, so a failure to build the links must not turn into a 5xx that tells the
 * caller nothing happened: the answer then carries the ID alone, and the log says why.
 */
function linksAnswer(
  status: 200 | 202,
  instanceId: string,
  runtimeStatus: RuntimeStatus | undefined,
  request: AnsweredRequest,
  templates: LinkTemplates,
  log: AnswerLog,
): HttpResponse {
  const extra = runtimeStatus === undefined ? {} : { runtimeStatus };
  try {
    const links = checkStatusLinks(templates, request.url, instanceId);
    if (!HEADER_SAFE.test(links.statusQueryGetUri)) {
      throw new Error(`the status link is not a header-safe URI: ${links.statusQueryGetUri}`);
    }
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (status === 202) {
      headers.Location = links.statusQueryGetUri;
      headers['Retry-After'] = RETRY_AFTER_SECONDS;
    }
    // Built here, not by the library after return, so that a header it refuses lands in the catch.
    return new HttpResponse({ status, headers, jsonBody: { ...links, ...extra } });
  } catch (error) {
    log.warn(
      `Instance '${instanceId}' ${status === 202 ? 'was started' : 'was found'}, but its check-status links could not be built (${(error as Error).message}); answering ${status} with the ID alone.`,
    );
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (status === 202) headers['Retry-After'] = RETRY_AFTER_SECONDS;
    return new HttpResponse({ status, headers, jsonBody: { id: instanceId, ...extra } });
  }
}
