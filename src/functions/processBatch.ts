/**
 * The finite sample job: `processBatch` fans a batch out to `processBatchChunk` activities.
 * Exposed for singleton start with its input check (a start with input it would fail on is refused
 * with 400) and the default reuse policy (`always`): once a batch has ended, in
 * any way, starting the same ID again runs a fresh batch. It is also the sample schedule's job:
 * `hourly-batch` starts a batch each hour (the app setting HOURLY_BATCH_SCHEDULE), one tick
 * waiting while a batch runs, ticks missed within the hour caught up, a failed batch pausing it.
 */
import * as df from 'durable-functions';
import { checkProcessBatchInput } from '../jobs/processBatch/input';
import { CANCEL_EVENT, PROCESS_BATCH, PROCESS_BATCH_CHUNK } from '../jobs/processBatch/names';
import { processBatchOrchestrator } from '../jobs/processBatch/orchestrator';
import { processBatchChunk } from '../jobs/processBatch/processChunk';
import { scheduleSingleton } from '../schedules/definition';
import { exposeForSingletonStart } from '../singleton/catalog';

df.app.orchestration(PROCESS_BATCH, processBatchOrchestrator);
df.app.activity(PROCESS_BATCH_CHUNK, { handler: processBatchChunk });
exposeForSingletonStart(PROCESS_BATCH, {
  input: checkProcessBatchInput,
  acknowledgesSignals: true,
  events: { [CANCEL_EVENT]: {} },
});

scheduleSingleton('hourly-batch', {
  orchestrator: PROCESS_BATCH,
  instanceId: 'hourly-batch',
  schedule: '%HOURLY_BATCH_SCHEDULE%',
  input: { items: 100 },
  overlap: 'bufferOne',
  catchupWindowSeconds: 3_600,
  pauseOnFailure: true,
});
