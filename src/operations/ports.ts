/**
 * What the operator's routes need from the outside world, stated by the domain: a view of the
 * durable instances wider than a start's (custom status, times, a page of a listing, a purge), and
 * the app's own traces of an instance (its Idempotency-Key records). `src/durable` and
 * `src/storage` implement these; the domain never imports them.
 */
import type { RuntimeStatus } from '../singleton/statuses';

/** An instance as an operator sees it: never its history. */
export interface InstanceView {
  readonly instanceId: string;
  /** The orchestrator it runs. */
  readonly name: string;
  readonly runtimeStatus: RuntimeStatus;
  readonly customStatus: unknown;
  /** ISO 8601. */
  readonly createdTime: string;
  readonly lastUpdatedTime: string;
  /** Only when asked for (`SINGLETON_STATUS_SHOW_INPUT`). */
  readonly input?: unknown;
  readonly output?: unknown;
}

/** One page of the task hub's instances, filtered by the backend. */
export interface BackendQuery {
  readonly prefix?: string;
  readonly runtimeStatus?: readonly RuntimeStatus[];
  readonly createdFrom?: string;
  readonly createdTo?: string;
  readonly top: number;
  /** The backend's own token for the next page. */
  readonly continuation?: string;
}

export interface InstancePage {
  readonly instances: readonly InstanceView[];
  readonly continuation?: string;
}

export interface OperatedInstances {
  readonly taskHub: string;
  /** The instance, or `undefined` when no instance has this ID. */
  view(instanceId: string, showInput: boolean): Promise<InstanceView | undefined>;
  /** Throws `QueryRefusedError` when the backend refuses the query (a forged token). */
  list(query: BackendQuery, showInput: boolean): Promise<InstancePage>;
  terminate(instanceId: string, reason: string): Promise<void>;
  /** Removes the ended instance's history and state. */
  purge(instanceId: string): Promise<void>;
}

/** The app's own records that name an instance (Idempotency-Key records). */
export interface InstanceRecords {
  /**
   * Deletes every record of these instances, in one pass over the task hub's records; resolves to
   * how many each had.
   */
  forget(taskHub: string, instanceIds: readonly string[]): Promise<ReadonlyMap<string, number>>;
}

/** The backend refused a list query as malformed (its continuation token, most likely). */
export class QueryRefusedError extends Error {
  override readonly name = 'QueryRefusedError';
}
