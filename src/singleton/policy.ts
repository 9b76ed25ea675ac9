/**
 * The singleton decision: given what exists under an instance ID, the caller's conflict policy and
 * the orchestrator's reuse policy, what should the starter do? Pure: no I/O, no clock.
 */
import { isRunning, type RuntimeStatus } from './statuses';

/** What a caller wants when the ID is taken by a running instance (query `onConflict`). */
export const CONFLICT_POLICIES = ['reject', 'attach', 'restart'] as const;
export type ConflictPolicy = (typeof CONFLICT_POLICIES)[number];

/** Which ended instances an orchestrator allows a new start to replace (declared in code). */
export const REUSE_POLICIES = ['always', 'failedOnly', 'never'] as const;
export type ReusePolicy = (typeof REUSE_POLICIES)[number];

export type ConflictRule = 'running' | 'reuse';

export type Decision =
  | { readonly action: 'start' }
  | { readonly action: 'attach'; readonly runtimeStatus: RuntimeStatus }
  | { readonly action: 'restart'; readonly runtimeStatus: RuntimeStatus }
  | {
      readonly action: 'conflict';
      readonly rule: ConflictRule;
      readonly runtimeStatus: RuntimeStatus;
      /** Human-readable statement of the rule that refused the start. */
      readonly because: string;
    };

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

function reuseRefusal(status: RuntimeStatus, reuse: ReusePolicy): Decision {
  const because =
    reuse === 'never'
      ? `the orchestrator's reuse policy 'never' forbids starting it again under an ID that was used before`
      : `the orchestrator's reuse policy 'failedOnly' replaces only Failed, Terminated or Canceled instances, and this one is ${status}`;
  return { action: 'conflict', rule: 'reuse', runtimeStatus: status, because };
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
        rule: 'running',
        runtimeStatus: existing,
        because: `an instance with this ID is ${existing}, and onConflict is 'reject'`,
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
 * Once the lock is held, must the status be read again before starting?
 *
 * Not when the fast check found no instance, the reuse policy is `always` and the caller does not
 * ask for a restart, provided the engine refuses to start over a running instance (its default,
 * `overridableExistingInstanceStates: NonRunningStates`). The lock serializes every start of the
 * ID, so the only thing that can have happened since the fast check is an earlier holder's start,
 * which returned before that holder released the lock. The engine's duplicate check is racy only
 * for overlapping starts; for a completed one it is exact, so it refuses ours if that instance
 * still runs, and an instance that has already ended may be replaced under `always` anyway.
 * Every other case depends on what exactly exists now, so it is read again.
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
