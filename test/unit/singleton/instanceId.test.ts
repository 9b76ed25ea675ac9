import { checkInstanceId, MAX_INSTANCE_ID_LENGTH } from '../../../src/singleton/instanceId';

describe('checkInstanceId', () => {
  it.each([
    'a',
    'nightly-import',
    'job_2026.11.28',
    'ünïcødé',
    'café',
    '日本',
    'Ωmega',
    '\u{1F600}',
    'a b',
    'inner  spaces',
    'a&b=c;d:e@f!g*h(i)j,k$l~m[n]o|p^q{r}s"t<u>v`w\'x',
    '...',
    'a.',
    'x'.repeat(MAX_INSTANCE_ID_LENGTH),
    // 128 astral characters are 256 UTF-16 code units, as the extension counts.
    '\u{1F600}'.repeat(MAX_INSTANCE_ID_LENGTH / 2),
    'a@b',
    'a:b',
    // Just past the refused ranges: the first after C0, DEL and C1, and after the surrogates.
    'a\u0020b',
    'a\u00a0b',
    'a\ue000b',
  ])('accepts %p', (id) => {
    expect(checkInstanceId(id)).toEqual({ ok: true });
  });

  it.each<[string, RegExp, string | undefined]>([
    ['', /empty/, undefined],
    ['x'.repeat(MAX_INSTANCE_ID_LENGTH + 1), /at most 256 UTF-16 code units.*257/, undefined],
    ['\u{1F600}'.repeat(MAX_INSTANCE_ID_LENGTH / 2) + 'x', /at most 256.*257/, undefined],
    ['@entity', /start with '@'/, undefined],
    ['.', /dot segment/, undefined],
    [' a', /start or end with a space/, 'U+0020'],
    ['a ', /start or end with a space/, 'U+0020'],
    ['..', /dot segment/, undefined],
    ['a/b', /contain '\/'/, 'U+002F'],
    ['a\\b', /contain '\\'/, 'U+005C'],
    ['a?b', /contain '\?'/, 'U+003F'],
    ['a#b', /contain '#'/, 'U+0023'],
    ['a%2Fb', /contain '%'/, 'U+0025'],
    ['a+b', /contain '\+'/, 'U+002B'],
    ['a\tb', /control character U\+0009 \(at position 1\)/, 'U+0009'],
    ['a\u0000b', /control character U\+0000/, 'U+0000'],
    ['a\u0085b', /control character U\+0085/, 'U+0085'],
    ['a\u007fb', /control character U\+007F/, 'U+007F'],
    // The ends of the control ranges (C0 up to U+001F, DEL to the end of C1 at U+009F).
    ['a\u001fb', /control character U\+001F/, 'U+001F'],
    ['a\u009fb', /control character U\+009F/, 'U+009F'],
    ['ab\uD800', /lone surrogate U\+D800 \(at position 2\)/, 'U+D800'],
    ['\uDE00x', /lone surrogate U\+DE00/, 'U+DE00'],
    ['\u{1F600}\uDC00', /lone surrogate U\+DC00 \(at position 2\)/, 'U+DC00'],
    ['a\uDFFF', /lone surrogate U\+DFFF/, 'U+DFFF'],
  ])('refuses %p with a reason naming the character', (id, reason, character) => {
    const check = checkInstanceId(id);
    expect(check.ok).toBe(false);
    expect(!check.ok && check.detail).toMatch(reason);
    expect(!check.ok && check.character).toBe(character);
  });
});
