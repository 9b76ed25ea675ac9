/**
 * What an operator may do to the instances of an orchestrator exposed for singleton start, with a
 * function key and without the Durable extension's system key: read one, list them by ID prefix,
 * terminate one, purge one. Built once per process, like the starter; plain requests in, one
 * result union out.
 *
 * Why an operation never reaches past its orchestrator, and never undoes the singleton guarantee:
 *  1. Only exposed orchestrators have routes: any other name is `notFound`, so a function key
 *     reaches nothing `exposeForSingletonStart` did not name.
 *  2. Every instance is read first and compared by orchestrator name (case-insensitively, as
 *     function names are): another orchestrator's instance is `notFound` too, so that the
 *     answer does not even confirm that the ID is in use. A listing filters each page the same
 *     way (the backend cannot filter by name), so a page may hold fewer than `top` instances.
 *  3. Terminate and purge run under the instance's singleton lock, the one every start takes, so
 *     neither interleaves with a start of the ID: the status read under the lock is the status
 *     the action applies to, as far as this app's starts go. (A start made past the starter, or
 *     the extension's rewind, can still race them; the extension's own API is not ours to lock.)
 *  4. Purge only removes an ended instance (a running one is `conflict`, 409): purging a running
 *     instance's history would leave a run the engine can no longer account for. With it go the
 *     instance's Idempotency-Key records (a replay must not point to a run that no longer exists);
 *     its lock blob is deleted when the lock is released.
 *  5. Input and output are left out unless `SINGLETON_STATUS_SHOW_INPUT` is set: they may carry
 *     personal data, and an operator's view rarely needs them. History is never shown.
 */
import { isOwnedBy } from '../singleton/policy';
import { findStartable, type StartableOrchestrator } from '../singleton/catalog';
import { DependencyError } from '../dependencies/failure';
import type { HeldLock, Logger, SingletonLock } from '../singleton/ports';
import { isRunning, RUNTIME_STATUSES, type RuntimeStatus } from '../singleton/statuses';
import { checkInstanceId } from '../singleton/instanceId';
import { checkListQuery, nextPageToken, type QueryValues } from './listQuery';
import {
  QueryRefusedError,
  type InstanceRecords,
  type InstanceView,
  type OperatedInstances,
} from './ports';

export type Operation = 'status' | 'list' | 'terminate' | 'purge' | 'terminateMany' | 'purgeMany';

/** What came of one instance of a bulk chunk, as its single route would have answered. */
export type ChunkOutcome =
  | 'terminating'
  | 'purged'
  | 'notRunning'
  | 'running'
  | 'gone'
  | 'inProgress'
  | 'unavailable'
  | 'failed';

export type OperationResult =
  | { readonly kind: 'found'; readonly instance: InstanceView }
  | {
      readonly kind: 'page';
      readonly instances: readonly InstanceView[];
      readonly continuationToken?: string;
    }
  /** One chunk of a bulk terminate or purge: each instance of one page, and where to go on. */
  | {
      readonly kind: 'chunk';
      readonly results: readonly { readonly instanceId: string; readonly outcome: ChunkOutcome }[];
      readonly continuationToken?: string;
    }
  | { readonly kind: 'terminating'; readonly instanceId: string; readonly was: RuntimeStatus }
  | { readonly kind: 'purged'; readonly instanceId: string; readonly records: number }
  /** No such orchestrator exposed, no such instance, or another orchestrator's (404). */
  | { readonly kind: 'notFound' }
  /** Terminate of an ended instance, purge of a running one (409). */
  | {
      readonly kind: 'conflict';
      readonly rule: 'not-running' | 'running';
      readonly runtimeStatus: RuntimeStatus;
    }
  /** A start of the ID held the lock for the whole wait (409, retry). */
  | { readonly kind: 'inProgress'; readonly lockWaitMs: number }
  | { readonly kind: 'invalid'; readonly parameter: string; readonly detail: string }
  | { readonly kind: 'unavailable'; readonly detail: string }
  | { readonly kind: 'failed'; readonly detail: string };

/** What a door answers: the result, or the app's settings are bad (500, naming the setting). */
export type OperatorResult =
  OperationResult | { readonly kind: 'misconfigured'; readonly detail: string };

export interface OperationSettings {
  readonly lockWaitMs: number;
  readonly showInput: boolean;
}

/** The reason recorded on an instance terminated through the operator route. */
export const TERMINATE_REASON = 'Terminated by an operator (singleton operator route)';

export class InstanceOperations {
  constructor(
    private readonly lock: SingletonLock,
    private readonly records: InstanceRecords,
    private readonly settings: OperationSettings,
  ) {}

