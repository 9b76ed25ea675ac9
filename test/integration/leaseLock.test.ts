import { randomUUID } from 'node:crypto';
import { BlobServiceClient } from '@azure/storage-blob';
import { DependencyError } from '../../src/dependencies/failure';
import type { LockKey } from '../../src/singleton/ports';
import { BlobLeaseLock, lockBlobName } from '../../src/storage/blobLeaseLock';
import { createBlobServiceClient } from '../../src/storage/blobService';
import { LockBlobCalls } from '../../src/storage/lockBlobCalls';
import { azuriteConnectionString } from '../support/azurite';
import { lockBlobsContract } from '../support/lockBlobsContract';

const service = createBlobServiceClient(
  { kind: 'connectionString', connectionString: azuriteConnectionString() },
  5_000,
);
const options = { leaseSeconds: 15, timeoutMs: 5_000 };

function newLock(container = `locks-${randomUUID().slice(0, 8)}`) {
  return { container, lock: new BlobLeaseLock(service, container, options) };
}
const key = (instanceId: string = randomUUID(), taskHub = 'TestHub'): LockKey => ({
  taskHub,
  instanceId,
});

describe('BlobLeaseLock on Azurite', () => {
  it('creates its container when missing', async () => {
    const { container, lock } = newLock();
    expect(await service.getContainerClient(container).exists()).toBe(false);
    const held = await lock.acquire(key(), 0);
    expect(held).toBeDefined();
    expect(await service.getContainerClient(container).exists()).toBe(true);
    await held!.release();
  });

  it('is held by its blob: there while held, gone once released', async () => {
    const { container, lock } = newLock();
    const k = key();
    const blob = service.getContainerClient(container).getBlobClient(lockBlobName(k));
    const held = await lock.acquire(k, 0);
    expect(held).toBeDefined();
    expect(await blob.exists()).toBe(true);
    await held!.release();
    expect(await blob.exists()).toBe(false);
  });

  it('is exclusive per key, across lock objects (as across app instances)', async () => {
    const { container, lock } = newLock();
    const other = new BlobLeaseLock(service, container, options);
    const k = key();
    const first = await lock.acquire(k, 0);
    expect(first).toBeDefined();
    expect(await other.acquire(k, 0)).toBeUndefined();
    expect(await lock.acquire(k, 0)).toBeUndefined();
    await first!.release();
  });

  it('does not block other IDs, or the same ID in another task hub', async () => {
    const { lock } = newLock();
    const k = key();
    const held = [
      await lock.acquire(k, 0),
      await lock.acquire(key(), 0),
      await lock.acquire(key(k.instanceId, 'OtherHub'), 0),
    ];
    expect(held.every(Boolean)).toBe(true);
    await Promise.all(held.map((h) => h!.release()));
  });

  it('is free again once released', async () => {
    const { lock } = newLock();
    const k = key();
    const first = await lock.acquire(k, 0);
    await first!.release();
    const second = await lock.acquire(k, 0);
    expect(second).toBeDefined();
    await second!.release();
  });

  it('a waiter gets the lock when the holder releases within the wait', async () => {
    const { lock } = newLock();
    const k = key();
    const first = await lock.acquire(k, 0);
    const waiting = lock.acquire(k, 5_000);
    setTimeout(() => void first!.release(), 300);
    const second = await waiting;
    expect(second).toBeDefined();
    await second!.release();
  });

  it('gives up after the bounded wait while the holder keeps it', async () => {
    const { lock } = newLock();
    const k = key();
    const first = await lock.acquire(k, 0);
    const started = Date.now();
    expect(await lock.acquire(k, 400)).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    await first!.release();
  });

  it('frees itself when a holder dies without releasing (expiry), while a live holder keeps renewing', async () => {
    const { container, lock } = newLock();
    const k = key();
    const live = await lock.acquire(key('live'), 0);
    // A holder that created the lock blob and then died: no touch, no release.
    const blob = service.getContainerClient(container).getBlockBlobClient(lockBlobName(k));
    await blob.upload('', 0);
    expect(await lock.acquire(k, 0)).toBeUndefined();
    const second = await lock.acquire(k, 25_000);
    expect(second).toBeDefined();
    expect(await blob.exists()).toBe(true);
    await second!.release();
    expect(await blob.exists()).toBe(false);
    // More than one lease period later, the live holder still has its lock: it renews.
    expect(await lock.acquire(key('live'), 0)).toBeUndefined();
    await live!.release();
  }, 40_000);

  it("a release removes only the holder's own blob, never one that replaced it", async () => {
    const { container, lock } = newLock();
    const k = key();
    const held = await lock.acquire(k, 0);
    // Judged dead and replaced by another holder meanwhile (as after a long pause).
    const blob = service.getContainerClient(container).getBlockBlobClient(lockBlobName(k));
    await blob.delete();
    await blob.upload('', 0);
    await held!.release();
    expect(await blob.exists()).toBe(true);
  });

  it('reports unreachable storage as unavailable, within the bounded timeout', async () => {
    const down = BlobServiceClient.fromConnectionString(
      'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;BlobEndpoint=http://127.0.0.1:1/devstoreaccount1;',
      { retryOptions: { maxTries: 1, tryTimeoutInMs: 1_000 } },
    );
    const lock = new BlobLeaseLock(down, 'singleton-locks', { leaseSeconds: 15, timeoutMs: 1_000 });
    const failure = lock.acquire(key(), 1_000);
    await expect(failure).rejects.toBeInstanceOf(DependencyError);
    await expect(failure).rejects.toMatchObject({ dependency: 'lock', kind: 'unavailable' });
  });

  it('keeps a hold left to expire from the next holder, unlike a released one', async () => {
    const { lock } = newLock();
    const left = key('left');
    (await lock.acquire(left, 0))!.leaveToExpire();
    expect(await lock.acquire(left, 0)).toBeUndefined();

    const released = key('released');
    await (await lock.acquire(released, 0))!.release();
    const next = await lock.acquire(released, 0);
    expect(next).toBeDefined();
    await next!.release();
  });

  it('names lock blobs by task hub and a hash of the ID', () => {
    expect(lockBlobName({ taskHub: 'MyHub', instanceId: 'job.1.' })).toMatch(
      /^myhub\/[0-9a-f]{64}$/,
    );
    expect(lockBlobName({ taskHub: 'h', instanceId: 'A' })).not.toBe(
      lockBlobName({ taskHub: 'h', instanceId: 'a' }),
    );
  });
});

describe("The lock's blob calls on Azurite: the contract the in-memory store is held to", () => {
  const container = `locks-${randomUUID().slice(0, 8)}`;
  beforeAll(() => service.getContainerClient(container).createIfNotExists());

  lockBlobsContract(() =>
    Promise.resolve({
      blobs: new LockBlobCalls(service, container),
      name: lockBlobName(key()),
    }),
  );
});
