/**
 * The programmatic API from doors without HTTP: the nightly timer and the queue sample, called as
 * the worker calls them (an invocation context with the durable client binding), on the process's
 * one starter with its lock on Azurite and the loopback extension stand-in.
 */
import { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { batchFromQueue } from '../../src/functions/batchFromQueue';
import '../../src/functions/processBatch';
import { nightlyImportTimer } from '../../src/functions/nightlyImport';
import { scheduleKeeper } from '../../src/functions/schedules';
import { scheduleSingleton } from '../../src/schedules/definition';
import { SCHEDULER } from '../../src/schedules/names';
import { nightlyImportId } from '../../src/jobs/nightlyImport/instanceId';
import { singletonStarter } from '../../src/singletonStarter';
import { azuriteConnectionString } from '../support/azurite';
import { durableClientBinding } from '../support/durableClientBinding';
import { FakeExtension } from '../support/fakeExtension';

let fake: FakeExtension;
beforeAll(async () => {
  // The process's starter reads the app settings at its first use.
  process.env.AzureWebJobsStorage = azuriteConnectionString();
  fake = new FakeExtension(['nightlyImport', 'processBatch', SCHEDULER]);
  await fake.start();
});
afterAll(() => fake.stop());
beforeEach(() => {
  fake.reset();
  fake.acceptedStarts.length = 0;
});

/** An invocation as the worker makes it: the client binding's data, the trigger's metadata. */
function invocation(triggerMetadata: Record<string, unknown> = {}) {
  const lines: string[] = [];
  const clientInput = df.input.durableClient();
  const context = new InvocationContext({
    functionName: 'underTest',
    invocationId: 'inv-1',
    options: { trigger: { type: 'test', name: 'trigger' }, extraInputs: [clientInput] },
    triggerMetadata,
    logHandler: (level, ...args) => lines.push(`${level}: ${args.join(' ')}`),
  });
  context.extraInputs.set(clientInput, JSON.parse(durableClientBinding(fake.rpcBaseUrl)));
  return { context, lines };
}

const timer = { isPastDue: false, schedule: { adjustForDST: true }, scheduleStatus: undefined };

describe('the nightly timer', () => {
  it('starts one run per date: later firings are conflicts, logged, not errors; a failed run starts again', async () => {
    const id = nightlyImportId(new Date());
    const first = invocation();
    await nightlyImportTimer(timer as never, first.context);
    expect(first.lines.at(-1)).toBe(`information: Nightly import: started '${id}'.`);
    expect(fake.startsOf(id)).toHaveLength(1);

    // A second firing while it runs (another instance, a restart), then after it completed.
    for (const status of ['Running', 'Completed'] as const) {
      fake.instances.get(id)!.runtimeStatus = status;
      const again = invocation();
      await nightlyImportTimer({ ...timer, isPastDue: true } as never, again.context);
      expect(again.lines.at(-1)).toMatch(
        /^information: Nightly import \(past due\): not started \((running|reuse)\)/,
      );
    }
    expect(fake.startsOf(id)).toHaveLength(1);

    fake.instances.get(id)!.runtimeStatus = 'Failed';
    await nightlyImportTimer(timer as never, invocation().context);
    expect(fake.startsOf(id)).toHaveLength(2);
  });

  it('fails the invocation when the backend cannot be reached, so the failure shows', async () => {
    const { context } = invocation();
    context.extraInputs.set(
      context.options.extraInputs[0]!,
      JSON.parse(durableClientBinding('http://127.0.0.1:9/durabletask/')),
    );
    await expect(nightlyImportTimer(timer as never, context)).rejects.toThrow(
      /Nightly import: not started, retry later/,
    );
  });
});

describe('the queue sample', () => {
  const message = (instanceId: string, input: unknown = { items: 3 }) => ({ instanceId, input });

  it('starts one job per message; the same message delivered again replays and starts nothing', async () => {
    const id = `tenant-${Date.now()}`;
    const first = invocation({ id: 'msg-1', dequeueCount: 1 });
    await batchFromQueue(message(id), first.context);
    expect(first.lines.at(-1)).toBe(`information: Batch request msg-1: started '${id}'.`);

    fake.instances.get(id)!.runtimeStatus = 'Completed';
    const redelivered = invocation({ id: 'msg-1', dequeueCount: 2 });
    await batchFromQueue(message(id), redelivered.context);
    expect(redelivered.lines.at(-1)).toMatch(
      /^information: Batch request msg-1: replayed the earlier outcome/,
    );
    expect(fake.startsOf(id)).toHaveLength(1);
  });

  it('completes a message whose job is running, with a warning, and starts nothing', async () => {
    const id = `tenant-busy-${Date.now()}`;
    fake.seed(id, 'processBatch', 'Running');
    const { context, lines } = invocation({ id: 'msg-2' });
    await batchFromQueue(message(id), context);
    expect(lines.at(-1)).toMatch(/^warning: Batch request msg-2: not started \(running\)/);
    expect(fake.startsOf(id)).toHaveLength(0);
  });

  it.each([
    ['not an object', 'tenant-1', /the message must be a JSON object/],
    ['without an instance ID', { input: {} }, /missing property "instanceId"/],
    ['with input the job refuses', message('tenant-x', { items: 0 }), /refused \(invalid input\)/],
    ['with an ID the engine cannot carry', message('a/b'), /refused \(invalid instanceId\)/],
    [
      'with an unknown onConflict',
      { instanceId: 'a', onConflict: 'replace' },
      /invalid onConflict/,
    ],
  ])(
    'fails a message %s with the reason, so the host retries then poisons it',
    async (_what, body, reason) => {
      const { context } = invocation({ id: 'msg-bad' });
      await expect(batchFromQueue(body, context)).rejects.toThrow(reason);
      expect(fake.acceptedStarts).toEqual([]);
    },
  );
});

describe('the schedule keeper', () => {
  scheduleSingleton('it-keeper-ok', {
    orchestrator: 'processBatch',
    instanceId: 'keeper-ok',
    schedule: '00:05:00',
  });
  scheduleSingleton('it-keeper-broken', {
    orchestrator: 'processBatch',
    instanceId: 'keeper-broken',
    schedule: '%IT_KEEPER_UNSET_SCHEDULE%',
  });

  it('starts each schedule’s scheduler once, and logs one that cannot fire on every round', async () => {
    for (const round of [1, 2]) {
      const { context, lines } = invocation();
      await scheduleKeeper(timer as never, context);
      const errors = lines.filter((l) => l.startsWith('error:') && l.includes('it-keeper'));
      expect({ round, errors }).toEqual({
        round,
        errors: [expect.stringMatching(/it-keeper-broken.*IT_KEEPER_UNSET_SCHEDULE/)],
      });
    }
    // Its scheduler runs even so (its status says why); a running one is attached, not restarted.
    expect(fake.startsOf('schedule:it-keeper-ok')).toHaveLength(1);
    expect(fake.startsOf('schedule:it-keeper-broken')).toHaveLength(1);
  });
});

describe('singletonStarter(context): input JSON cannot carry', () => {
  it.each([
    ['a BigInt', { n: 10n }, /cannot be serialized as JSON/],
    [
      'a cycle',
      (() => {
        const a: Record<string, unknown> = {};
        a.self = a;
        return a;
      })(),
      /cannot be serialized/,
    ],
    ['a lone surrogate', { s: '\uD800' }, /lone surrogate/],
  ])('refuses %s as invalid input, starting nothing', async (_what, input, detail) => {
    const result = await singletonStarter(invocation().context).start('processBatch', 'x', input);
    expect(result).toEqual({
      kind: 'invalid',
      field: 'input',
      detail: expect.stringMatching(detail) as unknown,
    });
    expect(fake.acceptedStarts).toEqual([]);
  });

  it('starts with plain data, and says what came of it', async () => {
    const id = `api-${Date.now()}`;
    const starter = singletonStarter(invocation().context);
    expect(await starter.start('PROCESSBATCH', id, { items: 2 })).toEqual({
      kind: 'started',
      instanceId: id,
    });
    expect(await starter.start('processBatch', id, null, { onConflict: 'attach' })).toEqual({
      kind: 'attached',
      instanceId: id,
      runtimeStatus: 'Pending',
    });
    expect(fake.startsOf(id)).toHaveLength(1);
  });
});
