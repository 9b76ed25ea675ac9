/**
 * A start with an Idempotency-Key, as a decorator of the start: claim the key, start, record the
 * outcome; or, when the key is taken, replay its outcome, refuse a different request, or say the
 * first is in progress. A request without a key passes straight through.
 *
 * The key's record is its own mutual exclusion, apart from the instance's lock: a record created
 * with If-None-Match: * (the claim) exists once, whichever app instance writes it, and every later
 * change is a compare-and-swap on its version. So exactly one request holds a key at a time, and a
 * holder that lost its claim (taken over as abandoned) cannot overwrite its successor's record.
 */
import { DependencyError } from '../dependencies/failure';
import type { Clock } from '../singleton/ports';
import type { SingletonResult, StartCommand, StartOutcome } from '../singleton/result';
import type { StartCall, StartStep } from '../singleton/start';
import { claimHoldMs, unsettledHoldMs, type StarterBounds } from './bounds';
import { decideOnRecord, isRunOf } from './decision';
import { fingerprintOf, type Fingerprint } from './fingerprint';
import { checkIdempotencyKey } from './key';
import { idempotencyLogLine, PART_FIELDS } from './messages';
import type { IdempotencyStore, KeyScope, RecordVersion } from './ports';
import type { CompletedRecord, PendingRecord, RunIdentity } from './record';

/** The start this decorates: the flow, whose outcomes are the ones a key can record. */
export interface OutcomeStep {
  start(command: StartCommand, call: StartCall): Promise<StartOutcome>;
}

export interface IdempotencySettings extends StarterBounds {
  readonly store: IdempotencyStore;
  readonly clock: Pick<Clock, 'now'>;
  /** How long a completed outcome is replayed, in seconds. */
  readonly ttlSeconds: number;
}

/** Rounds of claim → read → take over before a busy key is answered as in progress. */
const MAX_ROUNDS = 3;

/** One keyed request while it is answered. */
interface Keyed {
  readonly command: StartCommand;
  readonly call: StartCall;
  readonly scope: KeyScope;
  readonly fingerprint: Fingerprint;
}

export class IdempotentStart implements StartStep {
  private readonly ttlMs: number;
  /** The longest a live request holds its claim; past it, the claim counts as abandoned. */
  private readonly claimHoldMs: number;
  /** After an outcome that leaves a start unknown (a 503): until such a start can no longer land. */
  private readonly unsettledHoldMs: number;

  constructor(
    private readonly inner: OutcomeStep,
    private readonly settings: IdempotencySettings,
  ) {
    this.ttlMs = settings.ttlSeconds * 1000;
    this.claimHoldMs = claimHoldMs(settings);
    this.unsettledHoldMs = unsettledHoldMs(settings);
  }

  async start(command: StartCommand, call: StartCall): Promise<SingletonResult> {
    const key = command.idempotencyKey;
    if (key === undefined) return this.inner.start(command, call);
    const invalid = checkIdempotencyKey(key);
    if (invalid !== undefined) return { kind: 'invalid', field: 'idempotencyKey', detail: invalid };
    const scope = { taskHub: call.instances.taskHub, key };
    const keyed: Keyed = { command, call, scope, fingerprint: fingerprintOf(command) };
    try {
      return await this.claimAndAnswer(keyed);
    } catch (error) {
      if (!(error instanceof DependencyError)) throw error;
      call.log.warn(idempotencyLogLine.storeFailed(scope, error.message));
      return { kind: error.kind === 'failed' ? 'failed' : 'unavailable', detail: error.message };
    }
  }

