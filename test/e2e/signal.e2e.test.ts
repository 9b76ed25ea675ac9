/**
 * Signal-with-start on the real engine: an event to the running instance (200), a start that
 * receives it (202), a refusal (409), bad input (404/400), and each sample job's command.
 */
import { BASE, call, getStatus, post, statusUrl, uniqueId } from './http';

type Status = {
  runtimeStatus: string;
  customStatus: {
    iteration?: number;
    intervalSeconds?: number;
    phase?: string;
    done?: number;
    receivedSignals?: string[];
  } | null;
  output?: { cancelled?: { skippedItems: number }; iterations?: number } | null;
};

const at = (job: string, id: string) => `orchestrators/${job}/${encodeURIComponent(id)}`;
const signal = (job: string, id: string, event: string, data?: unknown, headers = {}) =>
  call('POST', `${at(job, id)}/events/${event}`, data, headers);

/** The run's output, which the app's status route leaves out: from the extension's own API. */
async function output(id: string): Promise<Status['output']> {
  const response = await fetch(
    `${BASE}/runtime/webhooks/durabletask/instances/${encodeURIComponent(id)}`,
  );
  return ((await response.json()) as Status).output;
}

async function until(job: string, id: string, done: (s: Status) => boolean, ms = 60_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const answer = await call('GET', at(job, id));
    const status = answer.json as unknown as Status;
    if (answer.status === 200 && done(status)) return status;
    if (Date.now() > deadline) throw new Error(`${id}: ${answer.text}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('signals', () => {
  it('periodicSync: runNow runs a pass at once, setInterval changes the wait, stop ends it', async () => {
    const id = uniqueId('sig-sync');
    expect((await call('POST', at('periodicSync', id), { intervalSeconds: 120 })).status).toBe(202);
    await until('periodicSync', id, (s) => s.customStatus?.phase === 'waiting');

    const asked = Date.now();
    const runNow = await signal('periodicSync', id, 'runNow');
    expect(runNow.status).toBe(200);
    expect(runNow.json.runtimeStatus).toBe('Running');
    await until('periodicSync', id, (s) => (s.customStatus?.iteration ?? 0) >= 2, 10_000);
    // Well within the 120 s interval: the pass ran because of the event.
    expect(Date.now() - asked).toBeLessThan(10_000);

    expect((await signal('periodicSync', id, 'setInterval', { intervalSeconds: 0 })).status).toBe(
      400,
    );
    const changed = await signal('periodicSync', id, 'setInterval', { intervalSeconds: 2 });
    expect(changed.status).toBe(200);
    await until('periodicSync', id, (s) => (s.customStatus?.iteration ?? 0) >= 4, 20_000);

    expect((await signal('periodicSync', id, 'stop')).status).toBe(200);
    await until('periodicSync', id, (s) => s.runtimeStatus === 'Completed');
    expect((await output(id))?.iterations).toBeGreaterThanOrEqual(4);
  }, 120_000);

  it('a signal to an ID with no instance starts one with Singleton-Start-Input, which gets the event', async () => {
    const id = uniqueId('sig-start');
    const started = await signal('periodicSync', id, 'stop', null, {
      'Singleton-Start-Input': '{"intervalSeconds":120}',
    });
    expect(started.status).toBe(202);
    // The new run read the stop in its first wait: it completes instead of waiting 120 s.
    await until('periodicSync', id, (s) => s.runtimeStatus === 'Completed', 30_000);
    expect((await output(id))?.iterations).toBe(1);
  }, 60_000);

  it('processBatch: cancel ends the batch early, with a summary that says so', async () => {
    const id = uniqueId('sig-batch');
    const input = { items: 400, chunkSize: 10, parallelism: 1 };
    expect((await call('POST', at('processBatch', id), input)).status).toBe(202);
    await until('processBatch', id, (s) => (s.customStatus?.done ?? 0) >= 10);
    expect((await signal('processBatch', id, 'cancel')).status).toBe(200);
    await until('processBatch', id, (s) => s.runtimeStatus === 'Completed');
    expect((await output(id))?.cancelled?.skippedItems).toBeGreaterThan(0);
  }, 120_000);

  it('answers a signal once the run has read it: the receipt is in its status as the 200 comes', async () => {
    const id = uniqueId('sig-receipt');
    expect((await call('POST', at('periodicSync', id), { intervalSeconds: 120 })).status).toBe(202);
    await until('periodicSync', id, (s) => s.customStatus?.phase === 'waiting');
    const before = (await call('GET', at('periodicSync', id))).json as unknown as Status;
    const setInterval = await signal('periodicSync', id, 'setInterval', { intervalSeconds: 90 });
    expect(setInterval.status).toBe(200);
    // Read at once after the 200, no polling: the run had listed the signal when it was answered.
    const after = (await call('GET', at('periodicSync', id))).json as unknown as Status;
    expect(after.customStatus?.receivedSignals).toHaveLength(
      (before.customStatus?.receivedSignals?.length ?? 0) + 1,
    );
    expect(after.customStatus?.intervalSeconds).toBe(90);
    await signal('periodicSync', id, 'stop');
  }, 60_000);

  it('a retry with the same Idempotency-Key is not raised again; the key with other data: 422', async () => {
    const id = uniqueId('sig-key');
    expect((await call('POST', at('periodicSync', id), { intervalSeconds: 120 })).status).toBe(202);
    await until('periodicSync', id, (s) => s.customStatus?.phase === 'waiting');
    const key = { 'Idempotency-Key': `"${id}-1"` };
    const first = await signal('periodicSync', id, 'runNow', null, key);
    expect(first.status).toBe(200);
    await until('periodicSync', id, (s) => (s.customStatus?.iteration ?? 0) >= 2, 10_000);
    const retry = await signal('periodicSync', id, 'runNow', null, key);
    expect(retry.status).toBe(200);
    const other = await signal('periodicSync', id, 'setInterval', { intervalSeconds: 5 }, key);
    expect(other.status).toBe(422);
    // The retry ran no third pass: only the start's and the first runNow's, 2 s later.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const status = (await call('GET', at('periodicSync', id))).json as unknown as Status;
    expect(status.customStatus?.iteration).toBe(2);
    expect(status.customStatus?.intervalSeconds).toBe(120);
    await signal('periodicSync', id, 'stop');
  }, 60_000);

  it('a later run inherits the receipts of the one before: a late copy of its cancel is ignored', async () => {
    const id = uniqueId('sig-inherit');
    const input = { items: 600, chunkSize: 10, parallelism: 1 };
    expect((await call('POST', at('processBatch', id), input)).status).toBe(202);
    await until('processBatch', id, (s) => (s.customStatus?.done ?? 0) >= 10);
    expect((await signal('processBatch', id, 'cancel')).status).toBe(200);
    const first = await until('processBatch', id, (s) => s.runtimeStatus === 'Completed');
    const [cancelId] = first.customStatus?.receivedSignals ?? [];
    expect(cancelId).toEqual(expect.any(String));

    // The next run starts with the first run's receipts: the engine got them beside the input.
    expect((await call('POST', at('processBatch', id), input)).status).toBe(202);
    const second = await until('processBatch', id, (s) => (s.customStatus?.done ?? 0) >= 10);
    expect(second.customStatus?.receivedSignals).toEqual([cancelId]);
    const raw = await getStatus(statusUrl(id));
    expect(raw.json.input).toEqual({ $singletonReceipts: [cancelId], input });

    // A copy of the first run's cancel, as a discarded episode leaves it queued: raised past the
    // starter, it reaches the second run, which has read it before (inherited) and goes on.
    const copy = await post(`${statusUrl(id)}/raiseEvent/cancel`, {
      $singletonSignal: cancelId,
      data: null,
    });
    expect(copy.status).toBe(202);
    const done = (await until('processBatch', id, () => true)).customStatus?.done ?? 0;
    const after = await until(
      'processBatch',
      id,
      (s) => s.runtimeStatus === 'Completed' || (s.customStatus?.done ?? 0) >= done + 30,
    );
    expect(after.runtimeStatus).toBe('Running');
    // A new cancel, through the starter, still cancels it.
    expect((await signal('processBatch', id, 'cancel')).status).toBe(200);
    const ended = await until('processBatch', id, (s) => s.runtimeStatus === 'Completed');
    expect(ended.customStatus?.receivedSignals).toHaveLength(2);
    expect((await output(id))?.cancelled?.skippedItems).toBeGreaterThan(0);
  }, 120_000);

  it('refuses an ended instance its reuse policy protects (409), an undeclared event (404), raising nothing', async () => {
    const id = uniqueId('sig-nightly');
    expect((await call('POST', at('nightlyImport', id), { items: 1 })).status).toBe(202);
    await until('nightlyImport', id, (s) => s.runtimeStatus === 'Completed');
    const refused = await signal('nightlyImport', id, 'cancel');
    expect(refused.status).toBe(409);
    expect(refused.json.rule).toBe('reuse');
    const undeclared = await signal('nightlyImport', id, 'selfDestruct');
    expect(undeclared.status).toBe(404);
    expect(undeclared.json.type).toBe('urn:durable-singleton:problem:event-not-found');
    expect((await call('GET', at('nightlyImport', id))).json.runtimeStatus).toBe('Completed');
  }, 60_000);
});
