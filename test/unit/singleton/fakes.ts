/**
 * In-memory stand-ins for the singleton start's ports, with injected time. Every call is written
 * to one shared journal, so a test can state exactly what happened, in order.
 */
import {
  openSignal,
  openStartInput,
  receiptsIn,
  withReceipt,
} from '../../../src/singleton/signalReceipt';
import {
  AlreadyExistsError,
  type Clock,
  type ExistingInstance,
  type HeldLock,
  type Instances,
  type LockKey,
  type Logger,
  type Raised,
  type Run,
  type SingletonLock,
} from '../../../src/singleton/ports';
import type { StartCommand, StartOutcome } from '../../../src/singleton/result';
import { StartFlow, type StartCall, type StartFlowSettings } from '../../../src/singleton/start';
import { isRunning, type RuntimeStatus } from '../../../src/singleton/statuses';

export type Journal = string[];

/** The orchestrator the tests' commands start, and whose instances `seed` makes by default. */
export const JOB = 'job';

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
  private readonly owners = new Map<string, string>();
  private readonly hiddenReads = new Map<string, number>();
  private readonly accepted = new Map<string, number>();
  private readonly failures = new Map<Operation, Error>();
  /** Events the engine took, per instance, in order: `name data` of each. */
  readonly raised = new Map<string, string[]>();
  /** The input each ID's latest start was given, as the engine got it (inherited receipts too). */
  readonly startInputs = new Map<string, unknown>();
  /** The next raise finds the run ended (as if it ended between the read and the raise). */
  endsBeforeRaise = false;
  /**
   * What a run does with a sealed signal it is raised (src/singleton/signalReceipt.ts): `reads` it
   * and lists its ID in custom status; `endsUnread` ends (Completed) without reading it, once, then
   * the next run reads; `never` reads it.
   */
  signalReader: 'reads' | 'endsUnread' | 'never' = 'reads';
  private readonly customStatuses = new Map<string, unknown>();
  private readonly runs = new Map<string, Run>();
  /** Status reads answer after the lock does (by default, before). */
  slowReads = false;
  /** Status reads never answer. */
  readsStall = false;
  /** When a terminated instance reaches Terminated, by the clock; never when absent. */
  terminateTakesMs?: number;
  private terminatedAt?: number;

  constructor(
    private readonly journal: Journal,
    private readonly clock: Clock,
  ) {}

  /** An instance of `name` that exists under `instanceId`. */
  seed(instanceId: string, status: RuntimeStatus, name = JOB): void {
    this.statuses.set(instanceId, status);
    this.owners.set(instanceId, name);
  }

  /** The next `reads` status reads miss the instance: it appeared after them. */
  hideFromReads(instanceId: string, reads: number): void {
    this.hiddenReads.set(instanceId, reads);
  }

  /** The next call of `operation` throws `error`. */
  failNext(operation: Operation, error: Error): void {
    this.failures.set(operation, error);
  }

  private maybeFail(operation: Operation): void {
    const error = this.failures.get(operation);
    if (error) {
      this.failures.delete(operation);
      throw error;
    }
  }

  async status(instanceId: string): Promise<ExistingInstance | undefined> {
    this.journal.push(`status ${instanceId}`);
    if (this.readsStall) await new Promise(() => undefined);
    if (this.slowReads) await turns(2);
    this.maybeFail('status');
    if (this.terminatedAt !== undefined && this.clock.now() >= this.terminatedAt) {
      this.statuses.set(instanceId, 'Terminated');
    }
    const hidden = this.hiddenReads.get(instanceId) ?? 0;
    if (hidden > 0) {
      this.hiddenReads.set(instanceId, hidden - 1);
      return undefined;
    }
    const runtimeStatus = this.statuses.get(instanceId);
    if (runtimeStatus === undefined) return undefined;
    const customStatus = this.customStatuses.get(instanceId);
    return {
      name: this.owners.get(instanceId) ?? JOB,
      runtimeStatus,
      ...(customStatus !== undefined && { customStatus }),
    };
  }

  /** Sets what the instance's run lists as custom status. */
  setCustomStatus(instanceId: string, customStatus: unknown): void {
    this.customStatuses.set(instanceId, customStatus);
  }

  /**
   * Like the real backend's duplicate check: read, then (a turn of the event loop later) write. So
   * it is exact for starts that do not overlap, and lets overlapping ones through, both accepted.
   */
  /** The current run, as a keyed start reads it (creation time from the clock). */
  async run(instanceId: string): Promise<Run | undefined> {
    this.journal.push(`run ${instanceId}`);
    this.maybeFail('run');
    return this.runs.get(instanceId);
  }

  /** A run that exists under `instanceId`, as `run()` reports it. */
  seedRun(instanceId: string, run: Run, status: RuntimeStatus = 'Running'): void {
    this.runs.set(instanceId, run);
    this.statuses.set(instanceId, status);
    this.owners.set(instanceId, run.name);
  }

  async start(orchestrator: string, instanceId: string, input?: unknown): Promise<void> {
    this.journal.push(`start ${orchestrator} ${instanceId}`);
    this.maybeFail('start');
    const existing = this.statuses.get(instanceId);
    if (existing && isRunning(existing)) {
      throw new AlreadyExistsError(existing);
    }
    await new Promise((resolve) => setImmediate(resolve));
    this.statuses.set(instanceId, 'Pending');
    this.customStatuses.delete(instanceId);
    this.owners.set(instanceId, orchestrator);
    this.startInputs.set(instanceId, input);
    this.runs.set(instanceId, {
      name: orchestrator,
      createdTime: new Date(this.clock.now()).toISOString(),
      // The port's contract: the input as the caller gave it.
      input: openStartInput(input).input,
    });
    this.accepted.set(instanceId, (this.accepted.get(instanceId) ?? 0) + 1);
  }

  /** Starts of `instanceId` the engine accepted (more than one: a run was lost or duplicated). */
  startsAccepted(instanceId: string): number {
    return this.accepted.get(instanceId) ?? 0;
  }

  async terminate(instanceId: string): Promise<void> {
    this.journal.push(`terminate ${instanceId}`);
    this.maybeFail('terminate');
    if (this.terminateTakesMs !== undefined) {
      this.terminatedAt = this.clock.now() + this.terminateTakesMs;
    }
  }

  /** As the engine answers a raise: for a running run only (410 `ended`, 404 `absent`). */
  async raise(instanceId: string, eventName: string, data: unknown): Promise<Raised> {
    this.journal.push(`raise ${instanceId} ${eventName}`);
    this.maybeFail('raise');
    await turns(1);
    if (this.endsBeforeRaise) {
      this.endsBeforeRaise = false;
      this.statuses.set(instanceId, 'Completed');
    }
    const status = this.statuses.get(instanceId);
    if (status === undefined) return 'absent';
    if (!isRunning(status)) return 'ended';
    const events = this.raised.get(instanceId) ?? [];
    events.push(`${eventName} ${JSON.stringify(data)}`);
    this.raised.set(instanceId, events);
    const { id } = openSignal(data);
    if (id !== undefined && this.signalReader === 'endsUnread') {
      this.signalReader = 'reads';
      this.statuses.set(instanceId, 'Completed');
    } else if (id !== undefined && this.signalReader === 'reads') {
      const receipts = receiptsIn(this.customStatuses.get(instanceId));
      this.customStatuses.set(instanceId, { receivedSignals: withReceipt(receipts, id) });
    }
    return 'raised';
  }
}

