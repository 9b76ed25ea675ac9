/**
 * In-memory stand-ins for the singleton start's ports, with injected time. Every call is written
 * to one shared journal, so a test can state exactly what happened, in order.
 */
import {
  AlreadyExistsError,
  type HeldLock,
  type Instances,
  type LockKey,
  type SingletonLock,
} from '../../../src/singleton/ports';
import type { Clock, Logger, StartDeps } from '../../../src/singleton/start';
import { isRunning, type RuntimeStatus } from '../../../src/singleton/statuses';

export type Journal = string[];

/** Time that moves only when the code under test sleeps. */
export class FakeClock implements Clock {
  private ms = 0;
  now(): number {
    return this.ms;
  }
  sleep(ms: number): Promise<void> {
    this.ms += ms;
    return Promise.resolve();
  }
}

/**
 * A task hub's instances. The engine's duplicate check is exact here: a start over a running
 * instance is refused, as the extension does by default.
 */
export class FakeInstances implements Instances {
  readonly taskHub = 'hub';
  private readonly statuses = new Map<string, RuntimeStatus>();
  private readonly hiddenReads = new Map<string, number>();
  private readonly failures = new Map<'status' | 'start' | 'terminate', Error>();
  /** When a terminated instance reaches Terminated, by the clock; never when absent. */
  terminateTakesMs?: number;
  private terminatedAt?: number;

  constructor(
    private readonly journal: Journal,
    private readonly clock: Clock,
  ) {}

  /** An instance that exists under `instanceId`. */
  seed(instanceId: string, status: RuntimeStatus): void {
    this.statuses.set(instanceId, status);
  }

  /** The next `reads` status reads miss the instance: it appeared after them. */
  hideFromReads(instanceId: string, reads: number): void {
    this.hiddenReads.set(instanceId, reads);
  }

  /** The next call of `operation` throws `error`. */
  failNext(operation: 'status' | 'start' | 'terminate', error: Error): void {
    this.failures.set(operation, error);
  }

  private maybeFail(operation: 'status' | 'start' | 'terminate'): void {
    const error = this.failures.get(operation);
    if (error) {
      this.failures.delete(operation);
      throw error;
    }
  }

  async status(instanceId: string): Promise<RuntimeStatus | undefined> {
    this.journal.push(`status ${instanceId}`);
    this.maybeFail('status');
    if (this.terminatedAt !== undefined && this.clock.now() >= this.terminatedAt) {
      this.statuses.set(instanceId, 'Terminated');
    }
    const hidden = this.hiddenReads.get(instanceId) ?? 0;
    if (hidden > 0) {
      this.hiddenReads.set(instanceId, hidden - 1);
      return undefined;
    }
    return this.statuses.get(instanceId);
  }

  async start(orchestrator: string, instanceId: string): Promise<void> {
    this.journal.push(`start ${orchestrator} ${instanceId}`);
    this.maybeFail('start');
    const existing = this.statuses.get(instanceId);
    if (existing && isRunning(existing)) {
      throw new AlreadyExistsError(existing);
    }
    this.statuses.set(instanceId, 'Pending');
  }

  async terminate(instanceId: string): Promise<void> {
    this.journal.push(`terminate ${instanceId}`);
    this.maybeFail('terminate');
    if (this.terminateTakesMs !== undefined) {
      this.terminatedAt = this.clock.now() + this.terminateTakesMs;
    }
  }
}

/** How a hold ended: still held, released, or left to expire. */
export type HoldState = 'held' | 'released' | 'leftToExpire';

export class FakeLock implements SingletonLock {
  /** Another holder keeps the lock for the whole wait. */
  busy = false;
  private failure?: Error;
  readonly holds: { state: HoldState }[] = [];

  constructor(private readonly journal: Journal) {}

  /** The next `acquire` throws `error`. */
  failNext(error: Error): void {
    this.failure = error;
  }

  prepare({ instanceId }: LockKey): Promise<void> {
    this.journal.push(`prepare ${instanceId}`);
    return Promise.resolve();
  }

  acquire({ instanceId }: LockKey, waitMs: number): Promise<HeldLock | undefined> {
    this.journal.push(`acquire ${instanceId} ${waitMs}`);
    const failure = this.failure;
    this.failure = undefined;
    if (failure) return Promise.reject(failure);
    if (this.busy) return Promise.resolve(undefined);
    const hold = { state: 'held' as HoldState };
    this.holds.push(hold);
    const end = (state: HoldState) => {
      // The port's contract: a hold ends once, one way.
      if (hold.state !== 'held') throw new Error(`hold already ${hold.state}`);
      hold.state = state;
      this.journal.push(`${state} ${instanceId}`);
    };
    return Promise.resolve({
      release: () => Promise.resolve(end('released')),
      leaveToExpire: () => end('leftToExpire'),
    });
  }
}

export class FakeLog implements Logger {
  readonly lines: string[] = [];
  info(message: string): void {
    this.lines.push(message);
  }
  warn(message: string): void {
    this.lines.push(message);
  }
}

/** A fresh world: ports, clock and journal, with the host's default settings. */
export function fakeWorld(settings: Partial<StartDeps> = {}) {
  const journal: Journal = [];
  const clock = new FakeClock();
  const instances = new FakeInstances(journal, clock);
  const lock = new FakeLock(journal);
  const log = new FakeLog();
  const deps: StartDeps = {
    instances,
    lock,
    log,
    clock,
    lockWaitMs: 10_000,
    restartTimeoutMs: 30_000,
    engineRefusesRunningDuplicates: true,
    ...settings,
  };
  return { journal, clock, instances, lock, log, deps };
}
