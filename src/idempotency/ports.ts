/**
 * What the idempotent start needs from the outside world: a store of records per key, with atomic
 * create-if-absent and compare-and-swap, and a view of an instance's current run. `src/storage`
 * and `src/durable` implement these.
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

/** An instance's current run, as the engine reports it. */
export interface Run {
  readonly name: string;
  readonly createdTime: string;
  readonly input: unknown;
}

export interface Runs {
  /** The current run of `instanceId`, or undefined when no instance has the ID. */
  current(instanceId: string): Promise<Run | undefined>;
}
