/**
 * The singleton decisions: given what exists under an instance ID, the caller's conflict policy and
 * the orchestrator's reuse policy, what should the starter do? Pure: no I/O, no clock, no English
 * (the answers' wording lives in `messages.ts`).
 *
 * An instance belongs to its orchestrator: a start never attaches to, terminates or replaces an
 * instance of another orchestrator, whatever the caller's conflict policy (a caller allowed to
 * start one orchestrator must not end or overwrite another's run by naming its ID). Only an
 * orchestrator exposed with `replacesOtherOrchestrators` may replace another's *ended* instance.
 */
import type { ExistingInstance } from './ports';
import { isRunning, type RuntimeStatus } from './statuses';

/** What a caller wants when the ID is taken by a running instance (query `onConflict`). */
export const CONFLICT_POLICIES = ['reject', 'attach', 'restart'] as const;
export type ConflictPolicy = (typeof CONFLICT_POLICIES)[number];

/** Which ended instances an orchestrator allows a new start to replace (declared in code). */
export type ReusePolicy = 'always' | 'failedOnly' | 'never';

/** The orchestrator a start is for, as the decisions need it. */
export interface StartingOrchestrator {
  readonly name: string;
  readonly reuse: ReusePolicy;
  /** May replace an ended instance of another orchestrator (under `reuse`); default no. */
  readonly replacesOtherOrchestrators?: boolean;
  /**
   * Its runs list the signals they read in custom status, and a new run inherits the receipts of
   * the instance it follows (./signalReceipt.ts).
   */
  readonly acknowledgesSignals?: true;
}

/** Why a start was refused. */
export type Refusal =
  /** An instance with the ID is running and the caller asked to reject; `by` who saw it. */
  | {
      readonly rule: 'running';
      readonly by: 'starter' | 'engine';
      /** Unknown only when the engine refused without naming it. */
      readonly runtimeStatus?: RuntimeStatus;
    }
  /** The orchestrator's reuse policy forbids replacing the instance that has the ID. */
  | {
      readonly rule: 'reuse';
      readonly reuse: ReusePolicy;
      readonly runtimeStatus: RuntimeStatus;
    }
  /** The instance with the ID belongs to another orchestrator (not named: callers need not know). */
  | {
      readonly rule: 'other-orchestrator';
      readonly runtimeStatus: RuntimeStatus;
    }
  /** A signal that may only reach a running run found none (`startsRun: false`); none when absent. */
  | {
      readonly rule: 'not-running';
      readonly runtimeStatus?: RuntimeStatus;
    };

export type Decision =
  | { readonly action: 'start' }
  | { readonly action: 'attach'; readonly runtimeStatus: RuntimeStatus }
  | { readonly action: 'restart'; readonly runtimeStatus: RuntimeStatus }
  | { readonly action: 'conflict'; readonly refusal: Refusal };

const UNSUCCESSFUL: ReadonlySet<RuntimeStatus> = new Set(['Failed', 'Terminated', 'Canceled']);

/** May an instance that ended with `status` be replaced under `reuse`? */
export function mayReplace(status: RuntimeStatus, reuse: ReusePolicy): boolean {
  switch (reuse) {
    case 'always':
      return true;
    case 'failedOnly':
      return UNSUCCESSFUL.has(status);
    case 'never':
      return false;
  }
}

function reuseRefusal(runtimeStatus: RuntimeStatus, reuse: ReusePolicy): Decision {
  return { action: 'conflict', refusal: { rule: 'reuse', reuse, runtimeStatus } };
}

/** Whether `existing` is an instance of `orchestrator` (function names are case-insensitive). */
export function isOwnedBy(existing: ExistingInstance, orchestrator: StartingOrchestrator): boolean {
  return existing.name.toLowerCase() === orchestrator.name.toLowerCase();
}

function otherOrchestratorRefusal({ runtimeStatus }: ExistingInstance): Decision {
  return { action: 'conflict', refusal: { rule: 'other-orchestrator', runtimeStatus } };
}

