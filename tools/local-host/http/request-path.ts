/**
 * The request path as the Functions host's web server, Kestrel, hands it to routing, and the URL
 * the host builds from it for the worker. Ported from ASP.NET Core (measured on Kestrel with the
 * host's routing; see tools/local-host/README.md):
 *
 * - `PathDecoder.DecodePath`: percent-escapes decoded first (`UrlDecoder.DecodeInPlace`: UTF-8
 *   sequences only when valid, never `%2F`, a `%00` refuses the request), THEN dot segments
 *   removed (`PathNormalizer.RemoveDotSegments`, RFC 3986 5.2.4). So `.`, `..`, `%2E` and `%2E%2E`
 *   segments never reach routing: `/api/orchestrators/f/%2E%2E` is routed as `/api/orchestrators/`.
 * - Nothing else: a backslash stays a character, `#` stays in the path (a client never sends a
 *   fragment), the query is not part of the path. WHATWG's URL parser, which the front door used
 *   before, differs on each of these.
 * - The worker's URL: `{scheme}://{Host}{Path}{QueryString}` (`GrpcMessageConversionExtensions
 *   .ToRpcHttp`), where `Path` is escaped again by `PathString.ToUriComponent` and the query is as
 *   it came.
 */

/** Why Kestrel refuses a request target: answered 400 with an empty body, before any routing. */
export class BadRequestTarget extends Error {}

const hexValue = (code: number): number => {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x41 && code <= 0x46) return code - 0x41 + 10;
  if (code >= 0x61 && code <= 0x66) return code - 0x61 + 10;
  return -1;
};

/** `%XX` at `at` → its byte, or -1 (not an escape, or `%2F`, which Kestrel never decodes). */
function escapedByte(bytes: Uint8Array, at: number): number {
  if (bytes[at] !== 0x25 || at + 2 >= bytes.length) return -1;
  const high = hexValue(bytes[at + 1]);
  const low = hexValue(bytes[at + 2]);
  if (high < 0 || low < 0) return -1;
  const value = (high << 4) | low;
  return value === 0x2f ? -1 : value;
}

/**
 * One escape sequence at `at` (a `%`) decoded into `out`; returns where scanning goes on. A
 * sequence that is not valid UTF-8 (a stray continuation byte, overlong, a surrogate, past
 * U+10FFFF, cut short) is copied as it came, as `UrlDecoder.DecodeCore` does.
 */
function decodeEscape(bytes: Uint8Array, at: number, out: number[]): number {
  const first = escapedByte(bytes, at);
  if (first < 0) {
    out.push(bytes[at]);
    return at + 1;
  }
  if (first === 0) throw new BadRequestTarget('The path contains null characters.');
  if (first <= 0x7f) {
    out.push(first);
    return at + 3;
  }
  let bits: number;
  let count: number;
  let minimum: number;
  if ((first & 0xe0) === 0xc0) [bits, count, minimum] = [first & 0x1f, 2, 0x80];
  else if ((first & 0xf0) === 0xe0) [bits, count, minimum] = [first & 0x0f, 3, 0x800];
  else if ((first & 0xf8) === 0xf0) [bits, count, minimum] = [first & 0x07, 4, 0x10000];
  else {
    // An invalid first byte: its escape stays as it came.
    pushRaw(bytes, at, at + 3, out);
    return at + 3;
  }
  const sequence = [first];
  let next = at + 3;
  for (let remaining = count - 1; remaining > 0;) {
    const byte = next < bytes.length ? escapedByte(bytes, next) : -1;
    if (byte < 0 || (byte & 0xc0) !== 0x80) return copyFailed(bytes, at, next, out);
    bits = (bits << 6) | (byte & 0x3f);
    remaining -= 1;
    // Checked before the byte is taken, so a failure here leaves it for the next scan.
    if (remaining === 1 && bits >= 0x360 && bits <= 0x37f) return copyFailed(bytes, at, next, out);
    if (remaining === 2 && bits >= 0x110) return copyFailed(bytes, at, next, out);
    sequence.push(byte);
    next += 3;
  }
  if (bits < minimum) return copyFailed(bytes, at, next, out);
  out.push(...sequence);
  return next;
}

