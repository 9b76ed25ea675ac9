/**
 * The `Idempotency-Key` request header (IETF draft-ietf-httpapi-idempotency-key-header): an RFC 8941
 * Item whose value is a String, i.e. `"…"`. Clients often send the bare token instead, so a value
 * that does not start with a double quote is taken as the key itself. Either way the key is 1–255
 * printable ASCII characters.
 */
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

export const MAX_KEY_LENGTH = 255;

export type ParsedKey =
  /** `key` is undefined when the request has no such header. */
  | { readonly ok: true; readonly key: string | undefined }
  | { readonly ok: false; readonly detail: string };

const PRINTABLE = /^[\x20-\x7e]+$/;

function invalid(reason: string): { readonly ok: false; readonly detail: string } {
  return { ok: false, detail: `The Idempotency-Key ${reason}.` };
}

/** RFC 8941 §4.2.5: parses a whole sf-string, unescaping `\"` and `\\`; undefined if malformed. */
function parseSfString(text: string): string | undefined {
  let value = '';
  for (let i = 1; i < text.length; i++) {
    const char = text[i]!;
    if (char === '\\') {
      const next = text[i + 1];
      if (next !== '"' && next !== '\\') return undefined;
      value += next;
      i++;
    } else if (char === '"') {
      // The closing quote must end the field: parameters and lists are not keys.
      return i === text.length - 1 ? value : undefined;
    } else if (char < ' ' || char > '~') {
      return undefined;
    } else {
      value += char;
    }
  }
  return undefined;
}

export function parseIdempotencyKey(header: string | null | undefined): ParsedKey {
  if (header === null || header === undefined) return { ok: true, key: undefined };
  // HTTP strips optional whitespace around field values.
  const text = header.trim();
  let key: string;
  if (text.startsWith('"')) {
    const parsed = parseSfString(text);
    if (parsed === undefined) {
      return invalid(
        'header is not a valid quoted string (a closing quote that ends the value; only \\" and \\\\ escaped; printable ASCII)',
      );
    }
    key = parsed;
  } else {
    key = text;
  }
  const refused = checkIdempotencyKey(key);
  return refused === undefined ? { ok: true, key } : { ok: false, detail: refused };
}

/** The rules of a key, however it arrived: the detail of the fault, or undefined when valid. */
export function checkIdempotencyKey(key: string): string | undefined {
  if (key.length === 0) return invalid('is empty').detail;
  if (key.length > MAX_KEY_LENGTH) {
    return invalid(`is ${key.length} characters long; at most ${MAX_KEY_LENGTH} are allowed`)
      .detail;
  }
  if (!PRINTABLE.test(key)) return invalid('may hold only printable ASCII characters').detail;
  return undefined;
}
