/**
 * What makes two keyed requests "the same request": the orchestrator, the instance ID, `onConflict`
 * and the input. The input is compared as parsed JSON in canonical form (object keys sorted,
 * numbers and strings as `JSON.stringify` writes them), so `{"a":1,"b":2}` and `{"b":2,"a":1}`, or
 * `1.0` and `1`, are the same input: they are the same value to the orchestration (RFC 8259 objects
 * are unordered), and a retry from another client library must not be refused for its formatting.
 * Array order does matter. An empty body and `null` are the same input (the orchestration gets
 * `null` for both).
 */
import { createHash } from 'node:crypto';
import type { StartCommand } from '../singleton/result';

export interface Fingerprint {
  /** The orchestrator's declared name (names match case-insensitively, so this is canonical). */
  readonly functionName: string;
  readonly instanceId: string;
  readonly onConflict: string;
  /** SHA-256 (hex) of the input's canonical JSON. */
  readonly inputSha256: string;
}

export type FingerprintPart = keyof Fingerprint;

/** Canonical JSON: object keys sorted by code unit, no whitespace, `undefined` members dropped. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  }
  if (value !== null && typeof value === 'object') {
    const members = Object.keys(value)
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .sort()
      .map(
        (key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`,
      );
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export function inputSha256(input: unknown): string {
  return createHash('sha256').update(canonicalJson(input), 'utf8').digest('hex');
}

export function fingerprintOf(command: StartCommand): Fingerprint {
  return {
    functionName: command.orchestrator.name,
    instanceId: command.instanceId,
    onConflict: command.onConflict,
    inputSha256: inputSha256(command.input),
  };
}

const PARTS: readonly FingerprintPart[] = [
  'functionName',
  'instanceId',
  'onConflict',
  'inputSha256',
];

/** The parts in which `now` differs from `first`; empty when they are the same request. */
export function fingerprintDifferences(first: Fingerprint, now: Fingerprint): FingerprintPart[] {
  return PARTS.filter((part) => first[part] !== now[part]);
}
