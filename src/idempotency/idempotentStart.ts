/**
 * A start with an `Idempotency-Key`: claim the key, start, record the answer; or, when the key is
 * taken, replay its answer, refuse a different request (422), or say the first is in progress (409).
 *
 * The key's record is its own mutual exclusion, apart from the instance's lock: a blob created with
 * If-None-Match: * (the claim) exists once, whichever app instance writes it, and every later change
 * is a compare-and-swap on its ETag. So exactly one request holds a key at a time, and a holder
 * that lost its claim (taken over as abandoned) cannot overwrite its successor's record.
 */
import type { StartOutcome } from '../singleton/outcome';
import { DependencyError } from '../singleton/ports';
import type { Logger } from '../singleton/start';
import { decideOnRecord, isRunOf } from './decision';
import type { Fingerprint, FingerprintPart } from './fingerprint';
import { idempotencyLogLine } from './messages';
import type { IdempotencyStore, KeyScope, RecordVersion, Runs } from './ports';
import type { CompletedRecord, PendingRecord, RecordedAnswer, RunIdentity } from './record';

export interface KeyedRequest {
  readonly scope: KeyScope;
  readonly fingerprint: Fingerprint;
}

export interface IdempotencyDeps {
  readonly store: IdempotencyStore;
  readonly runs: Runs;
  readonly clock: { now(): number };
  readonly log: Logger;
  /** How long a completed answer is replayed. */
  readonly ttlMs: number;
  /** The longest a live request holds its claim; past it, the claim counts as abandoned. */
  readonly claimHoldMs: number;
  /** After an answer that leaves a start unknown (a 503): until such a start can no longer land. */
  readonly unsettledHoldMs: number;
}

/** The singleton start's outcome and the HTTP answer made of it. */
export interface Answered {
  readonly outcome: StartOutcome;
  readonly answer: RecordedAnswer;
}

export interface KeyedActions {
  /** Runs the singleton start (only ever once per call of `idempotentStart`). */
  start(): Promise<Answered>;
  /** The answer of a start of the instance (the 202), for a run found to be an abandoned claim's. */
  startedAnswer(): Promise<RecordedAnswer>;
}

export type KeyedResult =
  /** This request was the key's first: its own answer. */
  | { readonly kind: 'answered'; readonly answer: RecordedAnswer }
  /** The key's recorded answer; nothing was started. */
  | { readonly kind: 'replayed'; readonly answer: RecordedAnswer; readonly run: RunIdentity }
  | { readonly kind: 'mismatch'; readonly differences: readonly FingerprintPart[] }
  | { readonly kind: 'inProgress'; readonly retryAfterMs: number }
  /** The record store or the engine failed before anything was started. */
  | { readonly kind: 'unavailable' | 'failed'; readonly detail: string };

/** Rounds of claim → read → take over before a busy key is answered as in progress. */
const MAX_ROUNDS = 3;

export async function idempotentStart(
  request: KeyedRequest,
  deps: IdempotencyDeps,
  actions: KeyedActions,
): Promise<KeyedResult> {
  try {
    return await claimAndAnswer(request, deps, actions);
  } catch (error) {
    if (!(error instanceof DependencyError)) throw error;
    deps.log.warn(idempotencyLogLine.storeFailed(request.scope, error.message));
    return { kind: error.kind === 'failed' ? 'failed' : 'unavailable', detail: error.message };
  }
}

async function claimAndAnswer(
  request: KeyedRequest,
  deps: IdempotencyDeps,
  actions: KeyedActions,
): Promise<KeyedResult> {
  const { store, clock, ttlMs } = deps;
  const { scope, fingerprint } = request;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const claim = pending(request, deps);
    const claimed = await store.create(scope, claim);
    if (claimed !== undefined) return startAndRecord(request, deps, actions, claim, claimed);

    const existing = await store.read(scope);
    if (!existing) continue; // released between our claim and our read: claim again
    const decision = decideOnRecord(existing.record, fingerprint, clock.now(), ttlMs);
    switch (decision.action) {
      case 'replay':
        deps.log.info(idempotencyLogLine.replayed(scope, decision.answer.status));
        return { kind: 'replayed', answer: decision.answer, run: decision.run };
      case 'mismatch':
        deps.log.info(idempotencyLogLine.mismatch(scope, decision.differences));
        return { kind: 'mismatch', differences: decision.differences };
      case 'inProgress':
        return { kind: 'inProgress', retryAfterMs: decision.retryAfterMs };
      case 'takeOver': {
        const claim = pending(request, deps, decision.abandonedSince);
        const version = await store.replace(scope, claim, existing.version);
        if (version === undefined) continue; // another request took it first
        deps.log.info(idempotencyLogLine.tookOver(scope, decision.abandonedSince));
        if (decision.abandonedSince !== undefined) {
          const found = await findAbandonedRun(request, deps, actions, version, claim);
          if (found) return found;
        }
        return startAndRecord(request, deps, actions, claim, version);
      }
    }
  }
  return { kind: 'inProgress', retryAfterMs: 1000 };
}

