/**
 * The start request's telemetry: one span per start (what was asked, what came of it, how long
 * the lock took), child spans from decorated ports, and the outcome counter and latency
 * histograms. It wraps the start from outside, so the start itself knows nothing of telemetry.
 * Without an OpenTelemetry SDK every call here lands in the API's no-ops.
 */
import {
  context,
  metrics,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Counter,
  type Histogram,
  type Meter,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import type { SingletonResult, StartCommand } from '../singleton/result';
import type { StartCall, StartStep } from '../singleton/start';
import type { Redaction } from '../redaction';
import { recordScrubbed, type SpanScope } from './childSpan';
import { ATTR, INSTRUMENTATION_SCOPE, METRIC, SPAN } from './names';
import { TracedInstances } from './tracedInstances';
import { TracedLock, type LockObserver } from './tracedLock';

export interface StartTelemetryOptions {
  /**
   * Whether spans carry the instance ID, and how error text is written (`redaction.ts`). Metrics
   * never carry the ID, whatever the setting: one time series per ID would be unbounded.
   */
  readonly redaction: Redaction;
  /** Default: the global tracer provider's (a no-op until an SDK registers one). */
  readonly tracer?: Tracer;
  /** Default: the global meter provider's, looked up at the first start (after the SDK's setup). */
  readonly meter?: Meter;
  /** Milliseconds, for durations; default `performance.now`. */
  readonly now?: () => number;
}

interface Instruments {
  readonly outcomes: Counter;
  readonly duration: Histogram;
  readonly lockWait: Histogram;
}

// The HTTP server duration buckets of the semantic conventions, extended to the longest lock wait
// and restart the settings allow.
const SECONDS_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30, 60, 120, 300,
];

export class StartTelemetry {
  private readonly tracer: Tracer;
  private readonly now: () => number;
  private instruments?: Instruments;

  constructor(private readonly options: StartTelemetryOptions) {
    this.tracer = options.tracer ?? trace.getTracer(INSTRUMENTATION_SCOPE);
    this.now = options.now ?? (() => performance.now());
  }

  /** `step`, traced: the same step with the request span, traced ports and metrics. */
  around(step: StartStep): StartStep {
    return { start: (command, call) => this.run(command, call, step) };
  }

  /** Runs `step` for the command with traced ports, and records what came of it. */
  async run(command: StartCommand, call: StartCall, step: StartStep): Promise<SingletonResult> {
    const { orchestrator, instanceId, onConflict } = command;
    const common: Attributes = {
      [ATTR.taskHub]: call.instances.taskHub,
      ...(!this.options.redaction.instanceIds && { [ATTR.instanceId]: instanceId }),
    };
    const asked: Attributes = {
      [ATTR.orchestrator]: orchestrator.name,
      [ATTR.onConflict]: onConflict,
      [ATTR.reuse]: orchestrator.reuse,
    };
    const active = context.active();
    const span = this.tracer.startSpan(
      SPAN.start,
      { kind: SpanKind.INTERNAL, attributes: { ...asked, ...common } },
      active,
    );
    const parent = trace.setSpan(active, span);
    const recording = span.isRecording();
    const scrub = (text: string) => this.options.redaction.text(text, instanceId);
    const scope: SpanScope = { tracer: this.tracer, parent, attributes: common, recording, scrub };
    let lockWait: { ms: number; acquired: boolean } | undefined;
    const observer: LockObserver = {
      waited: (ms, acquired) => (lockWait = { ms, acquired }),
      holdEnded: (how) => span.setAttribute(ATTR.lockHoldEnd, how),
    };
    const traced: StartCall = {
      log: call.log,
      // The lock is decorated whatever the span: its wait is also a metric.
      instances: recording ? new TracedInstances(call.instances, scope) : call.instances,
      lock: new TracedLock(call.lock, scope, observer, this.now),
    };

    const began = this.now();
    let result: Attributes = {};
    try {
      const outcome = await context.with(parent, () => step.start(command, traced));
      result = describeOutcome(span, outcome, scrub);
      return outcome;
    } catch (error) {
      result = describeThrow(span, error, scrub);
      throw error;
    } finally {
      const seconds = Math.max(0, this.now() - began) / 1000;
      const { outcomes, duration, lockWait: lockWaitHistogram } = this.instrumentsOnce();
      const measured = { [ATTR.orchestrator]: orchestrator.name, [ATTR.onConflict]: onConflict };
      outcomes.add(1, { ...measured, ...result });
      duration.record(seconds, { ...measured, ...result });
      if (lockWait) {
        span.setAttribute(ATTR.lockWaitMs, lockWait.ms);
        lockWaitHistogram.record(lockWait.ms / 1000, {
          [ATTR.orchestrator]: orchestrator.name,
          [ATTR.lockAcquired]: lockWait.acquired,
        });
      }
      span.end();
    }
  }

