/**
 * What the app keeps per idempotency key: first a pending claim (the request holding the key is
 * being answered), then the completed record (its answer and the run it started or attached to).
 * Times are ISO 8601 strings, so a stored record reads plainly.
 */
import type { Fingerprint } from './fingerprint';

/** An HTTP answer as recorded and replayed. */
export interface RecordedAnswer {
  readonly status: number;
  /** Only the headers worth replaying (`Content-Type`, `Location`, `Retry-After`). */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

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
  readonly answer: RecordedAnswer;
  readonly run: RunIdentity;
}

export type IdempotencyRecord = PendingRecord | CompletedRecord;
