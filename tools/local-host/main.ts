/**
 * The Node side of the local host, one process: loads the app, opens the internal endpoint for the
 * engine, waits for the durable client binding data the extension produces, then opens the front
 * door. `node dist/tools/local-host/main.js` (started by scripts/host-local.mjs).
 *
 * Environment: LOCAL_HOST_PORT (7071), LOCAL_HOST_BRIDGE_PORT (17072), LOCAL_HOST_TOKEN (the
 * launch's token the engine sends), LOCAL_HOST_APP_MAIN, LOCAL_HOST_EXTRA_FUNCTIONS, LOCAL_HOST_VERBOSE=1 (also system,
 * debug and trace lines, webhook requests, activity completions), LOCAL_HOST_WATCH_STDIN=1 (stop
 * when the launcher holding stdin goes away), LOCAL_HOST_CLIENT_RPC_PORT (the app's durable client
 * reaches the extension through this loopback port, e.g. a fault proxy).
 */
import type http from 'node:http';
import { setLogSink } from '../functions-core';
import { loadApp, readHostJson } from './app-loader';
import { clientBindingThrough, createEngineEndpoint, parseClientBinding } from './engine-endpoint';
import { appRoutes, routePrefix } from './http/app-routes';
import { createFrontDoor, type ClientBinding } from './http/front-door';
import { log } from './log';
import { assertSupported } from './supported-bindings';

function listen(server: http.Server, port: number, host?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

export async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const frontPort = Number(env.LOCAL_HOST_PORT ?? 7071);
  const bridgePort = Number(env.LOCAL_HOST_BRIDGE_PORT ?? 17072);
  const verbose = env.LOCAL_HOST_VERBOSE === '1';

  // The app's own information and warning lines show by default (about one per request), as in
  // func start's console; system, debug and trace lines with LOCAL_HOST_VERBOSE=1.
  setLogSink((level, category, message) => {
    const important = /^(warning|error|critical)$/i.test(level);
    const app = category.toLowerCase() === 'user' && !/^(trace|debug)$/i.test(level);
    if (verbose || important || app) log(`app ${level.toLowerCase()}: ${message}`);
  });
  const app = loadApp();
  assertSupported(app.registrations.values());
  const names = [...app.registrations.values()].map((r) => r.metadata.name);
  log(`loaded ${app.modules.length} module(s), ${names.length} function(s): ${names.join(', ')}`);
  const routes = appRoutes(app.registrations.values(), routePrefix(readHostJson()));
  for (const r of routes)
    log(`http function ${r.functionName}: ${r.methods?.join('|') ?? 'any'} /${r.regex.source}`);

  const servers: http.Server[] = [];
  const stop = () => {
    for (const server of servers) server.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  if (env.LOCAL_HOST_WATCH_STDIN === '1') {
    // The launcher holds our stdin open; when it goes away (even killed), stop instead of lingering.
    process.stdin.on('end', stop);
    process.stdin.on('close', stop);
    process.stdin.resume();
  }

  const through = Number(env.LOCAL_HOST_CLIENT_RPC_PORT ?? 0);
  const produced = await new Promise<ClientBinding>((resolve, reject) => {
    const internal = createEngineEndpoint({
      token: env.LOCAL_HOST_TOKEN || undefined,
      verbose,
      onClientBinding: resolve,
      // Timer and queue functions get the binding data per invocation, routed like the front door's.
      clientJson: through
        ? (text) => clientBindingThrough(parseClientBinding(text), through).json
        : undefined,
    });
    servers.push(internal);
    // Ports are said once, by the launcher when the host is ready; here only when verbose.
    listen(internal, bridgePort, '127.0.0.1').then(() => {
      if (verbose) log(`internal endpoint on http://127.0.0.1:${bridgePort}/`);
    }, reject);
  });
  const binding = through ? clientBindingThrough(produced, through) : produced;
  if (through && verbose) log(`the app reaches the extension through ${binding.rpcBaseUrl}`);
  const frontDoor = createFrontDoor({ port: frontPort, routes, binding, verbose });
  servers.push(frontDoor);
  await listen(frontDoor, frontPort);
  if (verbose) log(`front door on http://localhost:${frontPort}/`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    log(`failed to start: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
