/** An Idempotency-Key on a signal: checked as a start's, and turned into the signal's ID. */
import { keyedSignal } from '../../../src/idempotency/signalKey';
import { exposeForSingletonStart } from '../../../src/singleton/catalog';
import { checkSignalRequest } from '../../../src/singleton/request';
import type { SignalCommand } from '../../../src/singleton/signal';

exposeForSingletonStart('keyedSignalJob', { acknowledgesSignals: true, events: { go: {} } });

function command(data: unknown, input: unknown = null): SignalCommand {
  const checked = checkSignalRequest({
    orchestrator: 'keyedSignalJob',
    instanceId: 'a',
    eventName: 'go',
    data,
    input,
  });
  if ('kind' in checked) throw new Error(checked.detail);
  return checked;
}

describe('keyedSignal', () => {
  it('gives the same signal ID to a retry, whatever the order of its JSON members', () => {
    const first = keyedSignal(command({ a: 1, b: 2 }), 'key-1');
    const retry = keyedSignal(command({ b: 2, a: 1 }), 'key-1');
    if ('problem' in first || 'problem' in retry) throw new Error('refused');
    expect(first.keyed?.idempotencyKey).toBe('key-1');
    expect(retry.keyed?.signalId).toBe(first.keyed?.signalId);
  });

  it('gives another request under the same key the same key part and another request part', () => {
    const first = keyedSignal(command({ a: 1 }), 'key-1');
    const other = keyedSignal(command({ a: 1 }, { start: true }), 'key-1');
    if ('problem' in first || 'problem' in other) throw new Error('refused');
    const [firstKey, firstRequest] = (first.keyed?.signalId ?? '').split('.');
    const [otherKey, otherRequest] = (other.keyed?.signalId ?? '').split('.');
    expect(otherKey).toBe(firstKey);
    expect(otherRequest).not.toBe(firstRequest);
  });

  it('refuses a key the start would refuse, changing nothing', () => {
    const refused = keyedSignal(command(null), 'non-ascii \u00e9');
    expect(refused).toEqual({ problem: expect.stringContaining('Idempotency-Key') as unknown });
  });
});
