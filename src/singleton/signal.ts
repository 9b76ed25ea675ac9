/**
 * Signal-with-start: raise an event to the running instance of an ID, or start the instance and
 * raise it to the new run, in one call, under the singleton guarantee.
 *
 * Why an event answered 2xx reaches a run, and only one:
 *  1. Every signal of an ID takes the ID's lock, the one every start takes, on any number of app
 *     instances: no signal races a start, a restart or another signal of the ID in this app.
 *  2. Under the lock the instance is read and decided on as an attaching start would be
 *     (`decide(existing, 'attach', …)`): its own running instance → raise the event to it;
 *     no instance, or an ended one the reuse policy lets be replaced → start, then raise; another
 *     orchestrator's, or an ended one the policy protects → 409, nothing raised, nothing started.
 *  3. The engine answers a raise for the instance's current run: 202 taken, 410 that run has
 *     ended (measured on extension 3.19: no event is kept for it), 404 no instance. durable-
 *     functions' `raiseEvent` hides the 410, so the adapter calls the API itself. `ended` or
 *     `absent` means the run ended, or was purged, between the read and the raise: the decision is
 *     made again from a fresh read, still under the lock (so at most one new run is started).
 *  4. A start and its raise happen under one hold of the lock: no other start or signal of the ID
 *     comes between them, and the engine takes an event for a run that has not begun yet (measured:
 *     202, and the run read it when it waited for the event).
 *  5. "Taken" is not "read": a run can end, with the event still unread, after the engine took it
 *     (its last episode was already running), and the engine drops it with the run. For an
 *     orchestrator that acknowledges signals, the event goes out sealed with a signal ID and the
 *     starter, still under the lock, waits for the run to list the ID in its custom status
 *     (./signalReceipt.ts): listed → 2xx; the run ended without it → the event is lost with the
 *     run, and the decision is made again (a new run receives it, or 409); the wait ran out → 503,
 *     unconfirmed. So a 2xx means a run read the event. A run ignores an ID it has listed, so a
 *     retry with the same Idempotency-Key (the same ID) is received once; one whose receipt is
 *     already listed is answered without raising anything.
 *  6. Only one run reads it: a copy of the event that the engine handed to an episode it then
 *     discarded can come back after that run has ended. Every run this starter starts inherits
 *     the receipts of the instance it follows (read here, under the lock), so the run after the
 *     one that listed the ID ignores the copy as a duplicate, and so does every run after it.
 *  7. A timed-out start or raise may still land: the lock is then left to expire, as a start's is,
 *     so the next start or signal of the ID reads what it did.
 * Without acknowledgement (the orchestrator does not declare it), a 2xx means the engine took the
 * event for a running run, and step 5's gap stays open: the README says so.
 */
import { DependencyError } from '../dependencies/failure';
import type { DeclaredEvent, StartableOrchestrator } from './catalog';
import { decide, isOwnedBy } from './policy';
import {
  AlreadyExistsError,
  type Clock,
  type ExistingInstance,
  type Instances,
  type Logger,
  type SingletonLock,
} from './ports';
import { inheritingInput, receiptState, sealSignal } from './signalReceipt';
import type { SingletonResult } from './result';
import { isRunning, type RuntimeStatus } from './statuses';

/** A checked signal: the orchestrator exposes the event, the ID and the data are valid. */
export interface SignalCommand {
  readonly orchestrator: StartableOrchestrator;
  readonly instanceId: string;
  readonly event: DeclaredEvent;
  /** The event's data (JSON; `null` without any). */
  readonly data: unknown;
  /** The input of a run the signal starts (JSON; `null`: the job's defaults). */
  readonly input: unknown;
  /** The caller's Idempotency-Key, and the signal ID derived from it (./signalReceipt.ts). */
  readonly keyed?: { readonly idempotencyKey: string; readonly signalId: string };
  /** `false`: only a running run may get the event; none running → 409 `not-running`. */
  readonly startsRun?: false;
}

/** What came of a signal: the start's results, and `signaled` (the running run took the event). */
export type SignalResult =
  | Extract<
      SingletonResult,
      {
        kind:
          | 'started'
          | 'conflict'
          | 'invalid'
          | 'keyMismatch'
          | 'unavailable'
          | 'failed'
          | 'misconfigured';
      }
    >
  | {
      readonly kind: 'signaled';
      readonly instanceId: string;
      readonly runtimeStatus: RuntimeStatus;
    };

export interface SignalSettings {
  readonly lockWaitMs: number;
  /** How long the starter waits for an acknowledging run to list the signal. */
  readonly receiptWaitMs: number;
  /** How often it reads the status meanwhile. */
  readonly receiptPollMs: number;
  readonly clock: Clock;
  /** A new signal ID (unique; the composition root passes `randomUUID`). */
  readonly newId: () => string;
}

/**
 * Fresh reads at most: the first, one after the run ended under our feet, one after the run ended
 * without reading the event.
 */
const READS = 3;

type Delivery = 'received' | 'lost' | 'unconfirmed';

export class SignalFlow {
  constructor(
    private readonly lock: SingletonLock,
    private readonly settings: SignalSettings,
  ) {}

