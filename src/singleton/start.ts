/**
 * The singleton start: status read and lock request side by side → decision → start, attach,
 * restart or refuse under the lock → answer, with the lock's release left to run in the background.
 *
 * The extension's own duplicate check is not atomic on the Azure Storage backend (read, enqueue,
 * then write), so two concurrent starts of a new ID can both be told they succeeded. Holding a
 * lock on (task hub, ID) around the re-check and the start makes "check, then start" one step for
 * every starter that goes through here, on any number of app instances.
 *
 * Why this is safe: the one place that argues it (tests: test/unit/singleton/start.test.ts,
 * "safety"; the burst tests in test/integration/race.test.ts).
 *  1. Every start call (and a restart's terminate) is made only while this request holds the
 *     lock, and the hold ends only after that call has returned: `holding` ends it, after `work`.
 *     So no two start calls of one ID overlap, on any number of app instances. A call that got no
 *     answer in time may still land: then the hold is not ended but left to expire.
 *  2. The engine's duplicate check is racy only for overlapping starts. Between non-overlapping
 *     ones it is exact: it refuses a start over a running instance (with the host's default
 *     `overridableExistingInstanceStates: NonRunningStates`). So under the lock, the start call
 *     itself can be the check where the decision does not depend on more than "is one running"
 *     (`mustRecheck`); everywhere else the status is read again under the lock.
 *  3. The status read, where there is one, may happen before the lock is held (beside the
 *     request for it, to save a round trip): whatever it saw can only have changed by another
 *     holder's start, which (1) finished before ours begins and which (2) the engine or the
 *     re-check catches. Once the lock is held before a read has answered, the start goes on as if
 *     nothing had been seen: `mustRecheck` reads again under the lock unless the engine's check
 *     decides alone (reuse `always`, no restart); there, no read is made before the lock at all,
 *     unless the lock is taken by another start.
 *  4. A conflict (or attach) decided from a read made without the lock answers at once and
 *     starts nothing, so it needs no lock: a lock taken speculatively is released in the
 *     background. For an ID this process has just started or refused (`ConflictHints`), the read
 *     comes first and the lock only if needed, as a conflict is likely; a hint only orders the
 *     calls, it never decides an answer.
 *  5. The answer does not wait for the release: the start has returned before the release is
 *     issued (1), so the next holder comes in after it whenever the release lands. A release that
 *     never lands (process gone, storage down) only delays the next start of the ID until the
 *     lock expires; it cannot let two starts overlap. The release is bounded by the lock's
 *     storage timeout and never throws.
 *  6. 202 only after the start call itself succeeded; nothing else answers "started".
 *  7. An instance belongs to its orchestrator (`decide`): no start, attach or restart acts on an
 *     instance of another. The engine never compares orchestrators, so whose instance it is comes
 *     from a read made under the lock, as in (2): a read made before the lock may miss another
 *     orchestrator's start by an earlier holder, which (1) lets land before ours. The start call
 *     is the only check (no read under the lock) only for an orchestrator that may replace
 *     another's ended instance anyway (`replacesOtherOrchestrators`); there, a running one still
 *     makes the engine refuse, and the refusal is read once more before anyone is attached.
 */
import type { ConflictHints } from './conflictHints';
import { logLine, restartTimedOutDetail, RESTART_TERMINATE_REASON } from './messages';
import { decide, decideOnEngineRefusal, mustRecheck, type Decision } from './policy';
import {
  AlreadyExistsError,
  type Clock,
  type ExistingInstance,
  type HeldLock,
  type Instances,
  type LockKey,
  type Logger,
  type SingletonLock,
} from './ports';
import type { SingletonResult, StartCommand, StartOutcome } from './result';
import { isRunning } from './statuses';
import { DependencyError } from '../dependencies/failure';

/** What one start works with: the ports as this call sees them (traced, its own log). */
export interface StartCall {
  readonly instances: Instances;
  readonly lock: SingletonLock;
  readonly log: Logger;
}

