/**
 * The pure part of the idempotent start: what a request with a key does when the key already has a
 * record, and whether a run found after an abandoned claim is that claim's.
 */
import {
  fingerprintDifferences,
  inputSha256,
  type Fingerprint,
  type FingerprintPart,
} from './fingerprint';
import type { Run } from '../singleton/ports';
import type { ReplayableOutcome } from '../singleton/result';
import type { IdempotencyRecord, RunIdentity } from './record';

export type KeyDecision =
  /** The first request with the key was answered: answer the same again, start nothing. */
  | { readonly action: 'replay'; readonly outcome: ReplayableOutcome; readonly run: RunIdentity }
  /** The key was used for a different request. */
  | { readonly action: 'mismatch'; readonly differences: readonly FingerprintPart[] }
  /** The first request with the key is still being answered (or its start may still land). */
  | { readonly action: 'inProgress'; readonly retryAfterMs: number }
  /**
   * The key is free to take: its record has expired, or its claim was abandoned (then a run
   * started since `runsSince` may be the abandoned request's, and must be looked for first).
   */
  | { readonly action: 'takeOver'; readonly abandonedSince?: string };

export function decideOnRecord(
  record: IdempotencyRecord,
  fingerprint: Fingerprint,
  nowMs: number,
  ttlMs: number,
): KeyDecision {
  if (record.state === 'completed') {
    if (Date.parse(record.completedAt) + ttlMs <= nowMs) return { action: 'takeOver' };
    const differences = fingerprintDifferences(record.fingerprint, fingerprint);
    if (differences.length > 0) return { action: 'mismatch', differences };
    return { action: 'replay', outcome: record.outcome, run: record.run };
  }
  const abandonedAfterMs = Date.parse(record.abandonedAfter);
  // A live claim never expires: its holder may be starting right now.
  const live = nowMs < abandonedAfterMs;
  const differences = fingerprintDifferences(record.fingerprint, fingerprint);
  // Expired, for another request: the key is free. For the same request, an expired claim is
  // still an abandoned one: its start may have landed (a TTL shorter than the claim's hold, as a
  // retry after a timed-out start met in chaos scenario i with a 20 s TTL), so its run is looked for.
  if (!live && Date.parse(record.claimedAt) + ttlMs <= nowMs && differences.length > 0) {
    return { action: 'takeOver' };
  }
  if (differences.length > 0) return { action: 'mismatch', differences };
  if (live) return { action: 'inProgress', retryAfterMs: abandonedAfterMs - nowMs };
  return { action: 'takeOver', abandonedSince: record.runsSince };
}

/** The engine reports creation times in whole seconds. */
const CREATED_TIME_PRECISION_MS = 1000;

/**
 * Is `run` the one an abandoned request started? Only lock holders start through this starter,
 * and the abandoned request held the key since `since`: a run of the same orchestrator with the
 * same input created since then is taken to be its (a run by another caller with exactly the same
 * input in that window would be taken for it too; it is the same work).
 */
export function isRunOf(run: Run | undefined, fingerprint: Fingerprint, since: string): run is Run {
  return (
    run !== undefined &&
    run.name.toLowerCase() === fingerprint.functionName.toLowerCase() &&
    Date.parse(run.createdTime) >= Date.parse(since) - CREATED_TIME_PRECISION_MS &&
    inputSha256(run.input) === fingerprint.inputSha256
  );
}
