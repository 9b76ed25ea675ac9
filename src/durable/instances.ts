/**
 * The `Instances` port over durable-functions' client: the three calls the starter needs, with the
 * client's quirks turned into plain results and typed errors.
 *  - `getStatus` throws for an unknown ID (the extension answers 404): that is "no instance".
 *  - The extension refuses a duplicate start with "An Orchestration instance with the status X
 *    already exists." (409 on the local endpoint of extension 3.19, 500 on older versions' webhook):
 *    that is a conflict, whatever the status code.
 *  - The client has no timeout: every call is bounded here.
 */
import type { DurableClient } from 'durable-functions';
import { dependencyFailure, type Observed } from '../dependencies/failure';
import { AlreadyExistsError, DependencyError, type Instances } from '../singleton/ports';
import { isRuntimeStatus } from '../singleton/statuses';

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

/** What the client's error says about the extension's answer. */
function observed(error: unknown): Observed {
  const { message = '', code } = (error ?? {}) as { message?: string; code?: string };
  if (code !== undefined && NETWORK_CODES.has(code)) return { answer: 'none' };
  const status = STATUS_CODE.exec(message)?.[1];
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

export function durableInstances(client: DurableClient, timeoutMs: number): Instances {
  return {
    taskHub: client.taskHubName,

    status: (instanceId) =>
      bounded('Reading the instance status', timeoutMs, async () => {
        let runtimeStatus: unknown;
        try {
          ({ runtimeStatus } = await client.getStatus(instanceId, { showInput: false }));
        } catch (error) {
          if (error instanceof Error && NOT_FOUND.test(error.message)) return undefined;
          throw failure('Reading the instance status', error);
        }
        if (!isRuntimeStatus(runtimeStatus)) {
          throw dependencyFailure(
            'durable',
            `The extension reported an unknown runtime status '${String(runtimeStatus)}'.`,
            { answer: 'other' },
          );
        }
        return runtimeStatus;
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
          throw failure('Starting the orchestration', error);
        }
      }),

    terminate: (instanceId, reason) =>
      bounded('Terminating the instance', timeoutMs, async () => {
        try {
          // The client puts the reason into the query string unencoded.
          await client.terminate(instanceId, encodeURIComponent(reason));
        } catch (error) {
          throw failure('Terminating the instance', error);
        }
      }),
  };
}
