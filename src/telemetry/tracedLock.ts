/**
 * The lock port, with a child span per call, and what the request's span and metrics need to know
 * about the lock: how long acquiring it waited, and how the hold ended.
 */
import { trace } from '@opentelemetry/api';
import type { HeldLock, LockKey, SingletonLock } from '../singleton/ports';
import { inChildSpan, type SpanScope } from './childSpan';
import { ATTR, EVENT_LEFT_TO_EXPIRE, SPAN } from './names';

export interface LockObserver {
  /** An `acquire` ended after `waitedMs`, with the lock or without it. */
  waited(waitedMs: number, acquired: boolean): void;
  holdEnded(how: 'released' | 'left_to_expire'): void;
}

export class TracedLock implements SingletonLock {
  constructor(
    private readonly inner: SingletonLock,
    private readonly scope: SpanScope,
    private readonly observer: LockObserver,
    /** Milliseconds, for the wait (monotonic in production). */
    private readonly now: () => number,
  ) {}

  async acquire(key: LockKey, waitMs: number): Promise<HeldLock | undefined> {
    const started = this.now();
    const held = await inChildSpan(
      this.scope,
      SPAN.acquire,
      { [ATTR.lockWaitBudgetMs]: waitMs },
      () => this.inner.acquire(key, waitMs),
      (result) => {
        // A tenth of a millisecond is precise enough for a wait.
        const waited = Math.round(Math.max(0, this.now() - started) * 10) / 10;
        this.observer.waited(waited, result !== undefined);
        return { [ATTR.lockAcquired]: result !== undefined, [ATTR.lockWaitMs]: waited };
      },
    );
    return held && new TracedHeldLock(held, this.scope, this.observer);
  }
}

class TracedHeldLock implements HeldLock {
  constructor(
    private readonly inner: HeldLock,
    private readonly scope: SpanScope,
    private readonly observer: LockObserver,
  ) {}

  /**
   * The hold ends when the release is issued: the start does not wait for it, and the request's
   * span may have ended before it lands (an attribute set on an ended span is dropped).
   */
  async release(): Promise<void> {
    this.observer.holdEnded('released');
    await inChildSpan(this.scope, SPAN.release, {}, () => this.inner.release());
  }

  /** Synchronous and without I/O: an event on the request's span says it happened. */
  leaveToExpire(): void {
    this.inner.leaveToExpire();
    trace.getSpan(this.scope.parent)?.addEvent(EVENT_LEFT_TO_EXPIRE);
    this.observer.holdEnded('left_to_expire');
  }
}
