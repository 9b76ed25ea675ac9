import type { Registration } from '../../tools/functions-core';
import { assertSupported, unsupportedBindings } from '../../tools/local-host/supported-bindings';

const fn = (name: string, bindings: Registration['metadata']['bindings']): Registration => ({
  metadata: { name, bindings },
  handler: () => undefined,
});

const starter = fn('starter', {
  req: { type: 'httpTrigger', direction: 'in', route: 'x' },
  $return: { type: 'http', direction: 'out' },
  client: { type: 'durableClient', direction: 'in' },
});
const orchestrator = fn('job', { context: { type: 'orchestrationTrigger', direction: 'in' } });
const activity = fn('step', { input: { type: 'activityTrigger', direction: 'in' } });

const timer = fn('nightly', {
  timer: { type: 'timerTrigger', direction: 'in', schedule: '0 0 2 * * *' },
  client: { type: 'durableClient', direction: 'in' },
});
const queue = fn('orders', {
  msg: { type: 'queueTrigger', direction: 'in', queueName: 'orders', connection: 'Storage' },
  client: { type: 'durableClient', direction: 'in' },
});

describe('bindings the local host supports', () => {
  it('accepts HTTP, orchestration, activity, timer and queue triggers, durable clients and the HTTP answer', () => {
    expect(unsupportedBindings([starter, orchestrator, activity, timer, queue])).toEqual([]);
  });

  it('refuses an output binding, naming the function, the binding and its type', () => {
    const writer = fn('writeReport', {
      input: { type: 'activityTrigger', direction: 'in' },
      outputBlob: { type: 'blob', direction: 'out', path: 'reports/{id}' },
    });
    expect(unsupportedBindings([starter, writer])).toEqual([
      "Function 'writeReport' has a blob output binding ('outputBlob'), which the local host does not support: what the function writes to it would be dropped.",
    ]);
    expect(() => assertSupported([writer])).toThrow(/func start/);
  });

  it('refuses entities, other triggers and other inputs', () => {
    const problems = unsupportedBindings([
      fn('counter', { ctx: { type: 'entityTrigger', direction: 'in' } }),
      fn('uploads', { blob: { type: 'blobTrigger', direction: 'in', path: 'in/{name}' } }),
      fn('reader', {
        input: { type: 'activityTrigger', direction: 'in' },
        doc: { type: 'blob', direction: 'in' },
      }),
    ]);
    expect(problems).toHaveLength(3);
    expect(problems[0]).toContain("'counter' is a durable entity");
    expect(problems[1]).toContain("'uploads' has a blobTrigger");
    expect(problems[2]).toContain("'reader' has a blob input binding ('doc')");
  });

  it('refuses a queue output on a timer function and a retry policy, which would be dropped', () => {
    const problems = unsupportedBindings([
      fn('fanOut', {
        timer: { type: 'timerTrigger', direction: 'in', schedule: '0 * * * * *' },
        $return: { type: 'queue', direction: 'out', queueName: 'work' },
      }),
      {
        ...queue,
        metadata: {
          ...queue.metadata,
          retryOptions: { strategy: 'fixedDelay', maxRetryCount: 3, delayInterval: { seconds: 5 } },
        },
      },
    ]);
    expect(problems).toEqual([
      "Function 'fanOut' has a queue output binding ('$return'), which the local host does not support: what the function writes to it would be dropped.",
      "Function 'orders' has a retry policy ('retry'), which the local host does not apply: a failed invocation would not be retried.",
    ]);
  });
});
