/**
 * The `periodicSyncRun` activity: one synchronisation pass. Simulated (no external I/O): it reports
 * how many records changed since the previous pass, a number derived from the cycle so runs are
 * reproducible.
 */
import type { ActivityHandler } from 'durable-functions';

export interface SyncRunRequest {
  readonly iteration: number;
  /** End of the previous pass, or the job's start for the first one. */
  readonly since: string;
}

export interface SyncRunResult {
  readonly recordsSynced: number;
}

export function syncChangesSince(request: SyncRunRequest): SyncRunResult {
  return { recordsSynced: (request.iteration * 7) % 13 };
}

export const periodicSyncRun: ActivityHandler = (input: unknown, context) => {
  const request = input as SyncRunRequest;
  const result = syncChangesSince(request);
  context.log(
    `periodicSyncRun ${request.iteration}: ${result.recordsSynced} records changed since ${request.since}`,
  );
  return result;
};
