/**
 * Timer and queue functions run for the engine through `@azure/functions`' invocation model, with
 * the typed data the engine sends (as the Functions host sends it to a Node worker), observed from
 * inside real handlers: the timer object, the message and its trigger metadata, the durable client.
 */
import { app, type InvocationContext, type Timer } from '@azure/functions';
import * as df from 'durable-functions';
import { durableClientInputs, getRegistration } from '../../tools/functions-core';
import {
  runTrigger,
  toRpcTypedData,
  type TriggerCall,
} from '../../tools/local-host/trigger-runner';
import { durableClientBinding } from '../support/durableClientBinding';

const seen: Record<string, { input: unknown; context: InvocationContext; hub?: string }> = {};

app.timer('runnerTimer', {
  schedule: '0 * * * * *',
  extraInputs: [df.input.durableClient()],
  handler: (timer: Timer, context) => {
    seen.timer = { input: timer, context, hub: df.getClient(context).taskHubName };
  },
});
app.storageQueue('runnerQueue', {
  queueName: 'work',
  connection: 'AzureWebJobsStorage',
  extraInputs: [df.input.durableClient()],
  handler: (message, context) => {
    seen.queue = { input: message, context, hub: df.getClient(context).taskHubName };
    if ((message as { fail?: boolean }).fail) throw new Error('failed on purpose');
  },
});

const options = { verbose: false, clientJson: (json: string) => json };

/** The binding data per durable client input, by its (generated) binding name, as the stub sends it. */
function clients(fn: string, hub: string): Record<string, string> {
  const [client] = durableClientInputs(getRegistration(fn).metadata);
  return { [client.name]: durableClientBinding('http://127.0.0.1:17071/durabletask/', hub) };
}

beforeEach(() => {
  jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
});
afterEach(() => jest.restoreAllMocks());

describe('timer and queue functions for the engine', () => {
  it('hands a timer function the timer object, camel-cased as the worker does', async () => {
    // What the host sends: JsonConvert.SerializeObject(TimerInfo).
    const timerInfo = {
      Schedule: { AdjustForDST: true },
      ScheduleStatus: {
        Last: '2026-01-01T00:00:00+00:00',
        Next: '2026-01-01T00:01:00+00:00',
        LastUpdated: '2026-01-01T00:00:00+00:00',
      },
      IsPastDue: false,
    };
    const call: TriggerCall = {
      data: { json: JSON.stringify(timerInfo) },
      triggerMetadata: { TimerTrigger: { string: '1/1/2026 12:00:00 AM' } },
      clients: clients('runnerTimer', 'TimerHub'),
    };
    expect(await runTrigger('runnerTimer', call, options)).toEqual({ ok: true, result: 'null' });
    expect(seen.timer.input).toEqual({
      schedule: { adjustForDST: true },
      scheduleStatus: {
        last: '2026-01-01T00:00:00+00:00',
        next: '2026-01-01T00:01:00+00:00',
        lastUpdated: '2026-01-01T00:00:00+00:00',
      },
      isPastDue: false,
    });
    expect(seen.timer.hub).toBe('TimerHub');
    // The worker keeps no trigger metadata for timers.
    expect(seen.timer.context.triggerMetadata).toBeUndefined();
  });

  it('hands a queue function the message and the trigger metadata, camel-cased', async () => {
    const message = JSON.stringify({ order: 7 });
    const call: TriggerCall = {
      data: { string: message },
      triggerMetadata: {
        QueueTrigger: { string: message },
        DequeueCount: { json: '2' },
        Id: { string: 'm-1' },
        InsertionTime: { json: '"2026-01-01T00:00:00+00:00"' },
        PopReceipt: { string: 'AgAAAA==' },
        order: { string: '7' },
      },
      clients: clients('runnerQueue', 'QueueHub'),
    };
    expect(await runTrigger('runnerQueue', call, options)).toEqual({ ok: true, result: 'null' });
    expect(seen.queue.input).toEqual({ order: 7 });
    expect(seen.queue.context.triggerMetadata).toEqual({
      queueTrigger: { order: 7 },
      dequeueCount: 2,
      id: 'm-1',
      insertionTime: '2026-01-01T00:00:00+00:00',
      popReceipt: 'AgAAAA==',
      order: 7,
    });
    expect(seen.queue.hub).toBe('QueueHub');
  });

  it('answers a throw as a failure the engine rethrows (so WebJobs retries the message)', async () => {
    const result = await runTrigger(
      'runnerQueue',
      {
        data: { string: '{"fail":true}' },
        triggerMetadata: {},
        clients: clients('runnerQueue', 'QueueHub'),
      },
      options,
    );
    expect(result).toMatchObject({ ok: false, message: 'failed on purpose' });
  });

  it('hands the durable client binding data as the app gets it (routed through a proxy, say)', async () => {
    const rerouted = (json: string) =>
      JSON.stringify({ ...JSON.parse(json), taskHubName: 'Routed' });
    await runTrigger(
      'runnerQueue',
      { data: { string: 'x' }, triggerMetadata: {}, clients: clients('runnerQueue', 'QueueHub') },
      { verbose: false, clientJson: rerouted },
    );
    expect(seen.queue.hub).toBe('Routed');
  });

  it('gives bytes as a Buffer', () => {
    expect(toRpcTypedData({ bytes: Buffer.from('hi').toString('base64') })).toEqual({
      bytes: Buffer.from('hi'),
    });
  });
});
