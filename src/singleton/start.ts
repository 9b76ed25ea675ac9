/**
 * The singleton start: fast check → lock → re-check → decide → start / attach / restart.
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
import { decide, type ConflictPolicy, type Decision } from './policy';
import { isRunning, type RuntimeStatus } from './statuses';

export interface StartCommand {
  readonly orchestrator: StartableOrchestrator;
  readonly instanceId: string;
  /** The orchestration input; `null` when the request had none. */
  readonly input: unknown;
  readonly onConflict: ConflictPolicy;
}

export type StartOutcome =
  | { readonly kind: 'started'; readonly instanceId: string; readonly replaced?: RuntimeStatus }
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

  // Fast path: a conflict (or attach) visible now needs no lock.
  const seen = await instances.status(instanceId);
  const early = answerWithoutStart(command, decide(seen, onConflict, orchestrator.reuse));
  if (early) {
    log.info(
      `Start of ${what}: found ${seen}, onConflict=${onConflict} → ${early.kind} (no lock taken).`,
    );
    return early;
  }

  const held = await lock.acquire({ taskHub: instances.taskHub, instanceId }, deps.lockWaitMs);
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
    // Re-check under the lock: the state may have changed since the fast check.
    const current = await instances.status(instanceId);
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
      `Start of ${what}: found ${current ?? 'no instance'} → started${replaced ? ` (replacing ${replaced})` : ''}.`,
    );
    return replaced ? { kind: 'started', instanceId, replaced } : { kind: 'started', instanceId };
  } catch (error) {
    if (error instanceof AlreadyExistsError) {
      // Only a starter that bypasses this lock can get here; the engine's own check caught it.
      log.warn(
        `Start of ${what}: the engine reported an existing ${error.runtimeStatus ?? ''} instance → conflict.`,
      );
      return {
        kind: 'conflict',
        instanceId,
        rule: 'running',
        ...(error.runtimeStatus && { runtimeStatus: error.runtimeStatus }),
        because: `the Durable engine refused the start: an instance with this ID is ${error.runtimeStatus ?? 'running'}`,
      };
    }
    throw error;
  } finally {
    await held.release();
  }
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
