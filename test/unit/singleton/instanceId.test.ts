import { checkInstanceId, MAX_INSTANCE_ID_LENGTH } from '../../../src/singleton/instanceId';

describe('checkInstanceId', () => {
  it.each([
    'a',
    'nightly-import',
    'job_2026.11.28',
    'ünïcødé',
    'x'.repeat(MAX_INSTANCE_ID_LENGTH),
    'a@b',
    'a:b',
  ])('accepts %p', (id) => {
    expect(checkInstanceId(id)).toEqual({ ok: true });
  });

  it.each<[string, RegExp]>([
    ['', /empty/],
    ['x'.repeat(MAX_INSTANCE_ID_LENGTH + 1), /at most 256.*257/],
    ['@entity', /start with '@'/],
    ['a/b', /contain '\/'/],
    ['a\\b', /contain '\\'/],
    ['a?b', /contain '\?'/],
    ['a#b', /contain '#'/],
    ['a%2Fb', /contain '%'/],
    ['a b', /whitespace/],
    ['a\tb', /whitespace/],
    ['a\u0000b', /control/],
    ['a\u0085b', /control/],
    ['a\u007fb', /control/],
  ])('rejects %p with a reason', (id, reason) => {
    const check = checkInstanceId(id);
    expect(check.ok).toBe(false);
    expect(!check.ok && check.reason).toMatch(reason);
  });
});
