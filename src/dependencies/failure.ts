/**
 * The one classifier of failed dependency calls, shared by the lock storage and durable adapters,
 * so that the same answer means the same thing whichever dependency gave it. Each adapter only
 * says what it observed; this decides what that means for the caller.
 */
import { DependencyError, type Dependency } from '../singleton/ports';

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
