/**
 * `SINGLETON_REDACT_INSTANCE_IDS=true` reaches the spans the app does not write itself: the HTTP
 * instrumentation's outgoing spans of the durable client's calls, whose URLs hold the instance ID.
 * The app runs in a plain Node process (redactionExport.driver.ts) and exports over OTLP to a
 * loopback receiver; what it posted is searched for the ID.
 */
import { azuriteConnectionString } from '../support/azurite';
import { postedTo, runDriver, startReceiver, type Receiver } from '../support/telemetryReceiver';

let collector: Receiver;
beforeAll(async () => {
  collector = await startReceiver();
});
afterAll(() => collector.close());
beforeEach(() => collector.received.splice(0));

const PERSON = 'bob.jones@example.com';

async function run(redact: boolean) {
  const instanceId = `${PERSON}-${process.pid}-${redact}`;
  const answer = await runDriver<{ statuses: number[]; logged: string[] }>(
    'redactionExport.driver.ts',
    {
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      AzureWebJobsStorage: azuriteConnectionString(),
      SINGLETON_REDACT_INSTANCE_IDS: String(redact),
      DRIVER_INSTANCE_ID: instanceId,
    },
  );
  return { ...answer, traces: postedTo(collector.received, '/v1/traces').text };
}

it('keeps the ID out of the outgoing spans, and the system key whatever the setting', async () => {
  const { statuses, logged, traces } = await run(true);
  expect(statuses).toEqual([202, 409, 502]);
  // The durable client's calls were recorded, with the ID's segment replaced.
  expect(traces).toContain('/durabletask/orchestrators/processBatch/{instanceId}');
  expect(traces).toContain('singleton.start');
  expect(traces).not.toContain(PERSON);
  expect(traces).not.toContain(encodeURIComponent(PERSON));
  expect(logged.join('\n')).not.toContain(PERSON);
  expect(logged.length).toBeGreaterThan(0);
  expect(traces).not.toContain('test-key');
}, 60_000);

it('records the ID in them when the setting is off (the control)', async () => {
  const { statuses, traces } = await run(false);
  expect(statuses).toEqual([202, 409, 502]);
  expect(traces).toContain(`/durabletask/orchestrators/processBatch/${PERSON}`);
}, 60_000);