  private async claimAndAnswer(keyed: Keyed): Promise<SingletonResult> {
    const { store, clock } = this.settings;
    const { scope, fingerprint, call } = keyed;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const claim = this.pending(keyed);
      const claimed = await store.create(scope, claim);
      if (claimed !== undefined) return this.startAndRecord(keyed, claim, claimed);

      const existing = await store.read(scope);
      if (!existing) continue; // released between our claim and our read: claim again
      const decision = decideOnRecord(existing.record, fingerprint, clock.now(), this.ttlMs);
      switch (decision.action) {
        case 'replay':
          call.log.info(idempotencyLogLine.replayed(scope, decision.outcome.kind));
          return {
            kind: 'replayed',
            instanceId: decision.run.instanceId,
            original: decision.outcome,
          };
        case 'mismatch':
          call.log.info(idempotencyLogLine.mismatch(scope, decision.differences));
          return {
            kind: 'keyMismatch',
            idempotencyKey: scope.key,
            differences: decision.differences.map((part) => PART_FIELDS[part]),
          };
        case 'inProgress':
          return this.inProgress(keyed, decision.retryAfterMs);
        case 'takeOver': {
          const claim = this.pending(keyed, decision.abandonedSince);
          const version = await store.replace(scope, claim, existing.version);
          if (version === undefined) continue; // another request took it first
          call.log.info(idempotencyLogLine.tookOver(scope, decision.abandonedSince));
          if (decision.abandonedSince !== undefined) {
            const found = await this.findAbandonedRun(keyed, version, claim);
            if (found) return found;
          }
          return this.startAndRecord(keyed, claim, version);
        }
      }
    }
    return this.inProgress(keyed, 1000);
  }

  private inProgress({ scope, command }: Keyed, retryAfterMs: number): SingletonResult {
    return {
      kind: 'keyInProgress',
      idempotencyKey: scope.key,
      instanceId: command.instanceId,
      retryAfterMs,
    };
  }

  private pending({ scope, fingerprint }: Keyed, runsSince?: string): PendingRecord {
    const now = this.settings.clock.now();
    const claimedAt = new Date(now).toISOString();
    return {
      state: 'pending',
      key: scope.key,
      fingerprint,
      claimedAt,
      abandonedAfter: new Date(now + this.claimHoldMs).toISOString(),
      runsSince: runsSince ?? claimedAt,
    };
  }

  /**
   * After taking over an abandoned claim: its holder may have started the run and died before
   * recording it (or timed out on a start that landed). Such a start can no longer land by now, so
   * the current run tells: if it is that request's, it is recorded and answered as a replay.
   */
  private async findAbandonedRun(
    keyed: Keyed,
    version: RecordVersion,
    claim: PendingRecord,
  ): Promise<SingletonResult | undefined> {
    const { fingerprint, call, scope } = keyed;
    const { instanceId } = fingerprint;
    const run = await call.instances.run(instanceId);
    if (!isRunOf(run, fingerprint, claim.runsSince)) return undefined;
    const original = { kind: 'started', instanceId } as const;
    await this.saveCompleted(keyed, version, claim, original, {
      instanceId,
      createdTime: run.createdTime,
    });
    call.log.info(idempotencyLogLine.adopted(scope, run.createdTime));
    return { kind: 'replayed', instanceId, original };
  }

  private async startAndRecord(
    keyed: Keyed,
    claim: PendingRecord,
    version: RecordVersion,
  ): Promise<SingletonResult> {
    const { store, clock } = this.settings;
    const { scope, command, call } = keyed;
    const { log } = call;
    const outcome = await this.inner.start(command, call);
    switch (outcome.kind) {
      case 'started':
      case 'attached': {
        // The run's identity, read now: the start returned, so its run is visible.
        const run = await call.instances.run(command.instanceId).catch((error: unknown) => {
          log.warn(idempotencyLogLine.runUnread(scope, (error as Error).message));
          return undefined;
        });
        const identity = { instanceId: command.instanceId, createdTime: run?.createdTime };
        await this.saveCompleted(keyed, version, claim, outcome, identity).catch((error: unknown) =>
          log.warn(idempotencyLogLine.unrecorded(scope, String(error))),
        );
        return outcome;
      }
      case 'unavailable': {
        // A start that got no answer may still land: keep the key until it no longer can, so a
        // retry then finds that run (and replays) rather than starting a second one.
        const unsettled: PendingRecord = {
          ...claim,
          abandonedAfter: new Date(clock.now() + this.unsettledHoldMs).toISOString(),
        };
        await store
          .replace(scope, unsettled, version)
          .catch((error: unknown) => log.warn(idempotencyLogLine.unrecorded(scope, String(error))));
        return outcome;
      }
      case 'conflict':
      case 'failed':
        // Nothing was started for this request: the key is free for a retry.
        await store
          .delete(scope, version)
          .catch((error: unknown) => log.warn(idempotencyLogLine.unreleased(scope, String(error))));
        return outcome;
    }
  }

  private async saveCompleted(
    { scope, fingerprint, call }: Keyed,
    version: RecordVersion,
    claim: PendingRecord,
    outcome: CompletedRecord['outcome'],
    run: RunIdentity,
  ): Promise<void> {
    const record: CompletedRecord = {
      state: 'completed',
      key: scope.key,
      fingerprint,
      claimedAt: claim.claimedAt,
      completedAt: new Date(this.settings.clock.now()).toISOString(),
      outcome,
      run,
    };
    if ((await this.settings.store.replace(scope, record, version)) === undefined) {
      // Our claim was taken over as abandoned (we outlived the bound); the taker found our run.
      call.log.warn(idempotencyLogLine.claimLost(scope));
    }
  }
}