  private instrumentsOnce(): Instruments {
    if (!this.instruments) {
      const meter = this.options.meter ?? metrics.getMeter(INSTRUMENTATION_SCOPE);
      this.instruments = {
        outcomes: meter.createCounter(METRIC.outcomes, {
          description: 'Start requests answered, by outcome.',
          unit: '{request}',
        }),
        duration: meter.createHistogram(METRIC.duration, {
          description: 'Time to decide a start request (its answer latency).',
          unit: 's',
          advice: { explicitBucketBoundaries: SECONDS_BUCKETS },
        }),
        lockWait: meter.createHistogram(METRIC.lockWait, {
          description: 'Time a start waited to acquire the lock of its instance ID.',
          unit: 's',
          advice: { explicitBucketBoundaries: SECONDS_BUCKETS },
        }),
      };
    }
    return this.instruments;
  }
}

/**
 * Puts the outcome on the span and returns the attributes that classify it (low cardinality, for
 * the metrics too). A conflict is an answer, not an error; unavailable and failed are errors.
 */
function describeOutcome(
  span: Span,
  outcome: SingletonResult,
  scrub: (text: string) => string,
): Attributes {
  const classified: Attributes = { [ATTR.outcome]: outcome.kind };
  switch (outcome.kind) {
    case 'started':
    case 'keyMismatch':
    case 'keyInProgress':
      break;
    case 'replayed':
      classified[ATTR.replayedOutcome] = outcome.original.kind;
      break;
    case 'invalid':
      classified[ATTR.invalidField] = outcome.field;
      break;
    case 'attached':
      span.setAttribute(ATTR.runtimeStatus, outcome.runtimeStatus);
      break;
    case 'conflict': {
      const { refusal } = outcome;
      classified[ATTR.conflictRule] = refusal.rule;
      if (refusal.rule === 'running') span.setAttribute(ATTR.conflictSeenBy, refusal.by);
      if (refusal.rule !== 'in-progress' && refusal.runtimeStatus) {
        span.setAttribute(ATTR.runtimeStatus, refusal.runtimeStatus);
      }
      break;
    }
    case 'unavailable':
    case 'failed':
    case 'misconfigured':
      span.setAttribute(ATTR.errorType, outcome.kind);
      span.setStatus({ code: SpanStatusCode.ERROR, message: scrub(outcome.detail) });
      break;
  }
  span.setAttributes(classified);
  return classified;
}

/** A throw out of the start is a bug or an unforeseen failure (a 500). */
function describeThrow(span: Span, error: unknown, scrub: (text: string) => string): Attributes {
  const errorType = error instanceof Error ? error.name : typeof error;
  const classified: Attributes = { [ATTR.outcome]: 'error', [ATTR.errorType]: errorType };
  recordScrubbed(span, error, scrub);
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: scrub(error instanceof Error ? error.message : String(error)),
  });
  span.setAttributes(classified);
  return classified;
}
