import {
  canonicalJson,
  fingerprintDifferences,
  fingerprintOf,
  inputSha256,
} from '../../../src/idempotency/fingerprint';
import type { StartCommand } from '../../../src/singleton/result';

function command(overrides: Partial<StartCommand> = {}): StartCommand {
  return {
    orchestrator: { name: 'processBatch', reuse: 'always' },
    instanceId: 'nightly',
    onConflict: 'reject',
    input: { items: 3 },
    ...overrides,
  };
}

describe('canonicalJson', () => {
  it('sorts object keys at every depth and keeps array order', () => {
    expect(canonicalJson({ b: [{ z: 1, a: 2 }, 3], a: { y: null, x: 'v' } })).toBe(
      '{"a":{"x":"v","y":null},"b":[{"a":2,"z":1},3]}',
    );
  });

  it('writes numbers and strings as JSON.stringify does', () => {
    expect(canonicalJson(JSON.parse('[1.0, 1e2, "\\u0041", -0]'))).toBe('[1,100,"A",0]');
  });

  it('treats undefined as JSON does', () => {
    expect(canonicalJson(undefined)).toBe('null');
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
    expect(canonicalJson([undefined])).toBe('[null]');
  });
});

describe('the fingerprint', () => {
  it('does not depend on the key order of the body: objects are unordered in JSON', () => {
    const a = fingerprintOf(command({ input: JSON.parse('{"items":3,"chunkSize":1}') }));
    const b = fingerprintOf(command({ input: JSON.parse('{"chunkSize":1,"items":3}') }));
    expect(a).toEqual(b);
    expect(fingerprintDifferences(a, b)).toEqual([]);
  });

  it('depends on array order and on values', () => {
    expect(inputSha256([1, 2])).not.toBe(inputSha256([2, 1]));
    expect(inputSha256({ items: 3 })).not.toBe(inputSha256({ items: '3' }));
  });

  it('is the same for an empty body and null: both start with input null', () => {
    expect(fingerprintOf(command({ input: null }))).toEqual(
      fingerprintOf(command({ input: JSON.parse('null') })),
    );
  });

  it('names the orchestrator by its declared name', () => {
    expect(fingerprintOf(command()).functionName).toBe('processBatch');
  });

  it('names every part that differs', () => {
    const first = fingerprintOf(command());
    expect(fingerprintDifferences(first, fingerprintOf(command({ instanceId: 'other' })))).toEqual([
      'instanceId',
    ]);
    expect(
      fingerprintDifferences(
        first,
        fingerprintOf(
          command({
            orchestrator: { name: 'periodicSync', reuse: 'always' },
            onConflict: 'attach',
            input: { items: 4 },
          }),
        ),
      ),
    ).toEqual(['functionName', 'onConflict', 'inputSha256']);
  });
});
