/**
 * What the starter's answer to a tick means for the schedule (./overlap.ts): started (now, or by an
 * earlier try of the tick: the key replays it), a run of the ID is running, refused for good, or
 * no answer (tried again). Pure.
 */
import type { SingletonResult } from '../singleton/result';
import { resultLine } from '../singleton/messages';
import type { FireOutcome } from './overlap';

export function fireOutcome(result: SingletonResult): FireOutcome {
  switch (result.kind) {
    case 'started':
    case 'attached':
      return { kind: 'started', instanceId: result.instanceId };
    case 'replayed':
      return { kind: 'started', instanceId: result.original.instanceId };
    case 'conflict':
      return result.refusal.rule === 'running' || result.refusal.rule === 'in-progress'
        ? { kind: 'running' }
        : { kind: 'refused', detail: resultLine(result) };
    case 'unavailable':
      // A restart whose old run did not end in time started nothing: the run still runs.
      return result.restartTimedOut
        ? { kind: 'running' }
        : { kind: 'unavailable', detail: resultLine(result) };
    case 'keyInProgress':
      return { kind: 'unavailable', detail: resultLine(result) };
    case 'keyMismatch':
    case 'invalid':
    case 'misconfigured':
    case 'failed':
      return { kind: 'refused', detail: resultLine(result) };
  }
}