type Operation = 'status' | 'run' | 'start' | 'terminate' | 'raise';

/** How a hold ended: still held, released, or left to expire. */
export type HoldState = 'held' | 'released' | 'leftToExpire';

/**
 * A lock per instance ID, exclusive like the real one: while a hold is held, another `acquire`
 * waits for its end (any `waitMs` above 0; time is not modelled) or, with 0, gets nothing. Its
 * answers come a turn of the event loop after a status read's, unless reads are slow.
 */
export class FakeLock implements SingletonLock {
  /** Another holder, outside the test, keeps the lock for the whole wait. */
  busy = false;
  /** The lock's storage never answers an `acquire`. */
  stalled = false;
  /** A release is recorded when asked for, but never completes. */
  releaseStalls = false;
  private failure?: Error;
  readonly holds: { state: HoldState }[] = [];
  private readonly current = new Map<string, { state: HoldState }>();
  private readonly waiters = new Map<string, Array<() => void>>();

  constructor(private readonly journal: Journal) {}

  /** The next `acquire` throws `error`. */
  failNext(error: Error): void {
    this.failure = error;
  }

  acquire({ instanceId }: LockKey, waitMs: number): Promise<HeldLock | undefined> {
    this.journal.push(`acquire ${instanceId} ${waitMs}`);
    const failure = this.failure;
    this.failure = undefined;
    if (failure) return Promise.reject(failure);
    if (this.stalled) return new Promise(() => undefined);
    if (this.busy) return Promise.resolve(undefined);
    if (this.current.get(instanceId)?.state !== 'held') {
      // Taken now; the answer arrives a turn later, after a status read's.
      const held = this.grant(instanceId);
      return turns(1).then(() => held);
    }
    if (waitMs === 0) return turns(1).then(() => undefined);
    return new Promise((resolve) => {
      const queue = this.waiters.get(instanceId) ?? [];
      queue.push(() => resolve(this.grant(instanceId)));
      this.waiters.set(instanceId, queue);
    });
  }

  /** Whether a hold on `instanceId` is held now. */
  isHeld(instanceId: string): boolean {
    return this.current.get(instanceId)?.state === 'held';
  }

  private grant(instanceId: string): HeldLock {
    const hold = { state: 'held' as HoldState };
    this.holds.push(hold);
    this.current.set(instanceId, hold);
    const end = (state: HoldState) => {
      // The port's contract: a hold ends once, one way.
      if (hold.state !== 'held') throw new Error(`hold already ${hold.state}`);
      hold.state = state;
      this.journal.push(`${state} ${instanceId}`);
      // A hold left to expire frees the lock later; in these tests, at once.
      this.waiters.get(instanceId)?.shift()?.();
    };
    return {
      // Storage answers a release a turn or two later: after the start has answered.
      release: () => {
        end('released');
        return this.releaseStalls ? new Promise(() => undefined) : turns(2);
      },
      leaveToExpire: () => end('leftToExpire'),
    };
  }
}

export class FakeLog implements Logger {
  readonly lines: string[] = [];
  debug(message: string): void {
    this.lines.push(message);
  }
  info(message: string): void {
    this.lines.push(message);
  }
  warn(message: string): void {
    this.lines.push(message);
  }
}

/** `n` turns of the event loop. */
async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Lets work left running in the background (a lock's release) finish. */
export function settle(): Promise<void> {
  return turns(3);
}

/** The flow's settings and one call's ports together, as the tests set them up. */
export type StartDeps = StartFlowSettings & StartCall;

/** The start flow, built from `deps` and run once: what a test asks of it. */
export function startSingleton(command: StartCommand, deps: StartDeps): Promise<StartOutcome> {
  const { instances, lock, log } = deps;
  return new StartFlow(deps).start(command, { instances, lock, log });
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
  const call: StartCall = { instances: deps.instances, lock: deps.lock, log: deps.log };
  return { journal, clock, instances, lock, log, deps, call, flow: new StartFlow(deps) };
}