function pushRaw(bytes: Uint8Array, from: number, to: number, out: number[]): void {
  for (let i = from; i < to; i++) out.push(bytes[i]);
}

function copyFailed(bytes: Uint8Array, from: number, to: number, out: number[]): number {
  pushRaw(bytes, from, to, out);
  return to;
}

/**
 * Percent-escapes decoded as Kestrel does (`UrlDecoder.DecodeInPlace`, path form): every valid
 * escape but `%2F`, which stays encoded so that it is never taken for a separator; invalid UTF-8
 * and malformed escapes stay as they came. Throws {@link BadRequestTarget} for `%00`.
 */
export function decodePath(rawPath: string): string {
  if (!rawPath.includes('%')) return rawPath;
  const bytes = Buffer.from(rawPath, 'utf8');
  const out: number[] = [];
  for (let i = 0; i < bytes.length;) {
    if (bytes[i] === 0x25) i = decodeEscape(bytes, i, out);
    else out.push(bytes[i++]);
  }
  return Buffer.from(out).toString('utf8');
}

/**
 * RFC 3986 5.2.4 for an absolute path, as `PathNormalizer.RemoveDotSegments`: `/./` and a final
 * `/.` become `/`; `/../` and a final `/..` become `/` and remove the segment before; nothing goes
 * above the root; an empty result is `/`. Only whole segments: `...`, `.a` and `..%2F` stay.
 */
export function removeDotSegments(path: string): string {
  const output: string[] = [];
  let input = path;
  while (input.length > 0) {
    if (input.startsWith('/./')) {
      input = input.slice(2);
    } else if (input === '/.') {
      input = '/';
    } else if (input.startsWith('/../')) {
      input = input.slice(3);
      output.pop();
    } else if (input === '/..') {
      input = '/';
      output.pop();
    } else {
      // E: move the first segment, with its leading '/', to the output.
      const end = input.indexOf('/', 1);
      const segment = end < 0 ? input : input.slice(0, end);
      output.push(segment);
      input = input.slice(segment.length);
    }
  }
  return output.join('') || '/';
}

/**
 * A request target (`req.url`: path and query as received) → the path Kestrel routes on (decoded,
 * dot segments removed) and the query as it came (`?…`, or empty). Throws
 * {@link BadRequestTarget} where Kestrel answers 400.
 */
export function requestPath(target: string): { path: string; query: string } {
  const q = target.indexOf('?');
  let rawPath = q < 0 ? target : target.slice(0, q);
  const query = q < 0 ? '' : target.slice(q);
  if (!rawPath.startsWith('/')) {
    // The absolute form (`POST http://host/api/… HTTP/1.1`, for proxies): Kestrel takes the path
    // of the parsed URI. `OPTIONS *` has no path.
    if (rawPath === '*') return { path: '', query: '' };
    try {
      rawPath = new URL(rawPath).pathname;
    } catch {
      throw new BadRequestTarget('Invalid request target.');
    }
  }
  return { path: removeDotSegments(decodePath(rawPath)), query };
}

/**
 * `PathString.ToUriComponent`: the decoded path escaped again for a URL. RFC 3986 path characters
 * and `%XX` triples stay as they are (so a decoded `%2F` is `%2F` again); every other character is
 * UTF-8 percent-encoded.
 */
export function pathToUriComponent(path: string): string {
  let out = '';
  for (let i = 0; i < path.length;) {
    const code = path.charCodeAt(i);
    const triple =
      code === 0x25 &&
      hexValue(path.charCodeAt(i + 1)) >= 0 &&
      hexValue(path.charCodeAt(i + 2)) >= 0;
    if (triple) {
      out += path.slice(i, i + 3);
      i += 3;
    } else if (code < 0x80 && VALID_PATH_CHAR.test(path[i])) {
      out += path[i];
      i += 1;
    } else {
      // Uri.EscapeDataString: the character's UTF-8 bytes, upper-case hex.
      const char = String.fromCodePoint(path.codePointAt(i) ?? code);
      for (const byte of Buffer.from(char, 'utf8'))
        out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
      i += char.length;
    }
  }
  return out;
}

// `PathStringHelper.ValidPathChars`: unreserved, sub-delims, ':', '@' and '/'.
const VALID_PATH_CHAR = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/]$/;
