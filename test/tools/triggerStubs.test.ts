/**
 * The C# stubs of timer and storage-queue functions, from the metadata `@azure/functions` registers:
 * the trigger attribute as the Functions host builds it, one `[DurableClient] string` per durable
 * client input, and method names in `Host.Functions` as the host names them.
 */
import { app } from '@azure/functions';
import * as df from 'durable-functions';
import type { Registration } from '../../tools/functions-core';
import { getRegistration } from '../../tools/functions-core';
import { csString } from '../../tools/local-host/cs-syntax';
import { methodNames, triggerParameter, triggerStub } from '../../tools/local-host/trigger-stubs';

const handler = () => undefined;

app.timer('stubNightly', { schedule: '%NIGHTLY%', handler });
app.timer('stubEager', { schedule: '00:00:30', runOnStartup: true, useMonitor: false, handler });
app.storageQueue('stubQueue', {
  queueName: 'orders',
  connection: 'AzureWebJobsStorage',
  extraInputs: [df.input.durableClient()],
  handler,
});
app.storageQueue('stubBytes', {
  queueName: '%QUEUE%',
  connection: '',
  handler,
});

const fn = (name: string, bindings: Registration['metadata']['bindings']): Registration => ({
  metadata: { name, bindings },
  handler,
});

describe('trigger stubs', () => {
  it('builds the timer attribute with the host’s defaults: runOnStartup false, useMonitor true', () => {
    expect(triggerParameter(getRegistration('stubNightly'))).toBe(
      '[TimerTrigger("%NIGHTLY%", RunOnStartup = false, UseMonitor = true)] TimerInfo trigger',
    );
    expect(triggerParameter(getRegistration('stubEager'))).toBe(
      '[TimerTrigger("00:00:30", RunOnStartup = true, UseMonitor = false)] TimerInfo trigger',
    );
  });

  it('binds a queue trigger as string, or bytes with dataType binary, with its connection', () => {
    expect(triggerParameter(getRegistration('stubQueue'))).toBe(
      '[QueueTrigger("orders", Connection = "AzureWebJobsStorage")] string trigger',
    );
    expect(triggerParameter(getRegistration('stubBytes'))).toBe(
      '[QueueTrigger("%QUEUE%")] string trigger',
    );
    const binary = fn('binaryQueue', {
      msg: { type: 'queueTrigger', direction: 'in', queueName: 'q', dataType: 'binary' },
    });
    expect(triggerParameter(binary)).toBe('[QueueTrigger("q")] byte[] trigger');
  });

  it('refuses a timer without a schedule and a non-boolean flag, naming the function', () => {
    expect(() =>
      triggerParameter(fn('noSchedule', { t: { type: 'timerTrigger', direction: 'in' } })),
    ).toThrow("Function 'noSchedule': the timer's schedule must be a non-empty string.");
    expect(() =>
      triggerParameter(
        fn('odd', {
          t: { type: 'timerTrigger', direction: 'in', schedule: '* * * * * *', useMonitor: 1 },
        }),
      ),
    ).toThrow("Function 'odd': useMonitor must be true or false, not 1.");
  });

  it('passes each durable client input’s binding data from a [DurableClient] parameter', () => {
    const stub = triggerStub(getRegistration('stubQueue'), '@stubQueue').join('\n');
    const clientName = Object.entries(getRegistration('stubQueue').metadata.bindings).find(
      ([, b]) => b.type === 'durableClient',
    )?.[0];
    expect(stub).toContain('[DurableClient] string? client0,');
    expect(stub).toContain('Binder binder)');
    expect(stub).toContain(`{ ["${clientName}"] = client0 }`);
    expect(triggerStub(getRegistration('stubNightly'), '@stubNightly').join('\n')).toContain(
      'new Dictionary<string, string?>())',
    );
  });

  it('names methods after the functions where C# allows, avoiding clashes and the type’s name', () => {
    expect([
      ...methodNames(['nightly', 'class', 'import-orders', 'import_orders', 'Functions']),
    ]).toEqual([
      ['nightly', '@nightly'],
      ['class', '@class'],
      ['import-orders', '@import_orders'],
      ['import_orders', '@import_orders_2'],
      ['Functions', '@Functions_2'],
    ]);
  });

  it('writes C# string literals with quotes, backslashes and control characters escaped', () => {
    expect(csString('a"b\\c\nd')).toBe('"a\\"b\\\\c\\u000ad"');
  });
});
