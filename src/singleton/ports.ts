/**
 * What the singleton start needs from the outside world, stated by the domain: the durable
 * instances of a task hub and a lock per (task hub, instance ID). `src/durable` and `src/storage`
 * implement these; the domain never imports them.
 */
import type { RuntimeStatus } from './statuses';

export interface Instances {
  readonly taskHub: string;
  /** The instance's runtime status, or `undefined` when no instance has this ID. */
  status(instanceId: string): Promise<RuntimeStatus | undefined>;
  /**
   * Starts `orchestrator` under `instanceId` with `input`. Throws `AlreadyExistsError` when the
   * engine refuses because an instance with the ID is running.
   */
  start(orchestrator: string, instanceId: string, input: unknown): Promise<void>;
  terminate(instanceId: string, reason: string): Promise<void>;
}

export interface LockKey {
  readonly taskHub: string;
  readonly instanceId: string;
}

export interface SingletonLock {
  /**
   * Resolves to the held lock, or `undefined` when another holder kept it for `waitMs` (with 0:
   * held by another now).
   */
  acquire(key: LockKey, waitMs: number): Promise<HeldLock | undefined>;
}

/** A held lock. Its holder ends the hold once, with exactly one of these two calls. */
export interface HeldLock {
  /**
   * Frees the lock for the next holder; never throws (an unreleased lock expires), and is bounded
   * in time, so a caller may leave it running in the background.
   */
  release(): Promise<void>;
  /**
   * Stops keeping the lock without freeing it: it expires by itself after its lease. For when a
   * call made under the lock may still take effect, so the next holder must not come in at once.
   */
  leaveToExpire(): void;
}

export type Dependency = 'lock' | 'durable';

/**
 * How a dependency call went wrong: `unavailable` (no answer, or "try later": retrying is right),
 * `timedOut` (no answer in time: the call may still take effect) or `failed` (it answered no).
 */
export type FailureKind = 'unavailable' | 'timedOut' | 'failed';

/** A dependency (lock storage or the durable backend) failed a call. */
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

/** The engine refused a start because an instance with that ID is still running. */
export class AlreadyExistsError extends Error {
  override readonly name = 'AlreadyExistsError';
  constructor(readonly runtimeStatus: RuntimeStatus | undefined) {
    super(`An instance with this ID already exists (${runtimeStatus ?? 'status unknown'}).`);
  }
}
