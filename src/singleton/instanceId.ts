/**
 * Instance ID rules. The extension enforces most of these itself, but the JavaScript durable client
 * does not percent-encode IDs: `a?b` would silently address instance `a`. So every ID is checked
 * here, before any client call.
 */
export const MAX_INSTANCE_ID_LENGTH = 256;

export type IdCheck = { readonly ok: true } | { readonly ok: false; readonly reason: string };

// `%` is excluded as well: the host decodes route values, so an encoded ID would not round-trip.
const FORBIDDEN = /[/\\?#%]/;
// Whitespace and control characters (C0, DEL, C1) break the status links and the storage keys.
function hasWhitespaceOrControl(id: string): boolean {
  for (const char of id) {
    const code = char.codePointAt(0)!;
    if (code <= 0x1f || (code >= 0x7f && code <= 0x9f) || /\s/.test(char)) return true;
  }
  return false;
}

export function checkInstanceId(id: string): IdCheck {
  if (id.length === 0) {
    return { ok: false, reason: 'The instance ID must not be empty.' };
  }
  if (id.length > MAX_INSTANCE_ID_LENGTH) {
    return {
      ok: false,
      reason: `The instance ID must be at most ${MAX_INSTANCE_ID_LENGTH} characters long; it has ${id.length}.`,
    };
  }
  if (id.startsWith('@')) {
    return {
      ok: false,
      reason: "The instance ID must not start with '@' (reserved for entities).",
    };
  }
  const forbidden = FORBIDDEN.exec(id);
  if (forbidden) {
    return {
      ok: false,
      reason: `The instance ID must not contain '${forbidden[0]}' (any of / \\ ? # %).`,
    };
  }
  if (hasWhitespaceOrControl(id)) {
    return {
      ok: false,
      reason: 'The instance ID must not contain whitespace or control characters.',
    };
  }
  return { ok: true };
}
