/**
 * Turns the HTTP request into a validated start command, or the problem that stops it. Nothing
 * here talks to the backend: every rejection happens before any client call.
 */
import { findStartable, type StartableOrchestrator } from '../singleton/catalog';
import { checkInstanceId } from '../singleton/instanceId';
import { CONFLICT_POLICIES, type ConflictPolicy } from '../singleton/policy';
import type { StartCommand } from '../singleton/outcome';
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
  | { readonly ok: true; readonly command: StartCommand }
  | { readonly ok: false; readonly problem: Problem };

function fail(p: Problem): ParsedStart {
  return { ok: false, problem: p };
}

function isConflictPolicy(value: string): value is ConflictPolicy {
  return (CONFLICT_POLICIES as readonly string[]).includes(value);
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

  const functionName = request.params.functionName ?? '';
  const orchestrator = findStartable(functionName);
  if (!orchestrator) {
    return fail(
      problem(
        'orchestrator-not-found',
        `No orchestrator named '${functionName}' is exposed for singleton start.`,
      ),
    );
  }

  const instanceId = request.params.instanceId ?? '';
  const idCheck = checkInstanceId(instanceId);
  if (!idCheck.ok) {
    const { reason, character } = idCheck;
    return fail(
      problem(
        'invalid-instance-id',
        reason,
        character ? { instanceId, character } : { instanceId },
      ),
    );
  }

  const onConflict = readConflictPolicy(request);
  if (typeof onConflict !== 'string') return onConflict;

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

  // No body means no input; `null` is what the orchestrator then reads (the client would otherwise
  // send an empty JSON string).
  const read = readJsonInput(body);
  if (!read.ok) {
    return fail(problem('invalid-input', read.detail));
  }
  const { input } = read;
  const refused = checkJobInput(orchestrator, input);
  if (refused) return fail(refused);
  return { ok: true, command: { orchestrator, instanceId, input, onConflict } };
}

/**
 * `onConflict`, given at most once. The Functions host joins repeated values with `,`; other hosts
 * keep them apart or keep one, but the URL still shows them all.
 */
function readConflictPolicy(request: StartHttpRequest): ConflictPolicy | ParsedStart {
  const values = request.query.getAll('onConflict');
  if (request.url !== undefined) {
    const inUrl = urlQueryValues(request.url, 'onConflict');
    if (inUrl.length > values.length) values.splice(0, values.length, ...inUrl);
  }
  if (values.length > 1 || values.some((v) => v.includes(','))) {
    return fail(
      problem(
        'invalid-conflict-policy',
        `onConflict must be given at most once; got ${values.map((v) => `'${v}'`).join(', ')}.`,
      ),
    );
  }
  const onConflict = values[0] ?? 'reject';
  if (!isConflictPolicy(onConflict)) {
    return fail(
      problem(
        'invalid-conflict-policy',
        `onConflict must be one of ${CONFLICT_POLICIES.join(', ')}; got '${onConflict}'.`,
      ),
    );
  }
  return onConflict;
}

function urlQueryValues(url: string, key: string): string[] {
  try {
    return new URL(url).searchParams.getAll(key);
  } catch {
    return [];
  }
}

/** The orchestrator's own input check, so that a start it would fail on is refused before. */
function checkJobInput(orchestrator: StartableOrchestrator, input: unknown): Problem | undefined {
  const check = orchestrator.input?.(input);
  if (!check || check.ok) return undefined;
  return problem(
    'invalid-input',
    `The input of ${orchestrator.name} is invalid: ${check.problems.join('; ')}.`,
    { errors: [...check.problems] },
  );
}
