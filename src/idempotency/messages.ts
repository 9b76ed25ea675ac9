/** The wording of the idempotent start: its problem details and its log lines. */
import type { FingerprintPart } from './fingerprint';
import type { KeyScope } from './ports';

/** The public names of the parts, as a mismatch lists them. */
export const PART_FIELDS = {
  functionName: 'functionName',
  instanceId: 'instanceId',
  onConflict: 'onConflict',
  inputSha256: 'input',
} as const satisfies Record<FingerprintPart, string>;

type PartField = (typeof PART_FIELDS)[FingerprintPart];

const PART_NAMES: Record<PartField, string> = {
  functionName: 'the orchestrator',
  instanceId: 'the instance ID',
  onConflict: 'onConflict',
  input: 'the input (compared as JSON)',
};

function partName(field: string): string {
  return PART_NAMES[field as PartField] ?? field;
}

function list(items: readonly string[]): string {
  return items.length <= 1
    ? items.join('')
    : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** `differences`: the public names of the parts (`PART_FIELDS`). */
export function mismatchDetail(key: string, differences: readonly string[]): string {
  return `Idempotency-Key '${key}' was used for a different request: ${list(differences.map(partName))} ${differences.length === 1 ? 'differs' : 'differ'}. Send a new key for a new request.`;
}

export function inProgressDetail(key: string, instanceId: string): string {
  return `The first request with Idempotency-Key '${key}' (instance '${instanceId}') is still being answered, or its start may still take effect. Retry later to get its answer.`;
}

export const idempotencyLogLine = {
  replayed: ({ key }: KeyScope, outcome: string): string =>
    `Idempotency-Key '${key}': replaying the recorded outcome (${outcome}); nothing started.`,
  mismatch: ({ key }: KeyScope, differences: readonly FingerprintPart[]): string =>
    `Idempotency-Key '${key}': refused, the request differs in ${differences.join(', ')}.`,
  tookOver: ({ key }: KeyScope, abandonedSince: string | undefined): string =>
    abandonedSince === undefined
      ? `Idempotency-Key '${key}': the expired record is replaced.`
      : `Idempotency-Key '${key}': taking over a claim abandoned since ${abandonedSince}.`,
  adopted: ({ key }: KeyScope, createdTime: string): string =>
    `Idempotency-Key '${key}': the abandoned request's run (created ${createdTime}) is recorded and replayed.`,
  runUnread: ({ key }: KeyScope, reason: string): string =>
    `Idempotency-Key '${key}': the run's creation time could not be read (${reason}); recorded without it.`,
  unrecorded: ({ key }: KeyScope, reason: string): string =>
    `Idempotency-Key '${key}': the record could not be written (${reason}); the claim lapses by itself.`,
  unreleased: ({ key }: KeyScope, reason: string): string =>
    `Idempotency-Key '${key}': the claim could not be released (${reason}); it lapses by itself.`,
  claimLost: ({ key }: KeyScope): string =>
    `Idempotency-Key '${key}': the claim was taken over before the answer was recorded.`,
  storeFailed: ({ key }: KeyScope, reason: string): string => `Idempotency-Key '${key}': ${reason}`,
};
