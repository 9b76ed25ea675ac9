/**
 * The instance ID policy: an ID is accepted only if it reaches the engine, its storage and every
 * link in the answer unchanged. What is refused, and why:
 *  - the extension's own rules (`DurableClient.cs`): empty, a leading `@` (entity IDs), `/ \ ? #`,
 *    control characters (`char.IsControl`: C0, DEL, C1), more than 256 UTF-16 code units;
 *  - `%`: the host decodes route values (all but `%2F`), so a `%` the app receives is ambiguous,
 *    and the durable client would send it undecoded, addressing another ID;
 *  - `+`: the extension's HTTP API reads `+` in a path as a space (its issue #2590; measured on
 *    3.19: a start of `a+b` creates `a b`, and `a%2Bb` reads `a b` too);
 *  - lone surrogates: they have no UTF-8 form, so URLs, queue messages and table keys would carry
 *    U+FFFD instead, another ID;
 *  - `.` and `..`: URL dot segments, resolved away by every URL parser (and by the client); over
 *    HTTP they never arrive (the host removes dot segments before routing: 404), but the other
 *    doors can pass them;
 *  - a space at either end: URL parsers strip it, the durable client's `new URL(…)` included.
 * Everything else, inner spaces and any script included, is supported: IDs are compared code unit by
 * code unit (no Unicode normalization), and links percent-encode them.
 */
export const MAX_INSTANCE_ID_LENGTH = 256;

export type IdCheck =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly detail: string;
      /** The offending character as `U+XXXX`, when one character is the reason. */
      readonly character?: string;
    };

const FORBIDDEN = new Set(['/', '\\', '?', '#', '%', '+']);

/** `U+00E9`, `U+1F600`: how a problem names a character that may not print. */
export function codePointName(codePoint: number): string {
  return `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
}

function isControl(code: number): boolean {
  return code <= 0x1f || (code >= 0x7f && code <= 0x9f);
}

function isLoneSurrogate(code: number): boolean {
  // Iterating by code point yields a surrogate only when it is unpaired.
  return code >= 0xd800 && code <= 0xdfff;
}

function refuse(detail: string, codePoint?: number): IdCheck {
  return codePoint === undefined
    ? { ok: false, detail }
    : { ok: false, detail, character: codePointName(codePoint) };
}

export function checkInstanceId(id: string): IdCheck {
  if (id.length === 0) {
    return refuse('The instance ID must not be empty.');
  }
  // The extension counts .NET chars, i.e. UTF-16 code units, as `String.length` does.
  if (id.length > MAX_INSTANCE_ID_LENGTH) {
    return refuse(
      `The instance ID must be at most ${MAX_INSTANCE_ID_LENGTH} UTF-16 code units long; it has ${id.length}.`,
    );
  }
  if (id.startsWith('@')) {
    return refuse("The instance ID must not start with '@' (reserved for entities).");
  }
  if (id === '.' || id === '..') {
    return refuse("The instance ID must not be a URL dot segment ('.' or '..').");
  }
  if (id.startsWith(' ') || id.endsWith(' ')) {
    return refuse(
      'The instance ID must not start or end with a space (U+0020): URL parsers strip it.',
      0x20,
    );
  }
  let position = 0;
  for (const char of id) {
    const code = char.codePointAt(0)!;
    if (FORBIDDEN.has(char)) {
      return refuse(
        `The instance ID must not contain '${char}' (${codePointName(code)}, at position ${position}; none of / \\ ? # % +).`,
        code,
      );
    }
    if (isControl(code)) {
      return refuse(
        `The instance ID must not contain the control character ${codePointName(code)} (at position ${position}).`,
        code,
      );
    }
    if (isLoneSurrogate(code)) {
      return refuse(
        `The instance ID must not contain the lone surrogate ${codePointName(code)} (at position ${position}): it has no UTF-8 form.`,
        code,
      );
    }
    position += char.length;
  }
  return { ok: true };
}