/**
 * One step of the start. The flow below is the innermost; the Idempotency-Key records and the
 * telemetry wrap it with the same shape, as the traced ports wrap the ports.
 */
export interface StartStep {
  start(command: StartCommand, call: StartCall): Promise<SingletonResult>;
}

/** The flow's settings, fixed for the life of the process. */
export interface StartFlowSettings {
  readonly clock: Clock;
  readonly lockWaitMs: number;
  readonly restartTimeoutMs: number;
  /** The engine refuses to start over a running instance (the host's default). */
  readonly engineRefusesRunningDuplicates: boolean;
  /** IDs this process recently started or refused, kept across requests; none: no hints. */
  readonly conflictHints?: ConflictHints;
}

/** How often a restart polls for the terminated instance to end. */
const RESTART_POLL_MS = 250;

/** A lock request's result, caught at once so that a failure nobody awaits is never unhandled. */
type LockAttempt = { held: HeldLock } | { busy: true } | { error: unknown };

function attempt(lock: SingletonLock, key: LockKey, waitMs: number): Promise<LockAttempt> {
  return lock.acquire(key, waitMs).then(
    (held): LockAttempt => (held ? { held } : { busy: true }),
    (error: unknown) => ({ error }),
  );
}

/** A lock nobody will use: released once it arrives, without anyone waiting (safety point 4). */
function dropInBackground(pending: Promise<LockAttempt>): void {
  void pending.then((result) => ('held' in result ? result.held.release() : undefined));
}

type Read = { found: ExistingInstance | undefined } | { error: unknown };

