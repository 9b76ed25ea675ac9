/**
 * The `Instances` port over durable-functions' client: the calls the starter needs, with the
 * client's quirks turned into plain results and typed errors.
 *  - `getStatus` throws for an unknown ID (the extension answers 404): that is "no instance".
 *  - The extension refuses a duplicate start with "An Orchestration instance with the status X
 *    already exists." (409 on the local endpoint of extension 3.19, 500 on older versions' webhook):
 *    that is a conflict, whatever the status code.
 *  - The extension answers 500 when its own storage call got no answer (a reset connection, a
 *    timeout), naming the .NET exception: that is "no answer" behind it, and retrying is right.
 *  - The client has no timeout: every call is bounded here.
 */
import type { DurableClient } from 'durable-functions';
import { dependencyFailure, type DependencyError, type Observed } from '../dependencies/failure';
import {
  AlreadyExistsError,
  type ExistingInstance,
  type Instances,
  type Raised,
  type Run,
} from '../singleton/ports';
import { isRuntimeStatus, type RuntimeStatus } from '../singleton/statuses';
import { openStartInput } from '../singleton/signalReceipt';
import type {
  BackendQuery,
  InstancePage,
  InstanceView,
  OperatedInstances,
} from '../operations/ports';
import { raiseEvent } from './eventRaising';
import { fetchInstancePage } from './instanceListing';

const NOT_FOUND = /replied with HTTP 404 response/;

/** Whether the client threw because the extension answered 404 (no such instance). */
export function isNotFound(error: unknown): boolean {
  return error instanceof Error && NOT_FOUND.test(error.message);
}
const ALREADY_EXISTS = /An Orchestration instance with the status (\w+) already exists/;
const STATUS_CODE = /unexpected status code: (\d{3})/;
/** The extension's 500 when its storage call got no answer (measured: a reset under chaos scenario c). */
const STORAGE_UNANSWERED =
  /"ExceptionType":"System\.(Net\.Sockets\.SocketException|IO\.IOException|Net\.Http\.HttpRequestException|TimeoutException|Threading\.Tasks\.TaskCanceledException|OperationCanceledException)"/;
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);

/** What the client's error says about the extension's answer: the one reading of "no answer". */
function observed(error: unknown): Observed {
  const { message = '', code } = (error ?? {}) as { message?: string; code?: string };
  if (code !== undefined && NETWORK_CODES.has(code)) return { answer: 'none' };
  const status = STATUS_CODE.exec(message)?.[1];
  if (status === '500' && STORAGE_UNANSWERED.test(message)) return { answer: 'none' };
  return status ? { answer: 'status', status: Number(status) } : { answer: 'other' };
}

function failure(operation: string, error: unknown): DependencyError {
  const message = (error as { message?: string } | undefined)?.message ?? String(error);
  return dependencyFailure('durable', `${operation}: ${message}`, observed(error));
}

