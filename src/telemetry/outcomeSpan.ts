/**
 * The span each door's telemetry opens around one request (a signal, an operator request, a try
 * of a tick): started in the active context, so the spans made beneath it are its children; closed
 * with the outcome the request came to, as an error when `classify` says so or the request threw;
 * and counted once, whatever happened. The start's own telemetry (startTelemetry.ts) does more
 * (lock wait, latency histograms) and keeps its own.
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
import { ATTR } from './names';

/** What a request came to: its outcome, and the error kind when it is one. */
export interface Classified {
  readonly outcome: string;
  readonly error?: { readonly type: string; readonly message?: string };
}

export interface OutcomeSpan<T> {
  readonly tracer: Tracer;
  readonly name: string;
  readonly attributes: Attributes;
  /** Runs in the span's context; `parent` is that context, for child spans made by hand. */
  readonly act: (span: Span, parent: Context) => Promise<T>;
  readonly classify: (result: T, span: Span) => Classified;
  /** Called once with the outcome (`error` for a throw). */
  readonly count: (outcome: string) => void;
}

export async function withOutcomeSpan<T>(request: OutcomeSpan<T>): Promise<T> {
  const active = context.active();
  const span = request.tracer.startSpan(
    request.name,
    { kind: SpanKind.INTERNAL, attributes: request.attributes },
    active,
  );
  const parent = trace.setSpan(active, span);
  let outcome = 'error';
  try {
    const result = await context.with(parent, () => request.act(span, parent));
    const classified = request.classify(result, span);
    outcome = classified.outcome;
    if (classified.error) {
      span.setAttribute(ATTR.errorType, classified.error.type);
      span.setStatus({ code: SpanStatusCode.ERROR, message: classified.error.message });
    }
    return result;
  } catch (error) {
    span.setAttribute(ATTR.errorType, error instanceof Error ? error.name : typeof error);
    span.setStatus({ code: SpanStatusCode.ERROR });
    throw error;
  } finally {
    span.setAttribute(ATTR.outcome, outcome);
    span.end();
    request.count(outcome);
  }
}
