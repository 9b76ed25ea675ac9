import {
  type PeriodicSyncState,
  checkCarriedState,
  readGenerationInput,
  requireGenerationInput,
} from '../../../src/jobs/periodicSync/state';

const NOW = '2024-05-01T08:00:00.000Z';

const carried: PeriodicSyncState = {
  input: { intervalSeconds: 2 },
  iteration: 41,
  startedAt: '2024-04-30T00:00:00.000Z',
  lastRunAt: '2024-05-01T07:59:58.000Z',
  recentRuns: ['2024-05-01T07:59:55.000Z', '2024-05-01T07:59:57.900Z'],
  totals: { recordsSynced: 300, failedRuns: 1 },
};

describe('periodicSync generation input', () => {
  it.each([undefined, null, {}])('starts a fresh state from the caller input %p', (raw) => {
    expect(readGenerationInput(raw, NOW)).toEqual({
      ok: true,
      value: {
        input: { intervalSeconds: 60 },
        iteration: 0,
        startedAt: NOW,
        lastRunAt: null,
        recentRuns: [],
        totals: { recordsSynced: 0, failedRuns: 0 },
      },
    });
  });

  it('starts a fresh state with the caller interval', () => {
    expect(readGenerationInput({ intervalSeconds: 5 }, NOW)).toMatchObject({
      ok: true,
      value: { input: { intervalSeconds: 5 }, iteration: 0, startedAt: NOW },
    });
  });

  it('reads the state a previous generation carried, unchanged', () => {
    expect(readGenerationInput(carried, NOW)).toEqual({ ok: true, value: carried });
    expect(readGenerationInput({ ...carried, lastRunAt: null }, NOW)).toMatchObject({ ok: true });
  });

  it('reads counters outside `input` as a caller mistake, not as carried state', () => {
    expect(readGenerationInput({ intervalSeconds: 2, iteration: 41 }, NOW)).toEqual({
      ok: false,
      problems: ['unknown property "iteration" (allowed: intervalSeconds)'],
    });
  });

  it('throws the message the orchestration fails with', () => {
    expect(() => requireGenerationInput({ intervalSeconds: 0.5 }, NOW)).toThrow(
      'Invalid input for periodicSync: intervalSeconds must be an integer from 1 to 86400 (got a fraction).',
    );
  });
});

describe('periodicSync carried state', () => {
  const without = (key: keyof PeriodicSyncState) =>
    Object.fromEntries(Object.entries(carried).filter(([k]) => k !== key));

  it.each([
    [
      { ...carried, input: { intervalSeconds: 0 } },
      'input: intervalSeconds must be an integer from 1 to 86400 (got one out of range)',
    ],
    [
      { ...carried, input: { intervalSeconds: 2, x: 1 } },
      'input: unknown property "x" (allowed: intervalSeconds)',
    ],
    [without('iteration'), 'missing property "iteration"'],
    [without('recentRuns'), 'missing property "recentRuns"'],
    [
      { ...carried, extra: true },
      'unknown property "extra" (allowed: input, iteration, startedAt, lastRunAt, recentRuns, totals, receivedSignals)',
    ],
    [
      { ...carried, iteration: -1 },
      `iteration must be an integer from 0 to ${Number.MAX_SAFE_INTEGER} (got one out of range)`,
    ],
    [
      { ...carried, startedAt: 'yesterday' },
      'startedAt must be an ISO 8601 timestamp (got a string that is not one)',
    ],
    [{ ...carried, startedAt: null }, 'startedAt must be an ISO 8601 timestamp (got null)'],
    [
      { ...carried, recentRuns: [NOW, 7] },
      'recentRuns[1] must be an ISO 8601 timestamp (got an integer)',
    ],
    [
      { ...carried, recentRuns: Array(6).fill(NOW) },
      'recentRuns must be an array of at most 5 timestamps (got a longer one)',
    ],
    [{ ...carried, totals: 5 }, 'totals must be a JSON object (got an integer)'],
    [{ ...carried, totals: { recordsSynced: 1 } }, 'missing property "failedRuns"'],
    [
      { ...carried, totals: { recordsSynced: 1, failedRuns: 0, skipped: 2 } },
      'unknown property "skipped" (allowed: recordsSynced, failedRuns)',
    ],
  ])('refuses %p', (raw, problem) => {
    expect(checkCarriedState(raw)).toEqual({ ok: false, problems: [problem] });
  });
});
