/**
 * The signal's telemetry: one `singleton.signal` span per request (the orchestrator, the event,
 * the instance ID unless redacted, the outcome) and the `singleton.signal.outcomes` counter, by
 * orchestrator, event and outcome: both are declared names, so the series stay bounded.
 */
import {
  metrics,
  SpanKind,
  SpanStatusCode,
  trace,
  type Counter,
  type Meter,
  type Tracer,
} from '@opentelemetry/api';
import type { Redaction } from '../redaction';
import type { SignalCommand, SignalResult } from '../singleton/signal';
import { ATTR, INSTRUMENTATION_SCOPE, METRIC, SPAN } from './names';

export class SignalTelemetry {
  private readonly tracer: Tracer;
  private counter?: Counter;

  constructor(
    private readonly options: { readonly redaction: Redaction; tracer?: Tracer; meter?: Meter },
  ) {
    this.tracer = options.tracer ?? trace.getTracer(INSTRUMENTATION_SCOPE);
  }

  async run(command: SignalCommand, act: () => Promise<SignalResult>): Promise<SignalResult> {
    const named = {
      [ATTR.orchestrator]: command.orchestrator.name,
      [ATTR.eventName]: command.event.name,
    };
    const span = this.tracer.startSpan(SPAN.signal, {
      kind: SpanKind.INTERNAL,
      attributes: {
        ...named,
        ...(!this.options.redaction.instanceIds && { [ATTR.instanceId]: command.instanceId }),
      },
    });
    let outcome = 'error';
    try {
      const result = await act();
      outcome = result.kind;
      if (result.kind === 'conflict') span.setAttribute(ATTR.conflictRule, result.refusal.rule);
      if (result.kind === 'unavailable' || result.kind === 'failed') {
        span.setAttribute(ATTR.errorType, result.kind);
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      return result;
    } catch (error) {
      span.setAttribute(ATTR.errorType, error instanceof Error ? error.name : typeof error);
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.setAttribute(ATTR.outcome, outcome);
      span.end();
      this.counter ??= (
        this.options.meter ?? metrics.getMeter(INSTRUMENTATION_SCOPE)
      ).createCounter(METRIC.signalOutcomes, {
        description: 'Signal requests answered, by event and outcome.',
        unit: '{request}',
      });
      this.counter.add(1, { ...named, [ATTR.outcome]: outcome });
    }
  }
}
