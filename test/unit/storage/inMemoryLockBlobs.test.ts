import { randomUUID } from 'node:crypto';
import { lockBlobsContract } from '../../support/lockBlobsContract';
import { InMemoryLockBlobs, ManualClock, toHttpDate } from '../../support/inMemoryLockBlobs';

describe('InMemoryLockBlobs: the storage contract the lock relies on', () => {
  lockBlobsContract(async () => {
    const blobs = new InMemoryLockBlobs(new ManualClock(Date.parse('2025-03-01T11:00:00.400Z')));
    await blobs.container.createIfNotExists({ abortSignal: new AbortController().signal });
    return { blobs, name: `hub/${randomUUID()}` };
  });
});

describe("InMemoryLockBlobs: storage's clock", () => {
  it("stamps writes and answers by storage's clock in whole seconds, never the app's", async () => {
    const clock = new ManualClock(Date.parse('2025-03-01T11:00:00.900Z'));
    const blobs = new InMemoryLockBlobs(clock);
    await blobs.container.createIfNotExists({ abortSignal: new AbortController().signal });

    const created = await blobs.create('hub/a', 1_000);
    clock.advance(5_200);
    const touched = await blobs.touch('hub/a', created.etag!, 1_000);
    clock.advance(1_000);
    const read = await blobs.properties('hub/a', 1_000);

    expect(created.lastModified).toEqual(new Date('2025-03-01T11:00:00Z'));
    expect(touched.lastModified).toEqual(new Date('2025-03-01T11:00:06Z'));
    expect(read).toMatchObject({
      lastModified: new Date('2025-03-01T11:00:06Z'),
      date: new Date('2025-03-01T11:00:07Z'),
    });
    expect(toHttpDate(Date.parse('2025-03-01T11:00:00.999Z'))).toEqual(
      new Date('2025-03-01T11:00:00Z'),
    );
  });

  it('answers 404 ContainerNotFound to every call while the container is missing', async () => {
    const blobs = new InMemoryLockBlobs(new ManualClock(0));
    expect(await blobs.create('hub/a', 1_000)).toMatchObject({
      status: 404,
      errorCode: 'ContainerNotFound',
    });
  });
});