  async signal(command: SignalCommand, instances: Instances, log: Logger): Promise<SignalResult> {
    const { orchestrator, instanceId, event, input } = command;
    const label = `Signal '${event.name}' to '${orchestrator.name}' as '${instanceId}'`;
    const acknowledged = orchestrator.acknowledgesSignals === true;
    const signalId = command.keyed?.signalId ?? this.settings.newId();
    const data = acknowledged ? sealSignal(signalId, command.data) : command.data;
    const { lockWaitMs } = this.settings;
    let held;
    try {
      held = await this.lock.acquire({ taskHub: instances.taskHub, instanceId }, lockWaitMs);
    } catch (error) {
      return failure(error, log, label);
    }
    if (held === undefined) {
      log.info(`${label}: another start or signal held the lock for ${lockWaitMs} ms → conflict.`);
      return { kind: 'conflict', instanceId, refusal: { rule: 'in-progress', lockWaitMs } };
    }
    let mayStillLand = false;
    try {
      for (let read = 1; read <= READS; read++) {
        const existing = await instances.status(instanceId);
        if (acknowledged && existing && isOwnedBy(existing, orchestrator)) {
          const receipt = receiptState(existing.customStatus, signalId);
          if (receipt === 'received') {
            log.info(`${label}: its run has read it already (a retry); nothing raised again.`);
            return { kind: 'signaled', instanceId, runtimeStatus: existing.runtimeStatus };
          }
          if (receipt === 'keyReused') {
            log.info(`${label}: refused, its Idempotency-Key was used for another signal.`);
            return keyReused(command.keyed?.idempotencyKey ?? '');
          }
        }
        const decision = decide(existing, 'attach', orchestrator);
        if (decision.action === 'conflict') {
          log.info(`${label}: refused (${decision.refusal.rule}); nothing raised.`);
          return { kind: 'conflict', instanceId, refusal: decision.refusal };
        }
        const attach =
          decision.action === 'attach' && existing && isOwnedBy(existing, orchestrator);
        if (!attach && command.startsRun === false) {
          log.info(`${label}: no run is running and the signal may not start one; nothing raised.`);
          const refusal = { rule: 'not-running' as const, runtimeStatus: existing?.runtimeStatus };
          return { kind: 'conflict', instanceId, refusal };
        }
        if (!attach) {
          mayStillLand = true;
          try {
            // The new run inherits the receipts of the instance it follows (./signalReceipt.ts).
            const startInput = acknowledged
              ? inheritingInput(input, existing?.customStatus)
              : input;
            await instances.start(orchestrator.name, instanceId, startInput);
          } catch (error) {
            if (!(error instanceof AlreadyExistsError)) throw error;
            // Started past this app between the read and the start: decide again on what runs.
            mayStillLand = false;
            continue;
          }
        }
        mayStillLand = true;
        const raised = await instances.raise(instanceId, event.name, data);
        mayStillLand = false;
        const to = attach ? `the ${decision.runtimeStatus} run` : 'a run it started';
        if (raised !== 'raised' && !attach) {
          log.warn(`${label}: the new run ended before its event was raised (${raised}).`);
          return {
            kind: 'unavailable',
            detail: 'The new run ended before the event reached it; retry.',
          };
        }
        if (raised !== 'raised') {
          log.info(`${label}: ${to} ended before the event reached it (${raised}); reading again.`);
          continue;
        }
        const delivery = acknowledged
          ? await this.receipt(instances, instanceId, signalId)
          : 'received';
        if (delivery === 'lost' && attach) {
          log.info(`${label}: ${to} ended without reading the event; reading again.`);
          continue;
        }
        if (delivery === 'lost') {
          // One signal starts one run at most: the job ended before it waited for its events.
          log.warn(`${label}: ${to} ended without reading the event.`);
          return {
            kind: 'unavailable',
            detail:
              'The run started for the event ended without reading it; nothing else was started.',
          };
        }
        if (delivery === 'unconfirmed') {
          const waited = this.settings.receiptWaitMs;
          log.warn(`${label}: ${to} took the event but has not read it within ${waited} ms.`);
          return {
            kind: 'unavailable',
            detail: `The run took the event but has not read it within ${waited} ms; retry with the same Idempotency-Key to confirm without raising it again.`,
            unconfirmed: true,
          };
        }
        log.info(`${label}: ${acknowledged ? 'read by' : 'raised to'} ${to}.`);
        return attach
          ? { kind: 'signaled', instanceId, runtimeStatus: decision.runtimeStatus }
          : { kind: 'started', instanceId };
      }
      return {
        kind: 'unavailable',
        detail: 'The instance changed three times while the event was being raised; retry.',
      };
    } catch (error) {
      if (mayStillLand && error instanceof DependencyError && error.kind === 'timedOut') {
        held.leaveToExpire();
        held = undefined;
      }
      return failure(error, log, label);
    } finally {
      if (held) void held.release();
    }
  }

  /** Waits for the run to list the signal, or to end without it (step 5). */
  private async receipt(
    instances: Instances,
    instanceId: string,
    signalId: string,
  ): Promise<Delivery> {
    const { clock, receiptWaitMs, receiptPollMs } = this.settings;
    const deadline = clock.now() + receiptWaitMs;
    for (;;) {
      const existing: ExistingInstance | undefined = await instances.status(instanceId);
      if (existing === undefined) return 'lost';
      if (receiptState(existing.customStatus, signalId) === 'received') return 'received';
      if (!isRunning(existing.runtimeStatus)) return 'lost';
      if (clock.now() >= deadline) return 'unconfirmed';
      await clock.sleep(receiptPollMs);
    }
  }
}

function keyReused(idempotencyKey: string): SignalResult {
  return { kind: 'keyMismatch', idempotencyKey, differences: [KEYED_PARTS] };
}

/** What a signal's key covers beside the instance (no finer: the ID keeps only a hash of it). */
const KEYED_PARTS = 'the event, its data or the start input';

function failure(error: unknown, log: Logger, label: string): SignalResult {
  if (!(error instanceof DependencyError)) throw error;
  log.warn(`${label} failed: ${error.message}`);
  return error.kind === 'failed'
    ? { kind: 'failed', detail: error.message }
    : { kind: 'unavailable', detail: error.message };
}
