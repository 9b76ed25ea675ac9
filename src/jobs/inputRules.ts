/**
 * Small pure helpers the jobs use to validate their orchestration input. Each rule appends a
 * human-readable problem instead of throwing, so a caller sees every mistake at once.
 */

export type Validated<T> = { ok: true; value: T } | { ok: false; problems: string[] };

export interface IntegerRule {
  readonly min: number;
  readonly max: number;
  readonly default: number;
}

/** Treats a missing input (`null`/`undefined`) as `{}` so a job started without a body runs with defaults. */
export function readObject(raw: unknown, problems: string[]): Record<string, unknown> {
  if (raw === undefined || raw === null) {
    return {};
  }
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    problems.push(`input must be a JSON object (got ${valueInWords(raw)})`);
    return {};
  }
  return raw as Record<string, unknown>;
}

/** Unknown keys are rejected: a typo such as `chunksize` would otherwise silently fall back to a default. */
export function rejectUnknownKeys(
  source: Record<string, unknown>,
  allowed: readonly string[],
  problems: string[],
): void {
  for (const key of Object.keys(source)) {
    if (!allowed.includes(key)) {
      problems.push(`unknown property "${key}" (allowed: ${allowed.join(', ')})`);
    }
  }
}

export function readInteger(
  source: Record<string, unknown>,
  key: string,
  rule: IntegerRule,
  problems: string[],
): number {
  const value = source[key];
  if (value === undefined) {
    return rule.default;
  }
  if (
    typeof value !== 'number' ||
    !Number.isInteger(value) ||
    value < rule.min ||
    value > rule.max
  ) {
    problems.push(
      `${key} must be an integer from ${rule.min} to ${rule.max} (got ${valueInWords(value)})`,
    );
    return rule.default;
  }
  return value;
}

/** The message an orchestration fails with when its input is invalid. */
export function invalidInputMessage(job: string, problems: readonly string[]): string {
  return `Invalid input for ${job}: ${problems.join('; ')}.`;
}

/** How a value reads in an input problem: `null`, `an array`, `an object`, or the value itself. */
export function valueInWords(value: unknown): string {
  if (value === null) {
    return 'null';
  }
  if (Array.isArray(value)) {
    return 'an array';
  }
  return typeof value === 'string'
    ? JSON.stringify(value)
    : typeof value === 'object'
      ? 'an object'
      : String(value);
}
