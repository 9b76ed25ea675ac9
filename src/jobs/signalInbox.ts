/**
 * The run's side of signal receipts (src/singleton/signalReceipt.ts says why): open the start
 * input (the caller's input, and the receipts inherited from the instance the run follows), open
 * an event the starter raised, tell a duplicate from a fresh signal, and keep the receipts the run
 * lists in its custom status (and carries across continue-as-new). Pure, so it replays
 * deterministically.
 */
import { openSignal, withReceipt } from '../singleton/signalReceipt';

export { openStartInput, RECEIPTS_FIELD } from '../singleton/signalReceipt';

export interface TakenSignal {
  /** `false`: the run has read this signal before (a retry raised it again); ignore it. */
  readonly fresh: boolean;
  /** The event's data, as the caller sent it. */
  readonly data: unknown;
  /** The receipts to list from now on. */
  readonly receipts: string[];
}

/** Takes an event the run has just read, given the receipts it lists. */
export function takeSignal(receipts: readonly string[], raised: unknown): TakenSignal {
  const { id, data } = openSignal(raised);
  if (id === undefined) return { fresh: true, data, receipts: [...receipts] };
  if (receipts.includes(id)) return { fresh: false, data, receipts: [...receipts] };
  return { fresh: true, data, receipts: withReceipt(receipts, id) };
}
