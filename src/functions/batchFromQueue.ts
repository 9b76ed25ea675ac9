/**
 * A singleton started by a queue message: each message on `batch-requests` asks for one
 * `processBatch` under its `instanceId`. The message's ID is the start's idempotency key, so a
 * message the host delivers again (after a crash, or a lost completion) replays the first
 * outcome instead of starting again. What cannot succeed on a retry is refused loudly: the
 * invocation fails with the reason in the log, and after `maxDequeueCount` tries (host.json,
 * default 5) the host moves the message to `batch-requests-poison`. A 503 from the starter fails
 * the invocation too, so the host retries the message later. A conflict (the ID's job is running)
 * completes the message, logged as a warning: starting it would break the guarantee.
 */
import { app, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { readBatchRequestMessage } from '../jobs/batchQueue/message';
import { PROCESS_BATCH } from '../jobs/processBatch/names';
import { singletonStarter } from '../singletonStarter';

export const BATCH_REQUESTS_QUEUE = 'batch-requests';

export async function batchFromQueue(message: unknown, context: InvocationContext): Promise<void> {
  const messageId = String(context.triggerMetadata?.id ?? '');
  const read = readBatchRequestMessage(message);
  if (!read.ok) {
    throw new Error(`Batch request ${messageId} refused: ${read.problems.join('; ')}.`);
  }
  const { instanceId, input, onConflict } = read.value;
  const starter = singletonStarter(context);
  const result = await starter.start(PROCESS_BATCH, instanceId, input, {
    idempotencyKey: `${BATCH_REQUESTS_QUEUE}/${messageId}`,
    ...(onConflict !== undefined && { onConflict }),
  });
  const line = `Batch request ${messageId}: ${starter.describe(result, instanceId)}`;
  switch (result.kind) {
    case 'started':
    case 'attached':
    case 'replayed':
      context.info(line);
      return;
    case 'conflict':
      context.warn(line);
      return;
    default:
      // Invalid, unavailable, failed, misconfigured, or the key still in progress: retried by the
      // host, then poisoned, never dropped.
      throw new Error(line);
  }
}

app.storageQueue('batchFromQueue', {
  queueName: BATCH_REQUESTS_QUEUE,
  connection: 'AzureWebJobsStorage',
  extraInputs: [df.input.durableClient()],
  handler: batchFromQueue,
});
