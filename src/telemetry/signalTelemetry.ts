/**
 * The signal's telemetry: one `singleton.signal` span per request (the orchestrator, the event,
 * the instance ID unless redacted, the outcome) and the `singleton.signal.outcomes` counter, by
 * orchestrator, event and outcome: both are declared names, so the series stay bounded.
 */
import { trace, type Attributes, type Meter, type Tracer } from '@opentelemetry/api';
import type { Redaction } from '../redaction';
import type { Instances } from '../singleton/ports';
import type { SignalCommand, SignalResult } from '../singleton/signal';
import type { SpanScope } from './childSpan';
import { TracedInstances } from './tracedInstances';
import { ATTR, INSTRUMENTATION_SCOPE, METRIC, SPAN } from './names';
import { outcomeCounter } from './outcomeCounter';
import { withOutcomeSpan } from './outcomeSpan';

export class SignalTelemetry {
  private readonly tracer: Tracer;
  private readonly count: (attributes: Attributes) => void;

  constructor(
    private readonly options: { readonly redaction: Redaction; tracer?: Tracer; meter?: Meter },
  ) {
    this.tracer = options.tracer ?? trace.getTracer(INSTRUMENTATION_SCOPE);
    this.count = outcomeCounter(options.meter, METRIC.signalOutcomes, {
      description: 'Signal requests answered, by event and outcome.',
      unit: '{request}',
    });
  }

  /** Runs `act` in the span, handing it `instances` traced: a child span per call. */
  run(
    command: SignalCommand,
    instances: Instances,
    act: (traced: Instances) => Promise<SignalResult>,
  ): Promise<SignalResult> {
    const named = {
      [ATTR.orchestrator]: command.orchestrator.name,
      [ATTR.eventName]: command.event.name,
    };
    const common: Attributes = {
      [ATTR.taskHub]: instances.taskHub,
      ...(!this.options.redaction.instanceIds && { [ATTR.instanceId]: command.instanceId }),
    };
    const scrub = (text: string) => this.options.redaction.text(text, command.instanceId);
    return withOutcomeSpan({
      tracer: this.tracer,
      name: SPAN.signal,
      attributes: { ...named, ...common },
      act: (span, parent) => {
        const recording = span.isRecording();
        const scope: SpanScope = {
          tracer: this.tracer,
          parent,
          attributes: common,
          recording,
          scrub,
        };
        return act(recording ? new TracedInstances(instances, scope) : instances);
      },
      classify: (result, span) => {
        if (result.kind === 'conflict') span.setAttribute(ATTR.conflictRule, result.refusal.rule);
        // A signal the run took and has not read yet is told apart from a backend that failed.
        if (result.kind === 'unavailable' && result.unconfirmed) {
          return { outcome: 'unconfirmed', error: { type: result.kind } };
        }
        const failed = result.kind === 'unavailable' || result.kind === 'failed';
        return { outcome: result.kind, ...(failed && { error: { type: result.kind } }) };
      },
      count: (outcome) => this.count({ ...named, [ATTR.outcome]: outcome }),
    });
  }
}
