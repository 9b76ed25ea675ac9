/**
 * A lock per (task hub, instance ID) made of a blob in the app's own storage account, held like a
 * lease: whoever creates the blob holds the lock, and deleting it frees the lock. Storage creates
 * a blob `If-None-Match: *` atomically, so it excludes across any number of scaled-out app
 * instances, in one round trip for any ID.
 *
 * It ends by itself if its holder dies, as a blob lease does: the holder touches the blob every
 * third of the lease period, and a blob left untouched for longer than the period (measured on
 * storage's own clock: its `Date` against the blob's `Last-Modified`) is a dead holder's, which
 * the next taker deletes, `If-Match` its ETag so that only that one goes, and replaces.
 *
 * Why not a blob lease (the WebJobs SDK's `[Singleton]`): a lease needs its blob first, so the
 * first start of an ID in a process would pay two round trips for the lock where the status read
 * beside it takes one, and the blobs would stay in the container for good. The calls themselves are plain
 * signed requests (`lockBlobCalls`), as they are on every start's path.
 */
import { createHash } from 'node:crypto';
import type { BlobServiceClient } from '@azure/storage-blob';
import type { HeldLock, LockKey, SingletonLock } from '../singleton/ports';
import { containerOnce, type ContainerOnce } from './containerOnce';
import { LockBlobCalls, unexpected, type BlobAnswer } from './lockBlobCalls';
import { storageFailure } from './storageFailure';

export interface LockOptions {
  /** Lease period, 15-60 s: how long a crashed holder blocks the ID (plus the clock margin). */
  readonly leaseSeconds: number;
  /** Bound on each storage call. */
  readonly timeoutMs: number;
}

/**
 * The lock's four blob calls, as storage answers them (`LockBlobCalls` in production). A port so
 * that the lock's own logic can be tested against a store with storage's semantics, in memory.
 * Each resolves to storage's answer, whatever its status, and rejects only when there was none.
 */
export interface LockBlobs {
  /** Creates the blob `If-None-Match: *`: 201 with its ETag, or 409 when it exists. */
  create(name: string, timeoutMs: number): Promise<BlobAnswer>;
  /** Deletes the blob `If-Match: etag`: 202, 404 when gone, 412 when its ETag changed. */
  delete(name: string, etag: string, timeoutMs: number): Promise<BlobAnswer>;
  /** Reads its properties (HEAD): 200 with ETag, `Date` and `Last-Modified`, or 404. */
  properties(name: string, timeoutMs: number): Promise<BlobAnswer>;
  /** Rewrites it `If-Match: etag`: 200 with a new ETag and `Last-Modified`, 404, or 412. */
  touch(name: string, etag: string, timeoutMs: number): Promise<BlobAnswer>;
}

/**
 * Blob names come from a hash: instance IDs may hold characters blob names treat specially (dots,
 * trailing periods, case), and a fixed length keeps every ID within the name limit.
 */
export function lockBlobName({ taskHub, instanceId }: LockKey): string {
  const digest = createHash('sha256').update(instanceId, 'utf8').digest('hex');
  return `${taskHub.toLowerCase()}/${digest}`;
}

const FIRST_BACKOFF_MS = 25;
const MAX_BACKOFF_MS = 500;
/** `Date` and `Last-Modified` have whole seconds: a blob is stale only past the period plus this. */
const CLOCK_MARGIN_MS = 2_000;

const ACQUIRING = 'Acquiring the singleton lock';
const READING = 'Reading the singleton lock';
const REMOVING = "Removing a dead holder's singleton lock";

/** Storage's answer to a lock call; no answer is a lock-dependency failure. */
function answered(operation: string, call: Promise<BlobAnswer>): Promise<BlobAnswer> {
  return call.catch((error: unknown) => Promise.reject(storageFailure(error, operation)));
}

/**
 * The backoff's sleep, on the global timer: the one the tests' fake clock drives, with `Date.now`
 * (`node:timers/promises` keeps its own, which no fake clock reaches).
 */
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The lock over any store of its blobs: the production one is `BlobLeaseLock`, below. */
export class LeaseLock implements SingletonLock {
  constructor(
    private readonly calls: LockBlobs,
    private readonly containerMade: ContainerOnce,
    private readonly options: LockOptions,
  ) {}

