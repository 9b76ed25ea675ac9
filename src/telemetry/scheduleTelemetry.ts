/**
 * A schedule's telemetry: one `singleton.schedule.tick` span per try of a tick (the schedule, the
 * tick's time, the overlap policy, what the starter made of it), the parent of that start's own
 * `singleton.start` span, and the `singleton.schedule.ticks` counter by schedule and outcome.
 * Schedules are declared in code, so the series stay bounded; tick times go on spans only.
 */
import { trace, type Attributes, type Meter, type Tracer } from '@opentelemetry/api';
import type { Schedule } from '../schedules/definition';
import type { FireOutcome } from '../schedules/overlap';
import { ATTR, INSTRUMENTATION_SCOPE, METRIC, SPAN } from './names';
import { outcomeCounter } from './outcomeCounter';
import { withOutcomeSpan } from './outcomeSpan';

export class ScheduleTelemetry {
  private readonly tracer: Tracer;
  private readonly count: (attributes: Attributes) => void;

  constructor(options: { tracer?: Tracer; meter?: Meter } = {}) {
    this.tracer = options.tracer ?? trace.getTracer(INSTRUMENTATION_SCOPE);
    this.count = outcomeCounter(options.meter, METRIC.scheduleTicks, {
      description: 'Tries of schedules’ ticks, by schedule and outcome.',
      unit: '{tick}',
    });
  }

  tick(schedule: Schedule, tick: string, act: () => Promise<FireOutcome>): Promise<FireOutcome> {
    const named = { [ATTR.schedule]: schedule.name };
    return withOutcomeSpan({
      tracer: this.tracer,
      name: SPAN.scheduleTick,
      attributes: {
        ...named,
        [ATTR.tick]: tick,
        [ATTR.overlap]: schedule.overlap,
        [ATTR.orchestrator]: schedule.orchestrator,
      },
      act,
      classify: (result) =>
        result.kind === 'unavailable' || result.kind === 'refused'
          ? { outcome: result.kind, error: { type: result.kind, message: result.detail } }
          : { outcome: result.kind },
      count: (outcome) => this.count({ ...named, [ATTR.outcome]: outcome }),
    });
  }
}
