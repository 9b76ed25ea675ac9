/**
 * The lock's blob calls in memory, with the semantics of Azure Storage that the lock relies on
 * (checked against Azurite by the same contract suite, `lockBlobsContract.ts`):
 *  - every write (create, touch) gives the blob a new ETag, never one it or another blob had;
 *  - create `If-None-Match: *` answers 409 `BlobAlreadyExists` when the blob exists;
 *  - delete and touch `If-Match` answer 412 `ConditionNotMet` when the ETag is not the blob's, 404
 *    `BlobNotFound` when there is no blob;
 *  - `Last-Modified` is set by storage's clock at each write, and `Date` is storage's clock at each
 *    answer, both HTTP-dates: whole seconds, the rest cut off. Storage's clock is its own
 *    (injected), never the app's `Date.now`, which may be far off it.
 * A test can also make the next call of an operation answer something else or fail (`next`), run
 * something just before a call takes effect (`before`: another app instance acting meanwhile),
 * and write blobs as another holder would (`write`).
 */
import type { LockBlobs } from '../../src/storage/blobLeaseLock';
import type { MakesContainer } from '../../src/storage/containerOnce';
import type { BlobAnswer } from '../../src/storage/lockBlobCalls';

/** Storage's clock, in ms since the epoch. */
export interface StorageClock {
  now(): number;
}

