/**
 * How long a claim on a key lasts, from the starter's own bounds. A live request must never be
 * taken for abandoned, so its claim outlasts everything it may wait for; a claim left by a start
 * that got no answer lasts until that start can no longer land (the ID's lease, left to expire).
 */
export interface StarterBounds {
  readonly lockWaitMs: number;
  readonly restartTimeoutMs: number;
  readonly lockLeaseSeconds: number;
  readonly backendTimeoutMs: number;
}

/**
 * Storage and durable calls a keyed request makes in sequence at most (claim, read, take over,
 * status, lock blob, lease, status, terminate, start, run, record), each bounded by the backend
 * timeout (and storage calls tried twice).
 */
const SEQUENTIAL_CALLS = 12;

export function claimHoldMs(bounds: StarterBounds): number {
  return (
    bounds.lockWaitMs +
    bounds.restartTimeoutMs +
    bounds.lockLeaseSeconds * 1000 +
    SEQUENTIAL_CALLS * bounds.backendTimeoutMs
  );
}

export function unsettledHoldMs(bounds: StarterBounds): number {
  return bounds.lockLeaseSeconds * 1000 + bounds.backendTimeoutMs;
}
