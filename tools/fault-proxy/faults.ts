/**
 * The faults a proxy can inject, and their validation (they also arrive as JSON over the control
 * endpoint, from another process).
 */
export type Direction = 'both' | 'upstream' | 'downstream';

export interface Latency {
  /** Each chunk is delayed by a uniform draw in [minMs, maxMs] (the jitter is the spread). */
  readonly minMs: number;
  readonly maxMs: number;
  /** Which way chunks are delayed: towards the upstream (requests), back (answers), or both. */
  readonly direction?: Direction;
  /**
   * Only requests containing these bytes (e.g. `POST /durabletask/orchestrators/`, one call of an
   * HTTP API) are delayed; the answers are not. Overrides `direction`.
   */
  readonly match?: string;
}

export interface Resets {
  /** Probability that a new connection is reset as soon as it is accepted. */
  readonly perConnection?: number;
  /**
   * Probability that an answer is replaced by a reset: the request reached the upstream (so it may
   * have taken effect) but the client never sees the answer.
   */
  readonly perAnswer?: number;
}

export interface Faults {
  readonly latency?: Latency;
  readonly resets?: Resets;
  /** Accept, swallow every byte both ways, never answer; connections that swallowed are reset when it ends. */
  readonly blackhole?: boolean;
  /** Blackhole only the connections that send these bytes, from that request on (one API call). */
  readonly blackholeMatch?: string;
}

export class InvalidFaultsError extends Error {
  override readonly name = 'InvalidFaultsError';
}

const MAX_DELAY_MS = 600_000;

function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidFaultsError(`${what} must be an object.`);
  }
  return value as Record<string, unknown>;
}

function number(value: unknown, what: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new InvalidFaultsError(`${what} must be a number from ${min} to ${max}.`);
  }
  return value;
}

function pattern(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 1024) {
    throw new InvalidFaultsError(`${what} must be a string of 1 to 1024 characters.`);
  }
  return value;
}

function only(object: Record<string, unknown>, keys: readonly string[], what: string): void {
  const unknown = Object.keys(object).filter((k) => !keys.includes(k));
  if (unknown.length > 0) {
    throw new InvalidFaultsError(`${what} has unknown field(s): ${unknown.join(', ')}.`);
  }
}

/** Checks faults given as untrusted JSON; throws InvalidFaultsError naming the first bad field. */
export function parseFaults(value: unknown): Faults {
  const faults = record(value, 'faults');
  only(faults, ['latency', 'resets', 'blackhole', 'blackholeMatch'], 'faults');
  const parsed: {
    latency?: Latency;
    resets?: Resets;
    blackhole?: boolean;
    blackholeMatch?: string;
  } = {};
  if (faults.latency !== undefined) {
    const l = record(faults.latency, 'latency');
    only(l, ['minMs', 'maxMs', 'direction', 'match'], 'latency');
    const minMs = number(l.minMs, 'latency.minMs', 0, MAX_DELAY_MS);
    const maxMs = number(l.maxMs, 'latency.maxMs', minMs, MAX_DELAY_MS);
    const direction = l.direction ?? 'both';
    if (direction !== 'both' && direction !== 'upstream' && direction !== 'downstream') {
      throw new InvalidFaultsError('latency.direction must be both, upstream or downstream.');
    }
    parsed.latency = {
      minMs,
      maxMs,
      direction,
      ...(l.match !== undefined && { match: pattern(l.match, 'latency.match') }),
    };
  }
  if (faults.resets !== undefined) {
    const r = record(faults.resets, 'resets');
    only(r, ['perConnection', 'perAnswer'], 'resets');
    parsed.resets = {
      ...(r.perConnection !== undefined && {
        perConnection: number(r.perConnection, 'resets.perConnection', 0, 1),
      }),
      ...(r.perAnswer !== undefined && {
        perAnswer: number(r.perAnswer, 'resets.perAnswer', 0, 1),
      }),
    };
  }
  if (faults.blackhole !== undefined) {
    if (typeof faults.blackhole !== 'boolean') {
      throw new InvalidFaultsError('blackhole must be true or false.');
    }
    parsed.blackhole = faults.blackhole;
  }
  if (faults.blackholeMatch !== undefined) {
    parsed.blackholeMatch = pattern(faults.blackholeMatch, 'blackholeMatch');
  }
  return parsed;
}
