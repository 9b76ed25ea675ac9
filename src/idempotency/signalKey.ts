/**
 * An Idempotency-Key on a signal. Signals keep no record of their own: the key becomes the
 * signal's ID (src/singleton/signalReceipt.ts), the run lists the IDs it has read and ignores one
 * it has listed, and the starter answers a retry whose receipt is listed without raising anything.
 * The ID hashes the key with the instance it is scoped to, then what was asked (the event, and the
 * canonical JSON of its data and of the start input, as ./fingerprint.ts compares starts), so the
 * same key sent with another request is told apart (422) rather than taken for a retry.
 */
import type { SignalCommand } from '../singleton/signal';
import { keyedSignalId } from '../singleton/signalReceipt';
import { canonicalJson } from './fingerprint';
import { checkIdempotencyKey } from './key';

/** The command with its key and signal ID, or the key's problem (400). */
export function keyedSignal(
  command: SignalCommand,
  idempotencyKey: string,
): SignalCommand | { readonly problem: string } {
  const invalid = checkIdempotencyKey(idempotencyKey);
  if (invalid !== undefined) return { problem: invalid };
  const signalId = keyedSignalId(
    {
      orchestrator: command.orchestrator.name,
      instanceId: command.instanceId,
      key: idempotencyKey,
    },
    {
      event: command.event.name,
      canonicalData: canonicalJson(command.data),
      canonicalInput: canonicalJson(command.input),
    },
  );
  return { ...command, keyed: { idempotencyKey, signalId } };
}