/** A storage clock that moves only when the test moves it. */
export class ManualClock implements StorageClock {
  constructor(private ms: number) {}
  now(): number {
    return this.ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

/** A storage clock that runs with the app's clock (the test's fake `Date.now`), `skewMs` apart. */
export class SkewedClock implements StorageClock {
  constructor(private readonly skewMs: number) {}
  now(): number {
    return Date.now() + this.skewMs;
  }
}

export type Operation = 'create' | 'delete' | 'properties' | 'touch';

/** One call the store received, at the app's clock, and what came of it. */
export interface Call {
  readonly op: Operation;
  readonly name: string;
  /** The `If-Match` ETag, for delete and touch. */
  readonly etag?: string;
  readonly timeoutMs: number;
  /** The app's clock when the call was made. */
  readonly at: number;
  /** The status storage answered; absent when the call failed without an answer. */
  status?: number;
}

/** Instead of storage's own answer: another answer, a failure (no answer), or a pending call. */
export type Instead =
  { readonly answer: BlobAnswer } | { readonly fail: unknown } | { readonly wait: Promise<void> };

interface Blob {
  readonly etag: string;
  readonly lastModified: number;
}

/** An HTTP-date's value: whole seconds. */
export function toHttpDate(ms: number): Date {
  return new Date(Math.floor(ms / 1000) * 1000);
}

export class InMemoryLockBlobs implements LockBlobs {
  /** Every call, in order. */
  readonly calls: Call[] = [];
  /** How many times the container was asked for (`createIfNotExists`), and made. */
  containerRequests = 0;
  containersMade = 0;
  private containerExists = false;
  private readonly blobs = new Map<string, Blob>();
  private writes = 0;
  private readonly instead = new Map<Operation, Instead[]>();
  private readonly beforeHooks = new Map<Operation, Array<(name: string) => void>>();

  /** The container, as `containerOnce` makes it. */
  readonly container: MakesContainer;

  constructor(
    readonly clock: StorageClock,
    containerName = 'singleton-locks',
  ) {
    this.container = {
      containerName,
      createIfNotExists: () => {
        this.containerRequests += 1;
        if (!this.containerExists) {
          this.containerExists = true;
          this.containersMade += 1;
        }
        return Promise.resolve({ succeeded: true });
      },
    };
  }

  /** Deletes the container and every blob in it (someone else did, while the app ran). */
  deleteContainer(): void {
    this.containerExists = false;
    this.blobs.clear();
  }

  // ---- what a test sets up and reads --------------------------------------------------------

  /** Writes the blob as another holder would (a create or touch of theirs): its new ETag. */
  write(name: string): string {
    const etag = this.nextEtag();
    this.blobs.set(name, { etag, lastModified: this.clock.now() });
    return etag;
  }

  /** Deletes the blob as another holder would. */
  remove(name: string): void {
    this.blobs.delete(name);
  }

  /** The blob's ETag and `Last-Modified`, or `undefined` when there is none. */
  blob(name: string): { readonly etag: string; readonly lastModified: Date } | undefined {
    const blob = this.blobs.get(name);
    return blob && { etag: blob.etag, lastModified: toHttpDate(blob.lastModified) };
  }

  /** The next call of `op` does this instead of what storage would. */
  next(op: Operation, instead: Instead): void {
    this.instead.set(op, [...(this.instead.get(op) ?? []), instead]);
  }

  /** Runs `hook` just before the next call of `op` takes effect (another actor, meanwhile). */
  before(op: Operation, hook: (name: string) => void): void {
    this.beforeHooks.set(op, [...(this.beforeHooks.get(op) ?? []), hook]);
  }

  /** The calls of one operation. */
  callsOf(op: Operation): Call[] {
    return this.calls.filter((call) => call.op === op);
  }

  // ---- the four calls -----------------------------------------------------------------------

  create(name: string, timeoutMs: number): Promise<BlobAnswer> {
    return this.call({ op: 'create', name, timeoutMs }, () => {
      if (this.blobs.has(name)) return this.error(409, 'BlobAlreadyExists');
      return this.written(name, 201);
    });
  }

  delete(name: string, etag: string, timeoutMs: number): Promise<BlobAnswer> {
    return this.call({ op: 'delete', name, etag, timeoutMs }, () => {
      const blob = this.blobs.get(name);
      if (!blob) return this.error(404, 'BlobNotFound');
      if (blob.etag !== etag) return this.error(412, 'ConditionNotMet');
      this.blobs.delete(name);
      return { status: 202, date: this.date() };
    });
  }

  properties(name: string, timeoutMs: number): Promise<BlobAnswer> {
    return this.call({ op: 'properties', name, timeoutMs }, () => {
      const blob = this.blobs.get(name);
      if (!blob) return this.error(404, 'BlobNotFound');
      return {
        status: 200,
        etag: blob.etag,
        date: this.date(),
        lastModified: toHttpDate(blob.lastModified),
      };
    });
  }

  touch(name: string, etag: string, timeoutMs: number): Promise<BlobAnswer> {
    return this.call({ op: 'touch', name, etag, timeoutMs }, () => {
      const blob = this.blobs.get(name);
      if (!blob) return this.error(404, 'BlobNotFound');
      if (blob.etag !== etag) return this.error(412, 'ConditionNotMet');
      return this.written(name, 200);
    });
  }

  // ---- storage's side -----------------------------------------------------------------------

  private async call(
    request: Omit<Call, 'at' | 'status'>,
    effect: () => BlobAnswer,
  ): Promise<BlobAnswer> {
    const call: Call = { ...request, at: Date.now() };
    this.calls.push(call);
    // As a request would: the header value must be a string, or the request is never sent.
    if ('etag' in request && typeof request.etag !== 'string') {
      throw new TypeError(`Invalid value "${String(request.etag)}" for header "if-match"`);
    }
    const instead = this.instead.get(request.op)?.shift();
    if (instead && 'fail' in instead) throw instead.fail;
    if (instead && 'wait' in instead) await instead.wait;
    this.beforeHooks.get(request.op)?.shift()?.(request.name);
    const answer =
      instead && 'answer' in instead
        ? instead.answer
        : this.containerExists
          ? effect()
          : this.error(404, 'ContainerNotFound');
    call.status = answer.status;
    return answer;
  }

  private written(name: string, status: number): BlobAnswer {
    const etag = this.nextEtag();
    const now = this.clock.now();
    this.blobs.set(name, { etag, lastModified: now });
    return { status, etag, date: toHttpDate(now), lastModified: toHttpDate(now) };
  }

  private error(status: number, errorCode: string): BlobAnswer {
    return { status, date: this.date(), errorCode };
  }

  private date(): Date {
    return toHttpDate(this.clock.now());
  }

  /** Storage's ETags are opaque quoted strings, new on every write of any blob. */
  private nextEtag(): string {
    this.writes += 1;
    return `"0x8DD${this.writes.toString(16).toUpperCase().padStart(11, '0')}"`;
  }
}
