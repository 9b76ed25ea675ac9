/**
 * The Application Insights export, as the Bicep configures it: connection string plus
 * `APPLICATIONINSIGHTS_AUTHENTICATION_STRING=ClientId=<user-assigned identity>;Authorization=AAD`.
 * Ingestion and the App Service managed identity endpoint are loopback stand-ins (over TLS, as the
 * exporter insists on https), so this checks what leaves the process: a token asked for Azure
 * Monitor with the identity's client ID, and spans and metrics posted with that token.
 */
import {
  METRIC_NAMES,
  missing,
  postedTo,
  runExportDriver,
  selfSignedCertificate,
  SPAN_NAMES,
  startReceiver,
  TOKEN,
  type Receiver,
} from '../support/telemetryReceiver';

const CLIENT_ID = '11111111-2222-3333-4444-555555555555';
let azure: Receiver;
let collector: Receiver;

beforeAll(async () => {
  azure = await startReceiver(await selfSignedCertificate());
  collector = await startReceiver();
});
afterAll(async () => {
  await azure.close();
  await collector.close();
});

function azureSettings(): Record<string, string> {
  return {
    APPLICATIONINSIGHTS_CONNECTION_STRING: `InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=${azure.url}/`,
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: `ClientId=${CLIENT_ID};Authorization=AAD`,
    IDENTITY_ENDPOINT: `${azure.url}/msi/token`,
    IDENTITY_HEADER: 'identity-header',
    // The stand-ins' certificate is self-signed.
    NODE_TLS_REJECT_UNAUTHORIZED: '0',
    // The distro's default rate-limited sampler keeps next to nothing of a process this short; in
    // the Functions host the host's sampling decision comes in with the trace context.
    OTEL_TRACES_SAMPLER: 'always_on',
  };
}

it('authenticates with the user-assigned identity and sends spans and metrics', async () => {
  const destinations = await runExportDriver(azureSettings());

  expect(destinations).toEqual(['azure-monitor']);
  const tokenRequests = azure.received.filter((r) => r.path.startsWith('/msi/'));
  expect(tokenRequests.length).toBeGreaterThan(0);
  for (const request of tokenRequests) {
    const query = new URL(request.path, azure.url).searchParams;
    expect(query.get('client_id')).toBe(CLIENT_ID);
    expect(query.get('resource')).toBe('https://monitor.azure.com');
  }
  const track = postedTo(azure.received, '/v2');
  expect(track.authorizations).toEqual([`Bearer ${TOKEN}`]);
  expect(
    missing(
      track.text,
      SPAN_NAMES.map((name) => `"name":"${name}"`),
    ),
  ).toEqual([]);
  expect(missing(track.text, ['"type":"InProc"', '"singleton.outcome":"conflict"'])).toEqual([]);
  expect(
    missing(
      track.text,
      METRIC_NAMES.map((name) => `"name":"${name}"`),
    ),
  ).toEqual([]);
}, 60_000);

it('sends to both when both are configured', async () => {
  azure.received.length = 0;

  const destinations = await runExportDriver({
    ...azureSettings(),
    OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
  });

  expect(destinations).toEqual(['azure-monitor', 'otlp']);
  expect(missing(postedTo(azure.received, '/v2').text, ['"name":"singleton.start"'])).toEqual([]);
  expect(missing(postedTo(collector.received, '/v1/traces').text, SPAN_NAMES)).toEqual([]);
  expect(missing(postedTo(collector.received, '/v1/metrics').text, METRIC_NAMES)).toEqual([]);
}, 60_000);
