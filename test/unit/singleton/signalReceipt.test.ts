/**
 * Signal receipts: the sealed event the starter raises, what the run makes of it (src/jobs/
 * signalInbox.ts), and what a status says about a signal.
 */
import { takeSignal } from '../../../src/jobs/signalInbox';
import {
  MAX_RECEIPTS,
  hasReservedMember,
  inheritingInput,
  keyedSignalId,
  openStartInput,
  openSignal,
  receiptState,
  receiptsIn,
  sealSignal,
  withReceipt,
} from '../../../src/singleton/signalReceipt';

describe('signal receipts', () => {
  it('opens what it sealed, and takes data raised past the starter as it is', () => {
    expect(openSignal(sealSignal('s1', { a: [1] }))).toEqual({ id: 's1', data: { a: [1] } });
    expect(openSignal(sealSignal('s2', null))).toEqual({ id: 's2', data: null });
    for (const raw of [{ a: 1 }, [1], 'text', 3, null, undefined, { $singletonSignal: 7 }]) {
      expect(openSignal(raw)).toEqual({ data: raw ?? null });
    }
  });

  it('reads the receipts a custom status lists, and nothing from anything else', () => {
    expect(receiptsIn({ receivedSignals: ['a', 7, 'b'], phase: 'x' })).toEqual(['a', 'b']);
    for (const status of [null, undefined, 'text', 1, [], {}, { receivedSignals: 'a' }]) {
      expect(receiptsIn(status)).toEqual([]);
    }
  });

  it('keeps the latest receipts, each once', () => {
    const many = Array.from({ length: MAX_RECEIPTS }, (_, i) => `s${i}`);
    const next = withReceipt(many, 'new');
    expect(next).toHaveLength(MAX_RECEIPTS);
    expect(next[0]).toBe('s1');
    expect(next.at(-1)).toBe('new');
    expect(withReceipt(['a', 'b'], 'a')).toEqual(['b', 'a']);
  });

  it('tells a listed signal from a key used for another request, and from none', () => {
    const status = { receivedSignals: ['k1.r1', 'plain'] };
    expect(receiptState(status, 'k1.r1')).toBe('received');
    expect(receiptState(status, 'k1.r2')).toBe('keyReused');
    expect(receiptState(status, 'k2.r1')).toBe('none');
    expect(receiptState(status, 'plain')).toBe('received');
    expect(receiptState(status, 'other')).toBe('none');
    // An unkeyed ID (no '.') never reads as a reused key, whatever the receipts start with.
    expect(receiptState({ receivedSignals: ['solo.r1'] }, 'solo')).toBe('none');
    expect(receiptState(undefined, 'k1.r1')).toBe('none');
  });

  it('derives a keyed ID from the key and the instance, then from what was asked', () => {
    const scope = { orchestrator: 'Job', instanceId: 'a', key: 'k' };
    const asked = { event: 'go', canonicalData: '{"n":1}', canonicalInput: 'null' };
    const id = keyedSignalId(scope, asked);
    expect(id).toMatch(/^[\w-]{22}\.[\w-]{22}$/);
    // The orchestrator's and the event's names match case-insensitively, as the engine's do.
    expect(keyedSignalId({ ...scope, orchestrator: 'job' }, { ...asked, event: 'GO' })).toBe(id);
    const [keyPart] = id.split('.');
    const other = keyedSignalId(scope, { ...asked, canonicalData: '{"n":2}' });
    expect(other.split('.')[0]).toBe(keyPart);
    expect(other).not.toBe(id);
    expect(keyedSignalId(scope, { ...asked, canonicalInput: '{}' })).not.toBe(id);
    expect(keyedSignalId({ ...scope, instanceId: 'b' }, asked).split('.')[0]).not.toBe(keyPart);
    expect(keyedSignalId({ ...scope, key: 'k2' }, asked).split('.')[0]).not.toBe(keyPart);
  });
});

describe('takeSignal (the run’s side)', () => {
  it('takes a fresh sealed signal, listing its ID', () => {
    expect(takeSignal(['a'], sealSignal('b', { n: 1 }))).toEqual({
      fresh: true,
      data: { n: 1 },
      receipts: ['a', 'b'],
    });
  });

  it('marks a signal it has listed as a duplicate, listing nothing new', () => {
    expect(takeSignal(['a', 'b'], sealSignal('a', 1))).toEqual({
      fresh: false,
      data: 1,
      receipts: ['a', 'b'],
    });
  });

  it('takes data raised past the starter as fresh, with no receipt', () => {
    expect(takeSignal(['a'], { n: 1 })).toEqual({ fresh: true, data: { n: 1 }, receipts: ['a'] });
  });
});

describe('receipts a new run inherits', () => {
  it('wraps the input with the receipts the followed instance lists, and opens it again', () => {
    const wrapped = inheritingInput({ a: 1 }, { phase: 'x', receivedSignals: ['s1', 's2'] });
    expect(wrapped).toEqual({ $singletonReceipts: ['s1', 's2'], input: { a: 1 } });
    expect(openStartInput(wrapped)).toEqual({ input: { a: 1 }, receipts: ['s1', 's2'] });
    expect(openStartInput(inheritingInput(null, { receivedSignals: ['s1'] }))).toEqual({
      input: null,
      receipts: ['s1'],
    });
  });

  it('leaves the input as it is when there is nothing to inherit', () => {
    for (const status of [undefined, null, {}, { receivedSignals: [] }, 'text']) {
      expect(inheritingInput({ a: 1 }, status)).toEqual({ a: 1 });
    }
  });

  it('inherits the latest receipts only, whichever side counts them', () => {
    const many = Array.from({ length: MAX_RECEIPTS + 3 }, (_, i) => `s${i}`);
    expect(inheritingInput(1, { receivedSignals: many })).toEqual({
      $singletonReceipts: many.slice(-MAX_RECEIPTS),
      input: 1,
    });
    // A longer list (written by something else) is cut when the run opens it, too.
    expect(openStartInput({ $singletonReceipts: many, input: 1 }).receipts).toEqual(
      many.slice(-MAX_RECEIPTS),
    );
  });

  it('takes any other input as the caller’s, with no receipts', () => {
    const inputs = [null, undefined, 3, 'text', [1], { a: 1 }, { $singletonReceipts: 'x' }];
    const malformed = [{ $singletonReceipts: [1], input: 2 }, { $singletonReceipts: ['a', 1] }];
    for (const raw of [...inputs, ...malformed]) {
      expect(openStartInput(raw)).toEqual({ input: raw ?? null, receipts: [] });
    }
  });

  it('tells a caller input that uses the reserved member', () => {
    expect(hasReservedMember({ $singletonReceipts: [], input: 1 })).toBe(true);
    expect(hasReservedMember({ $singletonReceipts: undefined })).toBe(true);
    for (const raw of [null, [], 'x', { input: 1 }, Object.create({ $singletonReceipts: [] })]) {
      expect(hasReservedMember(raw)).toBe(false);
    }
  });
});