async function bounded<T>(
  operation: string,
  timeoutMs: number,
  call: () => Promise<T>,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          dependencyFailure('durable', `${operation}: no answer within ${timeoutMs} ms`, {
            answer: 'late',
          }),
        ),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([call(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * One client's view of its task hub: a wrapper of that client and the timeout, nothing else. The
 * client comes from the invocation's binding, one per distinct binding (./client.ts), and so does
 * this wrapper (the composition root keeps the last one).
 */
export class DurableInstances implements Instances, OperatedInstances {
  constructor(
    private readonly client: DurableClient,
    private readonly timeoutMs: number,
    /** Where the binding lists instances (./instanceListing.ts); the starter never lists. */
    private readonly listUrl?: string,
  ) {}

  get taskHub(): string {
    return this.client.taskHubName;
  }

  status(instanceId: string): Promise<ExistingInstance | undefined> {
    return bounded('Reading the instance status', this.timeoutMs, async () => {
      const found = await this.read(instanceId, false, 'Reading the instance status');
      if (found === undefined) return undefined;
      const { runtimeStatus, name, customStatus } = found;
      if (!isRuntimeStatus(runtimeStatus)) {
        throw dependencyFailure(
          'durable',
          `The extension reported an unknown runtime status '${String(runtimeStatus)}'.`,
          { answer: 'other' },
        );
      }
      // A record without a name belongs to no orchestrator a start names: refused, the safe side.
      return {
        name: typeof name === 'string' ? name : '',
        runtimeStatus,
        ...(customStatus != null && { customStatus }),
      };
    });
  }

  run(instanceId: string): Promise<Run | undefined> {
    return bounded("Reading the instance's run", this.timeoutMs, async () => {
      const found = await this.read(instanceId, true, "Reading the instance's run");
      if (found === undefined) return undefined;
      const created = found.createdTime.getTime();
      return {
        name: found.name,
        // An unreadable time matches no claim (see isRunOf), which is the safe side.
        createdTime: Number.isNaN(created) ? '' : new Date(created).toISOString(),
        // As the caller gave it: without the receipts a new run inherits (port's contract).
        input: openStartInput(found.input).input,
      };
    });
  }

  start(orchestrator: string, instanceId: string, input: unknown): Promise<void> {
    return bounded('Starting the orchestration', this.timeoutMs, async () => {
      try {
        await this.client.startNew(orchestrator, { instanceId, input });
      } catch (error) {
        const existing = error instanceof Error ? ALREADY_EXISTS.exec(error.message) : null;
        if (existing) {
          throw new AlreadyExistsError(isRuntimeStatus(existing[1]) ? existing[1] : undefined);
        }
        throw failure('Starting the orchestration', error);
      }
    });
  }

  terminate(instanceId: string, reason: string): Promise<void> {
    return bounded('Terminating the instance', this.timeoutMs, async () => {
      try {
        // The client puts the reason into the query string unencoded.
        await this.client.terminate(instanceId, encodeURIComponent(reason));
      } catch (error) {
        throw failure('Terminating the instance', error);
      }
    });
  }

  view(instanceId: string, showInput: boolean): Promise<InstanceView | undefined> {
    return bounded('Reading the instance status', this.timeoutMs, async () => {
      const found = await this.read(instanceId, showInput, 'Reading the instance status');
      return found === undefined ? undefined : toView(found, showInput);
    });
  }

  async list(query: BackendQuery, showInput: boolean): Promise<InstancePage> {
    if (this.listUrl === undefined) {
      throw dependencyFailure(
        'durable',
        'Listing the instances: the durable client binding names no endpoint to list them.',
        { answer: 'other' },
      );
    }
    const page = await fetchInstancePage(this.listUrl, query, showInput, this.timeoutMs);
    const instances = page.statuses.map((status) => toView(status as RawStatus, showInput));
    return page.continuation === undefined
      ? { instances }
      : { instances, continuation: page.continuation };
  }

  raise(instanceId: string, eventName: string, data: unknown): Promise<Raised> {
    if (this.listUrl === undefined) {
      throw dependencyFailure(
        'durable',
        'Raising the event: the durable client binding names no endpoint for it.',
        { answer: 'other' },
      );
    }
    return raiseEvent(this.listUrl, instanceId, eventName, data, this.timeoutMs);
  }

  purge(instanceId: string): Promise<void> {
    return bounded('Purging the instance', this.timeoutMs, async () => {
      try {
        await this.client.purgeInstanceHistory(instanceId);
      } catch (error) {
        throw failure('Purging the instance', error);
      }
    });
  }

  /** The instance's status record; `undefined` for an unknown ID (the client throws on 404). */
  private async read(instanceId: string, showInput: boolean, operation: string) {
    try {
      return await this.client.getStatus(instanceId, { showInput });
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw failure(operation, error);
    }
  }
}

/** A status as the client or the extension's JSON gives it. */
interface RawStatus {
  readonly instanceId?: unknown;
  readonly name?: unknown;
  readonly runtimeStatus?: unknown;
  readonly customStatus?: unknown;
  readonly createdTime?: unknown;
  readonly lastUpdatedTime?: unknown;
  readonly input?: unknown;
  readonly output?: unknown;
}

function isoTime(value: unknown): string {
  const time = value instanceof Date ? value.getTime() : Date.parse(String(value));
  return Number.isNaN(time) ? '' : new Date(time).toISOString();
}

function toView(status: RawStatus, showInput: boolean): InstanceView {
  const { runtimeStatus } = status;
  if (!isRuntimeStatus(runtimeStatus)) {
    throw dependencyFailure(
      'durable',
      `The extension reported an unknown runtime status '${String(runtimeStatus)}'.`,
      { answer: 'other' },
    );
  }
  const view = {
    instanceId: String(status.instanceId ?? ''),
    // A record without a name belongs to no orchestrator a route names: hidden, the safe side.
    name: typeof status.name === 'string' ? status.name : '',
    runtimeStatus: runtimeStatus as RuntimeStatus,
    customStatus: status.customStatus ?? null,
    createdTime: isoTime(status.createdTime),
    lastUpdatedTime: isoTime(status.lastUpdatedTime),
  };
  if (!showInput) return view;
  // The input as the caller gave it, without the receipts the starter added (signalReceipt.ts).
  return { ...view, input: openStartInput(status.input).input, output: status.output ?? null };
}
