/**
 * What the singleton starter is asked, and the one result every door maps (HTTP, timer, queue, a
 * caller's own code): facts, no wording, no transport.
 */
import type { StartableOrchestrator } from './catalog';
import type { ConflictPolicy, Refusal } from './policy';
import type { RuntimeStatus } from './statuses';

/** A start as a caller asks for it: plain data, not yet checked. */
export interface SingletonRequest {
  /** The orchestrator's function name (matched case-insensitively). */
  readonly orchestrator: string;
  readonly instanceId: string;
  /** The orchestration input (JSON data); absent or `undefined`: `null`. */
  readonly input?: unknown;
  /** What to do when an instance with the ID is running; default `reject`. */
  readonly onConflict?: string;
  /** Makes a retried request answer the original result instead of starting again. */
  readonly idempotencyKey?: string;
}

/** A checked start: every field is valid, the orchestrator is exposed. */
export interface StartCommand {
  readonly orchestrator: StartableOrchestrator;
  readonly instanceId: string;
  /** The orchestration input; `null` when the request had none. */
  readonly input: unknown;
  readonly onConflict: ConflictPolicy;
  readonly idempotencyKey?: string;
}

/** Another start of the ID held the lock for the whole wait. */
export interface InProgress {
  readonly rule: 'in-progress';
  readonly lockWaitMs: number;
}

/** What is wrong with a request, by the field at fault. */
export type InvalidField =
  | 'orchestrator'
  | 'instanceId'
  | 'onConflict'
  | 'input'
  | 'idempotencyKey'
  /** A signal's event: one the orchestrator does not declare (404). */
  | 'event'
  /** A signal's event data: the event's own check refuses it. */
  | 'eventData';

/** The outcomes of the start flow itself (without an Idempotency-Key, the whole story). */
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
      readonly refusal: Refusal | InProgress;
    }
  /**
   * Retrying later may succeed (503). A dependency did not answer: a start may or may not have
   * happened. Or, with `restartTimedOut`, a restart's old instance did not end in time: nothing
   * was started (the detail is the starter's own, and says so). Or, with `unconfirmed`, a run took
   * a signal and has not read it yet (src/singleton/signal.ts; the detail is the starter's own).
   */
  | {
      readonly kind: 'unavailable';
      readonly detail: string;
      readonly restartTimedOut?: true;
      readonly unconfirmed?: true;
    }
  /** A dependency answered no; nothing was started (502). */
  | { readonly kind: 'failed'; readonly detail: string };

/** Outcomes an Idempotency-Key replays: the ones that leave a run behind. */
export type ReplayableOutcome = Extract<StartOutcome, { kind: 'started' | 'attached' }>;

export type SingletonResult =
  | StartOutcome
  /** The key's first request was answered with `original`; nothing was started now. */
  | {
      readonly kind: 'replayed';
      readonly instanceId: string;
      readonly original: ReplayableOutcome;
    }
  /** The key was used for a different request (these fields differ). */
  | {
      readonly kind: 'keyMismatch';
      readonly idempotencyKey: string;
      readonly differences: readonly string[];
    }
  /** The key's first request is still being answered, or its start may still land. */
  | {
      readonly kind: 'keyInProgress';
      readonly idempotencyKey: string;
      readonly instanceId: string;
      readonly retryAfterMs: number;
    }
  /** The request is invalid; nothing was read or started. */
  | {
      readonly kind: 'invalid';
      readonly field: InvalidField;
      readonly detail: string;
      /** Field-specific facts: the offending character, the input check's errors. */
      readonly facts?: Readonly<Record<string, unknown>>;
    }
  /** An app setting is invalid (the detail names it); nothing was started. */
  | { readonly kind: 'misconfigured'; readonly detail: string };

/** Whether the result leaves a run of the request's ID behind (now or earlier). */
export function isAccepted(result: SingletonResult): boolean {
  return result.kind === 'started' || result.kind === 'attached' || result.kind === 'replayed';
}
