import { createStarter } from '../../src/starter';
import { BlobIdempotencyStore } from '../../src/storage/blobIdempotencyStore';
import { BlobLeaseLock } from '../../src/storage/blobLeaseLock';

describe('createStarter', () => {
  it('builds the settings and the lock from valid settings', () => {
    const starter = createStarter({ AzureWebJobsStorage: 'UseDevelopmentStorage=true' }, undefined);
    expect(starter.ok && starter.config.lockWaitMs).toBe(10_000);
    expect(starter.ok && starter.lock).toBeInstanceOf(BlobLeaseLock);
    expect(starter.ok && starter.idempotency).toBeInstanceOf(BlobIdempotencyStore);
  });

  it('keeps a bad setting, naming it, instead of throwing', () => {
    const starter = createStarter(
      { AzureWebJobsStorage: 'UseDevelopmentStorage=true', SINGLETON_LOCK_WAIT_MS: 'soon' },
      undefined,
    );
    expect(starter).toEqual({
      ok: false,
      misconfiguration: expect.stringContaining('SINGLETON_LOCK_WAIT_MS') as unknown,
    });
  });

  it('keeps a missing storage connection, naming the setting', () => {
    const starter = createStarter({}, undefined);
    expect(starter).toEqual({
      ok: false,
      misconfiguration: expect.stringContaining('AzureWebJobsStorage') as unknown,
    });
  });
});
