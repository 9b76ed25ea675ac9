/**
 * Checks a plain start request against what the app exposes and what the engine accepts, before
 * anything is read or started: the orchestrator is exposed, the ID is one the engine, its storage
 * and URLs carry intact, `onConflict` is known, the input leaves the starter's reserved member
 * alone, and the orchestrator's own input check passes.
 * Pure; the first fault found is the answer.
 */
import { findStartable } from './catalog';
import { checkInstanceId } from './instanceId';
import { CONFLICT_POLICIES, type ConflictPolicy } from './policy';
import type { SingletonRequest, SingletonResult, StartCommand } from './result';
import type { SignalCommand } from './signal';
import { hasReservedMember, INHERITED_RECEIPTS_FIELD } from './signalReceipt';

export type Invalid = Extract<SingletonResult, { kind: 'invalid' }>;

function isConflictPolicy(value: string): value is ConflictPolicy {
  return (CONFLICT_POLICIES as readonly string[]).includes(value);
}

export function checkRequest(request: SingletonRequest): StartCommand | Invalid {
  const orchestrator = findStartable(request.orchestrator);
  if (!orchestrator) {
    return {
      kind: 'invalid',
      field: 'orchestrator',
      detail: 'No orchestrator of this name is exposed for singleton start.',
    };
  }
  const { instanceId } = request;
  const idCheck = checkInstanceId(instanceId);
  if (!idCheck.ok) {
    const { detail, character } = idCheck;
    return {
      kind: 'invalid',
      field: 'instanceId',
      detail,
      ...(character && { facts: { character } }),
    };
  }
  const onConflict = request.onConflict ?? 'reject';
  if (!isConflictPolicy(onConflict)) {
    return {
      kind: 'invalid',
      field: 'onConflict',
      detail: `onConflict must be one of ${CONFLICT_POLICIES.join(', ')}.`,
    };
  }
  // No input is `null`: what the orchestrator then reads (the client would send an empty string).
  const input = request.input === undefined ? null : request.input;
  if (hasReservedMember(input)) {
    // The starter wraps a new run's input with this member (./signalReceipt.ts); one the caller
    // sent would be read by the run as inherited receipts.
    const problem = `${INHERITED_RECEIPTS_FIELD} is reserved for the starter`;
    return {
      kind: 'invalid',
      field: 'input',
      detail: `The input of ${orchestrator.name} is invalid: ${problem}.`,
      facts: { errors: [problem] },
    };
  }
  const check = orchestrator.input?.(input);
  if (check && !check.ok) {
    return {
      kind: 'invalid',
      field: 'input',
      detail: `The input of ${orchestrator.name} is invalid: ${check.problems.join('; ')}.`,
      facts: { errors: [...check.problems] },
    };
  }
  const { idempotencyKey } = request;
  return idempotencyKey === undefined
    ? { orchestrator, instanceId, input, onConflict }
    : { orchestrator, instanceId, input, onConflict, idempotencyKey };
}

/** A signal as a caller asks for it: the start's fields, the event and its data. */
export interface SignalRequest {
  readonly orchestrator: string;
  readonly instanceId: string;
  readonly eventName: string;
  /** The event's data (JSON); absent: `null`. */
  readonly data?: unknown;
  /** The input of a run the signal has to start; absent: `null` (the job's defaults). */
  readonly input?: unknown;
  /** Makes a retried signal the same signal (src/idempotency/signalKey.ts). */
  readonly idempotencyKey?: string;
  /** `false`: raise to a running run only, never start one (a schedule's `cancelOther`). */
  readonly startsRun?: false;
}

/**
 * Checks a signal as a start is checked (orchestrator, ID, the input a new run would get), then
 * its event: declared by the orchestrator (else 404 `event`, the name not repeated), and its data
 * accepted by the event's own check. Pure.
 */
export function checkSignalRequest(request: SignalRequest): SignalCommand | Invalid {
  const start = checkRequest({
    orchestrator: request.orchestrator,
    instanceId: request.instanceId,
    input: request.input,
  });
  if ('kind' in start) return start;
  const event = start.orchestrator.events?.get(request.eventName.toLowerCase());
  if (event === undefined) {
    return {
      kind: 'invalid',
      field: 'event',
      detail: `${start.orchestrator.name} declares no event of this name.`,
    };
  }
  const data = request.data === undefined ? null : request.data;
  const check = event.data?.(data);
  if (check && !check.ok) {
    return {
      kind: 'invalid',
      field: 'eventData',
      detail: `The data of ${event.name} is invalid: ${check.problems.join('; ')}.`,
      facts: { errors: [...check.problems] },
    };
  }
  return {
    orchestrator: start.orchestrator,
    instanceId: start.instanceId,
    event,
    data,
    input: start.input,
    ...(request.startsRun === false && { startsRun: false as const }),
  };
}
