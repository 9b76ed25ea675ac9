import { AggregationTemporality, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { Schedule } from '../../../src/schedules/definition';
import { ScheduleTelemetry } from '../../../src/telemetry/scheduleTelemetry';

class Reader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected onShutdown = () => Promise.resolve();
  protected onForceFlush = () => Promise.resolve();
}

const schedule: Schedule = {
  name: 'hourly',
  orchestrator: 'job',
  instanceId: 'job-1',
  timing: { kind: 'cron', expression: '0 0 * * * *' },
  input: null,
  overlap: 'bufferOne',
  catchupWindowMs: 0,
  pauseOnFailure: false,
  bufferLimit: 10,
  cancelEvent: 'cancel',
  initiallyPaused: false,
};
const TICK = '2026-01-01T01:00:00.000Z';

describe('the schedule telemetry', () => {
  it('records a singleton.schedule.tick span per try and counts it by schedule and outcome', async () => {
    const spans = new InMemorySpanExporter();
    const reader = new Reader();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
    const telemetry = new ScheduleTelemetry({
      tracer: provider.getTracer('t'),
      meter: new MeterProvider({ readers: [reader] }).getMeter('t'),
    });
    await telemetry.tick(schedule, TICK, () =>
      Promise.resolve({ kind: 'started', instanceId: 'job-1' }),
    );
    await telemetry.tick(schedule, TICK, () =>
      Promise.resolve({ kind: 'unavailable', detail: 'no answer' }),
    );
    const [started, unavailable] = spans.getFinishedSpans();
    expect(started?.name).toBe('singleton.schedule.tick');
    expect(started?.attributes).toEqual({
      'singleton.schedule': 'hourly',
      'singleton.schedule.tick_time': TICK,
      'singleton.schedule.overlap': 'bufferOne',
      'singleton.orchestrator': 'job',
      'singleton.outcome': 'started',
    });
    expect(unavailable?.attributes['error.type']).toBe('unavailable');
    const { resourceMetrics } = await reader.collect();
    const points = resourceMetrics.scopeMetrics
      .flatMap((s) => s.metrics)
      .flatMap((m) => m.dataPoints.map((p) => ({ name: m.descriptor.name, ...p.attributes })));
    expect(points).toEqual([
      {
        name: 'singleton.schedule.ticks',
        'singleton.schedule': 'hourly',
        'singleton.outcome': 'started',
      },
      {
        name: 'singleton.schedule.ticks',
        'singleton.schedule': 'hourly',
        'singleton.outcome': 'unavailable',
      },
    ]);
  });
});
