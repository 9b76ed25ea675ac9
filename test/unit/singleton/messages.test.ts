import { conflictDetail, restartTimedOutDetail } from '../../../src/singleton/messages';

describe('conflictDetail', () => {
  it('names the reuse policy that refused, and the status it refused', () => {
    expect(conflictDetail('a', { rule: 'reuse', reuse: 'never', runtimeStatus: 'Failed' })).toBe(
      "An instance with ID 'a' already exists. Refused because the orchestrator's reuse policy 'never' forbids starting it again under an ID that was used before.",
    );
    expect(
      conflictDetail('a', { rule: 'reuse', reuse: 'failedOnly', runtimeStatus: 'Completed' }),
    ).toMatch(/reuse policy 'failedOnly' replaces only .* and this one is Completed\.$/);
  });

  it("says who saw the running instance: the starter's check or the engine", () => {
    expect(conflictDetail('a', { rule: 'running', by: 'starter', runtimeStatus: 'Pending' })).toBe(
      "An instance with ID 'a' already exists. Refused because an instance with this ID is Pending, and onConflict is 'reject'.",
    );
    expect(conflictDetail('a', { rule: 'running', by: 'engine' })).toBe(
      "An instance with ID 'a' already exists. Refused because the Durable engine refused the start: an instance with this ID is running.",
    );
  });

  it('tells a caller who met a start in progress to retry, with the wait it made', () => {
    expect(conflictDetail('a', { rule: 'in-progress', lockWaitMs: 300 })).toBe(
      "Another start for instance 'a' is in progress: a start for this ID is in progress and did not finish within 300 ms. Retry later.",
    );
  });
});

describe('restartTimedOutDetail', () => {
  it('says nothing was started', () => {
    expect(restartTimedOutDetail('a', 500)).toBe(
      "The running instance 'a' was asked to terminate but did not end within 500 ms; nothing was started.",
    );
  });
});
