/**
 * The public input of `periodicSync`: what a caller may post to start it, `{ intervalSeconds? }`.
 * The state one generation hands the next is a different thing (./state), so a caller cannot set
 * the job's counters.
 */
import { IntegerRule, Validated, readInteger, readObject, rejectUnknownKeys } from '../inputRules';

export interface PeriodicSyncSettings {
  /** Seconds between the end of one pass and the start of the next. */
  readonly intervalSeconds: number;
}

export const INTERVAL_SECONDS: IntegerRule = { min: 1, max: 86_400, default: 60 };

const KEYS: readonly (keyof PeriodicSyncSettings)[] = ['intervalSeconds'];

/**
 * Checks what a caller may post to start `periodicSync`: `null`/absent (every minute) or an object
 * with only `intervalSeconds`. Pure. On success `value` has the default filled in; on failure
 * `problems` names each offending property.
 */
export function checkPeriodicSyncInput(raw: unknown): Validated<PeriodicSyncSettings> {
  const problems: string[] = [];
  const source = readObject(raw, problems);
  rejectUnknownKeys(source, KEYS, problems);
  const intervalSeconds = readInteger(source, 'intervalSeconds', INTERVAL_SECONDS, problems);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value: { intervalSeconds } };
}

/** The data of the `setInterval` event: `{ intervalSeconds }`, required and checked as at start. */
export function checkSetIntervalData(raw: unknown): Validated<PeriodicSyncSettings> {
  const checked = checkPeriodicSyncInput(raw);
  if (!checked.ok) return checked;
  const given = raw !== null && typeof raw === 'object' && 'intervalSeconds' in raw;
  return given ? checked : { ok: false, problems: ['missing property "intervalSeconds"'] };
}
