/**
 * A lock per (task hub, instance ID) made of a blob lease in the app's own storage account: the
 * technique the WebJobs SDK's `[Singleton]` uses. A lease is granted atomically by storage, so it
 * holds across any number of scaled-out app instances, and it expires by itself if its holder dies.
 */
import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BlobServiceClient, ContainerClient } from '@azure/storage-blob';
import { dependencyFailure, type Observed } from '../dependencies/failure';
import type { DependencyError, HeldLock, LockKey, SingletonLock } from '../singleton/ports';

export interface LockOptions {
  /** Lease length, 15-60 s: how long a crashed holder blocks the ID. */
  readonly leaseSeconds: number;
  /** Bound on each storage call. */
  readonly timeoutMs: number;
}

/**
 * Blob names come from a hash: instance IDs may hold characters blob names treat specially (dots,
 * trailing periods, case), and a fixed length keeps every ID within the name limit.
 */
export function lockBlobName({ taskHub, instanceId }: LockKey): string {
  const digest = createHash('sha256').update(instanceId, 'utf8').digest('hex');
  return `${taskHub.toLowerCase()}/${digest}`;
}

interface StorageError {
  statusCode?: number;
  code?: string;
  name?: string;
  message?: string;
}

/** What the storage SDK's error says about storage's answer. */
function observed(error: StorageError): Observed {
  if (error.name === 'AbortError' || error.name === 'TimeoutError') return { answer: 'late' };
  return error.statusCode === undefined
    ? { answer: 'none' }
    : { answer: 'status', status: error.statusCode };
}

function failure(error: unknown, operation: string): DependencyError {
  const e = (error ?? {}) as StorageError;
  return dependencyFailure(
    'lock',
    `${operation} failed: ${e.message ?? String(error)}`,
    observed(e),
  );
}

const FIRST_BACKOFF_MS = 25;
const MAX_BACKOFF_MS = 500;
/** Lock blobs this process knows exist; bounded so a long-lived worker's memory stays flat. */
const MAX_KNOWN_BLOBS = 10_000;

export class BlobLeaseLock implements SingletonLock {
  private readonly container: ContainerClient;
  private containerReady?: Promise<void>;
  private readonly knownBlobs = new Set<string>();

  constructor(
    service: BlobServiceClient,
    containerName: string,
    private readonly options: LockOptions,
  ) {
    this.container = service.getContainerClient(containerName);
  }

  async acquire(key: LockKey, waitMs: number): Promise<HeldLock | undefined> {
    await this.ensureContainer();
    // An ID this process has not seen yet: create its blob first (two round trips), rather than
    // try the lease, meet a 404, create and try again (three). A known ID takes one.
    if (!this.knownBlobs.has(lockBlobName(key))) await this.createLockBlob(key);
    const blob = this.container.getBlockBlobClient(lockBlobName(key));
    const lease = blob.getBlobLeaseClient(randomUUID());
    const deadline = Date.now() + waitMs;
    let backoff = FIRST_BACKOFF_MS;
    for (;;) {
      try {
        await lease.acquireLease(this.options.leaseSeconds, { abortSignal: this.signal() });
        return this.held(lease);
      } catch (error) {
        const { statusCode, code } = (error ?? {}) as StorageError;
        if (statusCode === 404) {
          this.knownBlobs.delete(lockBlobName(key));
          await this.createLockBlob(key);
          continue;
        }
        if (statusCode !== 409 || code !== 'LeaseAlreadyPresent') {
          throw failure(error, 'Acquiring the singleton lock');
        }
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        return undefined;
      }
      // Jittered exponential backoff keeps many waiters from polling storage in lockstep.
      await sleep(Math.min(remaining, backoff * (0.5 + Math.random())));
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    }
  }

  private held(lease: ReturnType<ContainerClient['getBlobLeaseClient']>): HeldLock {
    // Renew well before expiry so a long hold (a restart waiting for termination) keeps the lock.
    const renewal = setInterval(
      () => void lease.renewLease({ abortSignal: this.signal() }).catch(() => undefined),
      (this.options.leaseSeconds * 1000) / 3,
    );
    renewal.unref();
    return {
      release: async () => {
        clearInterval(renewal);
        await lease.releaseLease({ abortSignal: this.signal() }).catch(() => undefined);
      },
      leaveToExpire: () => clearInterval(renewal),
    };
  }

  private async createLockBlob(key: LockKey): Promise<void> {
    const name = lockBlobName(key);
    const blob = this.container.getBlockBlobClient(name);
    try {
      // If-None-Match: * so a concurrent creator's blob (possibly already leased) is left alone.
      await blob.upload('', 0, { conditions: { ifNoneMatch: '*' }, abortSignal: this.signal() });
    } catch (error) {
      const { statusCode } = (error ?? {}) as StorageError;
      if (statusCode !== 409 && statusCode !== 412) {
        throw failure(error, 'Creating the singleton lock blob');
      }
    }
    if (this.knownBlobs.size >= MAX_KNOWN_BLOBS) this.knownBlobs.clear();
    this.knownBlobs.add(name);
  }

  private ensureContainer(): Promise<void> {
    this.containerReady ??= this.container
      .createIfNotExists({ abortSignal: this.signal() })
      .then(() => undefined)
      .catch((error: unknown) => {
        this.containerReady = undefined;
        throw failure(error, `Creating the lock container '${this.container.containerName}'`);
      });
    return this.containerReady;
  }

  private signal(): AbortSignal {
    return AbortSignal.timeout(this.options.timeoutMs);
  }
}