  async acquire(key: LockKey, waitMs: number): Promise<HeldLock | undefined> {
    await this.containerMade.ready();
    const name = lockBlobName(key);
    const deadline = Date.now() + waitMs;
    let backoff = FIRST_BACKOFF_MS;
    for (;;) {
      const etag = await this.create(name);
      if (etag !== undefined) return this.held(name, etag);
      if (await this.removeIfStale(name)) continue;
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        return undefined;
      }
      // Jittered exponential backoff keeps many waiters from polling storage in lockstep.
      await sleep(Math.min(remaining, backoff * (0.5 + Math.random())));
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    }
  }

  /** The new blob's ETag: the lock is ours; `undefined`: the blob exists, someone holds it. */
  private async create(name: string): Promise<string | undefined> {
    const { timeoutMs } = this.options;
    const answer = await answered(ACQUIRING, this.calls.create(name, timeoutMs));
    if (answer.status === 201) {
      if (answer.etag === undefined) {
        throw storageFailure(new Error('Storage answered without an ETag.'), ACQUIRING);
      }
      return answer.etag;
    }
    if (answer.status === 409 || answer.status === 412) return undefined;
    if (answer.status === 404 && answer.errorCode === 'ContainerNotFound') {
      // Deleted while this process ran: make it again, and report as unavailable this time.
      this.containerMade.forget();
    }
    throw storageFailure(unexpected(answer), ACQUIRING);
  }

  /**
   * Deletes the lock blob if its holder stopped touching it for longer than the lease period;
   * true when the lock may be free now (deleted, or gone meanwhile), so taking it is worth a retry.
   */
  private async removeIfStale(name: string): Promise<boolean> {
    const { timeoutMs, leaseSeconds } = this.options;
    const read = await answered(READING, this.calls.properties(name, timeoutMs));
    if (read.status === 404) return true;
    if (read.status !== 200) throw storageFailure(unexpected(read), READING);
    const { etag, date, lastModified } = read;
    if (etag === undefined || !date || !lastModified) return false;
    if (date.getTime() - lastModified.getTime() <= leaseSeconds * 1000 + CLOCK_MARGIN_MS) {
      return false;
    }
    const removed = await answered(REMOVING, this.calls.delete(name, etag, timeoutMs));
    // 404: gone meanwhile; 412: touched or replaced meanwhile, so not stale after all.
    if (removed.status === 202 || removed.status === 404) return true;
    if (removed.status === 412) return false;
    throw storageFailure(unexpected(removed), REMOVING);
  }

  private held(name: string, created: string): HeldLock {
    const { timeoutMs, leaseSeconds } = this.options;
    let etag = created;
    let touching: Promise<void> = Promise.resolve();
    // Touch well before the period ends, so a long hold (a restart waiting) keeps the lock.
    const renewal = setInterval(
      () => {
        touching = this.calls
          .touch(name, etag, timeoutMs)
          .then((touched) => {
            if (touched.status === 200 && touched.etag !== undefined) etag = touched.etag;
          })
          .catch(() => undefined);
      },
      (leaseSeconds * 1000) / 3,
    );
    renewal.unref();
    return {
      release: async () => {
        clearInterval(renewal);
        await touching;
        // If-Match: only our own blob goes, never one that replaced it after ours was judged dead.
        await this.calls.delete(name, etag, timeoutMs).catch(() => undefined);
      },
      leaveToExpire: () => clearInterval(renewal),
    };
  }
}

/** The lock on the app's storage account: its calls are signed requests; its container made once. */
export class BlobLeaseLock extends LeaseLock {
  constructor(service: BlobServiceClient, containerName: string, options: LockOptions) {
    super(
      new LockBlobCalls(service, containerName),
      containerOnce(service.getContainerClient(containerName), options.timeoutMs),
      options,
    );
  }
}
