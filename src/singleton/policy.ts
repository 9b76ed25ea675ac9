/**
 * The singleton decisions: given what exists under an instance ID, the caller's conflict policy and
 * the orchestrator's reuse policy, what should the starter do? Pure: no I/O, no clock, no English
 * (the answers' wording lives in `messages.ts`).
 */
import { isRunning, type RuntimeStatus } from './statuses';

/** What a caller wants when the ID is taken by a running instance (query `onConflict`). */
export const CONFLICT_POLICIES = ['reject', 'attach', 'restart'] as const;
export type ConflictPolicy = (typeof CONFLICT_POLICIES)[number];

/** Which ended instances an orchestrator allows a new start to replace (declared in code). */
export type ReusePolicy = 'always' | 'failedOnly' | 'never';

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

export function decide(
  existing: RuntimeStatus | undefined,
  onConflict: ConflictPolicy,
  reuse: ReusePolicy,
): Decision {
  if (existing === undefined) {
    return { action: 'start' };
  }
  if (!isRunning(existing)) {
    return mayReplace(existing, reuse) ? { action: 'start' } : reuseRefusal(existing, reuse);
  }
  switch (onConflict) {
    case 'reject':
      return {
        action: 'conflict',
        refusal: { rule: 'running', by: 'starter', runtimeStatus: existing },
      };
    case 'attach':
      return { action: 'attach', runtimeStatus: existing };
    case 'restart':
      // A restart ends in replacing a Terminated instance, which the reuse policy must allow.
      return mayReplace('Terminated', reuse)
        ? { action: 'restart', runtimeStatus: existing }
        : reuseRefusal(existing, reuse);
  }
}

/**
 * The engine refused our start: an instance with the ID is running (it may not say in which
 * status). Expected when the re-check was left to the engine (an earlier holder started the ID),
 * or when a start bypassed the lock. A caller who asked to attach is attached, when the status is
 * known; every other caller is refused.
 */
export function decideOnEngineRefusal(
  runtimeStatus: RuntimeStatus | undefined,
  onConflict: ConflictPolicy,
): Extract<Decision, { action: 'attach' | 'conflict' }> {
  if (onConflict === 'attach' && runtimeStatus) {
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
 * Not when the first read found no instance, the reuse policy is `always` and the caller does not
 * ask for a restart, provided the engine refuses to start over a running instance (its default,
 * `overridableExistingInstanceStates: NonRunningStates`): then the start call itself is the check.
 * Why that is exact under the lock is argued in one place, the safety argument at the top of
 * `start.ts` (points 2 and 3). Every other case depends on what exactly exists now, so it is read
 * again.
 */
export function mustRecheck(
  seen: RuntimeStatus | undefined,
  onConflict: ConflictPolicy,
  reuse: ReusePolicy,
  engineRefusesRunningDuplicates: boolean,
): boolean {
  return !(
    engineRefusesRunningDuplicates &&
    seen === undefined &&
    reuse === 'always' &&
    onConflict !== 'restart'
  );
}
