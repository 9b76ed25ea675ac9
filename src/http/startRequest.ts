/**
 * Turns the HTTP request into the starter's plain request, or the problem that stops it: what only
 * HTTP can get wrong (the method, a repeated `onConflict`, a body the host would drop, too large
 * or not JSON, a malformed `Idempotency-Key` header). What any door can get wrong (the
 * orchestrator, the ID, the input's own check) the starter checks. Nothing here talks to the
 * backend: every rejection happens before any client call.
 */
import { IDEMPOTENCY_KEY_HEADER, parseIdempotencyKey } from '../idempotency/key';
import type { SingletonRequest } from '../singleton/result';
import { readJsonInput } from './jsonInput';
import { problem, type Problem } from './problem';

/** The parts of `@azure/functions`' HttpRequest this parser reads. */
export interface StartHttpRequest {
  /** The HTTP method; absent: POST. */
  readonly method?: string;
  /** The request URL as the host received it (repeated query keys are still apart there). */
  readonly url?: string;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly headers: { get(name: string): string | null };
  arrayBuffer(): Promise<ArrayBuffer>;
}

export type ParsedStart =
  | { readonly ok: true; readonly request: SingletonRequest }
  | { readonly ok: false; readonly problem: Problem };

function fail(p: Problem): ParsedStart {
  return { ok: false, problem: p };
}

export async function parseStartRequest(
  request: StartHttpRequest,
  maxInputBytes: number,
): Promise<ParsedStart> {
  // The route takes POST only, but a request that arrives otherwise would lose its body (a GET
  // carries none), so it is refused rather than started without input.
  const method = (request.method ?? 'POST').toUpperCase();
  if (method !== 'POST') {
    return fail(problem('method-not-allowed', `Start with POST, not ${method}.`));
  }

  const onConflict = readConflictPolicy(request);
  if (typeof onConflict !== 'string' && onConflict !== undefined) return onConflict;

  // The Functions host hands the worker a body only with a positive Content-Length: a chunked
  // body would arrive empty there, and the job would start without the caller's input.
  const transferEncoding = request.headers.get('transfer-encoding');
  if (
    transferEncoding !== null &&
    /\bchunked\b/i.test(transferEncoding) &&
    request.headers.get('content-length') === null
  ) {
    return fail(
      problem(
        'length-required',
        'Send the body with a Content-Length, not chunked: the Functions host drops chunked request bodies.',
      ),
    );
  }

  const tooLarge = () =>
    fail(
      problem('input-too-large', `The request body exceeds the limit of ${maxInputBytes} bytes.`, {
        maxInputBytes,
      }),
    );
  // Refuse on the declared length before reading anything.
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (declared > maxInputBytes) {
    return tooLarge();
  }
  const body = new Uint8Array(await request.arrayBuffer());
  if (body.length > maxInputBytes) {
    return tooLarge();
  }

  const read = readJsonInput(body);
  if (!read.ok) {
    return fail(problem('invalid-input', read.detail));
  }

  const keyed = parseIdempotencyKey(request.headers.get(IDEMPOTENCY_KEY_HEADER));
  if (!keyed.ok) return fail(problem('invalid-idempotency-key', keyed.detail));

  return {
    ok: true,
    request: {
      orchestrator: request.params.functionName ?? '',
      instanceId: request.params.instanceId ?? '',
      input: read.input,
      ...(onConflict !== undefined && { onConflict }),
      ...(keyed.key !== undefined && { idempotencyKey: keyed.key }),
    },
  };
}

/**
 * `onConflict`, given at most once. The Functions host joins repeated values with `,`; other hosts
 * keep them apart or keep one, but the URL still shows them all.
 */
function readConflictPolicy(request: StartHttpRequest): string | undefined | ParsedStart {
  const values = request.query.getAll('onConflict');
  if (request.url !== undefined) {
    const inUrl = urlQueryValues(request.url, 'onConflict');
    if (inUrl.length > values.length) values.splice(0, values.length, ...inUrl);
  }
  if (values.length > 1 || values.some((v) => v.includes(','))) {
    return fail(
      problem(
        'invalid-conflict-policy',
        `onConflict must be given at most once; it was given ${values.length === 1 ? 'a list of values' : `${values.length} times`}.`,
      ),
    );
  }
  return values[0];
}

function urlQueryValues(url: string, key: string): string[] {
  // Only a query that spells the key out, or escapes a character (which may be one of its
  // letters), can hold it: the others are answered without parsing the URL again.
  const query = url.indexOf('?');
  if (query < 0 || (!url.includes(key, query) && !url.includes('%', query))) return [];
  try {
    return new URL(url).searchParams.getAll(key);
  } catch {
    return [];
  }
}
