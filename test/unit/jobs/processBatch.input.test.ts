import {
  MAX_CHUNKS,
  checkProcessBatchInput,
  requireProcessBatchInput,
} from '../../../src/jobs/processBatch/input';

describe('processBatch input', () => {
  it.each([undefined, null, {}])('defaults everything for %p', (raw) => {
    expect(checkProcessBatchInput(raw)).toEqual({
      ok: true,
      value: { items: 40, chunkSize: 5, parallelism: 4 },
    });
  });

  it('accepts values at the bounds', () => {
    expect(checkProcessBatchInput({ items: 10_000, chunkSize: 1_000, parallelism: 32 })).toEqual({
      ok: true,
      value: { items: 10_000, chunkSize: 1_000, parallelism: 32 },
    });
    expect(checkProcessBatchInput({ items: 1, chunkSize: 1, parallelism: 1 }).ok).toBe(true);
  });

  it.each([
    [{ items: 0 }, 'items must be an integer from 1 to 10000 (got one out of range)'],
    [{ items: 10_001 }, 'items must be an integer from 1 to 10000 (got one out of range)'],
    [{ items: 2.5 }, 'items must be an integer from 1 to 10000 (got a fraction)'],
    [{ items: '20' }, 'items must be an integer from 1 to 10000 (got a string)'],
    [{ chunkSize: 1_001 }, 'chunkSize must be an integer from 1 to 1000 (got one out of range)'],
    [{ parallelism: 0 }, 'parallelism must be an integer from 1 to 32 (got one out of range)'],
    [{ chunksize: 10 }, 'unknown property "chunksize" (allowed: items, chunkSize, parallelism)'],
    [[], 'input must be a JSON object (got an array)'],
    ['x', 'input must be a JSON object (got a string)'],
  ])('rejects %p', (raw, problem) => {
    expect(checkProcessBatchInput(raw)).toEqual({ ok: false, problems: [problem] });
  });

  it('names every offending property at once', () => {
    expect(checkProcessBatchInput({ items: 0, chunksize: 10 })).toEqual({
      ok: false,
      problems: [
        'unknown property "chunksize" (allowed: items, chunkSize, parallelism)',
        'items must be an integer from 1 to 10000 (got one out of range)',
      ],
    });
  });

  it(`caps the number of chunks at ${MAX_CHUNKS}`, () => {
    expect(checkProcessBatchInput({ items: 1_000, chunkSize: 1 }).ok).toBe(true);
    expect(checkProcessBatchInput({ items: 1_001, chunkSize: 1 })).toEqual({
      ok: false,
      problems: [
        'items / chunkSize gives 1001 chunks but at most 1000 are allowed (raise chunkSize)',
      ],
    });
  });

  it('throws one message listing every problem', () => {
    expect(() => requireProcessBatchInput({ items: -1, parallelism: 99 })).toThrow(
      'Invalid input for processBatch: items must be an integer from 1 to 10000 (got one out of range); ' +
        'parallelism must be an integer from 1 to 32 (got one out of range).',
    );
  });
});