function read(instances: Instances, instanceId: string): Promise<Read> {
  return instances.status(instanceId).then(
    (found) => ({ found }),
    (error: unknown) => ({ error }),
  );
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

export class StartFlow implements StartStep {
  constructor(private readonly settings: StartFlowSettings) {}

  async start(command: StartCommand, call: StartCall): Promise<StartOutcome> {
    try {
      const outcome = await this.checkThenLockAndAct(command, call);
      // Started or attached (it runs now), or refused: the next start of the ID is likely
      // refused. Not after a restart that outlived its timeout: what happens next is unknown.
      if (
        outcome.kind === 'started' ||
        outcome.kind === 'attached' ||
        outcome.kind === 'conflict'
      ) {
        this.settings.conflictHints?.expectConflict(command.instanceId);
      }
      return outcome;
    } catch (error) {
      if (!(error instanceof DependencyError)) throw error;
      if (error.kind === 'failed') {
        call.log.warn(logLine.failed(command, error.message));
        return { kind: 'failed', detail: error.message };
      }
      call.log.warn(logLine.notAttempted(command, error.message));
      return { kind: 'unavailable', detail: error.message };
    }
  }

  private async checkThenLockAndAct(command: StartCommand, call: StartCall): Promise<StartOutcome> {
    const { instances, lock, log } = call;
    const { lockWaitMs, engineRefusesRunningDuplicates, conflictHints } = this.settings;
    const { instanceId, onConflict, orchestrator } = command;
    const key = { taskHub: instances.taskHub, instanceId };
    // Safety points 3 and 4: for an ID this process just started or refused, read first, as a
    // conflict is likely; otherwise ask for the lock at once, without waiting for a holder, and
    // read beside it only where the answer may depend on the read.
    const hinted = conflictHints?.expectsConflict(instanceId) ?? false;
    const speculative = hinted ? undefined : attempt(lock, key, 0);
    let reading =
      hinted || mustRecheck(undefined, onConflict, orchestrator, engineRefusesRunningDuplicates)
        ? read(instances, instanceId)
        : undefined;
    if (speculative) {
      const first = await (reading ? Promise.race([reading, speculative]) : speculative);
      if ('held' in first) {
        // Safety point 3: as if nothing had been seen; `mustRecheck` reads again where needed.
        return this.holding(first.held, command, call, () =>
          this.checkAndStart(command, undefined, call),
        );
      }
    }
    // The lock is taken by another start (or not asked for yet): what exists decides.
    reading ??= read(instances, instanceId);
    const result = await reading;
    if ('error' in result) {
      if (speculative) dropInBackground(speculative);
      throw result.error;
    }
    const seen = result.found;
    const decision = decide(seen, onConflict, orchestrator);
    if (isSettled(decision)) {
      if (speculative) dropInBackground(speculative);
      const settled = settledOutcome(command, decision);
      // The common refusal, answered from one read with nothing taken or changed: its answer (and
      // the door's own line) says all this would, so it costs no line at the default level. On
      // the local host, a line is a write to the launcher's pipe: about a third of the app's
      // extra CPU per conflict answer over the sample's, which logs nothing on a conflict.
      log.debug(logLine.settledWithoutLock(command, seen, settled.kind));
      return settled;
    }
    // Not asked yet (hinted), or busy when asked at once: wait for the holder, within the bound.
    let locked = speculative ? await speculative : undefined;
    if (locked === undefined || 'busy' in locked) locked = await attempt(lock, key, lockWaitMs);
    if ('error' in locked) throw locked.error;
    if ('busy' in locked) {
      log.info(logLine.lockBusy(command, lockWaitMs));
      return { kind: 'conflict', instanceId, refusal: { rule: 'in-progress', lockWaitMs } };
    }
    return this.holding(locked.held, command, call, () => this.checkAndStart(command, seen, call));
  }

  /**
   * Runs `work` under the held lock, then ends the hold, deciding here and only here how (safety
   * points 1 and 5): released in the background once `work` has returned, unless a call timed out.
   * A timed-out call (a start, or a terminate before a start) may still land, and releasing would
   * let the next start of the ID overlap it, so the lock is left to expire.
   */
  private async holding(
    held: HeldLock,
    command: StartCommand,
    { log }: StartCall,
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
      else void held.release();
    }
  }

  private async checkAndStart(
    command: StartCommand,
    seen: ExistingInstance | undefined,
    call: StartCall,
  ): Promise<StartOutcome> {
    const { instances, log } = call;
    const { orchestrator, instanceId, onConflict } = command;
    const recheck = mustRecheck(
      seen,
      onConflict,
      orchestrator,
      this.settings.engineRefusesRunningDuplicates,
    );
    const current = recheck ? await instances.status(instanceId) : seen;
    const decision = decide(current, onConflict, orchestrator);
    if (isSettled(decision)) {
      const settled = settledOutcome(command, decision);
      log.info(logLine.settledUnderLock(command, current, settled.kind));
      return settled;
    }
    if (decision.action === 'restart' && !(await this.terminateAndWait(instanceId, call))) {
      return {
        kind: 'unavailable',
        detail: restartTimedOutDetail(instanceId, this.settings.restartTimeoutMs),
      };
    }
    try {
      await instances.start(orchestrator.name, instanceId, command.input);
    } catch (error) {
      if (!(error instanceof AlreadyExistsError)) throw error;
      // Safety point 7: whose instance it is, before anyone is attached to it. A read that fails
      // leaves it unknown, and the caller refused.
      const existing = await instances.status(instanceId).catch(() => undefined);
      log.info(logLine.engineRefused(command, error.runtimeStatus, existing));
      return settledOutcome(
        command,
        decideOnEngineRefusal(existing, error.runtimeStatus, onConflict, orchestrator),
      );
    }
    const replaced = decision.action === 'restart' ? 'Terminated' : current?.runtimeStatus;
    log.info(logLine.started(command, current?.runtimeStatus, recheck, replaced));
    return { kind: 'started', instanceId };
  }

  /** Terminates the instance and polls until it has ended; false when it outlives the timeout. */
  private async terminateAndWait(
    instanceId: string,
    { instances, log }: StartCall,
  ): Promise<boolean> {
    const { clock, restartTimeoutMs } = this.settings;
    log.info(logLine.terminating(instanceId));
    await instances.terminate(instanceId, RESTART_TERMINATE_REASON);
    const deadline = clock.now() + restartTimeoutMs;
    for (;;) {
      const status = (await instances.status(instanceId))?.runtimeStatus;
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
}
