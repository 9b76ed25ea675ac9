/**
 * The singleton start: fast check → lock → re-check (see `mustRecheck`) → decide → start / attach /
 * restart.
 *
 * The extension's own duplicate check is not atomic on the Azure Storage backend (read, enqueue,
 * then write), so two concurrent starts of a new ID can both be told they succeeded. Holding a
 * lease on (task hub, ID) around the re-check and the start makes "check, then start" one step for
 * every starter that goes through here, on any number of app instances.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { AlreadyExistsError, BackendError, type Instances } from '../durable/instances';
import type { StartableOrchestrator } from './catalog';
import { LockFailedError, LockUnavailableError, type SingletonLock } from './leaseLock';
import { decide, mustRecheck, type ConflictPolicy, type Decision } from './policy';
import { isRunning, type RuntimeStatus } from './statuses';

export interface StartCommand {
  readonly orchestrator: StartableOrchestrator;
  readonly instanceId: string;
  /** The orchestration input; `null` when the request had none. */
  readonly input: unknown;
  readonly onConflict: ConflictPolicy;
}

export type StartOutcome =
  | { readonly kind: 'started'; readonly instanceId: string }
  | {
      readonly kind: 'attached';
      readonly instanceId: string;
      readonly runtimeStatus: RuntimeStatus;
    }
  | {
      readonly kind: 'conflict';
      readonly instanceId: string;
      readonly rule: 'running' | 'reuse' | 'in-progress';
      readonly runtimeStatus?: RuntimeStatus;
      readonly because: string;
    }
  | { readonly kind: 'unavailable'; readonly detail: string }
  | { readonly kind: 'failed'; readonly detail: string };

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
}

export interface StartDeps {
  readonly instances: Instances;
  readonly lock: SingletonLock;
  readonly log: Logger;
  readonly lockWaitMs: number;
  readonly restartTimeoutMs: number;
  /** How often a restart polls for the terminated instance to end. */
  readonly restartPollMs?: number;
  /** The engine refuses to start over a running instance (the host's default). */
  readonly engineRefusesRunningDuplicates: boolean;
}

type Early = Extract<StartOutcome, { kind: 'conflict' | 'attached' }>;

/** Answers a decision that needs no start; `undefined` when it does. */
function answerWithoutStart(command: StartCommand, decision: Decision): Early | undefined {
  const { instanceId } = command;
  switch (decision.action) {
    case 'conflict':
      return {
        kind: 'conflict',
        instanceId,
        rule: decision.rule,
        runtimeStatus: decision.runtimeStatus,
        because: decision.because,
      };
    case 'attach':
      return { kind: 'attached', instanceId, runtimeStatus: decision.runtimeStatus };
    default:
      return undefined;
  }
}

function describe(command: StartCommand): string {
  return `'${command.orchestrator.name}' as '${command.instanceId}'`;
}

export async function startSingleton(
  command: StartCommand,
  deps: StartDeps,
): Promise<StartOutcome> {
  try {
    return await run(command, deps);
  } catch (error) {
    if (
      error instanceof LockUnavailableError ||
      (error instanceof BackendError && error.unavailable)
    ) {
      deps.log.warn(`Start of ${describe(command)} not attempted: ${error.message}`);
      return { kind: 'unavailable', detail: error.message };
    }
    if (error instanceof LockFailedError || error instanceof BackendError) {
      deps.log.warn(`Start of ${describe(command)} failed: ${error.message}`);
      return { kind: 'failed', detail: error.message };
    }
    throw error;
  }
}

