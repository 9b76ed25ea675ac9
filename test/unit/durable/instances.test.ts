import type { DurableClient } from 'durable-functions';
import { DurableInstances } from '../../../src/durable/instances';
import { AlreadyExistsError } from '../../../src/singleton/ports';

/** A client whose `startNew` fails as durable-functions does for the given answer. */
function clientFailing(error: Error): DurableClient {
  return {
    taskHubName: 'hub',
    startNew: () => Promise.reject(error),
  } as unknown as DurableClient;
}

const status = (code: number) =>
  new Error(`The operation failed with an unexpected status code: ${code}. Details: {}`);
const network = (code: string) => Object.assign(new Error(`connect ${code}`), { code });

describe('durableInstances: failures', () => {
  it.each<[string, Error, string]>([
    ['a 504', status(504), 'unavailable'],
    ['a 429', status(429), 'unavailable'],
    ['a 500', status(500), 'failed'],
    // As the extension answered when the proxy reset its storage connection (chaos scenario c).
    [
      "a 500 for its storage's reset connection",
      new Error(
        'The operation failed with an unexpected status code: 500. Details: {"Message":"Something went wrong while processing your request","ExceptionMessage":"Transport endpoint is not connected","ExceptionType":"System.Net.Sockets.SocketException"}',
      ),
      'unavailable',
    ],
    [
      'a 500 for an IOException',
      new Error(
        'The operation failed with an unexpected status code: 500. Details: {"ExceptionType":"System.IO.IOException"}',
      ),
      'unavailable',
    ],
    [
      'a 500 for anything else',
      new Error(
        'The operation failed with an unexpected status code: 500. Details: {"ExceptionType":"System.InvalidOperationException"}',
      ),
      'failed',
    ],
    ['a 400', status(400), 'failed'],
    ['a refused connection', network('ECONNREFUSED'), 'unavailable'],
    ['an unknown error', new Error('boom'), 'failed'],
  ])('classifies %s', async (_label, error, kind) => {
    const start = new DurableInstances(clientFailing(error), 1_000).start('job', 'a', null);
    await expect(start).rejects.toMatchObject({ dependency: 'durable', kind });
  });

  it('reads a duplicate-start refusal as "already exists", whatever its status code', async () => {
    const refusal = new Error(
      'The operation failed with an unexpected status code: 500. Details: {"ExceptionMessage":"An Orchestration instance with the status Running already exists."}',
    );
    const start = new DurableInstances(clientFailing(refusal), 1_000).start('job', 'a', null);
    await expect(start).rejects.toBeInstanceOf(AlreadyExistsError);
    await expect(start).rejects.toMatchObject({ runtimeStatus: 'Running' });
  });

  it('bounds a call that gets no answer, as timed out', async () => {
    jest.useFakeTimers();
    try {
      const client = {
        taskHubName: 'hub',
        startNew: () => new Promise(() => undefined),
      } as unknown as DurableClient;
      const start = new DurableInstances(client, 300).start('job', 'a', null);
      jest.advanceTimersByTime(300);
      await expect(start).rejects.toMatchObject({
        dependency: 'durable',
        kind: 'timedOut',
        message: 'Starting the orchestration: no answer within 300 ms',
      });
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('durableInstances: the input as the caller gave it', () => {
  /** A client whose status of 'a' shows a run started with receipts it inherited. */
  const client = {
    taskHubName: 'hub',
    getStatus: () =>
      Promise.resolve({
        name: 'job',
        instanceId: 'a',
        runtimeStatus: 'Running',
        createdTime: new Date('2026-01-01T00:00:00Z'),
        lastUpdatedTime: new Date('2026-01-01T00:00:01Z'),
        input: { $singletonReceipts: ['s1'], input: { n: 1 } },
        output: null,
        customStatus: { receivedSignals: ['s1'] },
      }),
  } as unknown as DurableClient;

  it('reads the run without the receipts the starter added (a keyed start compares it)', async () => {
    const run = await new DurableInstances(client, 1_000).run('a');
    expect(run).toEqual({ name: 'job', createdTime: '2026-01-01T00:00:00.000Z', input: { n: 1 } });
  });

  it('shows an operator the caller’s input too', async () => {
    const view = await new DurableInstances(client, 1_000).view('a', true);
    expect(view).toMatchObject({ input: { n: 1 }, customStatus: { receivedSignals: ['s1'] } });
  });
});
