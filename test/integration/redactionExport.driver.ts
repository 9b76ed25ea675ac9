/**
 * Run by redactionExport.test.ts in a plain Node process, as the app runs: telemetry set up from
 * the environment first (src/index.ts), then the app's own HTTP starter and jobs, whose durable
 * client calls the extension stand-in over HTTP, so the HTTP instrumentation records those calls
 * as outgoing spans. Starts, conflicts and fails with the instance ID given in the environment,
 * then shuts the SDK down, which exports what it holds.
 */
import * as core from '../../tools/functions-core';

async function main(): Promise<void> {
  // The worker's API first, so that @azure/functions finds it wherever it is first required.
  core.install();
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { setupTelemetry } =
    require('../../src/telemetry/setup') as typeof import('../../src/telemetry/setup');
  const exported = setupTelemetry(process.env);
  // Loaded after the setup, as the host loads the function modules after the entry point.
  require('../../src/functions/httpStartSingle');
  require('../../src/functions/processBatch');
  const { FakeExtension } =
    require('../support/fakeExtension') as typeof import('../support/fakeExtension');
  const { invokeHttp } = require('../support/invokeHttp') as typeof import('../support/invokeHttp');
  const { durableClientBinding } =
    require('../support/durableClientBinding') as typeof import('../support/durableClientBinding');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const logged: string[] = [];
  core.setLogSink((level, _category, message) => logged.push(`${level}: ${message}`));

  const extension = new FakeExtension(['processBatch']);
  await extension.start();
  const instanceId = process.env.DRIVER_INSTANCE_ID!;
  const start = () =>
    invokeHttp('httpStartSingle', {
      url: `http://localhost:7071/api/orchestrators/processBatch/${encodeURIComponent(instanceId)}`,
      params: { functionName: 'processBatch', instanceId },
      body: '{"items":3}',
      clientJson: durableClientBinding(extension.rpcBaseUrl),
    });
  const statuses = [(await start()).status, (await start()).status];
  extension.mode = 'error500';
  statuses.push((await start()).status);
  await extension.stop();
  await exported.shutdown();
  process.stdout.write(JSON.stringify({ statuses, logged }) + '\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
