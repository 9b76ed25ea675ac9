/**
 * What the lock relies on from storage's four blob calls, as one suite: run on the in-memory store
 * (test/unit/storage/inMemoryLockBlobs.test.ts) and on Azurite through the production calls
 * (test/integration/leaseLock.test.ts), so that the store the lock's unit tests use is held to what
 * storage does.
 */
import type { LockBlobs } from '../../src/storage/blobLeaseLock';

/** A store whose container exists, and a blob name no other test uses. */
export type ContractSetup = () => Promise<{ blobs: LockBlobs; name: string }>;

const TIMEOUT_MS = 5_000;

function wholeSeconds(date: Date | undefined): boolean {
  return date !== undefined && date.getTime() % 1000 === 0;
}

export function lockBlobsContract(setup: ContractSetup): void {
  it('creates a blob If-None-Match: * once: 201 with an ETag and HTTP-dates, then 409', async () => {
    const { blobs, name } = await setup();

    const created = await blobs.create(name, TIMEOUT_MS);
    expect(created.status).toBe(201);
    expect(created.etag).toEqual(expect.any(String));
    expect(wholeSeconds(created.date) && wholeSeconds(created.lastModified)).toBe(true);

    const again = await blobs.create(name, TIMEOUT_MS);
    expect(again).toMatchObject({ status: 409, errorCode: 'BlobAlreadyExists' });
    expect(again.etag).toBeUndefined();
    expect((await blobs.properties(name, TIMEOUT_MS)).etag).toBe(created.etag);
  });

  it("reads a blob's ETag, Last-Modified and storage's Date; 404 when there is none", async () => {
    const { blobs, name } = await setup();
    const created = await blobs.create(name, TIMEOUT_MS);

    const read = await blobs.properties(name, TIMEOUT_MS);
    expect(read).toMatchObject({ status: 200, etag: created.etag });
    expect(read.lastModified).toEqual(created.lastModified);
    expect(wholeSeconds(read.date)).toBe(true);
    expect(read.date!.getTime()).toBeGreaterThanOrEqual(read.lastModified!.getTime());

    await blobs.delete(name, created.etag!, TIMEOUT_MS);
    expect(await blobs.properties(name, TIMEOUT_MS)).toMatchObject({ status: 404 });
  });

  it('touches a blob If-Match its ETag: 200 and a new ETag; 412 with another ETag', async () => {
    const { blobs, name } = await setup();
    const created = await blobs.create(name, TIMEOUT_MS);

    const touched = await blobs.touch(name, created.etag!, TIMEOUT_MS);
    expect(touched.status).toBe(200);
    expect(touched.etag).toEqual(expect.any(String));
    expect(touched.etag).not.toBe(created.etag);
    expect(wholeSeconds(touched.lastModified)).toBe(true);

    const refused = await blobs.touch(name, created.etag!, TIMEOUT_MS);
    expect(refused).toMatchObject({ status: 412, errorCode: 'ConditionNotMet' });
    // An ETag comes only with a write: a refused touch has none for the holder to take.
    expect(refused.etag).toBeUndefined();
    expect((await blobs.properties(name, TIMEOUT_MS)).etag).toBe(touched.etag);
  });

  it('deletes a blob If-Match its ETag: 412 with another ETag, then 202 and it is gone', async () => {
    const { blobs, name } = await setup();
    const created = await blobs.create(name, TIMEOUT_MS);
    const touched = await blobs.touch(name, created.etag!, TIMEOUT_MS);

    expect(await blobs.delete(name, created.etag!, TIMEOUT_MS)).toMatchObject({
      status: 412,
      errorCode: 'ConditionNotMet',
    });
    expect((await blobs.properties(name, TIMEOUT_MS)).status).toBe(200);
    expect((await blobs.delete(name, touched.etag!, TIMEOUT_MS)).status).toBe(202);
    expect((await blobs.properties(name, TIMEOUT_MS)).status).toBe(404);
  });

  it('refuses a conditional call on a blob that is gone: 404, or 412 as Azurite answers', async () => {
    const { blobs, name } = await setup();
    const created = await blobs.create(name, TIMEOUT_MS);
    await blobs.delete(name, created.etag!, TIMEOUT_MS);

    // The lock reads either as "not ours to delete or touch": 404 lets a taker retry at once,
    // 412 makes it poll again.
    expect([404, 412]).toContain((await blobs.delete(name, created.etag!, TIMEOUT_MS)).status);
    expect([404, 412]).toContain((await blobs.touch(name, created.etag!, TIMEOUT_MS)).status);
    expect((await blobs.properties(name, TIMEOUT_MS)).status).toBe(404);
  });

  it('gives a blob created again an ETag it never had', async () => {
    const { blobs, name } = await setup();
    const first = await blobs.create(name, TIMEOUT_MS);
    await blobs.delete(name, first.etag!, TIMEOUT_MS);

    const second = await blobs.create(name, TIMEOUT_MS);
    expect(second.status).toBe(201);
    expect(second.etag).not.toBe(first.etag);
  });
}
