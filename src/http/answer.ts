/**
 * The one renderer of a start's result as an HTTP answer: 202 with the check-status links, 200 for
 * an attach, the same with `Idempotent-Replayed: true` for a replay, and an RFC 9457 problem for
 * everything else.
 */
import { HttpResponse, type HttpResponseInit } from '@azure/functions';
import { inProgressDetail, mismatchDetail } from '../idempotency/messages';
import { conflictDetail } from '../singleton/messages';
import type { InvalidField, ReplayableOutcome, SingletonResult } from '../singleton/result';
import { keepInstanceIds, type Redaction } from '../redaction';
import { appLinks } from './appLinks';
import { checkStatusLinks, type LinkTemplates } from './checkStatusLinks';
import { problem, problemResponse, type ProblemType } from './problem';

export const REPLAYED_HEADER = 'Idempotent-Replayed';

/** What the answer needs of the request. */
export interface AnsweredRequest {
  readonly url: string;
  /** The links' origin when one is configured (config.ts); else the request URL's. */
  readonly linkOrigin?: string;
  /**
   * With `SINGLETON_REDACT_INSTANCE_IDS`, problem bodies and the log leave the ID out; a 202 or 200
   * keeps it, as the caller's own resource.
   */
  readonly redaction?: Redaction;
  /** The ID the request asked for: what the redaction takes out. */
  readonly instanceId?: string;
  /**
   * With `SINGLETON_LINKS=app`, the orchestrator whose operator routes the links name; else the
   * links are the extension's, from the binding's templates.
   */
  readonly appLinksOf?: string;
}

/** The invocation being answered: its ID goes into 5xx bodies, its log gets what they leave out. */
export interface AnswerLog {
  readonly invocationId: string;
  warn(message: string): void;
}

/**
 * The public `detail` of a 502 and a 503. The dependency's own text (the extension's JSON, storage
 * request IDs, host names) stays in the invocation's log, where the start flow wrote it: a caller
 * needs to know what to do, and the invocation ID finds the rest.
 */
const BACKEND_FAILURE_DETAIL =
  'The Durable backend or the lock storage refused a call; nothing was started. The app log of this invocation says which.';
const BACKEND_UNAVAILABLE_DETAIL =
  'The Durable backend or the lock storage is unavailable or did not answer in time; the start may or may not have happened. Retry later with the same request (an Idempotency-Key makes the retry safe).';

/** Seconds the client should wait before polling the status link (durable-functions' value). */
const STATUS_POLL_SECONDS = '10';

/** Bounds of the `Retry-After` of a key whose first request is still being answered. */
const KEY_RETRY_MIN_SECONDS = 1;
const KEY_RETRY_MAX_SECONDS = 5;

/** Visible ASCII only: a header value that every HTTP stack carries unchanged. */
const HEADER_SAFE = /^[\x21-\x7e]+$/;

const INVALID_PROBLEM: Record<InvalidField, ProblemType> = {
  orchestrator: 'orchestrator-not-found',
  instanceId: 'invalid-instance-id',
  onConflict: 'invalid-conflict-policy',
  input: 'invalid-input',
  idempotencyKey: 'invalid-idempotency-key',
  event: 'event-not-found',
  eventData: 'invalid-event-data',
};

