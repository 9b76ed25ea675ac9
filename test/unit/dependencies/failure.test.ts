import { dependencyFailure, type Observed } from '../../../src/dependencies/failure';
import { DependencyError } from '../../../src/dependencies/failure';

describe('dependencyFailure', () => {
  it.each<[Observed, string]>([
    [{ answer: 'none' }, 'unavailable'],
    [{ answer: 'late' }, 'timedOut'],
    [{ answer: 'status', status: 408 }, 'unavailable'],
    [{ answer: 'status', status: 429 }, 'unavailable'],
    [{ answer: 'status', status: 502 }, 'unavailable'],
    [{ answer: 'status', status: 503 }, 'unavailable'],
    [{ answer: 'status', status: 504 }, 'unavailable'],
    [{ answer: 'status', status: 500 }, 'failed'],
    [{ answer: 'status', status: 403 }, 'failed'],
    [{ answer: 'other' }, 'failed'],
  ])('%j → %s, for the lock and the durable backend alike', (observed, kind) => {
    for (const dependency of ['lock', 'durable'] as const) {
      const error = dependencyFailure(dependency, 'Reading: boom', observed);
      expect(error).toBeInstanceOf(DependencyError);
      expect(error).toMatchObject({ dependency, kind, message: 'Reading: boom' });
    }
  });
});
