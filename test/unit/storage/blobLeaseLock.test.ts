/**
 * The lock's own logic, over an in-memory store with storage's semantics (`InMemoryLockBlobs`):
 * who may take it, how long a waiter polls, when a holder is judged dead (by storage's clock
 * only), how a holder keeps it, and how it ends. The app's clock is jest's fake one, and storage's
 * clock is another, far from it, so that a test shows which one a decision reads.
 */
import { BlobServiceClient } from '@azure/storage-blob';
import { createHash } from 'node:crypto';
import { DependencyError } from '../../../src/dependencies/failure';
import type { HeldLock, LockKey } from '../../../src/singleton/ports';
import {
  BlobLeaseLock,
  LeaseLock,
  lockBlobName,
  type LockOptions,
} from '../../../src/storage/blobLeaseLock';
import { containerOnce } from '../../../src/storage/containerOnce';
import { BlobCallError } from '../../../src/storage/lockBlobCalls';
import {
  InMemoryLockBlobs,
  ManualClock,
  SkewedClock,
  type StorageClock,
} from '../../support/inMemoryLockBlobs';

const OPTIONS: LockOptions = { leaseSeconds: 15, timeoutMs: 5_000 };
/** The app's clock and storage's are years apart: a decision that read the app's would show. */
const APP_START = Date.parse('2031-06-01T08:00:00.000Z');
const STORAGE_START = Date.parse('2025-03-01T11:00:00.400Z');
/** Storage's clock running with the app's. */
const runningStorageClock = () => new SkewedClock(STORAGE_START - APP_START);

const KEY: LockKey = { taskHub: 'Hub', instanceId: 'job-1' };
const NAME = lockBlobName(KEY);

/** Milliseconds since the test began, by the app's (fake) clock. */
const elapsed = () => Date.now() - APP_START;

/** A promise's outcome, readable without awaiting it. */
function watch<T>(promise: Promise<T>) {
  const state: { settled: boolean; value?: T; error?: unknown } = { settled: false };
  promise.then(
    (value) => Object.assign(state, { settled: true, value }),
    (error: unknown) => Object.assign(state, { settled: true, error }),
  );
  return state;
}

/** One store, and the locks of two app instances on it (each makes the container on its own). */
function world(clock: StorageClock = new ManualClock(STORAGE_START), options = OPTIONS) {
  const store = new InMemoryLockBlobs(clock);
  const instance = () =>
    new LeaseLock(store, containerOnce(store.container, options.timeoutMs), options);
  return { store, lock: instance(), other: instance() };
}

async function hold(lock: LeaseLock, key = KEY): Promise<HeldLock> {
  const held = await lock.acquire(key, 0);
  expect(held).toBeDefined();
  return held!;
}

