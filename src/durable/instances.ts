/**
 * A thin adapter over durable-functions' client: the three calls the starter needs, with the
 * client's quirks turned into plain results and typed errors.
 *  - `getStatus` throws for an unknown ID (the extension answers 404): that is "no instance".
 *  - The extension refuses a duplicate start with "An Orchestration instance with the status X
 *    already exists." (409 on the local endpoint of extension 3.19, 500 on older versions' webhook):
 *    that is a conflict, whatever the status code.
 *  - The client has no timeout: every call is bounded here.
 */
import type { DurableClient } from 'durable-functions';
import { isRuntimeStatus, type RuntimeStatus } from '../singleton/statuses';

export interface Instances {
  readonly taskHub: string;
  /** The instance's runtime status, or `undefined` when no instance has this ID. */
  status(instanceId: string): Promise<RuntimeStatus | undefined>;
  /** Starts `orchestrator` under `instanceId` with `input`. */
  start(orchestrator: string, instanceId: string, input: unknown): Promise<void>;
  terminate(instanceId: string, reason: string): Promise<void>;
}

/** The durable backend failed, or did not answer; `unavailable` means "retry later" is right. */
export class BackendError extends Error {
  override readonly name = 'BackendError';
  constructor(
    message: string,
    readonly unavailable: boolean,
    /** No answer in time: the call may still take effect. */
    readonly timedOut = false,
  ) {
    super(message);
  }
}

/** The extension refused a start because an instance with that ID is still running. */
export class AlreadyExistsError extends Error {
  override readonly name = 'AlreadyExistsError';
  constructor(readonly runtimeStatus: RuntimeStatus | undefined) {
    super(`An instance with this ID already exists (${runtimeStatus ?? 'status unknown'}).`);
  }
}

const NOT_FOUND = /replied with HTTP 404 response/;
const ALREADY_EXISTS = /An Orchestration instance with the status (\w+) already exists/;
const STATUS_CODE = /unexpected status code: (\d{3})/;
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

function describe(operation: string, error: unknown): BackendError {
  const { message = String(error), code } = (error ?? {}) as { message?: string; code?: string };
  const status = Number(STATUS_CODE.exec(message)?.[1]);
  const unavailable =
    (code !== undefined && NETWORK_CODES.has(code)) || status === 503 || status === 429;
  return new BackendError(`${operation}: ${message}`, unavailable);
}

async function bounded<T>(
  operation: string,
  timeoutMs: number,
  call: () => Promise<T>,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new BackendError(`${operation}: no answer within ${timeoutMs} ms`, true, true)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([call(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function durableInstances(client: DurableClient, timeoutMs: number): Instances {
  return {
    taskHub: client.taskHubName,

    status: (instanceId) =>
      bounded('Reading the instance status', timeoutMs, async () => {
        try {
          const { runtimeStatus } = await client.getStatus(instanceId, { showInput: false });
          if (!isRuntimeStatus(runtimeStatus)) {
            throw new BackendError(
              `The extension reported an unknown runtime status '${String(runtimeStatus)}'.`,
              false,
            );
          }
          return runtimeStatus;
        } catch (error) {
          if (error instanceof BackendError) throw error;
          if (error instanceof Error && NOT_FOUND.test(error.message)) return undefined;
          throw describe('Reading the instance status', error);
        }
      }),

    start: (orchestrator, instanceId, input) =>
      bounded('Starting the orchestration', timeoutMs, async () => {
        try {
          await client.startNew(orchestrator, { instanceId, input });
        } catch (error) {
          const existing = error instanceof Error ? ALREADY_EXISTS.exec(error.message) : null;
          if (existing) {
            throw new AlreadyExistsError(isRuntimeStatus(existing[1]) ? existing[1] : undefined);
          }
          throw describe('Starting the orchestration', error);
        }
      }),

    terminate: (instanceId, reason) =>
      bounded('Terminating the instance', timeoutMs, async () => {
        try {
          // The client puts the reason into the query string unencoded.
          await client.terminate(instanceId, encodeURIComponent(reason));
        } catch (error) {
          throw describe('Terminating the instance', error);
        }
      }),
  };
}
