/**
 * The chaos suite's job (loaded by the local host through LOCAL_HOST_EXTRA_FUNCTIONS, never
 * deployed): it records its own execution — a row when it starts, one per heartbeat, one when it
 * ends, each with the input marker it received — so the history checker can match runs to the
 * requests that started them and see whether two runs of one ID overlapped.
 *
 * Input: `{ marker, holdSeconds?, beatSeconds? }`. `holdSeconds` 0 ends at once (a job that ends
 * within a burst); otherwise it holds the ID on durable timers, beating every `beatSeconds`, so a
 * run that is terminated from outside still shows how long it lasted.
 *
 * `chaosOtherJob` is the same job under another name, not exposed for singleton start: the runs of
 * "another orchestrator", started past the starter, that no start of `chaosJob` may attach to,
 * terminate or replace.
 */
import * as df from 'durable-functions';
import type { OrchestrationContext } from 'durable-functions';
import { exposeForSingletonStart } from '../../../src/singleton/catalog';
import { runRow, runsTable, type RunMark } from '../runsTable';

export const CHAOS_JOB = 'chaosJob';
export const CHAOS_OTHER_JOB = 'chaosOtherJob';
const RECORD = 'chaosRecordRun';
/** Recording goes to storage the faults do not touch when the runner says so. */
const RECORD_STORAGE = 'CHAOS_RECORD_STORAGE';
// Retried so that a storage fault cannot fail a run only because its record did not get written.
const RECORD_RETRY = Object.assign(new df.RetryOptions(500, 10), { backoffCoefficient: 1.5 });

interface ChaosInput {
  marker: string;
  holdSeconds: number;
  beatSeconds: number;
}

function readInput(value: unknown): ChaosInput {
  const input = (value ?? {}) as Partial<ChaosInput>;
  if (typeof input.marker !== 'string' || input.marker === '') {
    throw new Error('chaosJob needs an input with a non-empty string marker.');
  }
  const clamp = (n: unknown, fallback: number, max: number) =>
    Math.max(0, Math.min(max, Number.isFinite(n) ? Number(n) : fallback));
  return {
    marker: input.marker,
    holdSeconds: clamp(input.holdSeconds, 0, 600),
    beatSeconds: Math.max(1, clamp(input.beatSeconds, 2, 60)),
  };
}

df.app.activity(RECORD, {
  handler: async (mark: RunMark) => {
    const connection = process.env[RECORD_STORAGE] ?? process.env.AzureWebJobsStorage ?? '';
    const table = runsTable(connection);
    await table.createTable();
    await table.upsertEntity(
      runRow(mark, Date.now(), process.env.LOCAL_HOST_PORT ?? String(process.pid)),
      'Replace',
    );
  },
});

const recordingJob = (orchestrator: string) =>
  function* (context: OrchestrationContext) {
    const { marker, holdSeconds, beatSeconds } = readInput(context.df.getInput());
    const instanceId = context.df.instanceId;
    // Deterministic per execution (instance ID + this execution's start time), the same on replay.
    const runId = context.df.newGuid(`${instanceId}|${marker}`);
    const mark = (phase: RunMark['phase'], seq = 0) =>
      context.df.callActivityWithRetry(RECORD, RECORD_RETRY, {
        instanceId,
        orchestrator,
        runId,
        marker,
        phase,
        seq,
      } satisfies RunMark);

    yield mark('start');
    const until = context.df.currentUtcDateTime.getTime() + holdSeconds * 1000;
    for (let beat = 1; context.df.currentUtcDateTime.getTime() < until; beat++) {
      const next = Math.min(until, context.df.currentUtcDateTime.getTime() + beatSeconds * 1000);
      yield context.df.createTimer(new Date(next));
      yield mark('beat', beat);
    }
    yield mark('end');
    return { runId, marker };
  };

df.app.orchestration(CHAOS_JOB, recordingJob(CHAOS_JOB));
exposeForSingletonStart(CHAOS_JOB);
df.app.orchestration(CHAOS_OTHER_JOB, recordingJob(CHAOS_OTHER_JOB));
