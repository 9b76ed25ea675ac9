/** The input of `processBatch`: which records to process, in chunks of what size, how many at once. */
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

export function parseProcessBatchInput(raw: unknown): Validated<ProcessBatchSettings> {
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

/** Parses the input or throws the error the orchestration fails with. */
export function requireProcessBatchInput(raw: unknown): ProcessBatchSettings {
  const parsed = parseProcessBatchInput(raw);
  if (!parsed.ok) {
    throw new Error(invalidInputMessage(PROCESS_BATCH, parsed.problems));
  }
  return parsed.value;
}
