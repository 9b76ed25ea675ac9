/**
 * The input of `processBatch`: which records to process, in chunks of what size, how many at once.
 * The same check serves a caller's request (the starter can refuse it before starting anything) and
 * the orchestrator (input can also arrive by other routes).
 */
import {
  IntegerRule,
  Validated,
  invalidInputMessage,
  readInteger,
  readObject,
  rejectUnknownKeys,
} from '../inputRules';
import { PROCESS_BATCH } from './names';

export interface ProcessBatchInput {
  /** How many records the batch holds (records are numbered 1..items). */
  items?: number;
  /** Records per activity call. */
  chunkSize?: number;
  /** Chunks processed at the same time (one fan-out wave). */
  parallelism?: number;
}

export type ProcessBatchSettings = Required<ProcessBatchInput>;

export const PROCESS_BATCH_RULES = {
  items: { min: 1, max: 10_000, default: 40 },
  chunkSize: { min: 1, max: 1_000, default: 5 },
  parallelism: { min: 1, max: 32, default: 4 },
} as const satisfies Record<keyof ProcessBatchInput, IntegerRule>;

/** Each chunk adds events to the history the orchestrator replays, so the chunk count is capped too. */
export const MAX_CHUNKS = 1_000;

/**
 * Checks what a caller may post to start `processBatch`: `null`/absent (all defaults) or an object
 * with only `items`, `chunkSize` and `parallelism`. Pure. On success `value` has the defaults filled
 * in; on failure `problems` names each offending property.
 */
export function checkProcessBatchInput(raw: unknown): Validated<ProcessBatchSettings> {
  const problems: string[] = [];
  const source = readObject(raw, problems);
  rejectUnknownKeys(source, Object.keys(PROCESS_BATCH_RULES), problems);
  const items = readInteger(source, 'items', PROCESS_BATCH_RULES.items, problems);
  const chunkSize = readInteger(source, 'chunkSize', PROCESS_BATCH_RULES.chunkSize, problems);
  const parallelism = readInteger(source, 'parallelism', PROCESS_BATCH_RULES.parallelism, problems);
  const chunks = Math.ceil(items / chunkSize);
  if (problems.length === 0 && chunks > MAX_CHUNKS) {
    problems.push(
      `items / chunkSize gives ${chunks} chunks but at most ${MAX_CHUNKS} are allowed (raise chunkSize)`,
    );
  }
  return problems.length > 0
    ? { ok: false, problems }
    : { ok: true, value: { items, chunkSize, parallelism } };
}

/** Checks the input or throws the error the orchestration fails with. */
export function requireProcessBatchInput(raw: unknown): ProcessBatchSettings {
  const parsed = checkProcessBatchInput(raw);
  if (!parsed.ok) {
    throw new Error(invalidInputMessage(PROCESS_BATCH, parsed.problems));
  }
  return parsed.value;
}
