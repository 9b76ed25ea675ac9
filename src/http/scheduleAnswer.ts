/**
 * The one renderer of the schedule routes' answers: the views as JSON, a command's answer (the
 * scheduler has read it: 200, with the view read after it), and RFC 9457 problems otherwise.
 */
import type { HttpResponseInit } from '@azure/functions';
import type { SignalResult } from '../singleton/signal';
import type { SchedulesAnswer } from '../starter';
import { problem, problemResponse } from './problem';

const UNAVAILABLE =
  'The Durable backend or the lock storage is unavailable or did not answer in time. Retry later.';

const json = (status: number, body: unknown) => ({
  status,
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
});

function notFound(): HttpResponseInit {
  return problemResponse(
    problem('schedule-not-found', 'No schedule of this name is declared in this app.'),
  );
}

function failure(answer: { kind: string; detail: string }, invocationId: string) {
  switch (answer.kind) {
    case 'misconfigured':
      return problemResponse(problem('configuration-error', answer.detail, { invocationId }));
    case 'failed':
      return problemResponse(problem('backend-failure', UNAVAILABLE, { invocationId }));
    default:
      return problemResponse(problem('backend-unavailable', UNAVAILABLE, { invocationId }));
  }
}

/** `one`: the route named a schedule (its view, not a list). */
export function renderSchedules(
  answer: SchedulesAnswer,
  one: boolean,
  invocationId: string,
): HttpResponseInit {
  if (answer.kind === 'unknown') return notFound();
  if (answer.kind !== 'views') return failure(answer, invocationId);
  return one ? json(200, answer.views[0]) : json(200, { schedules: answer.views });
}

/** A command's answer: the scheduler read it (200, and the view after it), or why not. */
export function renderCommand(
  command: string,
  result: SignalResult,
  after: SchedulesAnswer | undefined,
  invocationId: string,
): HttpResponseInit {
  switch (result.kind) {
    case 'signaled':
    case 'started':
      return json(200, {
        command,
        read: true,
        ...(after?.kind === 'views' && { schedule: after.views[0] }),
      });
    case 'unavailable':
      return result.unconfirmed
        ? problemResponse(problem('signal-unconfirmed', result.detail, { invocationId }))
        : failure(result, invocationId);
    case 'failed':
    case 'misconfigured':
      return failure(result, invocationId);
    case 'invalid':
      return problemResponse(problem('invalid-idempotency-key', result.detail));
    case 'keyMismatch':
      return problemResponse(
        problem(
          'idempotency-key-mismatch',
          `Idempotency-Key '${result.idempotencyKey}' was used for another command of this schedule; use a new key.`,
          { idempotencyKey: result.idempotencyKey },
        ),
      );
    default:
      // The scheduler is the app's own orchestration: a conflict or refusal here is a bug or an
      // instance started past the app under its ID; say so without inventing a cause.
      return problemResponse(
        problem(
          'backend-failure',
          `The schedule's scheduler could not take the command (${result.kind}).`,
          { invocationId },
        ),
      );
  }
}