function pending(request: KeyedRequest, deps: IdempotencyDeps, runsSince?: string): PendingRecord {
  const now = deps.clock.now();
  const claimedAt = new Date(now).toISOString();
  return {
    state: 'pending',
    key: request.scope.key,
    fingerprint: request.fingerprint,
    claimedAt,
    abandonedAfter: new Date(now + deps.claimHoldMs).toISOString(),
    runsSince: runsSince ?? claimedAt,
  };
}

/**
 * After taking over an abandoned claim: its holder may have started the run and died before
 * recording it (or timed out on a start that landed). Such a start can no longer land by now, so
 * the current run tells: if it is that request's, it is recorded and answered as a replay.
 */
async function findAbandonedRun(
  request: KeyedRequest,
  deps: IdempotencyDeps,
  actions: KeyedActions,
  version: RecordVersion,
  claim: PendingRecord,
): Promise<KeyedResult | undefined> {
  const { instanceId } = request.fingerprint;
  const run = await deps.runs.current(instanceId);
  if (!isRunOf(run, request.fingerprint, claim.runsSince)) return undefined;
  const answer = await actions.startedAnswer();
  const identity = { instanceId, createdTime: run.createdTime };
  await saveCompleted(request, deps, version, claim, answer, identity);
  deps.log.info(idempotencyLogLine.adopted(request.scope, run.createdTime));
  return { kind: 'replayed', answer, run: identity };
}

async function startAndRecord(
  request: KeyedRequest,
  deps: IdempotencyDeps,
  actions: KeyedActions,
  claim: PendingRecord,
  version: RecordVersion,
): Promise<KeyedResult> {
  const { store, log } = deps;
  const { scope, fingerprint } = request;
  const { outcome, answer } = await actions.start();
  switch (outcome.kind) {
    case 'started':
    case 'attached': {
      // The run's identity, read now: the start returned, so its run is visible.
      const run = await deps.runs.current(fingerprint.instanceId).catch((error: unknown) => {
        log.warn(idempotencyLogLine.runUnread(scope, (error as Error).message));
        return undefined;
      });
      const identity = { instanceId: fingerprint.instanceId, createdTime: run?.createdTime };
      await saveCompleted(request, deps, version, claim, answer, identity).catch((error: unknown) =>
        log.warn(idempotencyLogLine.unrecorded(scope, String(error))),
      );
      return { kind: 'answered', answer };
    }
    case 'unavailable': {
      // A start that got no answer may still land: keep the key until it no longer can, so a
      // retry then finds that run (and replays) rather than starting a second one.
      const unsettled: PendingRecord = {
        ...claim,
        abandonedAfter: new Date(deps.clock.now() + deps.unsettledHoldMs).toISOString(),
      };
      await store
        .replace(scope, unsettled, version)
        .catch((error: unknown) => log.warn(idempotencyLogLine.unrecorded(scope, String(error))));
      return { kind: 'answered', answer };
    }
    case 'conflict':
    case 'failed':
      // Nothing was started for this request: the key is free for a retry.
      await store
        .delete(scope, version)
        .catch((error: unknown) => log.warn(idempotencyLogLine.unreleased(scope, String(error))));
      return { kind: 'answered', answer };
  }
}

async function saveCompleted(
  request: KeyedRequest,
  deps: IdempotencyDeps,
  version: RecordVersion,
  claim: PendingRecord,
  answer: RecordedAnswer,
  run: RunIdentity,
): Promise<void> {
  const record: CompletedRecord = {
    state: 'completed',
    key: request.scope.key,
    fingerprint: request.fingerprint,
    claimedAt: claim.claimedAt,
    completedAt: new Date(deps.clock.now()).toISOString(),
    answer,
    run,
  };
  if ((await deps.store.replace(request.scope, record, version)) === undefined) {
    // Our claim was taken over as abandoned (we outlived the bound); the taker found our run.
    deps.log.warn(idempotencyLogLine.claimLost(request.scope));
  }
}
