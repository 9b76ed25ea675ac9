import { exposeForSingletonStart } from '../../../src/singleton/catalog';
import { checkRequest } from '../../../src/singleton/request';

exposeForSingletonStart('requestJob');
exposeForSingletonStart('checkedRequestJob', {
  reuse: 'failedOnly',
  input: (raw) =>
    raw === null || (typeof raw === 'object' && 'size' in raw && raw.size === 1)
      ? { ok: true }
      : { ok: false, problems: ['size must be 1', 'no other property is allowed'] },
});

describe('checkRequest', () => {
  it('makes a command of a valid request: the declared orchestrator, defaults filled in', () => {
    expect(checkRequest({ orchestrator: 'CHECKEDREQUESTJOB', instanceId: 'a' })).toEqual({
      orchestrator: { name: 'checkedRequestJob', reuse: 'failedOnly', input: expect.any(Function) },
      instanceId: 'a',
      input: null,
      onConflict: 'reject',
    });
    expect(
      checkRequest({
        orchestrator: 'requestJob',
        instanceId: 'a',
        input: { x: 1 },
        onConflict: 'attach',
        idempotencyKey: 'k',
      }),
    ).toEqual({
      orchestrator: { name: 'requestJob', reuse: 'always' },
      instanceId: 'a',
      input: { x: 1 },
      onConflict: 'attach',
      idempotencyKey: 'k',
    });
  });

  it('refuses an orchestrator that is not exposed, first', () => {
    expect(checkRequest({ orchestrator: 'nope', instanceId: '..', onConflict: 'x' })).toEqual({
      kind: 'invalid',
      field: 'orchestrator',
      detail: 'No orchestrator of this name is exposed for singleton start.',
    });
  });

  it('names the refused character of an instance ID', () => {
    // The character, never the ID: a refused ID may carry personal data.
    expect(checkRequest({ orchestrator: 'requestJob', instanceId: 'x\uD800' })).toEqual({
      kind: 'invalid',
      field: 'instanceId',
      detail: expect.stringContaining('U+D800') as string,
      facts: { character: 'U+D800' },
    });
  });

  it('refuses an unknown onConflict', () => {
    expect(
      checkRequest({ orchestrator: 'requestJob', instanceId: 'a', onConflict: 'replace' }),
    ).toEqual({
      kind: 'invalid',
      field: 'onConflict',
      detail: 'onConflict must be one of reject, attach, restart.',
    });
  });

  it("refuses input the orchestrator's check refuses, listing every problem", () => {
    const checked = checkRequest({
      orchestrator: 'checkedRequestJob',
      instanceId: 'a',
      input: { size: 2 },
    });
    expect(checked).toEqual({
      kind: 'invalid',
      field: 'input',
      detail:
        'The input of checkedRequestJob is invalid: size must be 1; no other property is allowed.',
      facts: { errors: ['size must be 1', 'no other property is allowed'] },
    });
  });

  it('refuses an input that uses the member the starter reserves for inherited receipts', () => {
    const input = { $singletonReceipts: ['s1'], input: { size: 1 } };
    for (const orchestrator of ['requestJob', 'checkedRequestJob']) {
      expect(checkRequest({ orchestrator, instanceId: 'a', input })).toEqual({
        kind: 'invalid',
        field: 'input',
        detail: `The input of ${orchestrator} is invalid: $singletonReceipts is reserved for the starter.`,
        facts: { errors: ['$singletonReceipts is reserved for the starter'] },
      });
    }
  });

  it('passes the input the check accepts on, unchanged', () => {
    expect(
      checkRequest({ orchestrator: 'checkedRequestJob', instanceId: 'a', input: { size: 1 } }),
    ).toMatchObject({ input: { size: 1 } });
  });
});
