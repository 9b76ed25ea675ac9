/**
 * The singleton start: lock (or, for an ID just started or refused here, a status read) →
 * decision → start, attach, restart or refuse under the lock → answer, with the lock's release
 * left to run in the background.
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
 *     (`mustRecheck`); everywhere else the status is read under the lock.
 *  3. The lock is asked for first, without waiting for another holder; held, the status is read
 *     under it where the decision needs one. A read made before the lock (below) may be stale:
 *     whatever it saw can only have changed by another holder's start, which (1) finished before
 *     ours begins and which (2) the engine or the read under the lock catches. It is used only to
 *     refuse or attach (4), or as the re-check's starting point, never to start.
 *  4. When the lock is taken by another start, or for an ID this process has just started or
 *     refused (`ConflictHints`: a conflict is likely), the status is read without the lock, and a
 *     conflict (or attach) decided from it answers at once and starts nothing, so it needs no
 *     lock; otherwise the lock is waited for, within its bound. A hint only orders the calls, it
 *     never decides an answer.
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
 *  8. A new run of an orchestrator that acknowledges signals starts with the receipts of the
 *     instance it replaces (./signalReceipt.ts says why: a copy of a signal an earlier run read
 *     must not reach it as new). They come from a read under the lock (`mustRecheck` always reads
 *     for such an orchestrator; a restart from the read that saw the instance end), and between
 *     that read and the start nothing can add one: the instance has ended, and by (1) no other
 *     start or signal of the ID comes between.
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
  type Logger,
  type SingletonLock,
} from './ports';
import type { SingletonResult, StartCommand, StartOutcome } from './result';
import { inheritingInput } from './signalReceipt';
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
    const { lockWaitMs, conflictHints } = this.settings;
    const { instanceId, onConflict, orchestrator } = command;
    const key = { taskHub: instances.taskHub, instanceId };
    // Safety point 3: the lock first, without waiting for a holder; held, the status is read
    // under it where needed. Point 4: for an ID this process just started or refused, the read
    // comes first, as a conflict is likely.
    if (!conflictHints?.expectsConflict(instanceId)) {
      const held = await lock.acquire(key, 0);
      if (held) {
        return this.holding(held, command, call, () =>
          this.checkAndStart(command, undefined, call),
        );
      }
    }
    // The lock is taken by another start (or not asked for yet): what exists decides.
    const seen = await instances.status(instanceId);
    const decision = decide(seen, onConflict, orchestrator);
    if (isSettled(decision)) {
      const settled = settledOutcome(command, decision);
      // The common refusal, answered from one read with nothing taken or changed: its answer (and
      // the door's own line) says all this would, so it costs no line at the default level. On
      // the local host, a line is a write to the launcher's pipe: about a third of the app's
      // extra CPU per conflict answer over the sample's, which logs nothing on a conflict.
      log.debug(logLine.settledWithoutLock(command, seen, settled.kind));
      return settled;
    }
    // Wait for the holder, within the bound.
    const held = await lock.acquire(key, lockWaitMs);
    if (!held) {
      log.info(logLine.lockBusy(command, lockWaitMs));
      return { kind: 'conflict', instanceId, refusal: { rule: 'in-progress', lockWaitMs } };
    }
    return this.holding(held, command, call, () => this.checkAndStart(command, seen, call));
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
    let followed = current;
    if (decision.action === 'restart') {
      const ended = await this.terminateAndWait(instanceId, call);
      if (ended === 'stillRunning') {
        return {
          kind: 'unavailable',
          detail: restartTimedOutDetail(instanceId, this.settings.restartTimeoutMs),
          restartTimedOut: true,
        };
      }
      followed = ended;
    }
    // Safety point 8: the new run inherits the signal receipts of the instance it follows.
    const input =
      orchestrator.acknowledgesSignals === true
        ? inheritingInput(command.input, followed?.customStatus)
        : command.input;
    try {
      await instances.start(orchestrator.name, instanceId, input);
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

  /**
   * Terminates the instance and polls until it has ended: what it ended as (none: gone), or
   * `stillRunning` when it outlives the timeout.
   */
  private async terminateAndWait(
    instanceId: string,
    { instances, log }: StartCall,
  ): Promise<ExistingInstance | undefined | 'stillRunning'> {
    const { clock, restartTimeoutMs } = this.settings;
    log.info(logLine.terminating(instanceId));
    await instances.terminate(instanceId, RESTART_TERMINATE_REASON);
    const deadline = clock.now() + restartTimeoutMs;
    for (;;) {
      const existing = await instances.status(instanceId);
      const status = existing?.runtimeStatus;
      if (status === undefined || !isRunning(status)) {
        return existing;
      }
      if (clock.now() >= deadline) {
        log.warn(logLine.stillRunning(instanceId, status, restartTimeoutMs));
        return 'stillRunning';
      }
      await clock.sleep(RESTART_POLL_MS);
    }
  }
}
