/**
 * Receipts: how a run tells the starter that it has read a signal, so that a 2xx can mean "a run
 * read it" and not only "the engine took it". The engine drops, with its run, an event the run had
 * not read when it completed (measured on extension 3.19: a raise after the end answers 410, and
 * one taken in the run's last episode is never read); nothing in its status says so. A run that
 * acknowledges signals therefore lists the IDs of the signals it has read in its custom status.
 *
 *  - The starter raises the event as a sealed signal: `{ "$singletonSignal": "<id>", "data": … }`.
 *  - The run opens it (`openSignal`), and records the ID in `receivedSignals` of its custom status
 *    (the last `MAX_RECEIPTS`, carried across continue-as-new). An ID it already holds is a
 *    duplicate (a retry raised again): it ignores the event.
 *  - The starter, still under the ID's lock, reads the status until the receipt is there (2xx),
 *    or the run has ended without it (the event is lost with the run: it decides again), or its
 *    wait runs out (503: unconfirmed; a retry with the same Idempotency-Key raises the same ID,
 *    which the run ignores if it has already read it).
 *  - A new run of the ID inherits the receipts of the instance it follows: the starter, which
 *    reads that instance under the lock before every start of an acknowledging orchestrator, wraps
 *    the start input with them (`inheritingInput`), and the run unwraps it (`openStartInput`) and
 *    lists them as its own. Why: the engine can hand an event to an episode it then discards (two
 *    workers briefly owning one partition); the run's committed history never read it, so the
 *    message is queued again and may come back seconds later, after the run has ended. If the
 *    signal had been read meanwhile by a later run (and answered 2xx), the copy would reach the
 *    run after that as new. With inherited receipts every later run knows the ID and ignores the
 *    copy, while the chain of starts goes through the starter and nobody purges the instance.
 *
 * The ID of a keyed signal is derived from the key and what was asked (the key's hash, then the
 * request's), so a retry finds its receipt and raises nothing again, and the same key with another
 * request is recognised as a mismatch. Pure: no I/O.
 */
import { createHash } from 'node:crypto';

/** The member that marks a sealed signal, and carries its ID. */
export const SIGNAL_ID_FIELD = '$singletonSignal';
/** The custom status member that lists the IDs of the signals a run has read. */
export const RECEIPTS_FIELD = 'receivedSignals';
/** Receipts a run keeps: enough for the signals a starter can still be waiting on. */
export const MAX_RECEIPTS = 32;
/** The member of a start input that carries the receipts a new run inherits (reserved). */
export const INHERITED_RECEIPTS_FIELD = '$singletonReceipts';

/** An event as the run gets it: the ID of a sealed signal (none when raised past the starter). */
export interface OpenedSignal {
  readonly id?: string;
  readonly data: unknown;
}

export function sealSignal(id: string, data: unknown): Record<string, unknown> {
  return { [SIGNAL_ID_FIELD]: id, data };
}

/** The signal in an event's data; data raised past the starter is taken as it is. */
export function openSignal(raised: unknown): OpenedSignal {
  if (raised !== null && typeof raised === 'object' && !Array.isArray(raised)) {
    const id = (raised as Record<string, unknown>)[SIGNAL_ID_FIELD];
    if (typeof id === 'string') {
      return { id, data: (raised as { data?: unknown }).data ?? null };
    }
  }
  return { data: raised ?? null };
}

/** The receipts a custom status lists (none when it lists none). */
export function receiptsIn(customStatus: unknown): readonly string[] {
  if (customStatus === null || typeof customStatus !== 'object') return [];
  const receipts = (customStatus as Record<string, unknown>)[RECEIPTS_FIELD];
  return Array.isArray(receipts) ? receipts.filter((r): r is string => typeof r === 'string') : [];
}

/** Receipts after reading `id`: appended, the oldest dropped past `MAX_RECEIPTS`. */
export function withReceipt(receipts: readonly string[], id: string): string[] {
  return [...receipts.filter((r) => r !== id), id].slice(-MAX_RECEIPTS);
}

/** What a status says about one signal. */
export type ReceiptState =
  /** The run lists this ID: it has read the signal. */
  | 'received'
  /** It lists the key's ID for another request: the key was used for something else. */
  | 'keyReused'
  | 'none';

export function receiptState(customStatus: unknown, id: string): ReceiptState {
  const receipts = receiptsIn(customStatus);
  if (receipts.includes(id)) return 'received';
  const keyPart = id.split('.')[0];
  if (id.includes('.') && receipts.some((r) => r.split('.')[0] === keyPart)) return 'keyReused';
  return 'none';
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, 22);
}

/**
 * The ID of a signal sent with an Idempotency-Key: `<key part>.<request part>`, each a truncated
 * SHA-256. The key part covers the key, the orchestrator and the instance ID (keys are scoped to
 * an instance); the request part the event and the canonical JSON of its data and start input.
 */
export function keyedSignalId(
  scope: { orchestrator: string; instanceId: string; key: string },
  request: { event: string; canonicalData: string; canonicalInput: string },
): string {
  const keyPart = sha256(
    JSON.stringify([scope.orchestrator.toLowerCase(), scope.instanceId, scope.key]),
  );
  const requestPart = sha256(
    JSON.stringify([request.event.toLowerCase(), request.canonicalData, request.canonicalInput]),
  );
  return `${keyPart}.${requestPart}`;
}

/**
 * The input a new run starts with: the caller's, wrapped as
 * `{ "$singletonReceipts": [...], "input": … }` when the instance it follows (its custom status)
 * lists receipts, else the caller's as it is.
 */
export function inheritingInput(input: unknown, followedCustomStatus: unknown): unknown {
  const receipts = receiptsIn(followedCustomStatus).slice(-MAX_RECEIPTS);
  return receipts.length === 0 ? input : { [INHERITED_RECEIPTS_FIELD]: receipts, input };
}

/** A start input as the run reads it: the caller's input, and the receipts it inherits. */
export interface OpenedStartInput {
  readonly input: unknown;
  readonly receipts: readonly string[];
}

/** Unwraps what `inheritingInput` wrapped; any other input is the caller's, with no receipts. */
export function openStartInput(raw: unknown): OpenedStartInput {
  if (hasReservedMember(raw)) {
    const wrapped = raw as Record<string, unknown>;
    const receipts = wrapped[INHERITED_RECEIPTS_FIELD];
    if (Array.isArray(receipts) && receipts.every((r) => typeof r === 'string')) {
      return {
        input: wrapped.input ?? null,
        receipts: (receipts as string[]).slice(-MAX_RECEIPTS),
      };
    }
  }
  return { input: raw ?? null, receipts: [] };
}

/** Whether a caller's start input uses the member the starter reserves (refused: 400). */
export function hasReservedMember(input: unknown): boolean {
  return (
    input !== null &&
    typeof input === 'object' &&
    !Array.isArray(input) &&
    Object.prototype.hasOwnProperty.call(input, INHERITED_RECEIPTS_FIELD)
  );
}
