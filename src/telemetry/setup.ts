/**
 * Where the app's OpenTelemetry data goes, decided by the app settings, as Microsoft documents for
 * the Node.js v4 model ("Use OpenTelemetry with Azure Functions"):
 *  - `APPLICATIONINSIGHTS_CONNECTION_STRING`: the Azure Monitor distro (`useAzureMonitor`), with
 *    Entra ID authentication when `APPLICATIONINSIGHTS_AUTHENTICATION_STRING` asks for it (the
 *    Bicep sets `ClientId=<user-assigned identity>;Authorization=AAD`, and the resource refuses
 *    keys), since the exporter does not read that setting itself;
 *  - `OTEL_EXPORTER_OTLP_ENDPOINT`: OTLP over HTTP/protobuf (traces, metrics, logs), configured by
 *    the standard `OTEL_EXPORTER_OTLP_*` variables, for a local collector or dashboard;
 *  - both: both; neither: nothing, and no SDK module is even loaded.
 * Either way the Azure Functions instrumentation joins the host's trace context to the invocation.
 * The SDK modules are required here, not imported, so that an app without a destination never
 * loads them.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import { metrics } from '@opentelemetry/api';
import type { TokenCredential } from '@azure/identity';
import type { HttpInstrumentationConfig } from '@opentelemetry/instrumentation-http';
import type { Env } from '../env';
import { loadRedaction, redactInstanceIds, type Redaction } from '../redaction';
import { outgoingHttpConfig } from './outgoingHttp';

export type Destination = 'azure-monitor' | 'otlp';

export interface TelemetryExport {
  readonly destinations: readonly Destination[];
  /** Exports what is buffered and stops the SDK. */
  shutdown(): Promise<void>;
}

/** The service name spans and metrics are published under, unless `OTEL_SERVICE_NAME` says. */
const SERVICE_NAME = 'durable-singleton-starter';

export function setupTelemetry(env: Env): TelemetryExport {
  const connectionString = env.APPLICATIONINSIGHTS_CONNECTION_STRING?.trim();
  const otlp = Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim());
  if (!connectionString && !otlp) {
    return { destinations: [], shutdown: () => Promise.resolve() };
  }
  const destinations: Destination[] = [];
  const http = outgoingHttpConfig(redactionOf(env));
  let shutdown: () => Promise<void>;
  if (connectionString) {
    destinations.push('azure-monitor');
    if (otlp) destinations.push('otlp');
    shutdown = useAzureMonitor(connectionString, env, otlp, http);
  } else {
    destinations.push('otlp');
    shutdown = useOtlpOnly(env, http);
  }
  registerFunctionsInstrumentation();
  // Buffered spans and metrics are exported when the worker is told to stop.
  const { app } = require('@azure/functions') as typeof import('@azure/functions');
  app.hook.appTerminate(() => shutdown());
  return { destinations, shutdown };
}

/** A bad value is the starter's to report (each start answers `misconfigured`): here, the stricter. */
function redactionOf(env: Env): Redaction {
  try {
    return loadRedaction(env);
  } catch {
    return redactInstanceIds;
  }
}

function useAzureMonitor(
  connectionString: string,
  env: Env,
  alsoOtlp: boolean,
  http: HttpInstrumentationConfig,
) {
  const monitor =
    require('@azure/monitor-opentelemetry') as typeof import('@azure/monitor-opentelemetry');
  const otlp = alsoOtlp ? otlpPipelines(env) : undefined;
  monitor.useAzureMonitor({
    azureMonitorExporterOptions: { connectionString, credential: entraCredential(env) },
    instrumentationOptions: { http: { enabled: true, ...http } },
    ...(otlp && {
      spanProcessors: [otlp.spanProcessor],
      metricReaders: [otlp.metricReader],
      logRecordProcessors: [otlp.logRecordProcessor],
    }),
  });
  return () => monitor.shutdownAzureMonitor();
}

/**
 * The credential `APPLICATIONINSIGHTS_AUTHENTICATION_STRING` names, read the way the Functions
 * host reads it: `Authorization=AAD`, with `ClientId=<id>` for a user-assigned identity.
 * Undefined (instrumentation key auth) when the setting is absent or does not ask for AAD.
 */
export function entraCredential(env: Env): TokenCredential | undefined {
  const parts = new Map(
    (env.APPLICATIONINSIGHTS_AUTHENTICATION_STRING ?? '')
      .split(';')
      .map((pair) => pair.split('=').map((s) => s.trim()))
      .filter((kv) => kv.length === 2)
      .map(([key, value]) => [key.toLowerCase(), value] as const),
  );
  if (parts.get('authorization')?.toUpperCase() !== 'AAD') return undefined;
  const { ManagedIdentityCredential } =
    require('@azure/identity') as typeof import('@azure/identity');
  const clientId = parts.get('clientid');
  return clientId ? new ManagedIdentityCredential({ clientId }) : new ManagedIdentityCredential();
}

