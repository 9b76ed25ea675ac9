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
 *  5. A timed-out start or raise may still land: the lock is then left to expire, as a start's is,
 *     so the next start or signal of the ID reads what it did.
 * What a 2xx does not cover: an event the engine took (202) for a run that then ends without
 * reading it; the engine drops it with the run. An orchestrator closes that gap by reading its
 * declared events before it completes or continues as new, as the sample jobs do.
 */
import { DependencyError } from '../dependencies/failure';
import type { DeclaredEvent, StartableOrchestrator } from './catalog';
import { decide, isOwnedBy } from './policy';
import { AlreadyExistsError, type Instances, type Logger, type SingletonLock } from './ports';
import type { SingletonResult } from './result';
import type { RuntimeStatus } from './statuses';

/** A checked signal: the orchestrator exposes the event, the ID and the data are valid. */
export interface SignalCommand {
  readonly orchestrator: StartableOrchestrator;
  readonly instanceId: string;
  readonly event: DeclaredEvent;
  /** The event's data (JSON; `null` without any). */
  readonly data: unknown;
  /** The input of a run the signal starts (JSON; `null`: the job's defaults). */
  readonly input: unknown;
}

/** What came of a signal: the start's results, and `signaled` (the running run took the event). */
export type SignalResult =
  | Extract<
      SingletonResult,
      { kind: 'started' | 'conflict' | 'invalid' | 'unavailable' | 'failed' | 'misconfigured' }
    >
  | {
      readonly kind: 'signaled';
      readonly instanceId: string;
      readonly runtimeStatus: RuntimeStatus;
    };

export interface SignalSettings {
  readonly lockWaitMs: number;
}

/** Fresh reads at most: the first, and one after the run ended under our feet. */
const READS = 2;

export class SignalFlow {
  constructor(
    private readonly lock: SingletonLock,
    private readonly settings: SignalSettings,
  ) {}

  async signal(command: SignalCommand, instances: Instances, log: Logger): Promise<SignalResult> {
    const { orchestrator, instanceId, event, data, input } = command;
    const label = `Signal '${event.name}' to '${orchestrator.name}' as '${instanceId}'`;
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
        const decision = decide(existing, 'attach', orchestrator);
        if (decision.action === 'conflict') {
          log.info(`${label}: refused (${decision.refusal.rule}); nothing raised.`);
          return { kind: 'conflict', instanceId, refusal: decision.refusal };
        }
        if (decision.action === 'attach' && existing && isOwnedBy(existing, orchestrator)) {
          mayStillLand = true;
          const raised = await instances.raise(instanceId, event.name, data);
          mayStillLand = false;
          if (raised === 'raised') {
            log.info(`${label}: raised to the ${decision.runtimeStatus} run.`);
            return { kind: 'signaled', instanceId, runtimeStatus: decision.runtimeStatus };
          }
          log.info(
            `${label}: the run ended before the event reached it (${raised}); reading again.`,
          );
          continue;
        }
        mayStillLand = true;
        try {
          await instances.start(orchestrator.name, instanceId, input);
        } catch (error) {
          if (!(error instanceof AlreadyExistsError)) throw error;
          // Started past this app between the read and the start: decide again on what runs.
          mayStillLand = false;
          continue;
        }
        const raised = await instances.raise(instanceId, event.name, data);
        mayStillLand = false;
        if (raised === 'raised') {
          log.info(`${label}: started a run and raised the event to it.`);
          return { kind: 'started', instanceId };
        }
        log.warn(`${label}: the new run ended before its event was raised (${raised}).`);
        return {
          kind: 'unavailable',
          detail: 'The new run ended before the event reached it; retry.',
        };
      }
      return {
        kind: 'unavailable',
        detail: 'The instance changed twice while the event was being raised; retry.',
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
}

function failure(error: unknown, log: Logger, label: string): SignalResult {
  if (!(error instanceof DependencyError)) throw error;
  log.warn(`${label} failed: ${error.message}`);
  return error.kind === 'failed'
    ? { kind: 'failed', detail: error.message }
    : { kind: 'unavailable', detail: error.message };
}
