import { decideOnRecord, isRunOf } from '../../../src/idempotency/decision';
import { inputSha256, type Fingerprint } from '../../../src/idempotency/fingerprint';
import type {
  CompletedRecord,
  IdempotencyRecord,
  PendingRecord,
} from '../../../src/idempotency/record';

const T0 = Date.parse('2026-11-28T10:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const TTL = 60_000;

const fingerprint: Fingerprint = {
  functionName: 'processBatch',
  instanceId: 'nightly',
  onConflict: 'reject',
  inputSha256: inputSha256({ items: 3 }),
};
const outcome = { kind: 'started', instanceId: 'nightly' } as const;

const completed: CompletedRecord = {
  state: 'completed',
  key: 'k',
  fingerprint,
  claimedAt: iso(T0),
  completedAt: iso(T0 + 100),
  outcome,
  run: { instanceId: 'nightly', createdTime: iso(T0 + 50) },
};
const pending: PendingRecord = {
  state: 'pending',
  key: 'k',
  fingerprint,
  claimedAt: iso(T0),
  abandonedAfter: iso(T0 + 10_000),
  runsSince: iso(T0 - 5_000),
};
const other: Fingerprint = { ...fingerprint, instanceId: 'other', onConflict: 'attach' };

describe('decideOnRecord: the key has a record', () => {
  it.each<[string, IdempotencyRecord, Fingerprint, number, unknown]>([
    [
      'completed, same request, within the TTL → replay',
      completed,
      fingerprint,
      T0 + 100 + TTL - 1,
      { action: 'replay', outcome, run: completed.run },
    ],
    [
      'completed, different request, within the TTL → mismatch naming the parts',
      completed,
      other,
      T0 + 200,
      { action: 'mismatch', differences: ['instanceId', 'onConflict'] },
    ],
    [
      'completed, past the TTL → take over (expired), even for a different request',
      completed,
      other,
      T0 + 100 + TTL,
      { action: 'takeOver' },
    ],
    [
      'pending and live, same request → in progress until abandonedAfter',
      pending,
      fingerprint,
      T0 + 4_000,
      { action: 'inProgress', retryAfterMs: 6_000 },
    ],
    [
      'pending and live, different request → mismatch',
      pending,
      other,
      T0 + 4_000,
      { action: 'mismatch', differences: ['instanceId', 'onConflict'] },
    ],
    [
      'pending and live past the TTL → still in progress: a live claim never expires',
      { ...pending, abandonedAfter: iso(T0 + TTL * 2) },
      fingerprint,
      T0 + TTL + 1,
      { action: 'inProgress', retryAfterMs: TTL - 1 },
    ],
    [
      'pending and abandoned, same request → take over, looking for runs since the first claim',
      pending,
      fingerprint,
      T0 + 10_000,
      { action: 'takeOver', abandonedSince: iso(T0 - 5_000) },
    ],
    [
      'pending and abandoned, different request → mismatch',
      pending,
      other,
      T0 + 10_000,
      { action: 'mismatch', differences: ['instanceId', 'onConflict'] },
    ],
    [
      'pending, abandoned and past the TTL, different request → take over (expired)',
      pending,
      other,
      T0 + TTL,
      { action: 'takeOver' },
    ],
    [
      'pending, abandoned and past the TTL, same request → take over, still looking for its run',
      pending,
      fingerprint,
      T0 + TTL,
      { action: 'takeOver', abandonedSince: iso(T0 - 5_000) },
    ],
  ])('%s', (_, record, request, now, expected) => {
    expect(decideOnRecord(record, request, now, TTL)).toEqual(expected);
  });
});

describe('isRunOf: is the run found after an abandoned claim that claim’s?', () => {
  const since = iso(T0);
  const run = { name: 'processBatch', createdTime: iso(T0 + 2_000), input: { items: 3 } };

  it('yes: same orchestrator and input, created since the claim', () => {
    expect(isRunOf(run, fingerprint, since)).toBe(true);
    // Names match case-insensitively; the input by value, whatever its key order.
    expect(isRunOf({ ...run, name: 'PROCESSBATCH' }, fingerprint, since)).toBe(true);
  });

  it('yes within the engine’s whole-second precision', () => {
    expect(isRunOf({ ...run, createdTime: iso(T0 - 999) }, fingerprint, since)).toBe(true);
    // A run created in the claim's second, reported as that second's start: its own.
    expect(isRunOf({ ...run, createdTime: iso(T0 - 1_000) }, fingerprint, since)).toBe(true);
  });

  it.each<[string, Parameters<typeof isRunOf>[0]]>([
    ['no run', undefined],
    ['created before the claim', { ...run, createdTime: iso(T0 - 1_001) }],
    ['another orchestrator', { ...run, name: 'periodicSync' }],
    ['another input', { ...run, input: { items: 4 } }],
    ['an unreadable creation time', { ...run, createdTime: '' }],
  ])('no: %s', (_, candidate) => {
    expect(isRunOf(candidate, fingerprint, since)).toBe(false);
  });
});
