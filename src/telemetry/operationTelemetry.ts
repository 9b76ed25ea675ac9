/**
 * The operator routes' telemetry: one `singleton.operate` span per request (the operation, the
 * orchestrator, the instance ID unless redacted, the outcome) and the `singleton.operation.outcomes`
 * counter. The orchestrator goes into the counter only when it is exposed: a route can be called
 * with any name, and a metric must not get one time series per name a caller made up.
 */
import { trace, type Attributes, type Meter, type Tracer } from '@opentelemetry/api';
import type { Operation, OperationResult } from '../operations/instanceOperations';
import type { Redaction } from '../redaction';
import { findStartable } from '../singleton/catalog';
import { ATTR, INSTRUMENTATION_SCOPE, METRIC, SPAN } from './names';
import { outcomeCounter } from './outcomeCounter';
import { withOutcomeSpan } from './outcomeSpan';

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

  run(asked: OperationAsked, act: () => Promise<OperationResult>): Promise<OperationResult> {
    const orchestrator = findStartable(asked.orchestrator)?.name ?? '(not exposed)';
    const named = { [ATTR.operation]: asked.operation, [ATTR.orchestrator]: orchestrator };
    return withOutcomeSpan({
      tracer: this.tracer,
      name: SPAN.operate,
      attributes: {
        ...named,
        ...(asked.instanceId !== undefined &&
          !this.options.redaction.instanceIds && { [ATTR.instanceId]: asked.instanceId }),
      },
      act,
      classify: (result, span) => {
        if ('runtimeStatus' in result) span.setAttribute(ATTR.runtimeStatus, result.runtimeStatus);
        const failed = result.kind === 'unavailable' || result.kind === 'failed';
        return { outcome: result.kind, ...(failed && { error: { type: result.kind } }) };
      },
      count: (outcome) => this.count({ ...named, [ATTR.outcome]: outcome }),
    });
  }
}
