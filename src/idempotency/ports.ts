/**
 * What the idempotent start needs from the outside world beside the singleton ports: a store of
 * records per key, with atomic create-if-absent and compare-and-swap. `src/storage` implements it.
 */
import type { IdempotencyRecord } from './record';

/** Where a key lives: keys are scoped to a task hub. */
export interface KeyScope {
  readonly taskHub: string;
  readonly key: string;
}

/** An opaque version of a stored record (an ETag), for compare-and-swap. */
export type RecordVersion = string;

export interface IdempotencyStore {
  /** Stores `record` if the key has none; its version, or undefined when one exists. */
  create(scope: KeyScope, record: IdempotencyRecord): Promise<RecordVersion | undefined>;
  /** The key's record and its version, or undefined when it has none. */
  read(scope: KeyScope): Promise<{ record: IdempotencyRecord; version: RecordVersion } | undefined>;
  /** Replaces the record if it is still at `version`; the new version, or undefined if it moved. */
  replace(
    scope: KeyScope,
    record: IdempotencyRecord,
    version: RecordVersion,
  ): Promise<RecordVersion | undefined>;
  /** Deletes the record if it is still at `version`; a moved or missing record is left alone. */
  delete(scope: KeyScope, version: RecordVersion): Promise<void>;
}
