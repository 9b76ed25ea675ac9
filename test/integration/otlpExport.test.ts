/**
 * The OTLP export leaves the process: with `OTEL_EXPORTER_OTLP_ENDPOINT` set, the starter's spans
 * and metrics reach an OTLP/HTTP receiver (standing in for a collector or the Aspire dashboard) as
 * protobuf posts on /v1/traces and /v1/metrics. The app side runs in a plain Node process
 * (telemetryExport.driver.ts), as the exporters load `http` in a way jest's sandbox refuses.
 */
import {
  METRIC_NAMES,
  missing,
  postedTo,
  runExportDriver,
  SPAN_NAMES,
  startReceiver,
  type Receiver,
} from '../support/telemetryReceiver';

let collector: Receiver;
beforeAll(async () => {
  collector = await startReceiver();
});
afterAll(() => collector.close());

it('sends the start spans and the metrics to the OTLP endpoint', async () => {
  const destinations = await runExportDriver({ OTEL_EXPORTER_OTLP_ENDPOINT: collector.url });

  expect(destinations).toEqual(['otlp']);
  const traces = postedTo(collector.received, '/v1/traces');
  expect(traces.contentTypes).toEqual(['application/x-protobuf']);
  expect(
    missing(traces.text, [
      ...SPAN_NAMES,
      'durable-singleton-starter',
      'singleton.outcome',
      'started',
      'conflict',
      'new-id',
      'running-id',
    ]),
  ).toEqual([]);
  const metrics = postedTo(collector.received, '/v1/metrics');
  expect(metrics.contentTypes).toEqual(['application/x-protobuf']);
  expect(missing(metrics.text, METRIC_NAMES)).toEqual([]);
}, 60_000);
