/**
 * With no destination configured, nothing is exported and nothing is paid for: no SDK module is
 * loaded (each one throws here if anything requires it) and every span is the API's no-op.
 */
import { metrics, trace, type Span, type Tracer } from '@opentelemetry/api';
import { keepInstanceIds } from '../../../src/redaction';
import { setupTelemetry } from '../../../src/telemetry/setup';
import { StartTelemetry } from '../../../src/telemetry/startTelemetry';
import { fakeWorld, startSingleton } from '../singleton/fakes';
import type { StartCommand } from '../../../src/singleton/result';

// A function declaration, so that it exists when the hoisted `jest.mock` calls run.
function mockLoaded(name: string): () => never {
  return () => {
    throw new Error(`${name} was loaded`);
  };
}
jest.mock('@azure/monitor-opentelemetry', mockLoaded('@azure/monitor-opentelemetry'));
jest.mock(
  '@azure/functions-opentelemetry-instrumentation',
  mockLoaded('functions instrumentation'),
);
jest.mock('@opentelemetry/sdk-trace-node', mockLoaded('@opentelemetry/sdk-trace-node'));
jest.mock('@opentelemetry/sdk-metrics', mockLoaded('@opentelemetry/sdk-metrics'));
jest.mock('@opentelemetry/sdk-logs', mockLoaded('@opentelemetry/sdk-logs'));
jest.mock('@opentelemetry/instrumentation', mockLoaded('@opentelemetry/instrumentation'));
jest.mock('@opentelemetry/exporter-trace-otlp-proto', mockLoaded('trace exporter'));
jest.mock('@opentelemetry/exporter-metrics-otlp-proto', mockLoaded('metric exporter'));

const command = (): StartCommand => ({
  orchestrator: { name: 'job', reuse: 'always' },
  instanceId: 'id',
  input: null,
  onConflict: 'reject',
});

it('sets nothing up and loads no SDK when neither setting is there', () => {
  const exported = setupTelemetry({ AzureWebJobsStorage: 'UseDevelopmentStorage=true' });
  expect(exported.destinations).toEqual([]);
});

it('records nothing: the start runs as without telemetry, its one span is non-recording', async () => {
  const started: Span[] = [];
  const getTracer = trace.getTracer.bind(trace);
  jest.spyOn(trace, 'getTracer').mockImplementation((...args) => {
    const tracer = getTracer(...args);
    const startSpan = tracer.startSpan.bind(tracer);
    return Object.assign(Object.create(tracer) as Tracer, {
      startSpan: (...a: Parameters<Tracer['startSpan']>) => {
        const span = startSpan(...a);
        started.push(span);
        return span;
      },
    });
  });
  const plain = fakeWorld();
  const traced = fakeWorld();

  const expected = await startSingleton(command(), plain.deps);
  const outcome = await new StartTelemetry({ redaction: keepInstanceIds }).run(
    command(),
    traced.call,
    traced.flow,
  );

  expect(outcome).toEqual(expected);
  expect(traced.journal).toEqual(plain.journal);
  // The request's span, non-recording; under it no child span is even started.
  expect(started.length).toBe(1);
  expect(started.filter((s) => s.isRecording())).toEqual([]);
  expect(metrics.getMeterProvider().constructor.name).toBe('NoopMeterProvider');
});
