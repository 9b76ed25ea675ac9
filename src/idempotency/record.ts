/**
 * What the app keeps per idempotency key: first a pending claim (the request holding the key is
 * being answered), then the completed record (the outcome and the run it started or attached to).
 * Times are ISO 8601 strings, so a stored record reads plainly. A record holds facts, never an
 * answer's bytes: the links of a replay are built anew, so no record carries a key or a host name.
 */
import type { ReplayableOutcome } from '../singleton/result';
import type { Fingerprint } from './fingerprint';

/** The run a keyed request started or attached to. */
export interface RunIdentity {
  readonly instanceId: string;
  /** The run's creation time as the engine reports it; absent when it could not be read. */
  readonly createdTime?: string;
}

interface RecordBase {
  readonly key: string;
  readonly fingerprint: Fingerprint;
  /** When this record's holder claimed the key. */
  readonly claimedAt: string;
}

export interface PendingRecord extends RecordBase {
  readonly state: 'pending';
  /**
   * Until then the claim is live: its holder is still answering, or a start it made may still
   * land. After it, the claim counts as abandoned and another request with the key may take over.
   */
  readonly abandonedAfter: string;
  /**
   * Since when a run created for this request may be this key's: the first unresolved claim's
   * time, kept across takeovers so that a crash between a start and its record is recognised.
   */
  readonly runsSince: string;
}

export interface CompletedRecord extends RecordBase {
  readonly state: 'completed';
  readonly completedAt: string;
  /** What the first request was answered: started, or attached to a running instance. */
  readonly outcome: ReplayableOutcome;
  readonly run: RunIdentity;
}

export type IdempotencyRecord = PendingRecord | CompletedRecord;
