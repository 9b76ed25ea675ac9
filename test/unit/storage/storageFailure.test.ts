import { BlobCallError } from '../../../src/storage/lockBlobCalls';
import { storageFailure } from '../../../src/storage/storageFailure';

describe('storageFailure', () => {
  it("reads the lock's own timed-out call as timed out, by its flag rather than its name", () => {
    const error = new BlobCallError('no answer within 300 ms', undefined, undefined, true);
    expect(error.name).toBe('BlobCallError');
    expect(storageFailure(error, 'lock create')).toMatchObject({
      dependency: 'lock',
      kind: 'timedOut',
      message: 'lock create failed: no answer within 300 ms',
    });
  });

  it("reads the SDK's abort as timed out", () => {
    const abort = Object.assign(new Error('The operation was aborted.'), { name: 'AbortError' });
    expect(storageFailure(abort, 'records read', 'records')).toMatchObject({
      dependency: 'records',
      kind: 'timedOut',
    });
  });

  it('reads a call without an answer as unavailable, and a status by what it says', () => {
    expect(storageFailure(new BlobCallError('ECONNREFUSED'), 'lock create').kind).toBe(
      'unavailable',
    );
    expect(storageFailure(new BlobCallError('busy', 503, 'ServerBusy'), 'lock create').kind).toBe(
      'unavailable',
    );
    expect(
      storageFailure(new BlobCallError('denied', 403, 'AuthFailure'), 'lock create').kind,
    ).toBe('failed');
  });
});