  status(
    instances: OperatedInstances,
    orchestrator: string,
    instanceId: string,
    log: Logger,
  ): Promise<OperationResult> {
    return guarded(log, 'status', async () => {
      const found = await this.owned(instances, orchestrator, instanceId);
      return found ?? { kind: 'notFound' };
    });
  }

  list(
    instances: OperatedInstances,
    orchestrator: string,
    values: QueryValues,
    log: Logger,
  ): Promise<OperationResult> {
    return guarded(log, 'list', async () => {
      const exposed = findStartable(orchestrator);
      if (!exposed) return { kind: 'notFound' };
      const checked = checkListQuery(exposed.name, values);
      if (!checked.ok) return { kind: 'invalid', ...checked };
      const { query } = checked;
      let page;
      try {
        page = await instances.list(query, this.settings.showInput);
      } catch (error) {
        if (!(error instanceof QueryRefusedError)) throw error;
        return { kind: 'invalid', parameter: 'continuationToken', detail: REFUSED_TOKEN };
      }
      const own = page.instances.filter((instance) => isOwnedBy(instance, exposed));
      const token = nextPageToken(exposed.name, query, page.continuation);
      return {
        kind: 'page',
        instances: own,
        ...(token !== undefined && { continuationToken: token }),
      };
    });
  }

  terminate(
    instances: OperatedInstances,
    orchestrator: string,
    instanceId: string,
    log: Logger,
  ): Promise<OperationResult> {
    return guarded(log, 'terminate', () =>
      this.underLock(instances, orchestrator, instanceId, log, async (found) => {
        if (!isRunning(found.runtimeStatus)) {
          return { kind: 'conflict', rule: 'not-running', runtimeStatus: found.runtimeStatus };
        }
        await instances.terminate(instanceId, TERMINATE_REASON);
        log.info(`Operator: terminating '${instanceId}' (${found.runtimeStatus}).`);
        return { kind: 'terminating', instanceId, was: found.runtimeStatus };
      }),
    );
  }

  purge(
    instances: OperatedInstances,
    orchestrator: string,
    instanceId: string,
    log: Logger,
  ): Promise<OperationResult> {
    return guarded(log, 'purge', async () => {
      const result = await this.purgeInstance(instances, orchestrator, instanceId, log);
      if (result.kind !== 'purged') return result;
      const records = (await this.records.forget(instances.taskHub, [instanceId])).get(instanceId);
      log.info(`Operator: purged '${instanceId}' and ${records ?? 0} Idempotency-Key record(s).`);
      return { ...result, records: records ?? 0 };
    });
  }

  /**
   * The purge itself, under the lock; the records are forgotten after it by the caller, once per
   * call (a bulk chunk lists the task hub's records once, not once per instance). A record left
   * by a failure in between lapses with its TTL, and a replay of it finds no run.
   */
  private purgeInstance(
    instances: OperatedInstances,
    orchestrator: string,
    instanceId: string,
    log: Logger,
  ): Promise<OperationResult> {
    return this.underLock(instances, orchestrator, instanceId, log, async (found) => {
      if (isRunning(found.runtimeStatus)) {
        return { kind: 'conflict', rule: 'running', runtimeStatus: found.runtimeStatus };
      }
      await instances.purge(instanceId);
      return { kind: 'purged', instanceId, records: 0 };
    });
  }

