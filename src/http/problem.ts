/**
 * RFC 9457 problem details: every error answer of the starter is one of these problem types, as
 * `application/problem+json`.
 */
import type { HttpResponseInit } from '@azure/functions';

export const PROBLEM_TYPES = {
  'orchestrator-not-found': { status: 404, title: 'Orchestrator not exposed for singleton start' },
  'method-not-allowed': { status: 405, title: 'Method not allowed' },
  'invalid-instance-id': { status: 400, title: 'Invalid instance ID' },
  'invalid-conflict-policy': { status: 400, title: 'Invalid conflict policy' },
  'invalid-input': { status: 400, title: 'Invalid orchestration input' },
  'length-required': { status: 411, title: 'Content-Length required' },
  'input-too-large': { status: 413, title: 'Orchestration input too large' },
  'instance-exists': { status: 409, title: 'Instance already exists' },
  'start-in-progress': { status: 409, title: 'Start already in progress' },
  'invalid-idempotency-key': { status: 400, title: 'Invalid Idempotency-Key' },
  'idempotency-key-mismatch': {
    status: 422,
    title: 'Idempotency-Key used for a different request',
  },
  'instance-not-found': { status: 404, title: 'Instance not found' },
  'instance-running': { status: 409, title: 'Instance still running' },
  'instance-not-running': { status: 409, title: 'Instance not running' },
  'invalid-query': { status: 400, title: 'Invalid query' },
  'event-not-found': { status: 404, title: 'Event not declared by the orchestrator' },
  'schedule-not-found': { status: 404, title: 'Schedule not declared' },
  'invalid-event-data': { status: 400, title: 'Invalid event data' },
  'backend-failure': { status: 502, title: 'Durable backend failure' },
  'backend-unavailable': { status: 503, title: 'Durable backend unavailable' },
  'signal-unconfirmed': { status: 503, title: 'Signal not yet read' },
  'configuration-error': { status: 500, title: 'Starter misconfigured' },
} as const;

export type ProblemType = keyof typeof PROBLEM_TYPES;

export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly [extension: string]: unknown;
}

const PROBLEM_TYPE_PREFIX = 'urn:durable-singleton:problem:';

export function problem(
  type: ProblemType,
  detail: string,
  extensions: Record<string, unknown> = {},
): Problem {
  const { status, title } = PROBLEM_TYPES[type];
  return { type: `${PROBLEM_TYPE_PREFIX}${type}`, title, status, detail, ...extensions };
}

/** Seconds a client should wait before retrying an answer marked "unavailable". */
const RETRY_UNAVAILABLE_SECONDS = 5;

export function problemResponse(body: Problem): HttpResponseInit {
  const headers: Record<string, string> = { 'Content-Type': 'application/problem+json' };
  if (body.status === 503) {
    headers['Retry-After'] = String(RETRY_UNAVAILABLE_SECONDS);
  }
  if (body.status === 405) {
    headers.Allow = 'POST';
  }
  return { status: body.status, headers, body: JSON.stringify(body) };
}
