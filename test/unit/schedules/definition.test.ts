/** Declaring schedules: what the code fixes fails at registration; app settings on every use. */
import { resolveSchedule, scheduleSingleton } from '../../../src/schedules/definition';
import { exposeForSingletonStart } from '../../../src/singleton/catalog';

exposeForSingletonStart('definitionJob', { events: { stop: {} } });
const base = { orchestrator: 'definitionJob', instanceId: 'job-1', schedule: '0 0 * * * *' };

describe('scheduleSingleton', () => {
  it.each([
    ['bad name!', {}, /Schedule "bad name!" is invalid: its name must be/],
    ['d-overlap', { overlap: 'sometimes' }, /overlap must be one of skip, bufferOne/],
    ['d-window', { catchupWindowSeconds: -1 }, /catchupWindowSeconds must be a whole number/],
    ['d-window2', { catchupWindowSeconds: 604_801 }, /from 0 to 604800/],
    ['d-limit', { bufferLimit: 0 }, /bufferLimit must be a whole number from 1 to 100/],
    ['d-cron', { schedule: '0 0 * * *' }, /schedule is an NCRONTAB expression has six fields/],
    ['d-id', { instanceId: '' }, /instanceId must be a non-empty string/],
  ])('refuses %s at registration, naming it', (name, options, message) => {
    expect(() => scheduleSingleton(name, { ...base, ...options } as never)).toThrow(message);
  });

  it('refuses a second schedule of the same name, whatever its case', () => {
    scheduleSingleton('d-twice', base);
    expect(() => scheduleSingleton('D-Twice', base)).toThrow(
      'Schedule "D-Twice" is already declared.',
    );
  });
});

describe('resolveSchedule', () => {
  scheduleSingleton('d-setting', { ...base, schedule: '%D_SCHEDULE%' });
  scheduleSingleton('d-defaults', base);
  scheduleSingleton('d-unexposed', { ...base, orchestrator: 'nobodysJob' });
  scheduleSingleton('d-cancel', { ...base, overlap: 'cancelOther' });
  scheduleSingleton('d-stop', { ...base, overlap: 'cancelOther', cancelEvent: 'stop' });

  it('applies the documented defaults', () => {
    expect(resolveSchedule('d-defaults', {})).toEqual({
      ok: true,
      schedule: {
        name: 'd-defaults',
        orchestrator: 'definitionJob',
        instanceId: 'job-1',
        timing: { kind: 'cron', expression: '0 0 * * * *' },
        input: null,
        overlap: 'skip',
        catchupWindowMs: 300_000,
        pauseOnFailure: false,
        bufferLimit: 10,
        cancelEvent: 'cancel',
        initiallyPaused: false,
      },
    });
  });

  it('reads an app setting on every use, and refuses it loudly when unset or invalid', () => {
    expect(resolveSchedule('d-setting', {})).toEqual({
      ok: false,
      problem:
        'Schedule "d-setting" cannot fire: its schedule reads the app setting D_SCHEDULE, which is not set.',
    });
    expect(resolveSchedule('d-setting', { D_SCHEDULE: '* * *' })).toEqual({
      ok: false,
      problem: expect.stringContaining(
        'the app setting D_SCHEDULE is an NCRONTAB expression has six fields',
      ) as unknown,
    });
    const resolved = resolveSchedule('d-setting', { D_SCHEDULE: '00:00:30' });
    expect(resolved?.ok && resolved.schedule.timing).toEqual({
      kind: 'interval',
      ms: 30_000,
      expression: '00:00:30',
    });
  });

  it('refuses an orchestrator not exposed, and cancelOther without its event', () => {
    expect(resolveSchedule('d-unexposed', {})).toMatchObject({
      ok: false,
      problem: expect.stringContaining('not exposed for singleton start') as unknown,
    });
    expect(resolveSchedule('d-cancel', {})).toMatchObject({
      ok: false,
      problem: expect.stringContaining('declare the event cancel') as unknown,
    });
    expect(resolveSchedule('d-stop', {})).toMatchObject({ ok: true });
  });

  it('knows no undeclared schedule', () => {
    expect(resolveSchedule('d-nothing', {})).toBeUndefined();
  });
});