  /**
   * One chunk of a bulk terminate or purge by prefix: one page of the listing (`top` instances at
   * most, only the statuses the action applies to), each instance handled exactly as its single
   * route handles it (under its lock, read again, its orchestrator compared), a few at a time. A
   * chunk answers within a few backend calls' time whatever the task hub holds; the caller
   * follows `continuationToken` until there is none. An instance that failed can be retried by
   * running the bulk call again from the start: what was done is no longer listed.
   */
  many(
    instances: OperatedInstances,
    orchestrator: string,
    action: 'terminate' | 'purge',
    values: QueryValues,
    log: Logger,
    /** The log of each instance's own lines (the composition root's, to redact each ID). */
    logOf: (instanceId: string) => Logger = () => log,
  ): Promise<OperationResult> {
    return guarded(log, action === 'terminate' ? 'terminateMany' : 'purgeMany', async () => {
      const exposed = findStartable(orchestrator);
      if (!exposed) return { kind: 'notFound' };
      const scope = { name: action, statuses: action === 'terminate' ? RUNNING : ENDED };
      const checked = checkListQuery(exposed.name, values, scope);
      if (!checked.ok) return { kind: 'invalid', ...checked };
      const { query } = checked;
      let page;
      try {
        page = await instances.list(query, false);
      } catch (error) {
        if (!(error instanceof QueryRefusedError)) throw error;
        return { kind: 'invalid', parameter: 'continuationToken', detail: REFUSED_TOKEN };
      }
      const own = page.instances.filter((instance) => isOwnedBy(instance, exposed));
      const results = await inBatches(own, CHUNK_CONCURRENCY, async ({ instanceId }) => {
        const said = logOf(instanceId);
        const done =
          action === 'terminate'
            ? await this.terminate(instances, exposed.name, instanceId, said)
            : await guarded(said, 'purge', () =>
                this.purgeInstance(instances, exposed.name, instanceId, said),
              );
        return { instanceId, outcome: chunkOutcome(done) };
      });
      const purged = results.filter((r) => r.outcome === 'purged').map((r) => r.instanceId);
      if (purged.length > 0) await this.records.forget(instances.taskHub, purged);
      const token = nextPageToken(exposed.name, query, page.continuation, scope);
      log.info(
        `Operator: ${action} by prefix, ${results.length} instance(s) in this chunk${token ? '; more to come' : ''}.`,
      );
      return { kind: 'chunk', results, ...(token !== undefined && { continuationToken: token }) };
    });
  }

  /** The instance, when the orchestrator is exposed and the instance is its own. */
  private async owned(
    instances: OperatedInstances,
    orchestrator: string,
    instanceId: string,
  ): Promise<{ kind: 'found'; instance: InstanceView } | undefined> {
    const exposed = findStartable(orchestrator);
    if (!exposed || !checkInstanceId(instanceId).ok) return undefined;
    const instance = await instances.view(instanceId, this.settings.showInput);
    return instance && isOwnedBy(instance, exposed) ? { kind: 'found', instance } : undefined;
  }

  private async underLock(
    instances: OperatedInstances,
    orchestrator: string,
    instanceId: string,
    log: Logger,
    act: (found: InstanceView) => Promise<OperationResult>,
  ): Promise<OperationResult> {
    const exposed: StartableOrchestrator | undefined = findStartable(orchestrator);
    if (!exposed || !checkInstanceId(instanceId).ok) return { kind: 'notFound' };
    const { lockWaitMs } = this.settings;
    const held: HeldLock | undefined = await this.lock.acquire(
      { taskHub: instances.taskHub, instanceId },
      lockWaitMs,
    );
    if (held === undefined) return { kind: 'inProgress', lockWaitMs };
    let acting = false;
    let leftToExpire = false;
    try {
      const found = await this.owned(instances, exposed.name, instanceId);
      if (!found) return { kind: 'notFound' };
      acting = true;
      return await act(found.instance);
    } catch (error) {
      // A terminate or purge that timed out may still take effect: the next holder waits.
      if (acting && error instanceof DependencyError && error.kind === 'timedOut') {
        leftToExpire = true;
        held.leaveToExpire();
        log.warn(`Operator action on '${instanceId}' timed out; the lock is left to expire.`);
      }
      throw error;
    } finally {
      if (!leftToExpire) void held.release();
    }
  }
}

const REFUSED_TOKEN = 'The backend refused the continuation token; start again without it.';
const RUNNING: readonly RuntimeStatus[] = RUNTIME_STATUSES.filter(isRunning);
const ENDED: readonly RuntimeStatus[] = RUNTIME_STATUSES.filter((s) => !isRunning(s));
/** Instances of a chunk handled at once: enough to finish a page quickly, few enough for storage. */
const CHUNK_CONCURRENCY = 8;

function chunkOutcome(result: OperationResult): ChunkOutcome {
  switch (result.kind) {
    case 'terminating':
    case 'purged':
    case 'inProgress':
    case 'unavailable':
    case 'failed':
      return result.kind;
    case 'conflict':
      return result.rule === 'running' ? 'running' : 'notRunning';
    default:
      return 'gone';
  }
}

async function inBatches<T, R>(
  items: readonly T[],
  concurrency: number,
  each: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await each(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

/** A dependency's failure as a result (its text goes to the log, not the answer). */
async function guarded(
  log: Logger,
  operation: Operation,
  run: () => Promise<OperationResult>,
): Promise<OperationResult> {
  try {
    return await run();
  } catch (error) {
    if (!(error instanceof DependencyError)) throw error;
    log.warn(`Operator ${operation} failed: ${error.message}`);
    return error.kind === 'failed'
      ? { kind: 'failed', detail: error.message }
      : { kind: 'unavailable', detail: error.message };
  }
}
