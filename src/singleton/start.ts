/**
 * The singleton start: fast check → lock → check under the lock → start, attach, restart or refuse.
 *
 * The extension's own duplicate check is not atomic on the Azure Storage backend (read, enqueue,
 * then write), so two concurrent starts of a new ID can both be told they succeeded. Holding a
 * lease on (task hub, ID) around the re-check and the start makes "check, then start" one step for
 * every starter that goes through here, on any number of app instances.
 */
import { logLine, restartTimedOutDetail, RESTART_TERMINATE_REASON } from './messages';
import type { StartCommand, StartOutcome } from './outcome';
import { decide, decideOnEngineRefusal, mustRecheck, type Decision } from './policy';
import {
  AlreadyExistsError,
  DependencyError,
  type HeldLock,
  type Instances,
  type SingletonLock,
} from './ports';
import { isRunning, type RuntimeStatus } from './statuses';

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
}

/** Time, injected so that tests need no real timers. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export interface StartDeps {
  readonly instances: Instances;
  readonly lock: SingletonLock;
  readonly log: Logger;
  readonly clock: Clock;
  readonly lockWaitMs: number;
  readonly restartTimeoutMs: number;
  /** The engine refuses to start over a running instance (the host's default). */
  readonly engineRefusesRunningDuplicates: boolean;
}

/** How often a restart polls for the terminated instance to end. */
const RESTART_POLL_MS = 250;

export async function startSingleton(
  command: StartCommand,
  deps: StartDeps,
): Promise<StartOutcome> {
  try {
    const { seen, settled } = await fastCheck(command, deps);
    return settled ?? (await underLock(command, seen, deps));
  } catch (error) {
    if (!(error instanceof DependencyError)) throw error;
    if (error.kind === 'failed') {
      deps.log.warn(logLine.failed(command, error.message));
      return { kind: 'failed', detail: error.message };
    }
    deps.log.warn(logLine.notAttempted(command, error.message));
    return { kind: 'unavailable', detail: error.message };
  }
}

/**
 * Without the lock: a conflict (or attach) visible now needs none. The lock is made ready
 * meanwhile, so that a start then needs one storage round trip to take it.
 */
async function fastCheck(
  command: StartCommand,
  { instances, lock, log }: StartDeps,
): Promise<{ seen: RuntimeStatus | undefined; settled?: StartOutcome }> {
  const { instanceId, onConflict, orchestrator } = command;
  const [seen] = await Promise.all([
    instances.status(instanceId),
    lock.prepare({ taskHub: instances.taskHub, instanceId }),
  ]);
  const decision = decide(seen, onConflict, orchestrator.reuse);
  if (!isSettled(decision)) return { seen };
  const settled = settledOutcome(command, decision);
  log.info(logLine.settledWithoutLock(command, seen, settled.kind));
  return { seen, settled };
}

async function underLock(
  command: StartCommand,
  seen: RuntimeStatus | undefined,
  deps: StartDeps,
): Promise<StartOutcome> {
  const { instanceId } = command;
  const held = await deps.lock.acquire(
    { taskHub: deps.instances.taskHub, instanceId },
    deps.lockWaitMs,
  );
  if (!held) {
    deps.log.info(logLine.lockBusy(command, deps.lockWaitMs));
    return {
      kind: 'conflict',
      instanceId,
      refusal: { rule: 'in-progress', lockWaitMs: deps.lockWaitMs },
    };
  }
  return holding(held, command, deps, () => checkAndStart(command, seen, deps));
}

/**
 * Runs `work` under the held lock, then ends the hold, deciding here and only here how: released,
 * unless a call timed out. A timed-out call (a start, or a terminate before a start) may still
 * land, and releasing would let the next start of the ID overlap it, so the lease is left to expire.
 */
async function holding(
  held: HeldLock,
  command: StartCommand,
  { log }: StartDeps,
  work: () => Promise<StartOutcome>,
): Promise<StartOutcome> {
  let mayStillLand = false;
  try {
    return await work();
  } catch (error) {
    mayStillLand = error instanceof DependencyError && error.kind === 'timedOut';
    if (mayStillLand) log.warn(logLine.leftToExpire(command, (error as Error).message));
    throw error;
  } finally {
    if (mayStillLand) held.leaveToExpire();
    else await held.release();
  }
}

async function checkAndStart(
  command: StartCommand,
  seen: RuntimeStatus | undefined,
  deps: StartDeps,
): Promise<StartOutcome> {
  const { instances, log } = deps;
  const { orchestrator, instanceId, onConflict } = command;
  const recheck = mustRecheck(
    seen,
    onConflict,
    orchestrator.reuse,
    deps.engineRefusesRunningDuplicates,
  );
  const current = recheck ? await instances.status(instanceId) : seen;
  const decision = decide(current, onConflict, orchestrator.reuse);
  if (isSettled(decision)) {
    const settled = settledOutcome(command, decision);
    log.info(logLine.settledUnderLock(command, current, settled.kind));
    return settled;
  }
  if (decision.action === 'restart' && !(await terminateAndWait(instanceId, deps))) {
    return {
      kind: 'unavailable',
      detail: restartTimedOutDetail(instanceId, deps.restartTimeoutMs),
    };
  }
  try {
    await instances.start(orchestrator.name, instanceId, command.input);
  } catch (error) {
    if (!(error instanceof AlreadyExistsError)) throw error;
    log.info(logLine.engineRefused(command, error.runtimeStatus, onConflict));
    return settledOutcome(command, decideOnEngineRefusal(error.runtimeStatus, onConflict));
  }
  const replaced = decision.action === 'restart' ? 'Terminated' : current;
  log.info(logLine.started(command, current, recheck, replaced));
  return { kind: 'started', instanceId };
}

type Settled = Extract<Decision, { action: 'attach' | 'conflict' }>;

/** Whether the decision is answered without a start. */
function isSettled(decision: Decision): decision is Settled {
  return decision.action === 'attach' || decision.action === 'conflict';
}

function settledOutcome({ instanceId }: StartCommand, decision: Settled): StartOutcome {
  return decision.action === 'conflict'
    ? { kind: 'conflict', instanceId, refusal: decision.refusal }
    : { kind: 'attached', instanceId, runtimeStatus: decision.runtimeStatus };
}

/** Terminates the instance and polls until it has ended; false when it outlives the timeout. */
async function terminateAndWait(instanceId: string, deps: StartDeps): Promise<boolean> {
  const { instances, log, clock, restartTimeoutMs } = deps;
  log.info(logLine.terminating(instanceId));
  await instances.terminate(instanceId, RESTART_TERMINATE_REASON);
  const deadline = clock.now() + restartTimeoutMs;
  for (;;) {
    const status = await instances.status(instanceId);
    if (status === undefined || !isRunning(status)) {
      return true;
    }
    if (clock.now() >= deadline) {
      log.warn(logLine.stillRunning(instanceId, status, restartTimeoutMs));
      return false;
    }
    await clock.sleep(RESTART_POLL_MS);
  }
}
