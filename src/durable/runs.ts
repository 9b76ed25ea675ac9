/**
 * The `Runs` port over durable-functions' client: an instance's current run (orchestrator name,
 * creation time, input), which the idempotent start records and matches. `getStatus` throws for an
 * unknown ID (the extension answers 404): that is "no run". Calls are bounded like the starter's.
 */
import type { DurableClient } from 'durable-functions';
import { dependencyFailure } from '../dependencies/failure';
import type { Run, Runs } from '../idempotency/ports';

const NOT_FOUND = /replied with HTTP 404 response/;
const STATUS_CODE = /unexpected status code: (\d{3})/;

function readFailure(error: unknown) {
  const message = (error as { message?: string } | undefined)?.message ?? String(error);
  const code = (error as { code?: string } | undefined)?.code;
  const status = STATUS_CODE.exec(message)?.[1];
  return dependencyFailure(
    'durable',
    `Reading the instance's run: ${message}`,
    code?.startsWith('E')
      ? { answer: 'none' }
      : status
        ? { answer: 'status', status: Number(status) }
        : { answer: 'other' },
  );
}

export function durableRuns(client: DurableClient, timeoutMs: number): Runs {
  return {
    current: async (instanceId) => {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              dependencyFailure(
                'durable',
                `Reading the instance's run: no answer within ${timeoutMs} ms`,
                { answer: 'late' },
              ),
            ),
          timeoutMs,
        );
      });
      const read = async (): Promise<Run | undefined> => {
        try {
          const status = await client.getStatus(instanceId, { showInput: true });
          const created = status.createdTime.getTime();
          return {
            name: status.name,
            // An unreadable time matches no claim (see isRunOf), which is the safe side.
            createdTime: Number.isNaN(created) ? '' : new Date(created).toISOString(),
            input: status.input,
          };
        } catch (error) {
          if (error instanceof Error && NOT_FOUND.test(error.message)) return undefined;
          throw readFailure(error);
        }
      };
      try {
        return await Promise.race([read(), late]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
