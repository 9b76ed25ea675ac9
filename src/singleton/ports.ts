/**
 * What the singleton start needs from the outside world, stated by the domain: the durable
 * instances of a task hub, a lock per (task hub, instance ID), time and a log. `src/durable` and
 * `src/storage` implement these; the domain never imports them.
 */
import type { RuntimeStatus } from './statuses';

/** An instance's current run, as the engine reports it. */
export interface Run {
  readonly name: string;
  readonly createdTime: string;
  /** As the caller gave it (without receipts the run inherited: ./signalReceipt.ts). */
  readonly input: unknown;
}

/** What exists under an instance ID: whose instance it is, and how it stands. */
export interface ExistingInstance {
  /** The orchestrator it runs (function names are case-insensitive). */
  readonly name: string;
  readonly runtimeStatus: RuntimeStatus;
  /** What its run last set as custom status (signal receipts live there: ./signalReceipt.ts). */
  readonly customStatus?: unknown;
}

export interface Instances {
  readonly taskHub: string;
  /** The instance with this ID, or `undefined` when there is none. */
  status(instanceId: string): Promise<ExistingInstance | undefined>;
  /**
   * The instance's current run (orchestrator name, creation time, input), or `undefined` when no
   * instance has this ID. Only keyed starts read it, to record and recognise their run.
   */
  run(instanceId: string): Promise<Run | undefined>;
  /**
   * Starts `orchestrator` under `instanceId` with `input`. Throws `AlreadyExistsError` when the
   * engine refuses because an instance with the ID is running.
   */
  start(orchestrator: string, instanceId: string, input: unknown): Promise<void>;
  terminate(instanceId: string, reason: string): Promise<void>;
  /**
   * Raises `eventName` with `data` to the instance: `raised` when the engine took it for the
   * instance's current run, `ended` when that run has ended (the engine keeps no event for it),
   * `absent` when no instance has the ID.
   */
  raise(instanceId: string, eventName: string, data: unknown): Promise<Raised>;
}

export type Raised = 'raised' | 'ended' | 'absent';

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

/** The engine refused a start because an instance with that ID is still running. */
export class AlreadyExistsError extends Error {
  override readonly name = 'AlreadyExistsError';
  constructor(readonly runtimeStatus: RuntimeStatus | undefined) {
    super(`An instance with this ID already exists (${runtimeStatus ?? 'status unknown'}).`);
  }
}

/** Where the start's decisions are logged: the invocation's log, whatever the trigger. */
export interface Logger {
  /** What only someone tracing the starter needs (the hosts show it only when asked to). */
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
}

/** Time, injected so that tests need no real timers. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}
