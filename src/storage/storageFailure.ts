/**
 * What a failed call of the storage SDK means for the starter: the one mapping from the SDK's error
 * to a dependency failure, shared by the lock and the Idempotency-Key records (both live in the
 * lock's container, and each names itself as the dependency).
 */
import {
  dependencyFailure,
  type Dependency,
  type DependencyError,
  type Observed,
} from '../dependencies/failure';

/**
 * The fields that matter here of the storage SDK's `RestError` and abort errors, and of the lock's
 * own `BlobCallError` (`timedOut`: no answer within the call's bound).
 */
export interface StorageError {
  statusCode?: number;
  code?: string;
  name?: string;
  message?: string;
  timedOut?: boolean;
}

/** The error's storage fields; anything else reads as "no answer". */
export function storageError(error: unknown): StorageError {
  return (error ?? {}) as StorageError;
}

/** What the storage SDK's error says about storage's answer. */
function observed(error: StorageError): Observed {
  if (error.timedOut === true || error.name === 'AbortError' || error.name === 'TimeoutError')
    return { answer: 'late' };
  return error.statusCode === undefined
    ? { answer: 'none' }
    : { answer: 'status', status: error.statusCode };
}

export function storageFailure(
  error: unknown,
  operation: string,
  dependency: Extract<Dependency, 'lock' | 'records'> = 'lock',
): DependencyError {
  const e = storageError(error);
  return dependencyFailure(
    dependency,
    `${operation} failed: ${e.message ?? String(error)}`,
    observed(e),
  );
}