async function run(command: StartCommand, deps: StartDeps): Promise<StartOutcome> {
  const { instances, lock, log } = deps;
  const { orchestrator, instanceId, onConflict } = command;
  const what = describe(command);
  const key = { taskHub: instances.taskHub, instanceId };

  // Fast path: a conflict (or attach) visible now needs no lock. The lock blob is made ready
  // meanwhile, so that a start then needs one storage round trip to take the lock.
  const [seen] = await Promise.all([instances.status(instanceId), lock.prepare(key)]);
  const early = answerWithoutStart(command, decide(seen, onConflict, orchestrator.reuse));
  if (early) {
    log.info(
      `Start of ${what}: found ${seen}, onConflict=${onConflict} → ${early.kind} (no lock taken).`,
    );
    return early;
  }

  const held = await lock.acquire(key, deps.lockWaitMs);
  if (!held) {
    log.info(
      `Start of ${what}: another start of this ID held the lock for ${deps.lockWaitMs} ms → conflict.`,
    );
    return {
      kind: 'conflict',
      instanceId,
      rule: 'in-progress',
      because: `a start for this ID is in progress and did not finish within ${deps.lockWaitMs} ms`,
    };
  }
  try {
    const recheck = mustRecheck(
      seen,
      onConflict,
      orchestrator.reuse,
      deps.engineRefusesRunningDuplicates,
    );
    const current = recheck ? await instances.status(instanceId) : seen;
    const decision = decide(current, onConflict, orchestrator.reuse);
    const settled = answerWithoutStart(command, decision);
    if (settled) {
      log.info(
        `Start of ${what}: found ${current} under the lock, onConflict=${onConflict} → ${settled.kind}.`,
      );
      return settled;
    }
    if (decision.action === 'restart') {
      const ended = await terminateAndWait(instanceId, deps);
      if (!ended) {
        return {
          kind: 'unavailable',
          detail: `The running instance '${instanceId}' was asked to terminate but did not end within ${deps.restartTimeoutMs} ms; nothing was started.`,
        };
      }
    }
    await instances.start(orchestrator.name, instanceId, command.input);
    const replaced = decision.action === 'restart' ? 'Terminated' : current;
    log.info(
      `Start of ${what}: found ${current ?? 'no instance'}${recheck ? '' : ' (engine checks duplicates)'} → started${replaced ? ` (replacing ${replaced})` : ''}.`,
    );
    return { kind: 'started', instanceId };
  } catch (error) {
    if (error instanceof AlreadyExistsError) {
      return engineRefusal(command, error, deps);
    }
    if (error instanceof BackendError && error.timedOut) {
      // The call may still land (a start, or a terminate before a start): releasing now would let
      // the next start of this ID overlap it. The lease ends by itself instead.
      held.abandon();
      log.warn(`Start of ${what}: ${error.message}; the lock is left to expire.`);
    }
    throw error;
  } finally {
    await held.release();
  }
}

/**
 * The engine refused the start: an instance with the ID is running. Expected when the re-check was
 * left to the engine (an earlier holder started the ID), or when a start bypassed this lock.
 */
function engineRefusal(
  command: StartCommand,
  error: AlreadyExistsError,
  deps: StartDeps,
): StartOutcome {
  const { instanceId, onConflict } = command;
  const runtimeStatus = error.runtimeStatus;
  deps.log.info(
    `Start of ${describe(command)}: the engine reported an existing ${runtimeStatus ?? ''} instance, onConflict=${onConflict}.`,
  );
  if (onConflict === 'attach' && runtimeStatus) {
    return { kind: 'attached', instanceId, runtimeStatus };
  }
  return {
    kind: 'conflict',
    instanceId,
    rule: 'running',
    ...(runtimeStatus && { runtimeStatus }),
    because: `the Durable engine refused the start: an instance with this ID is ${runtimeStatus ?? 'running'}`,
  };
}

/** Terminates the instance and polls until it has ended; false when it outlives the timeout. */
async function terminateAndWait(instanceId: string, deps: StartDeps): Promise<boolean> {
  const { instances, log } = deps;
  log.info(`Restart of '${instanceId}': terminating the running instance.`);
  await instances.terminate(instanceId, 'Replaced by a new start (onConflict=restart)');
  const deadline = Date.now() + deps.restartTimeoutMs;
  const pollMs = deps.restartPollMs ?? 250;
  for (;;) {
    const status = await instances.status(instanceId);
    if (status === undefined || !isRunning(status)) {
      return true;
    }
    if (Date.now() >= deadline) {
      log.warn(`Restart of '${instanceId}': still ${status} after ${deps.restartTimeoutMs} ms.`);
      return false;
    }
    await sleep(pollMs);
  }
}
