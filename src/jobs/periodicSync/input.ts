/**
 * The input of `periodicSync`. A caller passes `{ intervalSeconds? }`; each generation passes the
 * next one the same object plus the carried state (`iteration`, `startedAt`, `lastRunAt`, `totals`),
 * so one parser reads both.
 */
import {
  IntegerRule,
  Validated,
  valueInWords,
  invalidInputMessage,
  readInteger,
  readObject,
  rejectUnknownKeys,
} from '../inputRules';
import { PERIODIC_SYNC } from './names';

export interface SyncTotals {
  recordsSynced: number;
  failedRuns: number;
}

/** What one generation hands the next through continue-as-new. */
export interface PeriodicSyncState {
  intervalSeconds: number;
  /** Cycles completed so far. */
  iteration: number;
  startedAt: string;
  lastRunAt: string | null;
  totals: SyncTotals;
}

export const INTERVAL_SECONDS: IntegerRule = { min: 1, max: 86_400, default: 60 };

const COUNTER: IntegerRule = { min: 0, max: Number.MAX_SAFE_INTEGER, default: 0 };
const KEYS: readonly (keyof PeriodicSyncState)[] = [
  'intervalSeconds',
  'iteration',
  'startedAt',
  'lastRunAt',
  'totals',
];

/** `now` (the orchestration's current time) becomes `startedAt` on the first generation. */
export function parsePeriodicSyncInput(raw: unknown, now: string): Validated<PeriodicSyncState> {
  const problems: string[] = [];
  const source = readObject(raw, problems);
  rejectUnknownKeys(source, KEYS, problems);
  const intervalSeconds = readInteger(source, 'intervalSeconds', INTERVAL_SECONDS, problems);
  const iteration = readInteger(source, 'iteration', COUNTER, problems);
  const startedAt = readTimestamp(source, 'startedAt', problems) ?? now;
  const lastRunAt = readTimestamp(source, 'lastRunAt', problems);
  const totalsSource = source.totals === undefined ? {} : readObject(source.totals, problems);
  const totals: SyncTotals = {
    recordsSynced: readInteger(totalsSource, 'recordsSynced', COUNTER, problems),
    failedRuns: readInteger(totalsSource, 'failedRuns', COUNTER, problems),
  };
  return problems.length > 0
    ? { ok: false, problems }
    : { ok: true, value: { intervalSeconds, iteration, startedAt, lastRunAt, totals } };
}

/** Parses the input or throws the error the orchestration fails with. */
export function requirePeriodicSyncInput(raw: unknown, now: string): PeriodicSyncState {
  const parsed = parsePeriodicSyncInput(raw, now);
  if (!parsed.ok) {
    throw new Error(invalidInputMessage(PERIODIC_SYNC, parsed.problems));
  }
  return parsed.value;
}

function readTimestamp(
  source: Record<string, unknown>,
  key: string,
  problems: string[],
): string | null {
  const value = source[key];
  if (value === undefined || value === null) {
    return null;
  }
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) {
    problems.push(`${key} must be an ISO 8601 timestamp (got ${valueInWords(value)})`);
    return null;
  }
  return value;
}