describe('LeaseLock on an in-memory store with storage semantics', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: APP_START, doNotFake: ['nextTick', 'queueMicrotask'] });
    // Jitter factor 1: each sleep is the backoff itself (tests that need another say so).
    jest.spyOn(Math, 'random').mockReturnValue(0.5);
  });
  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  describe('taking it', () => {
    it('is held by creating its blob If-None-Match: *, after making the container once', async () => {
      const { store, lock } = world();
      const held = await lock.acquire(KEY, 0);

      expect(held).toBeDefined();
      expect(store.containerRequests).toBe(1);
      expect(store.calls.map(({ op, name }) => [op, name])).toEqual([['create', NAME]]);
      expect(store.callsOf('create')[0]).toMatchObject({ status: 201, timeoutMs: 5_000 });
      expect(store.blob(NAME)).toBeDefined();

      await held!.release();
      await hold(lock, { taskHub: 'Hub', instanceId: 'job-2' });
      expect(store.containerRequests).toBe(1);
    });

    it('is exclusive: another instance, or the same, is told it is busy (409) while it is held', async () => {
      const { store, lock, other } = world();
      await hold(lock);
      const blob = store.blob(NAME);

      expect(await other.acquire(KEY, 0)).toBeUndefined();
      expect(await lock.acquire(KEY, 0)).toBeUndefined();
      expect(store.callsOf('create').map((call) => call.status)).toEqual([201, 409, 409]);
      expect(store.callsOf('delete')).toEqual([]);
      expect(store.blob(NAME)).toEqual(blob);
    });

    it('takes 412 to a create (as Azurite may answer If-None-Match) as busy too', async () => {
      const { store, lock } = world();
      store.write(NAME);
      store.next('create', { answer: { status: 412, errorCode: 'ConditionNotMet' } });

      expect(await lock.acquire(KEY, 0)).toBeUndefined();
    });

    it('keeps other IDs and other task hubs apart', async () => {
      const { lock, other } = world();
      await hold(lock);

      await hold(other, { taskHub: 'Hub', instanceId: 'job-2' });
      await hold(other, { taskHub: 'OtherHub', instanceId: KEY.instanceId });
    });

    it('names its blob by the task hub in lower case and the SHA-256 of the ID', () => {
      const id = 'Job.1.café😀';
      const sha = createHash('sha256').update(Buffer.from(id, 'utf8')).digest('hex');
      expect(lockBlobName({ taskHub: 'MyHub', instanceId: id })).toBe(`myhub/${sha}`);
    });
  });

  describe('waiting for a holder (bounded)', () => {
    it('with no wait, tries once and answers busy without sleeping', async () => {
      const { store, lock, other } = world();
      await hold(lock);
      const calls = store.calls.length;

      const attempt = watch(other.acquire(KEY, 0));
      await jest.advanceTimersByTimeAsync(0);

      expect(attempt).toEqual({ settled: true, value: undefined });
      expect(store.calls.slice(calls).map((call) => call.op)).toEqual(['create', 'properties']);
    });

    it('polls with doubling backoff and gives up exactly when the wait ends', async () => {
      const { store, lock, other } = world();
      await hold(lock);

      const attempt = watch(other.acquire(KEY, 300));
      await jest.advanceTimersByTimeAsync(299);
      expect(attempt.settled).toBe(false);
      await jest.advanceTimersByTimeAsync(1);

      expect(attempt).toEqual({ settled: true, value: undefined });
      const polls = store.callsOf('create').slice(1);
      expect(polls.map((call) => call.at - APP_START)).toEqual([0, 25, 75, 175, 300]);
      expect(polls.every((call) => call.status === 409)).toBe(true);
      // Each busy answer is followed by a look at the holder's blob: is it a dead holder's?
      expect(store.callsOf('properties')).toHaveLength(5);
    });

    it('caps the backoff at 500 ms', async () => {
      const { store, lock, other } = world();
      await hold(lock);

      const attempt = other.acquire(KEY, 3_000);
      await jest.advanceTimersByTimeAsync(3_000);

      expect(await attempt).toBeUndefined();
      expect(
        store
          .callsOf('create')
          .slice(1)
          .map((call) => call.at - APP_START),
      ).toEqual([0, 25, 75, 175, 375, 775, 1_275, 1_775, 2_275, 2_775, 3_000]);
    });

    it.each([
      // Math.random() → each sleep is the backoff times (0.5 + it); timers count whole ms.
      [0, [0, 12, 37, 87, 187, 250]],
      [0.75, [0, 31, 93, 218, 250]],
    ])(
      'jitters each sleep over 0.5 to 1.5 times the backoff (random %p)',
      async (random, times) => {
        jest.spyOn(Math, 'random').mockReturnValue(random);
        const { store, lock, other } = world();
        await hold(lock);

        const attempt = other.acquire(KEY, 250);
        await jest.advanceTimersByTimeAsync(250);

        expect(await attempt).toBeUndefined();
        expect(
          store
            .callsOf('create')
            .slice(1)
            .map((call) => call.at - APP_START),
        ).toEqual(times);
      },
    );

    it('takes the lock at its next poll once the holder released it within the wait', async () => {
      const { store, lock, other } = world();
      const held = await hold(lock);
      setTimeout(() => void held.release(), 100);

      const attempt = watch(other.acquire(KEY, 5_000));
      await jest.advanceTimersByTimeAsync(174);
      expect(attempt.settled).toBe(false);
      await jest.advanceTimersByTimeAsync(1);

      expect(attempt.settled).toBe(true);
      expect(attempt.value).toBeDefined();
      expect(store.callsOf('create').map((call) => [call.at - APP_START, call.status])).toEqual([
        [0, 201],
        [0, 409],
        [25, 409],
        [75, 409],
        [175, 201],
      ]);
    });
  });

  describe("a dead holder's blob: judged by storage's clock alone", () => {
    it('is replaced only once storage shows it untouched for more than the lease period plus 2 s', async () => {
      const clock = new ManualClock(STORAGE_START); // xx:00.400: Last-Modified reads xx:00
      const { store, lock } = world(clock);
      const dead = store.write(NAME);

      // Storage's Date reads xx:17 until xx:18: 17 s untouched, the period plus the margin.
      clock.advance(17_599);
      expect(await lock.acquire(KEY, 0)).toBeUndefined();
      expect(store.blob(NAME)?.etag).toBe(dead);
      expect(store.callsOf('delete')).toEqual([]);

      clock.advance(1); // Date reads xx:18
      const held = await lock.acquire(KEY, 0);

      expect(held).toBeDefined();
      expect(store.callsOf('delete')).toMatchObject([{ etag: dead, status: 202 }]);
      expect(store.blob(NAME)?.etag).not.toBe(dead);
      expect(store.callsOf('create').map((call) => call.status)).toEqual([409, 409, 201]);
    });

    it("never deletes a live holder's blob, however far the app's clock runs", async () => {
      const clock = new ManualClock(STORAGE_START);
      const { store, lock, other } = world(clock);
      await hold(lock);

      // The app's clock leaps a day ahead (no timer fires); storage's moves 17 s.
      jest.setSystemTime(APP_START + 86_400_000);
      clock.advance(17_000);

      expect(await other.acquire(KEY, 0)).toBeUndefined();
      expect(store.callsOf('delete')).toEqual([]);
    });

    it('a holder that keeps touching is never judged dead: never two holders', async () => {
      const { store, lock, other } = world(runningStorageClock());
      await hold(lock);

      // Four lease periods; the other instance tries just before each touch, when the blob is
      // oldest (up to 5 s, well within the 17 s).
      for (let touch = 1; touch <= 12; touch++) {
        await jest.advanceTimersByTimeAsync(4_999);
        expect(await other.acquire(KEY, 0)).toBeUndefined();
        await jest.advanceTimersByTimeAsync(1);
      }

      expect(store.callsOf('touch')).toHaveLength(12);
      expect(store.callsOf('delete')).toEqual([]);
    });

    it('is not taken when it was touched between the read and the delete (412)', async () => {
      const clock = new ManualClock(STORAGE_START);
      const { store, lock } = world(clock);
      store.write(NAME);
      clock.advance(30_000);
      let touched = '';
      store.before('delete', (name) => (touched = store.write(name)));

      expect(await lock.acquire(KEY, 0)).toBeUndefined();
      // Busy: no second try, which would only meet the toucher's blob again.
      expect(store.calls.map((call) => [call.op, call.status])).toEqual([
        ['create', 409],
        ['properties', 200],
        ['delete', 412],
      ]);
      expect(store.blob(NAME)?.etag).toBe(touched);
    });

    it('is taken at once when it went between the read and the delete (404)', async () => {
      const clock = new ManualClock(STORAGE_START);
      const { store, lock } = world(clock);
      store.write(NAME);
      clock.advance(30_000);
      store.before('delete', (name) => store.remove(name));

      expect(await lock.acquire(KEY, 0)).toBeDefined();
      expect(store.calls.map((call) => [call.op, call.status])).toEqual([
        ['create', 409],
        ['properties', 200],
        ['delete', 404],
        ['create', 201],
      ]);
    });

    it('is taken at once when it went between the create and the read (404)', async () => {
      const { store, lock } = world();
      store.write(NAME);
      store.before('properties', (name) => store.remove(name));

      expect(await lock.acquire(KEY, 0)).toBeDefined();
      expect(store.calls.map((call) => [call.op, call.status])).toEqual([
        ['create', 409],
        ['properties', 404],
        ['create', 201],
      ]);
    });

    it.each([
      ['ETag', { date: new Date(STORAGE_START + 60_000), lastModified: new Date(STORAGE_START) }],
      ['Date', { etag: '"x"', lastModified: new Date(STORAGE_START) }],
      ['Last-Modified', { etag: '"x"', date: new Date(STORAGE_START + 60_000) }],
    ])('is never judged dead from an answer without %s', async (_missing, headers) => {
      const { store, lock } = world();
      store.write(NAME);
      store.next('properties', { answer: { status: 200, ...headers } });

      expect(await lock.acquire(KEY, 0)).toBeUndefined();
      // Busy: no delete, and no second try either.
      expect(store.calls.map((call) => call.op)).toEqual(['create', 'properties']);
    });
  });

  describe('holding it', () => {
    it.each([
      [15, [5_000, 10_000, 15_000]],
      [30, [10_000, 20_000, 30_000]],
    ])(
      'touches its blob every third of a %i s lease, If-Match the ETag of its last write',
      async (leaseSeconds, times) => {
        const { store, lock } = world(runningStorageClock(), { leaseSeconds, timeoutMs: 5_000 });
        await hold(lock);
        const etags = [store.blob(NAME)!.etag];

        for (const at of times) {
          await jest.advanceTimersByTimeAsync(at - elapsed() - 1);
          expect(store.callsOf('touch')).toHaveLength(etags.length - 1);
          await jest.advanceTimersByTimeAsync(1);
          etags.push(store.blob(NAME)!.etag);
        }

        expect(store.callsOf('touch')).toEqual(
          times.map((at, i) => ({
            op: 'touch',
            name: NAME,
            etag: etags[i],
            timeoutMs: 5_000,
            at: APP_START + at,
            status: 200,
          })),
        );
        expect(new Set(etags).size).toBe(etags.length);
      },
    );

    it('release deletes its blob If-Match the ETag of its last touch, and touches no more', async () => {
      const { store, lock, other } = world(runningStorageClock());
      const held = await hold(lock);
      await jest.advanceTimersByTimeAsync(10_000);
      const touched = store.blob(NAME)!.etag;

      await held.release();

      expect(store.callsOf('delete')).toMatchObject([{ etag: touched, status: 202 }]);
      expect(store.blob(NAME)).toBeUndefined();
      await jest.advanceTimersByTimeAsync(60_000);
      expect(store.callsOf('touch')).toHaveLength(2);
      await hold(other);
    });

    it('release waits for a touch in flight, then deletes with the ETag it got', async () => {
      const { store, lock } = world(runningStorageClock());
      const held = await hold(lock);
      let answerTouch!: () => void;
      store.next('touch', { wait: new Promise<void>((resolve) => (answerTouch = resolve)) });
      await jest.advanceTimersByTimeAsync(5_000);

      const release = watch(held.release());
      await jest.advanceTimersByTimeAsync(0);
      expect(release.settled).toBe(false);
      expect(store.callsOf('delete')).toEqual([]);
      answerTouch();
      await jest.advanceTimersByTimeAsync(0);

      expect(release.settled).toBe(true);
      expect(store.callsOf('touch')[0]?.status).toBe(200);
      expect(store.blob(NAME)).toBeUndefined();
    });

    it.each([
      ['fails (no answer)', { fail: new BlobCallError('read ECONNRESET') }],
      ['is answered 200 without an ETag', { answer: { status: 200 } }],
      ['is answered 503', { answer: { status: 503, errorCode: 'ServerBusy' } }],
    ])(
      'a touch that %s keeps the ETag it had: the next touch and the release go on',
      async (_, instead) => {
        const { store, lock } = world(runningStorageClock());
        const held = await hold(lock);
        const created = store.blob(NAME)!.etag;
        store.next('touch', instead);

        await jest.advanceTimersByTimeAsync(10_000);
        await held.release();

        expect(store.callsOf('touch').map((call) => call.etag)).toEqual([created, created]);
        expect(store.callsOf('touch')[1]?.status).toBe(200);
        expect(store.callsOf('delete')[0]?.status).toBe(202);
        expect(store.blob(NAME)).toBeUndefined();
      },
    );

    it('release removes only its own blob, never one that replaced it after it was judged dead', async () => {
      const { store, lock } = world(runningStorageClock());
      const held = await hold(lock);
      // Judged dead and replaced by another holder meanwhile (as after a long pause).
      store.remove(NAME);
      const replacement = store.write(NAME);
      await jest.advanceTimersByTimeAsync(5_000);

      await held.release();

      expect(store.callsOf('touch').map((call) => call.status)).toEqual([412]);
      expect(store.callsOf('delete').map((call) => call.status)).toEqual([412]);
      expect(store.blob(NAME)?.etag).toBe(replacement);
    });

    it('release never throws: storage failing the delete leaves the lock to expire', async () => {
      const { store, lock } = world();
      const held = await hold(lock);
      store.next('delete', { fail: new BlobCallError('connect ECONNREFUSED') });

      await expect(held.release()).resolves.toBeUndefined();
      expect(store.blob(NAME)).toBeDefined();
    });

    it('leaveToExpire stops touching and keeps the blob: the next holder comes in only once it is stale', async () => {
      const { store, lock, other } = world(runningStorageClock());
      const held = await hold(lock); // storage xx:00.400: Last-Modified xx:00

      held.leaveToExpire();
      await jest.advanceTimersByTimeAsync(17_599); // storage's Date reads xx:17
      expect(store.callsOf('touch')).toEqual([]);
      expect(store.callsOf('delete')).toEqual([]);
      expect(await other.acquire(KEY, 0)).toBeUndefined();

      await jest.advanceTimersByTimeAsync(1); // xx:18
      await hold(other);
    });
  });

  describe('storage failing: a DependencyError of the lock, of the kind the answer says', () => {
    const timedOut = new BlobCallError('no answer within 5000 ms', undefined, undefined, true);
    const refused = new BlobCallError('connect ECONNREFUSED 127.0.0.1:10000');

    it.each([
      ['no answer in time', timedOut, 'timedOut', 'no answer within 5000 ms'],
      ['no answer', refused, 'unavailable', 'connect ECONNREFUSED 127.0.0.1:10000'],
    ])('creating its blob: %s', async (_, error, kind, message) => {
      const { store, lock } = world();
      store.next('create', { fail: error });

      const failure = lock.acquire(KEY, 5_000);

      await expect(failure).rejects.toBeInstanceOf(DependencyError);
      await expect(failure).rejects.toMatchObject({
        dependency: 'lock',
        kind,
        message: `Acquiring the singleton lock failed: ${message}`,
      });
    });

    it.each([
      [503, 'ServerBusy', 'unavailable'],
      [500, 'InternalError', 'failed'],
      [403, 'AuthorizationFailure', 'failed'],
    ])('creating its blob: answered %i (%s)', async (status, errorCode, kind) => {
      const { store, lock } = world();
      store.next('create', { answer: { status, errorCode } });

      await expect(lock.acquire(KEY, 5_000)).rejects.toMatchObject({
        dependency: 'lock',
        kind,
        message: `Acquiring the singleton lock failed: storage answered ${status} (${errorCode})`,
      });
    });

    it('creating its blob: a 201 without an ETag is no lock', async () => {
      const { store, lock } = world();
      store.next('create', { answer: { status: 201 } });

      await expect(lock.acquire(KEY, 0)).rejects.toMatchObject({
        dependency: 'lock',
        message: 'Acquiring the singleton lock failed: Storage answered without an ETag.',
      });
    });

    it.each([
      ['no answer in time', { fail: timedOut }, 'timedOut', 'no answer within 5000 ms'],
      ['no answer', { fail: refused }, 'unavailable', 'connect ECONNREFUSED 127.0.0.1:10000'],
      ['403', { answer: { status: 403 } }, 'failed', 'storage answered 403'],
    ])("reading the holder's blob: %s", async (_, instead, kind, message) => {
      const { store, lock } = world();
      store.write(NAME);
      store.next('properties', instead);

      await expect(lock.acquire(KEY, 5_000)).rejects.toMatchObject({
        dependency: 'lock',
        kind,
        message: `Reading the singleton lock failed: ${message}`,
      });
    });

    it.each([
      ['no answer', { fail: refused }, 'unavailable', 'connect ECONNREFUSED 127.0.0.1:10000'],
      [
        '500',
        { answer: { status: 500, errorCode: 'InternalError' } },
        'failed',
        'storage answered 500 (InternalError)',
      ],
    ])("removing a dead holder's blob: %s", async (_, instead, kind, message) => {
      const clock = new ManualClock(STORAGE_START);
      const { store, lock } = world(clock);
      store.write(NAME);
      clock.advance(60_000);
      store.next('delete', instead);

      await expect(lock.acquire(KEY, 5_000)).rejects.toMatchObject({
        dependency: 'lock',
        kind,
        message: `Removing a dead holder's singleton lock failed: ${message}`,
      });
    });

    it('a container deleted while the app runs fails that start, and the next makes it again', async () => {
      const { store, lock } = world();
      await hold(lock, { taskHub: 'Hub', instanceId: 'earlier' });
      store.deleteContainer();

      await expect(lock.acquire(KEY, 5_000)).rejects.toMatchObject({
        dependency: 'lock',
        message: 'Acquiring the singleton lock failed: storage answered 404 (ContainerNotFound)',
      });
      await hold(lock);
      expect(store.containersMade).toBe(2);
    });

    it('a 404 for another reason does not make the container again', async () => {
      const { store, lock } = world();
      store.next('create', { answer: { status: 404, errorCode: 'ResourceNotFound' } });

      await expect(lock.acquire(KEY, 0)).rejects.toBeInstanceOf(DependencyError);
      await hold(lock);
      expect(store.containerRequests).toBe(1);
    });
  });
});

describe('BlobLeaseLock: the lock on a storage account', () => {
  it('sends its calls to the account it is given (unreachable here: unavailable)', async () => {
    const down = BlobServiceClient.fromConnectionString(
      'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;BlobEndpoint=http://127.0.0.1:1/devstoreaccount1;',
      { retryOptions: { maxTries: 1, tryTimeoutInMs: 1_000 } },
    );
    const lock = new BlobLeaseLock(down, 'singleton-locks', { leaseSeconds: 15, timeoutMs: 1_000 });

    await expect(lock.acquire(KEY, 0)).rejects.toMatchObject({
      dependency: 'lock',
      kind: 'unavailable',
      message: expect.stringMatching(/^Creating the container 'singleton-locks' failed: /),
    });
  });
});
