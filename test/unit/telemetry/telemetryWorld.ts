/**
 * The singleton start's in-memory world (test/unit/singleton/fakes.ts) with an OpenTelemetry SDK
 * that keeps what it records in memory: finished spans, and metrics collected on demand.
 */
import { keepInstanceIds, redactInstanceIds } from '../../../src/redaction';
import { SpanStatusCode, type AttributeValue } from '@opentelemetry/api';
import {
  AggregationTemporality,
  MeterProvider,
  MetricReader,
  type DataPoint,
  type Histogram,
} from '@opentelemetry/sdk-metrics';
import {
  AlwaysOffSampler,
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import type { StartableOrchestrator } from '../../../src/singleton/catalog';
import type { StartCommand } from '../../../src/singleton/result';
import type { ConflictPolicy, ReusePolicy } from '../../../src/singleton/policy';
import { StartTelemetry } from '../../../src/telemetry/startTelemetry';
import { fakeWorld, type StartDeps } from '../singleton/fakes';

/** Collects when asked: `collect()` is the whole test interface. */
class CollectingReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

export function command(
  onConflict: ConflictPolicy = 'reject',
  reuse: ReusePolicy = 'always',
  instanceId = 'id',
): StartCommand {
  // The shortest paths: with reuse `always`, the opt-in lets the engine's duplicate check decide
  // alone (start.ts, points 2 and 7), so a span's children are the fewest port calls.
  const orchestrator: StartableOrchestrator = {
    name: 'job',
    reuse,
    replacesOtherOrchestrators: true,
  };
  return { orchestrator, instanceId, input: null, onConflict };
}

export function telemetryWorld(options: { redact?: boolean; sampledOut?: boolean } = {}) {
  const world = fakeWorld();
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(exporter)],
    ...(options.sampledOut && { sampler: new AlwaysOffSampler() }),
  });
  const reader = new CollectingReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const telemetry = new StartTelemetry({
    tracer: tracerProvider.getTracer('test'),
    meter: meterProvider.getMeter('test'),
    redaction: options.redact ? redactInstanceIds : keepInstanceIds,
    now: () => world.clock.now(),
  });

  /** Another holder keeps the lock for the whole wait, which passes on the fake clock. */
  const lockHeldElsewhere = (): void => {
    world.lock.busy = true;
    const acquire = world.lock.acquire.bind(world.lock);
    world.lock.acquire = async (key, waitMs) => {
      await world.clock.sleep(waitMs);
      return acquire(key, waitMs);
    };
  };

  const spans = (): ReadableSpan[] => exporter.getFinishedSpans();
  const span = (name: string): ReadableSpan => {
    const found = spans().filter((s) => s.name === name);
    if (found.length !== 1) throw new Error(`${found.length} spans named ${name}`);
    return found[0];
  };
  /** The request span's children, in the order they started. */
  const children = (): string[] => {
    const parent = span('singleton.start').spanContext().spanId;
    return spans()
      .filter((s) => s.parentSpanContext?.spanId === parent)
      .sort((a, b) => compareTime(a.startTime, b.startTime))
      .map((s) => s.name);
  };

  const metric = async (name: string) => {
    const { resourceMetrics } = await reader.collect();
    const found = resourceMetrics.scopeMetrics
      .flatMap((s) => s.metrics)
      .find((m) => m.descriptor.name === name);
    return found?.dataPoints ?? [];
  };

  return {
    ...world,
    deps: world.deps as StartDeps,
    telemetry,
    lockHeldElsewhere,
    spans,
    span,
    children,
    metric,
  };
}

function compareTime(a: [number, number], b: [number, number]): number {
  return a[0] - b[0] || a[1] - b[1];
}

export function isError(span: ReadableSpan): boolean {
  return span.status.code === SpanStatusCode.ERROR;
}

/** Counter points as `attributes → value`, attributes written `k=v` sorted, for exact checks. */
export function byAttributes(
  points: DataPoint<unknown>[],
  value: (point: DataPoint<unknown>) => number,
): Record<string, number> {
  return Object.fromEntries(
    points.map((p) => [
      Object.entries(p.attributes)
        .map(([k, v]: [string, AttributeValue | undefined]) => `${k}=${String(v)}`)
        .sort()
        .join(' '),
      value(p),
    ]),
  );
}

export const histogramCount = (p: DataPoint<unknown>): number => (p.value as Histogram).count;
export const histogramSum = (p: DataPoint<unknown>): number => (p.value as Histogram).sum ?? NaN;

/**
 * A tracer and a meter that record in memory, for the door decorators (signal, operator,
 * schedule): their finished spans, and every data point counted so far.
 */
export function recordingTelemetry() {
  const exporter = new InMemorySpanExporter();
  const reader = new CollectingReader();
  const tracer = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  }).getTracer('t');
  const meter = new MeterProvider({ readers: [reader] }).getMeter('t');
  const counted = async () => {
    const { resourceMetrics } = await reader.collect();
    return resourceMetrics.scopeMetrics
      .flatMap((s) => s.metrics)
      .flatMap((m) =>
        m.dataPoints.map((p) => ({
          name: m.descriptor.name,
          attributes: p.attributes,
          value: p.value,
        })),
      );
  };
  return { tracer, meter, spans: () => exporter.getFinishedSpans(), counted };
}
