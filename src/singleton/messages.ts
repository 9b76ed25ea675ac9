/**
 * The wording of the singleton start: the problem details its answers carry and the lines it logs.
 * Everything else deals in facts (`policy.ts`, `outcome.ts`); only this module turns them into
 * English.
 */
import type { InProgress, SingletonResult, StartCommand } from './result';
import { isOwnedBy, type Refusal } from './policy';
import type { ExistingInstance } from './ports';
import type { RuntimeStatus } from './statuses';

/** `'orchestrator' as 'id'`: how log lines name a start. */
function startLabel({ orchestrator, instanceId }: StartCommand): string {
  return `'${orchestrator.name}' as '${instanceId}'`;
}

/**
 * What a read found, for a log line: its status, and the orchestrator when it is another's (the
 * log is the operator's, so it names it; an answer never does).
 */
function found(command: StartCommand, existing: ExistingInstance | undefined): string {
  if (existing === undefined) return 'no instance';
  return isOwnedBy(existing, command.orchestrator)
    ? existing.runtimeStatus
    : `a ${existing.runtimeStatus} instance of another orchestrator ('${existing.name}')`;
}

function refusalReason(refusal: Refusal): string {
  if (refusal.rule === 'other-orchestrator') {
    return `it is an instance of another orchestrator (${refusal.runtimeStatus}), and a start never attaches to, terminates or replaces another orchestrator's instance`;
  }
  if (refusal.rule === 'reuse') {
    return refusal.reuse === 'never'
      ? `the orchestrator's reuse policy 'never' forbids starting it again under an ID that was used before`
      : `the orchestrator's reuse policy 'failedOnly' replaces only Failed, Terminated or Canceled instances, and this one is ${refusal.runtimeStatus}`;
  }
  if (refusal.rule === 'not-running') {
    return `no run of it is running (${refusal.runtimeStatus ?? 'no instance'}), and the signal may not start one`;
  }
  return refusal.by === 'engine'
    ? `the Durable engine refused the start: an instance with this ID is ${refusal.runtimeStatus ?? 'running'}`
    : `an instance with this ID is ${refusal.runtimeStatus}, and onConflict is 'reject'`;
}

/** The `detail` of a 409 answer. */
export function conflictDetail(instanceId: string, refusal: Refusal | InProgress): string {
  if (refusal.rule === 'in-progress') {
    return `Another start for instance '${instanceId}' is in progress: a start for this ID is in progress and did not finish within ${refusal.lockWaitMs} ms. Retry later.`;
  }
  return `An instance with ID '${instanceId}' already exists. Refused because ${refusalReason(refusal)}.`;
}

export function restartTimedOutDetail(instanceId: string, restartTimeoutMs: number): string {
  return `The running instance '${instanceId}' was asked to terminate but did not end within ${restartTimeoutMs} ms; nothing was started.`;
}

/** The reason recorded on an instance terminated by `onConflict=restart`. */
export const RESTART_TERMINATE_REASON = 'Replaced by a new start (onConflict=restart)';

/** Log lines, one per path through the start. */
export const logLine = {
  settledWithoutLock: (
    command: StartCommand,
    seen: ExistingInstance | undefined,
    outcome: string,
  ): string =>
    `Start of ${startLabel(command)}: found ${found(command, seen)}, onConflict=${command.onConflict} → ${outcome} (no lock taken).`,
  lockBusy: (command: StartCommand, lockWaitMs: number): string =>
    `Start of ${startLabel(command)}: another start of this ID held the lock for ${lockWaitMs} ms → conflict.`,
  settledUnderLock: (
    command: StartCommand,
    current: ExistingInstance | undefined,
    outcome: string,
  ): string =>
    `Start of ${startLabel(command)}: found ${found(command, current)} under the lock, onConflict=${command.onConflict} → ${outcome}.`,
  started: (
    command: StartCommand,
    current: RuntimeStatus | undefined,
    rechecked: boolean,
    replaced: RuntimeStatus | undefined,
  ): string =>
    `Start of ${startLabel(command)}: found ${current ?? 'no instance'}${rechecked ? '' : ' (engine checks duplicates)'} → started${replaced ? ` (replacing ${replaced})` : ''}.`,
  engineRefused: (
    command: StartCommand,
    reported: RuntimeStatus | undefined,
    existing: ExistingInstance | undefined,
  ): string =>
    `Start of ${startLabel(command)}: the engine reported an existing${reported ? ` ${reported}` : ''} instance; read after it: ${existing ? found(command, existing) : 'unknown'}; onConflict=${command.onConflict}.`,
  leftToExpire: (command: StartCommand, reason: string): string =>
    `Start of ${startLabel(command)}: ${reason}; the lock is left to expire.`,
  terminating: (instanceId: string): string =>
    `Restart of '${instanceId}': terminating the running instance.`,
  stillRunning: (instanceId: string, status: RuntimeStatus, restartTimeoutMs: number): string =>
    `Restart of '${instanceId}': still ${status} after ${restartTimeoutMs} ms.`,
  notAttempted: (command: StartCommand, reason: string): string =>
    `Start of ${startLabel(command)} not attempted: ${reason}`,
  failed: (command: StartCommand, reason: string): string =>
    `Start of ${startLabel(command)} failed: ${reason}`,
};

/**
 * One sentence saying what came of a start, for doors without an answer of their own (a timer, a
 * queue message): what the HTTP door puts in its status and problem detail.
 */
export function resultLine(result: SingletonResult): string {
  switch (result.kind) {
    case 'started':
      return `started '${result.instanceId}'.`;
    case 'attached':
      return `'${result.instanceId}' is already ${result.runtimeStatus}; attached, nothing started.`;
    case 'replayed':
      return `replayed the earlier outcome for '${result.instanceId}' (${result.original.kind}); nothing started.`;
    case 'conflict':
      return `not started (${result.refusal.rule}): ${conflictDetail(result.instanceId, result.refusal)}`;
    case 'keyMismatch':
      return `not started: the idempotency key '${result.idempotencyKey}' was used for a different request (${result.differences.join(', ')} differ).`;
    case 'keyInProgress':
      return `not started yet: the first request with the idempotency key '${result.idempotencyKey}' is still being answered.`;
    case 'invalid':
      return `refused (invalid ${result.field}): ${result.detail}`;
    case 'unavailable':
      return `not started, retry later: ${result.detail}`;
    case 'failed':
      return `not started, a dependency failed: ${result.detail}`;
    case 'misconfigured':
      return `not started, the app is misconfigured: ${result.detail}`;
  }
}
