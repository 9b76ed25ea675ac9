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

/**
 * Treats a missing input (`null`/`undefined`) as `{}` so a job started without a body runs with
 * defaults. `what` names the value in the problem (a nested object names its property).
 */
export function readObject(
  raw: unknown,
  problems: string[],
  what = 'input',
): Record<string, unknown> {
  if (raw === undefined || raw === null) {
    return {};
  }
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    problems.push(`${what} must be a JSON object (got ${kindOf(raw)})`);
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

/** For input that has no defaults, such as the state one generation hands the next. */
export function rejectMissingKeys(
  source: Record<string, unknown>,
  required: readonly string[],
  problems: string[],
): void {
  for (const key of required) {
    if (!Object.hasOwn(source, key)) {
      problems.push(`missing property "${key}"`);
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
    const got =
      typeof value === 'number' && Number.isInteger(value) ? 'one out of range' : kindOf(value);
    problems.push(`${key} must be an integer from ${rule.min} to ${rule.max} (got ${got})`);
    return rule.default;
  }
  return value;
}

/** The message an orchestration fails with when its input is invalid. */
export function invalidInputMessage(job: string, problems: readonly string[]): string {
  return `Invalid input for ${job}: ${problems.join('; ')}.`;
}

/**
 * How a problem's "(got …)" describes a rejected value: by its kind, never the value itself. Input
 * may carry personal data, and problems reach answers, logs and the orchestration's failure output.
 */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return 'a string';
    case 'number':
      return Number.isInteger(value) ? 'an integer' : 'a fraction';
    case 'boolean':
      return 'a boolean';
    default:
      return 'an object';
  }
}
