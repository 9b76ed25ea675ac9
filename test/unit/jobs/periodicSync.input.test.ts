import {
  parsePeriodicSyncInput,
  requirePeriodicSyncInput,
} from '../../../src/jobs/periodicSync/input';

const NOW = '2024-05-01T08:00:00.000Z';

describe('periodicSync input', () => {
  it.each([undefined, null, {}])('starts a fresh state for %p, every 60 s', (raw) => {
    expect(parsePeriodicSyncInput(raw, NOW)).toEqual({
      ok: true,
      value: {
        intervalSeconds: 60,
        iteration: 0,
        startedAt: NOW,
        lastRunAt: null,
        totals: { recordsSynced: 0, failedRuns: 0 },
      },
    });
  });

  it('reads the state a previous generation carried', () => {
    const carried = {
      intervalSeconds: 2,
      iteration: 41,
      startedAt: '2024-04-30T00:00:00.000Z',
      lastRunAt: '2024-05-01T07:59:58.000Z',
      totals: { recordsSynced: 300, failedRuns: 1 },
    };
    expect(parsePeriodicSyncInput(carried, NOW)).toEqual({ ok: true, value: carried });
  });

  it.each([
    [{ intervalSeconds: 0 }, 'intervalSeconds must be an integer from 1 to 86400 (got 0)'],
    [{ intervalSeconds: 86_401 }, 'intervalSeconds must be an integer from 1 to 86400 (got 86401)'],
    [{ intervalSeconds: '60' }, 'intervalSeconds must be an integer from 1 to 86400 (got "60")'],
    [
      { interval: 5 },
      'unknown property "interval" (allowed: intervalSeconds, iteration, startedAt, lastRunAt, totals)',
    ],
    [
      { iteration: -1 },
      `iteration must be an integer from 0 to ${Number.MAX_SAFE_INTEGER} (got -1)`,
    ],
    [{ startedAt: 'yesterday' }, 'startedAt must be an ISO 8601 timestamp (got "yesterday")'],
    [{ totals: 5 }, 'input must be a JSON object (got 5)'],
  ])('rejects %p', (raw, problem) => {
    expect(parsePeriodicSyncInput(raw, NOW)).toEqual({ ok: false, problems: [problem] });
  });

  it('throws the message the orchestration fails with', () => {
    expect(() => requirePeriodicSyncInput({ intervalSeconds: 0.5 }, NOW)).toThrow(
      'Invalid input for periodicSync: intervalSeconds must be an integer from 1 to 86400 (got 0.5).',
    );
  });
});
