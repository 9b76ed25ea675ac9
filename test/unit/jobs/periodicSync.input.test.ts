import { checkPeriodicSyncInput } from '../../../src/jobs/periodicSync/input';

describe('periodicSync public input', () => {
  it.each([undefined, null, {}])('defaults to every 60 s for %p', (raw) => {
    expect(checkPeriodicSyncInput(raw)).toEqual({ ok: true, value: { intervalSeconds: 60 } });
  });

  it.each([1, 2, 86_400])('accepts intervalSeconds %p', (intervalSeconds) => {
    expect(checkPeriodicSyncInput({ intervalSeconds })).toEqual({
      ok: true,
      value: { intervalSeconds },
    });
  });

  it.each([
    [
      { intervalSeconds: 0 },
      'intervalSeconds must be an integer from 1 to 86400 (got one out of range)',
    ],
    [
      { intervalSeconds: 86_401 },
      'intervalSeconds must be an integer from 1 to 86400 (got one out of range)',
    ],
    [
      { intervalSeconds: 0.5 },
      'intervalSeconds must be an integer from 1 to 86400 (got a fraction)',
    ],
    [
      { intervalSeconds: '60' },
      'intervalSeconds must be an integer from 1 to 86400 (got a string)',
    ],
    [{ intervalSeconds: null }, 'intervalSeconds must be an integer from 1 to 86400 (got null)'],
    [{ interval: 5 }, 'unknown property "interval" (allowed: intervalSeconds)'],
    [[], 'input must be a JSON object (got an array)'],
    [60, 'input must be a JSON object (got an integer)'],
  ])('refuses %p', (raw, problem) => {
    expect(checkPeriodicSyncInput(raw)).toEqual({ ok: false, problems: [problem] });
  });

  it.each(['iteration', 'startedAt', 'lastRunAt', 'recentRuns', 'totals', 'input'])(
    'refuses the carried-state property %p from a caller',
    (key) => {
      expect(checkPeriodicSyncInput({ intervalSeconds: 2, [key]: 1 })).toEqual({
        ok: false,
        problems: [`unknown property "${key}" (allowed: intervalSeconds)`],
      });
    },
  );

  it('names every offending property at once', () => {
    expect(checkPeriodicSyncInput({ intervalSeconds: 0, iteration: 3 })).toEqual({
      ok: false,
      problems: [
        'unknown property "iteration" (allowed: intervalSeconds)',
        'intervalSeconds must be an integer from 1 to 86400 (got one out of range)',
      ],
    });
  });
});