export function decide(
  existing: ExistingInstance | undefined,
  onConflict: ConflictPolicy,
  orchestrator: StartingOrchestrator,
): Decision {
  if (existing === undefined) {
    return { action: 'start' };
  }
  const { runtimeStatus } = existing;
  const { reuse } = orchestrator;
  if (!isOwnedBy(existing, orchestrator)) {
    // Running: never attached to, never terminated. Ended: its history and output are another
    // orchestrator's, replaced only where this one opted in (and then under its reuse policy).
    if (isRunning(runtimeStatus) || orchestrator.replacesOtherOrchestrators !== true) {
      return otherOrchestratorRefusal(existing);
    }
  }
  if (!isRunning(runtimeStatus)) {
    return mayReplace(runtimeStatus, reuse)
      ? { action: 'start' }
      : reuseRefusal(runtimeStatus, reuse);
  }
  switch (onConflict) {
    case 'reject':
      return {
        action: 'conflict',
        refusal: { rule: 'running', by: 'starter', runtimeStatus },
      };
    case 'attach':
      return { action: 'attach', runtimeStatus };
    case 'restart':
      // A restart ends in replacing a Terminated instance, which the reuse policy must allow.
      return mayReplace('Terminated', reuse)
        ? { action: 'restart', runtimeStatus }
        : reuseRefusal(runtimeStatus, reuse);
  }
}

/**
 * The engine refused our start: an instance with the ID is running (`reported`: the status the
 * engine named, if any). Expected when the re-check was left to the engine (an earlier holder
 * started the ID), or when a start bypassed the lock. The engine does not compare orchestrators, so
 * `existing` is what a read made after the refusal found, if it answered: a caller who asked to
 * attach is attached only to an instance of this orchestrator whose status is known; every other
 * caller is refused.
 */
export function decideOnEngineRefusal(
  existing: ExistingInstance | undefined,
  reported: RuntimeStatus | undefined,
  onConflict: ConflictPolicy,
  orchestrator: StartingOrchestrator,
): Extract<Decision, { action: 'attach' | 'conflict' }> {
  if (existing && !isOwnedBy(existing, orchestrator)) {
    return {
      action: 'conflict',
      refusal: { rule: 'other-orchestrator', runtimeStatus: reported ?? existing.runtimeStatus },
    };
  }
  const runtimeStatus = reported ?? existing?.runtimeStatus;
  if (onConflict === 'attach' && existing && runtimeStatus) {
    return { action: 'attach', runtimeStatus };
  }
  return {
    action: 'conflict',
    refusal: { rule: 'running', by: 'engine', ...(runtimeStatus && { runtimeStatus }) },
  };
}

/**
 * Once the lock is held, must the status be read again before starting?
 *
 * Not when the first read found no instance, the reuse policy is `always`, the orchestrator may
 * replace other orchestrators' ended instances, its runs do not acknowledge signals (a new run
 * inherits the receipts of the instance it follows, read here), and the caller does not ask for a
 * restart, provided the engine refuses to start over a running instance (its default,
 * `overridableExistingInstanceStates: NonRunningStates`): then the start call itself is the check.
 * Why that is exact under the lock is argued in one place, the safety argument at the top of
 * `start.ts` (points 2, 3 and 7). Every other case depends on what exactly exists now, and whose it
 * is (the engine never compares orchestrators), so it is read again.
 */
export function mustRecheck(
  seen: ExistingInstance | undefined,
  onConflict: ConflictPolicy,
  orchestrator: StartingOrchestrator,
  engineRefusesRunningDuplicates: boolean,
): boolean {
  return !(
    engineRefusesRunningDuplicates &&
    seen === undefined &&
    orchestrator.reuse === 'always' &&
    orchestrator.replacesOtherOrchestrators === true &&
    orchestrator.acknowledgesSignals !== true &&
    onConflict !== 'restart'
  );
}
