/**
 * How a call to a dependency went wrong, and the one classifier of failed dependency calls, shared
 * by the lock storage, the Idempotency-Key records and the durable adapter, so that the same answer
 * means the same thing whichever dependency gave it. Each adapter only says what it observed; this
 * decides what that means for the caller.
 */

/** Which dependency failed a call: the lock's storage, the Idempotency-Key records, the engine. */
export type Dependency = 'lock' | 'records' | 'durable';

/**
 * How a dependency call went wrong: `unavailable` (no answer, or "try later": retrying is right),
 * `timedOut` (no answer in time: the call may still take effect) or `failed` (it answered no).
 */
export type FailureKind = 'unavailable' | 'timedOut' | 'failed';

/** A dependency failed a call. */
export class DependencyError extends Error {
  override readonly name = 'DependencyError';
  constructor(
    readonly dependency: Dependency,
    readonly kind: FailureKind,
    message: string,
  ) {
    super(message);
  }
}

export type Observed =
  /** Nothing came back: connection refused, reset, name not resolved. */
  | { readonly answer: 'none' }
  /** No answer within the call's bound; the call may still take effect. */
  | { readonly answer: 'late' }
  /** An HTTP status. */
  | { readonly answer: 'status'; readonly status: number }
  /** Something came back that is neither of the above (an unreadable answer, an unknown error). */
  | { readonly answer: 'other' };

/** Answers that say "try again later": a retry may well succeed. */
const RETRY_LATER: ReadonlySet<number> = new Set([408, 429, 502, 503, 504]);

export function dependencyFailure(
  dependency: Dependency,
  message: string,
  observed: Observed,
): DependencyError {
  switch (observed.answer) {
    case 'none':
      return new DependencyError(dependency, 'unavailable', message);
    case 'late':
      return new DependencyError(dependency, 'timedOut', message);
    case 'status':
      return new DependencyError(
        dependency,
        RETRY_LATER.has(observed.status) ? 'unavailable' : 'failed',
        message,
      );
    case 'other':
      return new DependencyError(dependency, 'failed', message);
  }
}
