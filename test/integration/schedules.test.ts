/**
 * The schedule routes through the real handlers, the lock on Azurite and the durable client against
 * the extension stand-in: the list and one view (a schedule that cannot fire says why, naming the
 * setting), an unknown schedule, and a command that starts the scheduler and answers once it has
 * read it.
 */
import { app } from '@azure/functions';
import * as df from 'durable-functions';
import { readHostJson } from '../../src/durable/hostSettings';
import { scheduleCommandRoute, scheduleView } from '../../src/functions/scheduleRoutes';
import '../../src/functions/schedules';
import { scheduleSingleton } from '../../src/schedules/definition';
import { SCHEDULER } from '../../src/schedules/names';
import { exposeForSingletonStart } from '../../src/singleton/catalog';
import { createStarter, type AppStarter } from '../../src/starter';
import { azuriteConnectionString } from '../support/azurite';
import { durableClientBinding } from '../support/durableClientBinding';
import { FakeExtension } from '../support/fakeExtension';
import { invokeHttp } from '../support/invokeHttp';

exposeForSingletonStart('scheduledJob');
scheduleSingleton('it-every-5s', {
  orchestrator: 'scheduledJob',
  instanceId: 'scheduled-1',
  schedule: '00:00:05',
  overlap: 'bufferAll',
});
scheduleSingleton('it-from-setting', {
  orchestrator: 'scheduledJob',
  instanceId: 'scheduled-2',
  schedule: '%IT_UNSET_SCHEDULE%',
});

let starter: AppStarter;
const common = { authLevel: 'function' as const, extraInputs: [df.input.durableClient()] };
app.http('scheduleListUnderTest', {
  ...common,
  route: 'test/schedules',
  methods: ['GET'],
  handler: scheduleView(() => starter),
});
app.http('scheduleViewUnderTest', {
  ...common,
  route: 'test/schedules/{name}',
  methods: ['GET'],
  handler: scheduleView(() => starter),
});
app.http('scheduleTriggerUnderTest', {
  ...common,
  route: 'test/schedules/{name}/trigger',
  methods: ['POST'],
  handler: scheduleCommandRoute('trigger', () => starter),
});
app.http('schedulePauseUnderTest', {
  ...common,
  route: 'test/schedules/{name}/pause',
  methods: ['POST'],
  handler: scheduleCommandRoute('pause', () => starter),
});

let fake: FakeExtension;
beforeAll(async () => {
  fake = new FakeExtension([SCHEDULER, 'scheduledJob']);
  await fake.start();
  starter = createStarter({ AzureWebJobsStorage: azuriteConnectionString() }, readHostJson());
});
afterAll(() => fake.stop());

const call = (
  name: string,
  url: string,
  method: string,
  params: Record<string, string> = {},
  headers: Record<string, string> = {},
) =>
  invokeHttp(name, {
    method,
    url: `http://localhost:7071/api/${url}`,
    params,
    headers,
    clientJson: durableClientBinding(fake.rpcBaseUrl),
  });

describe('GET /api/schedules[/{name}]', () => {
  it('lists the declared schedules; one that cannot fire says why, naming the setting', async () => {
    const res = await call('scheduleListUnderTest', 'schedules', 'GET');
    expect(res.status).toBe(200);
    const schedules = res.json.schedules as Record<string, unknown>[];
    expect(schedules.find((s) => s.name === 'it-every-5s')).toMatchObject({
      scheduler: null,
      orchestrator: 'scheduledJob',
      instanceId: 'scheduled-1',
      schedule: '00:00:05',
      overlap: 'bufferAll',
    });
    expect(schedules.find((s) => s.name === 'it-from-setting')).toMatchObject({
      error:
        'Schedule "it-from-setting" cannot fire: its schedule reads the app setting IT_UNSET_SCHEDULE, which is not set.',
      nextTick: null,
    });
  });

  it('answers 404 schedule-not-found for a name no schedule has, reading nothing', async () => {
    const before = fake.requests.length;
    const res = await call('scheduleViewUnderTest', 'schedules/nope', 'GET', { name: 'nope' });
    expect(res.status).toBe(404);
    expect(res.json.type).toBe('urn:durable-singleton:problem:schedule-not-found');
    expect(fake.requests.length).toBe(before);
  });
});

describe('POST /api/schedules/{name}/pause', () => {
  it('starts the scheduler if it does not run, and answers once it has read the command', async () => {
    const res = await call('schedulePauseUnderTest', 'schedules/IT-EVERY-5S/pause', 'POST', {
      name: 'IT-EVERY-5S',
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      command: 'pause',
      read: true,
      schedule: { name: 'it-every-5s' },
    });
    expect(fake.startsOf('schedule:it-every-5s')).toEqual([
      { name: SCHEDULER, instanceId: 'schedule:it-every-5s', input: { name: 'it-every-5s' } },
    ]);
    const [raised] = fake.raisedEvents.filter((e) => e.instanceId === 'schedule:it-every-5s');
    expect(raised).toMatchObject({ eventName: 'pause', data: { data: null } });
  });

  it('with an Idempotency-Key, a retried trigger is answered without sending it again', async () => {
    const trigger = (key: string) =>
      call(
        'scheduleTriggerUnderTest',
        'schedules/it-every-5s/trigger',
        'POST',
        { name: 'it-every-5s' },
        {
          'Idempotency-Key': key,
        },
      );
    const triggers = () =>
      fake.raisedEvents.filter(
        (e) => e.instanceId === 'schedule:it-every-5s' && e.eventName === 'trigger',
      );
    expect((await trigger('"t-1"')).status).toBe(200);
    expect((await trigger('"t-1"')).status).toBe(200);
    expect(triggers()).toHaveLength(1);
    expect((await trigger('"t-2"')).status).toBe(200);
    expect(triggers()).toHaveLength(2);
    expect((await trigger('""')).status).toBe(400);
  });

  it('refuses an undeclared schedule with 404, starting nothing', async () => {
    const res = await call('schedulePauseUnderTest', 'schedules/nope/pause', 'POST', {
      name: 'nope',
    });
    expect(res.status).toBe(404);
    expect(fake.startsOf('schedule:nope')).toEqual([]);
  });
});
