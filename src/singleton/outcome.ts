/** What the singleton start is asked to do, and what came of it: facts, no wording. */
import type { StartableOrchestrator } from './catalog';
import type { ConflictPolicy, Refusal } from './policy';
import type { RuntimeStatus } from './statuses';

export interface StartCommand {
  readonly orchestrator: StartableOrchestrator;
  readonly instanceId: string;
  /** The orchestration input; `null` when the request had none. */
  readonly input: unknown;
  readonly onConflict: ConflictPolicy;
}

/** Another start of the ID held the lock for the whole wait. */
export interface InProgress {
  readonly rule: 'in-progress';
  readonly lockWaitMs: number;
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
      readonly refusal: Refusal | InProgress;
    }
  /** Retrying later may succeed (503). */
  | { readonly kind: 'unavailable'; readonly detail: string }
  /** A dependency answered no (502). */
  | { readonly kind: 'failed'; readonly detail: string };