function useOtlpOnly(env: Env, http: HttpInstrumentationConfig) {
  const { NodeTracerProvider } =
    require('@opentelemetry/sdk-trace-node') as typeof import('@opentelemetry/sdk-trace-node');
  const { MeterProvider } =
    require('@opentelemetry/sdk-metrics') as typeof import('@opentelemetry/sdk-metrics');
  const { LoggerProvider } =
    require('@opentelemetry/sdk-logs') as typeof import('@opentelemetry/sdk-logs');
  const { logs } = require('@opentelemetry/api-logs') as typeof import('@opentelemetry/api-logs');
  const resources =
    require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
  const resource = resources
    .defaultResource()
    .merge(
      resources.resourceFromAttributes({
        'service.name': env.OTEL_SERVICE_NAME?.trim() || env.WEBSITE_SITE_NAME || SERVICE_NAME,
      }),
    )
    // OTEL_RESOURCE_ATTRIBUTES
    .merge(resources.detectResources({ detectors: [resources.envDetector] }));
  const pipelines = otlpPipelines(env);

  const tracerProvider = new NodeTracerProvider({
    resource,
    spanProcessors: [pipelines.spanProcessor],
  });
  // Also installs the async-local-storage context manager and the W3C propagators.
  tracerProvider.register();
  const meterProvider = new MeterProvider({ resource, readers: [pipelines.metricReader] });
  metrics.setGlobalMeterProvider(meterProvider);
  const loggerProvider = new LoggerProvider({
    resource,
    processors: [pipelines.logRecordProcessor],
  });
  logs.setGlobalLoggerProvider(loggerProvider);

  const { HttpInstrumentation } =
    require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const { registerInstrumentations } =
    require('@opentelemetry/instrumentation') as typeof import('@opentelemetry/instrumentation');
  // Outgoing calls (durable client, lock storage) as child spans; the Azure Monitor distro does
  // the same on its side.
  registerInstrumentations({ instrumentations: [new HttpInstrumentation(http)] });

  return async () => {
    await Promise.all([
      tracerProvider.shutdown(),
      meterProvider.shutdown(),
      loggerProvider.shutdown(),
    ]);
  };
}

/** OTLP/HTTP protobuf exporters; each reads its endpoint and headers from `OTEL_EXPORTER_OTLP_*`. */
function otlpPipelines(env: Env) {
  const { BatchSpanProcessor } =
    require('@opentelemetry/sdk-trace-node') as typeof import('@opentelemetry/sdk-trace-node');
  const { PeriodicExportingMetricReader } =
    require('@opentelemetry/sdk-metrics') as typeof import('@opentelemetry/sdk-metrics');
  const { BatchLogRecordProcessor } =
    require('@opentelemetry/sdk-logs') as typeof import('@opentelemetry/sdk-logs');
  const { OTLPTraceExporter } =
    require('@opentelemetry/exporter-trace-otlp-proto') as typeof import('@opentelemetry/exporter-trace-otlp-proto');
  const { OTLPMetricExporter } =
    require('@opentelemetry/exporter-metrics-otlp-proto') as typeof import('@opentelemetry/exporter-metrics-otlp-proto');
  const { OTLPLogExporter } =
    require('@opentelemetry/exporter-logs-otlp-proto') as typeof import('@opentelemetry/exporter-logs-otlp-proto');
  const interval = positive(env.OTEL_METRIC_EXPORT_INTERVAL) ?? 60_000;
  return {
    spanProcessor: new BatchSpanProcessor(new OTLPTraceExporter()),
    metricReader: new PeriodicExportingMetricReader({
      exporter: new OTLPMetricExporter(),
      // The reader does not read these standard variables itself (only the NodeSDK does), and
      // refuses a timeout longer than the interval.
      exportIntervalMillis: interval,
      exportTimeoutMillis: Math.min(positive(env.OTEL_METRIC_EXPORT_TIMEOUT) ?? 30_000, interval),
    }),
    logRecordProcessor: new BatchLogRecordProcessor({ exporter: new OTLPLogExporter() }),
  };
}

function positive(raw: string | undefined): number | undefined {
  const value = Number(raw);
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

/**
 * Microsoft's instrumentation of `@azure/functions`: tells the host the worker sends its own
 * telemetry (`WorkerOpenTelemetryEnabled`), sends the invocation logs through OpenTelemetry, and
 * runs each handler in the host's trace context, so the starter's spans join the host's request.
 * It patches `@azure/functions` when the function modules load it, after this entry point.
 */
function registerFunctionsInstrumentation(): void {
  const { AzureFunctionsInstrumentation } =
    require('@azure/functions-opentelemetry-instrumentation') as typeof import('@azure/functions-opentelemetry-instrumentation');
  const { registerInstrumentations } =
    require('@opentelemetry/instrumentation') as typeof import('@opentelemetry/instrumentation');
  registerInstrumentations({ instrumentations: [new AzureFunctionsInstrumentation()] });
}
