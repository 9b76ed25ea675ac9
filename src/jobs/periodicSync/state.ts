/**
 * The state one `periodicSync` generation hands the next through continue-as-new, and how a
 * generation reads its input: the caller's public input on the first generation, this state on the
 * later ones. The state wraps the caller's input under `input`, a property the public input refuses,
 * so no value is valid as both.
 */
import {
  IntegerRule,
  Validated,
  invalidInputMessage,
  readInteger,
  readObject,
  rejectMissingKeys,
  rejectUnknownKeys,
  kindOf,
} from '../inputRules';
import { MAX_RECEIPTS } from '../../singleton/signalReceipt';
import { type PeriodicSyncSettings, checkPeriodicSyncInput } from './input';
import { PERIODIC_SYNC } from './names';

export interface SyncTotals {
  recordsSynced: number;
  failedRuns: number;
}

export interface PeriodicSyncState {
  /** The caller's input, as checked when the job started. */
  input: PeriodicSyncSettings;
  /** Cycles completed so far. */
  iteration: number;
  startedAt: string;
  /** When the last pass ended. */
  lastRunAt: string | null;
  /** When the latest passes started, oldest first, at most `RECENT_RUNS`. */
  recentRuns: string[];
  totals: SyncTotals;
  /** The signals read so far (src/jobs/signalInbox.ts); optional, a generation before it had none. */
  receivedSignals?: string[];
}

/** Enough passes to see the interval being kept, few enough to keep state and status small. */
export const RECENT_RUNS = 5;

const COUNTER: IntegerRule = { min: 0, max: Number.MAX_SAFE_INTEGER, default: 0 };
const KEYS: readonly (keyof PeriodicSyncState)[] = [
  'input',
  'iteration',
  'startedAt',
  'lastRunAt',
  'recentRuns',
  'totals',
];
const OPTIONAL_KEYS: readonly (keyof PeriodicSyncState)[] = ['receivedSignals'];
const TOTALS_KEYS: readonly (keyof SyncTotals)[] = ['recordsSynced', 'failedRuns'];

/** The state before the first cycle; `now` (the orchestration's current time) becomes `startedAt`. */
export function initialState(input: PeriodicSyncSettings, now: string): PeriodicSyncState {
  return {
    input,
    iteration: 0,
    startedAt: now,
    lastRunAt: null,
    recentRuns: [],
    totals: { recordsSynced: 0, failedRuns: 0 },
  };
}

/** True for what a previous generation carried; anything else is read as the caller's input. */
export function isCarriedState(raw: unknown): boolean {
  return (
    typeof raw === 'object' && raw !== null && !Array.isArray(raw) && Object.hasOwn(raw, 'input')
  );
}

/** Checks a carried state strictly: every property is required, none may be added. */
export function checkCarriedState(raw: unknown): Validated<PeriodicSyncState> {
  const problems: string[] = [];
  const source = readObject(raw, problems);
  rejectUnknownKeys(source, [...KEYS, ...OPTIONAL_KEYS], problems);
  rejectMissingKeys(source, KEYS, problems);
  const input = checkPeriodicSyncInput(source.input);
  if (!input.ok) {
    problems.push(...input.problems.map((problem) => `input: ${problem}`));
  }
  const iteration = readInteger(source, 'iteration', COUNTER, problems);
  const startedAt = readTimestamp(source.startedAt, 'startedAt', problems) ?? '';
  const lastRunAt =
    source.lastRunAt === null ? null : readTimestamp(source.lastRunAt, 'lastRunAt', problems);
  const recentRuns = readRecentRuns(source.recentRuns, problems);
  const receivedSignals = readReceipts(source.receivedSignals, problems);
  const before = problems.length;
  const totalsSource = readObject(source.totals, problems, 'totals');
  if (source.totals !== undefined && problems.length === before) {
    rejectUnknownKeys(totalsSource, TOTALS_KEYS, problems);
    rejectMissingKeys(totalsSource, TOTALS_KEYS, problems);
  }
  const totals: SyncTotals = {
    recordsSynced: readInteger(totalsSource, 'recordsSynced', COUNTER, problems),
    failedRuns: readInteger(totalsSource, 'failedRuns', COUNTER, problems),
  };
  return !input.ok || problems.length > 0
    ? { ok: false, problems }
    : {
        ok: true,
        value: {
          input: input.value,
          iteration,
          startedAt,
          lastRunAt,
          recentRuns,
          totals,
          ...(receivedSignals.length > 0 && { receivedSignals }),
        },
      };
}

/** A generation's state: the carried one, or a fresh one from the caller's input. */
export function readGenerationInput(raw: unknown, now: string): Validated<PeriodicSyncState> {
  if (isCarriedState(raw)) {
    return checkCarriedState(raw);
  }
  const input = checkPeriodicSyncInput(raw);
  return input.ok ? { ok: true, value: initialState(input.value, now) } : input;
}

/** Reads the generation's input or throws the error the orchestration fails with. */
export function requireGenerationInput(raw: unknown, now: string): PeriodicSyncState {
  const read = readGenerationInput(raw, now);
  if (!read.ok) {
    throw new Error(invalidInputMessage(PERIODIC_SYNC, read.problems));
  }
  return read.value;
}

function readTimestamp(value: unknown, key: string, problems: string[]): string | null {
  if (value === undefined) {
    return null;
  }
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) {
    const got = typeof value === 'string' ? 'a string that is not one' : kindOf(value);
    problems.push(`${key} must be an ISO 8601 timestamp (got ${got})`);
    return null;
  }
  return value;
}

function readRecentRuns(value: unknown, problems: string[]): string[] {
  if (value === undefined) {
    return [];
  }
  if (!Array.isArray(value) || value.length > RECENT_RUNS) {
    problems.push(
      `recentRuns must be an array of at most ${RECENT_RUNS} timestamps (got ${Array.isArray(value) ? 'a longer one' : kindOf(value)})`,
    );
    return [];
  }
  return value.flatMap(
    (item, index) => readTimestamp(item, `recentRuns[${index}]`, problems) ?? [],
  );
}

function readReceipts(value: unknown, problems: string[]): string[] {
  if (value === undefined) {
    return [];
  }
  if (
    !Array.isArray(value) ||
    value.length > MAX_RECEIPTS ||
    value.some((item) => typeof item !== 'string')
  ) {
    problems.push(`receivedSignals must be an array of at most ${MAX_RECEIPTS} strings`);
    return [];
  }
  return value as string[];
}
