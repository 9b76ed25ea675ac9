import {
  IDEMPOTENCY_KEY_HEADER,
  MAX_KEY_LENGTH,
  parseIdempotencyKey,
} from '../../../src/idempotency/key';

describe('parseIdempotencyKey', () => {
  it("is the draft's header name (HTTP compares it case-insensitively)", () => {
    expect(IDEMPOTENCY_KEY_HEADER.toLowerCase()).toBe('idempotency-key');
  });

  it('no header: no key', () => {
    expect(parseIdempotencyKey(null)).toEqual({ ok: true, key: undefined });
    expect(parseIdempotencyKey(undefined)).toEqual({ ok: true, key: undefined });
  });

  it.each<[string, string]>([
    ['"8e03978e-40d5-43e8-bc93-6894a57f9324"', '8e03978e-40d5-43e8-bc93-6894a57f9324'],
    ['8e03978e-40d5-43e8-bc93-6894a57f9324', '8e03978e-40d5-43e8-bc93-6894a57f9324'],
    ['  "padded"  ', 'padded'],
    ['"with space"', 'with space'],
    ['"esc \\"q\\" \\\\"', 'esc "q" \\'],
    ['bare "quotes" inside', 'bare "quotes" inside'],
    ['a,b', 'a,b'],
    ['x', 'x'],
    // The ends of printable ASCII, quoted and bare.
    ['" ~"', ' ~'],
    ['!~', '!~'],
  ])('accepts %p as key %p', (header, key) => {
    expect(parseIdempotencyKey(header)).toEqual({ ok: true, key });
  });

  it('accepts 255 characters, quoted or bare, and refuses 256', () => {
    const longest = 'k'.repeat(MAX_KEY_LENGTH);
    expect(parseIdempotencyKey(longest)).toEqual({ ok: true, key: longest });
    expect(parseIdempotencyKey(`"${longest}"`)).toEqual({ ok: true, key: longest });
    expect(parseIdempotencyKey(`${longest}k`)).toEqual({
      ok: false,
      detail: expect.stringMatching(/256 characters long; at most 255/) as unknown,
    });
    expect(parseIdempotencyKey(`"${longest}k"`).ok).toBe(false);
  });

  it.each<[string, RegExp]>([
    ['', /is empty/],
    ['   ', /is empty/],
    ['""', /is empty/],
    ['"unterminated', /not a valid quoted string/],
    ['"a";p=1', /not a valid quoted string/],
    ['"a", "b"', /not a valid quoted string/],
    ['"bad \\n escape"', /not a valid quoted string/],
    ['"caf\u00e9"', /not a valid quoted string/],
    // A control character inside quotes is no sf-string (not just an unprintable key).
    ['"tab\there"', /not a valid quoted string/],
    ['"del\u007f"', /not a valid quoted string/],
    ['caf\u00e9', /printable ASCII/],
    ['tab\there', /printable ASCII/],
  ])('refuses %p', (header, reason) => {
    const parsed = parseIdempotencyKey(header);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.detail).toMatch(reason);
    expect(!parsed.ok && parsed.detail).toMatch(/^The Idempotency-Key /);
  });
});
