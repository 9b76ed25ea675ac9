/**
 * Run by otlpExport.test.ts and azureMonitorExport.test.ts in a plain Node process: sets telemetry up from the environment (as
 * src/index.ts does), answers a few start requests through the traced start over the in-memory
 * ports, then shuts the SDK down, which exports what it holds.
 */
import * as core from '../../tools/functions-core';
import { keepInstanceIds } from '../../src/redaction';
import { setupTelemetry } from '../../src/telemetry/setup';
import { StartTelemetry } from '../../src/telemetry/startTelemetry';
import { fakeWorld, settle } from '../unit/singleton/fakes';

async function main(): Promise<void> {
  // The worker's API, as the local host provides it, for the hooks the setup registers.
  core.install();
  const exported = setupTelemetry(process.env);
  const telemetry = new StartTelemetry({ redaction: keepInstanceIds });
  const { call, flow, instances } = fakeWorld();
  instances.seed('running-id', 'Running');
  const orchestrator = { name: 'nightlyJob', reuse: 'always' } as const;
  for (const instanceId of ['new-id', 'running-id']) {
    await telemetry
      .around(flow)
      .start({ orchestrator, instanceId, input: null, onConflict: 'reject' }, call);
  }
  await settle(); // the lock's releases, left to land after each answer
  await exported.shutdown();
  process.stdout.write(JSON.stringify({ destinations: exported.destinations }) + '\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
