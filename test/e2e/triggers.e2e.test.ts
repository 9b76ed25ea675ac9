/**
 * The timer and queue samples on a real host: the nightly timer starts one run per date however
 * often it fires, and the queue sample starts one job per message and poisons what it must refuse.
 * Needs the host's storage for the queue (E2E_STORAGE_CONNECTION, default the local emulator) and,
 * for the timer, a host whose NIGHTLY_IMPORT_SCHEDULE fires every few seconds (E2E_NIGHTLY_TICK_SECONDS
 * says how often; CI sets both; without it the timer test is skipped, saying so).
 */
import { QueueServiceClient } from '@azure/storage-queue';
import { getStatus, sleep, statusUrl, uniqueId, waitForStatus } from './http';

const STORAGE = process.env.E2E_STORAGE_CONNECTION ?? 'UseDevelopmentStorage=true';
const QUEUE = 'batch-requests';
const TICK_SECONDS = Number(process.env.E2E_NIGHTLY_TICK_SECONDS ?? 0);

const queues = QueueServiceClient.fromConnectionString(STORAGE);

/** As the Functions host expects a message by default (`messageEncoding: base64`). */
async function enqueue(message: unknown): Promise<void> {
  const queue = queues.getQueueClient(QUEUE);
  await queue.createIfNotExists();
  await queue.sendMessage(Buffer.from(JSON.stringify(message), 'utf8').toString('base64'));
}

async function poisoned(): Promise<string[]> {
  const poison = queues.getQueueClient(`${QUEUE}-poison`);
  if (!(await poison.exists())) return [];
  const { peekedMessageItems } = await poison.peekMessages({ numberOfMessages: 32 });
  return peekedMessageItems.map((m) => Buffer.from(m.messageText, 'base64').toString('utf8'));
}

const ended = (s: { runtimeStatus: string }) => ['Completed', 'Failed'].includes(s.runtimeStatus);

describe('the queue sample (batch-requests)', () => {
  it('starts one batch per message, which runs once', async () => {
    const instanceId = uniqueId('queue');
    await enqueue({ instanceId, input: { items: 6, chunkSize: 2 } });
    const done = await waitForStatus(statusUrl(instanceId), ended, 120_000, 'the batch to end');
    expect(done).toMatchObject({ name: 'processBatch', runtimeStatus: 'Completed' });
    expect(done.output).toMatchObject({ items: 6, processed: 6 });
    // Reuse `always`: a second start of the ended ID would be a new run with a new creation time.
    await sleep(5_000);
    expect((await getStatus(statusUrl(instanceId))).json.createdTime).toBe(done.createdTime);
  });

  it('moves a message it must refuse to the poison queue after the retries, starting nothing', async () => {
    const instanceId = uniqueId('poison');
    const refused = { instanceId, input: { items: 0 } };
    await enqueue(refused);
    const deadline = Date.now() + 150_000;
    while (!(await poisoned()).includes(JSON.stringify(refused))) {
      if (Date.now() > deadline)
        throw new Error('The refused message never reached the poison queue.');
      await sleep(1_000);
    }
    expect((await getStatus(statusUrl(instanceId))).status).toBe(404);
  });
});

const timerTest = TICK_SECONDS > 0 ? it : it.skip;

describe('the nightly timer (only on a host that fires it every few seconds)', () => {
  timerTest('starts one run per UTC date, however often it fires', async () => {
    const today = () => `nightly-import-${new Date().toISOString().slice(0, 10)}`;
    const id = today();
    const first = await waitForStatus(statusUrl(id), ended, 120_000, "the date's run to end");
    expect(first).toMatchObject({ name: 'nightlyImport', runtimeStatus: 'Completed' });
    // Two more firings at least: each finds the date's run completed (reuse `failedOnly`).
    await sleep(TICK_SECONDS * 2_500);
    if (today() !== id) return; // midnight passed: a new date rightly has its own run
    expect((await getStatus(statusUrl(id))).json.createdTime).toBe(first.createdTime);
  });
});
