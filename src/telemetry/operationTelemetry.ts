/**
 * The operator routes' telemetry: one `singleton.operate` span per request (the operation, the
 * orchestrator, the instance ID unless redacted, the outcome) and the `singleton.operation.outcomes`
 * counter. The orchestrator goes into the counter only when it is exposed: a route can be called
 * with any name, and a metric must not get one time series per name a caller made up.
 */
import {
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Meter,
  type Tracer,
} from '@opentelemetry/api';
import type { Operation, OperationResult } from '../operations/instanceOperations';
import type { Redaction } from '../redaction';
import { findStartable } from '../singleton/catalog';
import { ATTR, INSTRUMENTATION_SCOPE, METRIC, SPAN } from './names';
import { outcomeCounter } from './outcomeCounter';

export interface OperationTelemetryOptions {
  readonly redaction: Redaction;
  readonly tracer?: Tracer;
  readonly meter?: Meter;
}

export interface OperationAsked {
  readonly operation: Operation;
  readonly orchestrator: string;
  readonly instanceId?: string;
}

export class OperationTelemetry {
  private readonly tracer: Tracer;
  private readonly count: (attributes: Attributes) => void;

  constructor(private readonly options: OperationTelemetryOptions) {
    this.tracer = options.tracer ?? trace.getTracer(INSTRUMENTATION_SCOPE);
    this.count = outcomeCounter(options.meter, METRIC.operationOutcomes, {
      description: 'Operator requests answered, by operation and outcome.',
      unit: '{request}',
    });
  }

  async run(asked: OperationAsked, act: () => Promise<OperationResult>): Promise<OperationResult> {
    const orchestrator = findStartable(asked.orchestrator)?.name ?? '(not exposed)';
    const attributes: Attributes = {
      [ATTR.operation]: asked.operation,
      [ATTR.orchestrator]: orchestrator,
      ...(asked.instanceId !== undefined &&
        !this.options.redaction.instanceIds && { [ATTR.instanceId]: asked.instanceId }),
    };
    const span = this.tracer.startSpan(SPAN.operate, { kind: SpanKind.INTERNAL, attributes });
    let outcome = 'error';
    try {
      const result = await act();
      outcome = result.kind;
      if (result.kind === 'unavailable' || result.kind === 'failed') {
        span.setAttribute(ATTR.errorType, result.kind);
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      if ('runtimeStatus' in result) span.setAttribute(ATTR.runtimeStatus, result.runtimeStatus);
      return result;
    } catch (error) {
      span.setAttribute(ATTR.errorType, error instanceof Error ? error.name : typeof error);
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.setAttribute(ATTR.outcome, outcome);
      span.end();
      this.count({
        [ATTR.operation]: asked.operation,
        [ATTR.orchestrator]: orchestrator,
        [ATTR.outcome]: outcome,
      });
    }
  }
}