export function renderResult(
  result: SingletonResult,
  request: AnsweredRequest,
  links: LinkTemplates,
  log: AnswerLog,
): HttpResponseInit | HttpResponse {
  const redaction = request.redaction ?? keepInstanceIds;
  const asked = request.instanceId;
  const said = (text: string) => (asked === undefined ? text : redaction.text(text, asked));
  const idFact = (instanceId: string) => (redaction.instanceIds ? {} : { instanceId });
  const linksLog: AnswerLog = { invocationId: log.invocationId, warn: (m) => log.warn(said(m)) };
  switch (result.kind) {
    case 'started':
    case 'attached':
      return linksAnswer(result, false, request, links, linksLog);
    case 'replayed':
      // The links are built anew from this request, as for a first answer: records keep none.
      return linksAnswer(result.original, true, request, links, linksLog);
    case 'conflict': {
      const { instanceId, refusal } = result;
      const detail = said(conflictDetail(instanceId, refusal));
      return problemResponse(
        refusal.rule === 'in-progress'
          ? problem('start-in-progress', detail, { ...idFact(instanceId), rule: refusal.rule })
          : problem('instance-exists', detail, {
              ...idFact(instanceId),
              runtimeStatus: refusal.runtimeStatus,
              rule: refusal.rule,
            }),
      );
    }
    case 'keyMismatch': {
      const { idempotencyKey, differences } = result;
      return problemResponse(
        problem('idempotency-key-mismatch', mismatchDetail(idempotencyKey, differences), {
          idempotencyKey,
          differences,
        }),
      );
    }
    case 'keyInProgress': {
      const { idempotencyKey, instanceId, retryAfterMs } = result;
      const answer = problemResponse(
        problem('start-in-progress', said(inProgressDetail(idempotencyKey, instanceId)), {
          ...idFact(instanceId),
          rule: 'in-progress',
          idempotencyKey,
        }),
      );
      const seconds = Math.min(
        Math.max(Math.ceil(retryAfterMs / 1000), KEY_RETRY_MIN_SECONDS),
        KEY_RETRY_MAX_SECONDS,
      );
      return { ...answer, headers: { ...answer.headers, 'Retry-After': String(seconds) } };
    }
    case 'invalid':
      return problemResponse(problem(INVALID_PROBLEM[result.field], result.detail, result.facts));
    case 'unavailable':
      // A restart's timeout is the starter's own finding, and the caller's to know; a
      // dependency's text is not.
      return problemResponse(
        result.unconfirmed
          ? problem('signal-unconfirmed', said(result.detail), { invocationId: log.invocationId })
          : problem(
              'backend-unavailable',
              result.restartTimedOut ? said(result.detail) : BACKEND_UNAVAILABLE_DETAIL,
              { invocationId: log.invocationId },
            ),
      );
    case 'failed':
      return problemResponse(
        problem('backend-failure', BACKEND_FAILURE_DETAIL, { invocationId: log.invocationId }),
      );
    case 'misconfigured':
      // The detail names the setting, never its value (config.ts).
      return problemResponse(
        problem('configuration-error', result.detail, { invocationId: log.invocationId }),
      );
  }
}

/**
 * The 202 (`Location` and `Retry-After` as durable-functions sets them) or the attach 200. The
 * instance exists by now, so a failure to build the links must not turn into a 5xx that tells the
 * caller nothing happened: the answer then carries the ID alone, and the log says why.
 */
function linksAnswer(
  outcome: ReplayableOutcome,
  replayed: boolean,
  request: AnsweredRequest,
  templates: LinkTemplates,
  log: AnswerLog,
): HttpResponse {
  const { instanceId } = outcome;
  const status = outcome.kind === 'started' ? 202 : 200;
  const extra = outcome.kind === 'attached' ? { runtimeStatus: outcome.runtimeStatus } : {};
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (replayed) headers[REPLAYED_HEADER] = 'true';
  if (status === 202) headers['Retry-After'] = STATUS_POLL_SECONDS;
  try {
    const origin = request.linkOrigin ?? new URL(request.url).origin;
    const links =
      request.appLinksOf === undefined
        ? checkStatusLinks(templates, origin, instanceId)
        : appLinks(origin, request.appLinksOf, instanceId);
    if (!HEADER_SAFE.test(links.statusQueryGetUri)) {
      throw new Error(`the status link is not a header-safe URI: ${links.statusQueryGetUri}`);
    }
    const withLocation =
      status === 202 ? { ...headers, Location: links.statusQueryGetUri } : headers;
    // Built here, not by the library after return, so that a header it refuses lands in the catch.
    return new HttpResponse({ status, headers: withLocation, jsonBody: { ...links, ...extra } });
  } catch (error) {
    log.warn(
      `Instance '${instanceId}' ${status === 202 ? 'was started' : 'was found'}, but its check-status links could not be built (${(error as Error).message}); answering ${status} with the ID alone.`,
    );
    return new HttpResponse({ status, headers, jsonBody: { id: instanceId, ...extra } });
  }
}
