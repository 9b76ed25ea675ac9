/**
 * Turns the HTTP request into a validated start command, or the problem that stops it. Nothing
 * here talks to the backend: every rejection happens before any client call.
 */
import { findStartable } from '../singleton/catalog';
import { checkInstanceId } from '../singleton/instanceId';
import { CONFLICT_POLICIES, type ConflictPolicy } from '../singleton/policy';
import type { StartCommand } from '../singleton/outcome';
import { problem, type Problem } from './problem';

/** The parts of `@azure/functions`' HttpRequest this parser reads. */
export interface StartHttpRequest {
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
    return fail(problem('invalid-instance-id', idCheck.reason, { instanceId }));
  }

  const onConflict = request.query.get('onConflict') ?? 'reject';
  if (!isConflictPolicy(onConflict)) {
    return fail(
      problem(
        'invalid-conflict-policy',
        `onConflict must be one of ${CONFLICT_POLICIES.join(', ')}; got '${onConflict}'.`,
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
  const body = Buffer.from(await request.arrayBuffer());
  if (body.length > maxInputBytes) {
    return tooLarge();
  }

  // No body means no input; `null` is what the orchestrator then reads (the client would otherwise
  // send an empty JSON string).
  let input: unknown = null;
  const text = body.toString('utf8');
  if (text.trim() !== '') {
    try {
      input = JSON.parse(text);
    } catch (error) {
      return fail(
        problem('invalid-input', `The request body is not valid JSON: ${(error as Error).message}`),
      );
    }
  }
  return { ok: true, command: { orchestrator, instanceId, input, onConflict } };
}
