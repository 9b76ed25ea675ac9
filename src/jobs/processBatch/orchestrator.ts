/**
 * The `processBatch` orchestrator: validates its input, processes the batch in waves of parallel
 * chunks (fan-out/fan-in), reports `{ done, total }` in custom status after each wave and returns a
 * summary. The `cancel` event stops it from scheduling more waves: the wave in flight finishes
 * (activities cannot be called back), and the summary says `cancelled`, with the items skipped.
 * Deterministic: time comes only from `context.df.currentUtcDateTime`.
 */
import * as df from 'durable-functions';
import type { OrchestrationContext, OrchestrationHandler } from 'durable-functions';
import { openStartInput, takeSignal } from '../signalInbox';
import { inWaves, planChunks } from './chunks';
import { requireProcessBatchInput } from './input';
import { CANCEL_EVENT, PROCESS_BATCH_CHUNK } from './names';
import { type ChunkResult, combineChecksums } from './processChunk';

/** Custom status: records handled so far out of the batch size. */
export interface ProcessBatchStatus {
  done: number;
  total: number;
  /** The signals read (src/jobs/signalInbox.ts): how the starter knows `cancel` arrived. */
  receivedSignals: string[];
}

export interface ProcessBatchSummary {
  items: number;
  chunks: number;
  processed: number;
  rejected: number;
  checksum: string;
  startedAt: string;
  completedAt: string;
  /** Present when the `cancel` event stopped it: the items never scheduled. */
  cancelled?: { skippedItems: number };
}

/** Transient failures of a chunk are retried by the Durable runtime: 3 attempts, 1 s then 2 s apart. */
export const CHUNK_RETRY = Object.assign(new df.RetryOptions(1_000, 3), { backoffCoefficient: 2 });

export const processBatchOrchestrator: OrchestrationHandler = function* (
  context: OrchestrationContext,
) {
  const start = openStartInput(context.df.getInput());
  const settings = requireProcessBatchInput(start.input);
  const startedAt = context.df.currentUtcDateTime.toISOString();
  const chunks = planChunks(settings.items, settings.chunkSize);
  const total = settings.items;
  let done = 0;
  // Inherited from the instance this run follows, so that a late copy of its cancel is no cancel.
  let receivedSignals = [...start.receipts];
  const status = () =>
    context.df.setCustomStatus({ done, total, receivedSignals } satisfies ProcessBatchStatus);
  status();

  const results: ChunkResult[] = [];
  let cancel = context.df.waitForExternalEvent(CANCEL_EVENT);
  let cancelled = false;
  for (const wave of inWaves(chunks, settings.parallelism)) {
    const tasks = wave.map((chunk) =>
      context.df.callActivityWithRetry(PROCESS_BATCH_CHUNK, CHUNK_RETRY, chunk),
    );
    const all = context.df.Task.all(tasks);
    try {
      while (!cancelled && (yield context.df.Task.any([all, cancel])) === cancel) {
        const taken = takeSignal(receivedSignals, cancel.result);
        if (taken.fresh) {
          cancelled = true;
          receivedSignals = taken.receipts;
          status();
        } else {
          // Read before, by this run or one before it (a retry, or a late copy): wait on.
          cancel = context.df.waitForExternalEvent(CANCEL_EVENT);
        }
      }
      // The wave in flight finishes either way: its chunks are running.
      results.push(...((yield all) as ChunkResult[]));
    } catch (error) {
      const first = wave[0].firstItem;
      const last = wave[wave.length - 1].firstItem + wave[wave.length - 1].itemCount - 1;
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(
        `A chunk of records ${first}-${last} still failed after ${CHUNK_RETRY.maxNumberOfAttempts} attempts: ${reason}`,
      );
    }
    done += wave.reduce((sum, chunk) => sum + chunk.itemCount, 0);
    status();
    if (cancelled) break;
  }

  const summary: ProcessBatchSummary = {
    items: settings.items,
    chunks: chunks.length,
    processed: results.reduce((sum, result) => sum + result.processed, 0),
    rejected: results.reduce((sum, result) => sum + result.rejected, 0),
    checksum: combineChecksums(results.map((result) => result.checksum)),
    startedAt,
    completedAt: context.df.currentUtcDateTime.toISOString(),
    ...(cancelled && { cancelled: { skippedItems: total - done } }),
  };
  return summary;
};
