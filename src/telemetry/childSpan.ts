/**
 * A span around one port call, under the request's span. The parent is passed explicitly, so the
 * tree is right even without a context manager; the call itself runs in the child's context, so
 * that spans of the SDKs underneath (HTTP, Azure SDK) nest under it when one is registered.
 */
import {
  context,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { DependencyError } from '../dependencies/failure';
import { AlreadyExistsError } from '../singleton/ports';
import { ATTR } from './names';

/** Where the port decorators of one request write their spans. */
export interface SpanScope {
  readonly tracer: Tracer;
  /** The context holding the request's span. */
  readonly parent: Context;
  /** Attributes every child span carries (task hub, instance ID when allowed). */
  readonly attributes: Attributes;
  /**
   * Whether the request's span records. When it does not (no SDK, or sampled out), neither would
   * its children under the usual parent-based sampling, so none are started.
   */
  readonly recording: boolean;
  /** How error text is written: without the instance ID when it is redacted (`redaction.ts`). */
  readonly scrub: (text: string) => string;
}

export async function inChildSpan<T>(
  scope: SpanScope,
  name: string,
  attributes: Attributes,
  call: () => Promise<T>,
  describe?: (result: T) => Attributes,
): Promise<T> {
  if (!scope.recording) {
    const result = await call();
    describe?.(result);
    return result;
  }
  const span = scope.tracer.startSpan(
    name,
    { kind: SpanKind.INTERNAL, attributes: { ...scope.attributes, ...attributes } },
    scope.parent,
  );
  try {
    const result = await context.with(trace.setSpan(scope.parent, span), call);
    if (describe) span.setAttributes(describe(result));
    return result;
  } catch (error) {
    describeFailure(span, error, scope.scrub);
    throw error;
  } finally {
    span.end();
  }
}

/**
 * An engine refusal is an answer the start expects (it becomes an attach or a conflict), so it
 * is not marked as an error; every other throw is.
 */
function describeFailure(span: Span, error: unknown, scrub: (text: string) => string): void {
  if (error instanceof AlreadyExistsError) {
    span.setAttribute(ATTR.engineRefused, true);
    if (error.runtimeStatus) span.setAttribute(ATTR.runtimeStatus, error.runtimeStatus);
    return;
  }
  const message = scrub(error instanceof Error ? error.message : String(error));
  if (error instanceof DependencyError) {
    span.setAttributes({ [ATTR.errorType]: error.kind, [ATTR.dependency]: error.dependency });
  } else {
    span.setAttribute(ATTR.errorType, error instanceof Error ? error.name : typeof error);
  }
  recordScrubbed(span, error, scrub);
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}

/** `span.recordException`, with the message and stack written through `scrub`. */
export function recordScrubbed(span: Span, error: unknown, scrub: (text: string) => string): void {
  if (!(error instanceof Error)) return;
  span.recordException({
    name: error.name,
    message: scrub(error.message),
    ...(error.stack !== undefined && { stack: scrub(error.stack) }),
  });
}
