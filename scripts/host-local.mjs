#!/usr/bin/env node
/**
 * Local host: the app on the REAL Durable Task extension, without Core Tools.
 * Starts Azurite, the .NET engine (tools/local-host/engine) and the Node bridge/front door, and is
 * ready when http://localhost:7071 answers. Ctrl-C / SIGTERM stops everything. With
 * LOCAL_HOST_INSTANCES=N, N app instances (each its own engine and bridge) share the one storage and
 * task hub, as N scaled-out Function app instances; instance k answers on LOCAL_HOST_PORT + k.
 *
 *   node scripts/host-local.mjs [--build]       start (--build runs `npm run build` first; `npm run host:local` = --build)
 *   node scripts/host-local.mjs --wait [--timeout 300] [--pid PID]
 *                                                wait until every front door answers (exit 0) or time out /
 *                                                the host process PID dies (exit 1)
 *
 * Environment: LOCAL_HOST_PORT (7071), LOCAL_HOST_BRIDGE_PORT (17072), LOCAL_HOST_AZURITE_PORT (10000; blob,
 * +1 queue, +2 table), AzureWebJobsStorage (set → use that storage, no Azurite), LOCAL_HOST_PERSIST=1
 * (Azurite data in .azurite/ instead of memory), LOCAL_HOST_EXTRA_FUNCTIONS (extra compiled function
 * modules, path-delimiter separated; unset: the e2e suite's paused test schedules,
 * dist/tools/local-host/fixtures/schedules.js), LOCAL_HOST_APP_MAIN (a glob like package.json `main`, loaded
 * in its place: another app), LOCAL_HOST_VERBOSE=1, LOCAL_HOST_READY_TIMEOUT (seconds, 300),
 * LOCAL_HOST_INSPECT (1 = 127.0.0.1:9229, or host:port: the bridge, which runs the app, under --inspect),
 * LOCAL_HOST_INSTANCES (1; instance k: front door LOCAL_HOST_PORT + k, bridge LOCAL_HOST_BRIDGE_PORT + k),
 * LOCAL_HOST_CLIENT_RPC_PORT (instance k's app reaches its extension endpoint through port + k, e.g.
 * a fault proxy; the endpoint's own port is in GET http://127.0.0.1:<bridge port>/client-binding).
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const engineDir = path.join(root, 'tools', 'local-host', 'engine');
const engineDll = path.join(engineDir, 'bin', 'Release', 'net10.0', 'LocalHost.Engine.dll');
applyLocalSettings(path.join(root, 'local.settings.json'));
// The e2e suite's test-only schedules (created paused) beside the app, unless told otherwise: the
// stub generator and every bridge read this.
if (
  process.env.LOCAL_HOST_EXTRA_FUNCTIONS === undefined &&
  process.env.LOCAL_HOST_APP_MAIN === undefined
) {
  process.env.LOCAL_HOST_EXTRA_FUNCTIONS = 'dist/tools/local-host/fixtures/schedules.js';
}
const frontPort = Number(process.env.LOCAL_HOST_PORT ?? 7071);
const bridgePort = Number(process.env.LOCAL_HOST_BRIDGE_PORT ?? 17072);
const azuritePort = Number(process.env.LOCAL_HOST_AZURITE_PORT ?? 10000);
const instances = Number(process.env.LOCAL_HOST_INSTANCES ?? 1);
if (!Number.isInteger(instances) || instances < 1 || instances > 16) {
  process.stderr.write('host-local: LOCAL_HOST_INSTANCES must be an integer from 1 to 16.\n');
  process.exit(1);
}
const frontDoors = Array.from({ length: instances }, (_, k) => `http://localhost:${frontPort + k}`);
const args = process.argv.slice(2);
const EXTENSION_RPC_PORT = 17071;
// Sent by this launch's engine with every call; the bridge refuses calls without it.
const token = randomUUID();
const t0 = Date.now();

function say(message) {
  process.stdout.write(`${new Date().toISOString().slice(11, 23)} [host-local] ${message}\n`);
}
function fail(message) {
  process.stderr.write(`host-local: ${message}\n`);
  process.exit(1);
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** Seconds since `since` (a Date.now()), for messages that say what they measure. */
const secondsSince = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** npm's PID: our parent, or the parent of the `sh -c` wrapper npm runs scripts in. */
function npmProcess() {
  if (process.platform === 'win32') return undefined; // no `sh -c` wrapper there
  const parentOf = (pid) =>
    Number(spawnSync('ps', ['-o', 'ppid=', '-p', String(pid)], { encoding: 'utf8' }).stdout.trim());
  const command = spawnSync('ps', ['-o', 'comm=', '-p', String(process.ppid)], {
    encoding: 'utf8',
  });
  const isShell = /(^|\/)(sh|bash|dash|zsh)$/.test(command.stdout.trim());
  return isShell ? parentOf(process.ppid) || undefined : process.ppid;
}

function argValue(name, fallback) {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
}

async function answers(url) {
  try {
    await fetch(url, { signal: AbortSignal.timeout(2000) });
    return true;
  } catch {
    return false;
  }
}

// ---- --wait mode ----------------------------------------------------------------------------------
if (args.includes('--wait')) {
  const timeout = Number(argValue('--timeout', process.env.LOCAL_HOST_READY_TIMEOUT ?? 300)) * 1000;
  const pid = argValue('--pid', undefined);
  const bases = process.env.E2E_BASE_URL ? [process.env.E2E_BASE_URL] : frontDoors;
  const base = bases.join(', ');
  while (Date.now() - t0 < timeout) {
    if ((await Promise.all(bases.map((b) => answers(b + '/')))).every(Boolean)) {
      say(`${base} answer (waited ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      process.exit(0);
    }
    if (pid) {
      if (!alive(Number(pid))) fail(`the host process ${pid} exited before ${base} answered`);
    }
    await sleep(500);
  }
  fail(`${base} did not answer within ${timeout / 1000} s`);
}

// ---- build (--build: what `npm run host:local` uses, so npm's signal reaches this process) ------------
// Phase timings, printed with the ready message: each says what it measured.
const timings = [];
if (args.includes('--build')) {
  const begun = Date.now();
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const build = spawnSync(npm, ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) fail('`npm run build` failed.');
  timings.push(`app build (npm run build) ${secondsSince(begun)}`);
}

// ---- prerequisites ----------------------------------------------------------------------------------
if (spawnSync('dotnet', ['--version'], { stdio: 'ignore' }).status !== 0) {
  fail(
    '`dotnet` (the .NET SDK, net10.0) is required for the local host but was not found on PATH.',
  );
}
const bridgeJs = path.join(root, 'dist', 'tools', 'local-host', 'main.js');
if (!fs.existsSync(bridgeJs)) {
  fail(
    'dist/tools/local-host/main.js is missing: run `npm run build` first (or use `npm run host:local`).',
  );
}
// Shared with the tests and the benchmark; compiled by the build above.
const distModule = (name) => import(pathToFileURL(path.join(root, 'dist', 'tools', name)).href);
const { portOpen, waitForPorts } = await distModule('ports.js');
const { azuriteCommand, azuriteConnectionString, azuritePorts } = await distModule('azurite.js');
// Every port this launch needs must be free: a second launch on a busy port would mix its engine,
// bridge or storage with the running host's.
const portsNeeded = [
  ...frontDoors.map((_, k) => [frontPort + k, `LOCAL_HOST_PORT${k ? ` (+${k})` : ''}`]),
  ...frontDoors.map((_, k) => [bridgePort + k, `LOCAL_HOST_BRIDGE_PORT${k ? ` (+${k})` : ''}`]),
  ...(process.env.AzureWebJobsStorage
    ? []
    : [0, 1, 2].map((i) => [azuritePort + i, `LOCAL_HOST_AZURITE_PORT (+${i})`])),
];
for (const [port, variable] of portsNeeded) {
  if (await portOpen(port))
    fail(
      `port ${port} (${variable}) is already in use, perhaps by another local host. Stop it, or give this launch free ports: LOCAL_HOST_PORT, LOCAL_HOST_BRIDGE_PORT, LOCAL_HOST_AZURITE_PORT.`,
    );
}
// The extension's RPC endpoint always tries 17071 first, then a random port in 30000-31000
// (LocalHttpListener; not configurable). When 17071 is taken the engine hides the extension's
// start-up failure trace; the ready message names the port the extension took.
const rpcPortBusy = await portOpen(EXTENSION_RPC_PORT);

const children = [];
let stopping = false;

/** `instance`: the app instance (0…N-1) the process belongs to; none for storage. */
function start(name, command, commandArgs, env = {}, instance = undefined) {
  // Each child gets its own process group, so a Ctrl-C reaches only this launcher, which stops them
  // in order (engine, bridge, then storage). The engine and the bridge also stop when their stdin
  // (held by this process) closes, so they do not outlive a launcher that was killed.
  const child = spawn(command, commandArgs, {
    cwd: root,
    env: { ...process.env, ...env, LOCAL_HOST_WATCH_STDIN: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  const prefix = (stream, out) => {
    let buffer = '';
    // Azurite's start-up lines repeat its ports (and its memory limit): said once at ready.
    const quiet =
      name === 'azurite' && process.env.LOCAL_HOST_VERBOSE !== '1'
        ? /service is (starting|successfully listening) at|In-memory extent storage is enabled/
        : undefined;
    stream.on('data', (chunk) => {
      buffer += chunk.toString();
      let nl;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line.trim() && !quiet?.test(line))
          out.write(
            line.startsWith(' ') || /\[(bridge|engine)\]/.test(line)
              ? // Tagged by the process itself: with several instances, say which one.
                line.replace(/\[(bridge|engine)\]/, `[${name}]`) + '\n'
              : `[${name}] ${line}\n`,
          );
      }
    });
  };
  prefix(child.stdout, process.stdout);
  prefix(child.stderr, process.stderr);
  child.on('exit', (code, signal) => {
    if (stopping) return;
    // One instance going down (killed in a chaos test, say) leaves the other instances serving,
    // as in a scaled-out app; the last one, or storage, takes everything down.
    const running = (c) => c.child.exitCode === null && c.child.signalCode === null;
    const others = children.filter((c) => c.instance !== undefined && c.instance !== instance);
    if (instance !== undefined && others.some(running)) {
      say(
        `${name} exited unexpectedly (code ${code}, signal ${signal}); stopping instance ${instance}, the others go on.`,
      );
      for (const c of children) if (c.instance === instance && running(c)) c.child.kill('SIGTERM');
      return;
    }
    say(`${name} exited unexpectedly (code ${code}, signal ${signal}); stopping everything.`);
    void stopAll(1);
  });
  children.push({ name, child, instance });
  return child;
}

async function stopAll(exitCode) {
  if (stopping) return;
  stopping = true;
  // Engine first (it releases its partition leases), then the bridge, then storage.
  for (const { name, child } of [...children].reverse()) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    child.kill('SIGTERM');
    const exited = await Promise.race([
      new Promise((r) => child.once('exit', () => r(true))),
      sleep(10000).then(() => false),
    ]);
    if (!exited) {
      say(`${name} did not stop in 10 s; killing it.`);
      child.kill('SIGKILL');
    }
  }
  say('stopped.');
  process.exit(exitCode);
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (!stopping) say(`${signal} received; stopping.`);
    void stopAll(0);
  });
}
// Under `npm run`, npm forwards SIGTERM/SIGINT to the `sh -c` wrapper, which dies without passing
// it on: watch npm itself and stop when it goes away. Only npm's end stops us, so a backgrounded
// `npm run host:local &` keeps running after the shell that started it exits.
const npmPid = process.env.npm_lifecycle_event ? npmProcess() : undefined;
if (npmPid) {
  setInterval(() => {
    if (!stopping && !alive(npmPid)) {
      say(`npm (pid ${npmPid}) has stopped; stopping.`);
      void stopAll(0);
    }
  }, 1000).unref();
}
process.on('exit', () => {
  for (const { child } of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});

// ---- stubs + engine build ---------------------------------------------------------------------------------
const gen = spawnSync(
  process.execPath,
  [path.join(root, 'dist', 'tools', 'local-host', 'generate-stubs.js')],
  { cwd: root, encoding: 'utf8' },
);
if (gen.status === 2) fail(`the app cannot run on the local host:\n${gen.stderr.trim()}`);
if (gen.status !== 0) fail(`generating the C# stubs failed:\n${gen.stderr}${gen.stdout}`);

function newestSource(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'bin' || entry.name === 'obj') continue;
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (/\.(cs|csproj|json|props|targets)$/.test(entry.name))
      newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}
if (!fs.existsSync(engineDll) || fs.statSync(engineDll).mtimeMs < newestSource(engineDir)) {
  const begun = Date.now();
  say('building the engine (dotnet build)…');
  const build = spawnSync(
    'dotnet',
    ['build', '-c', 'Release', '--nologo', '-v', 'q', '-clp:ErrorsOnly'],
    { cwd: engineDir, encoding: 'utf8' },
  );
  if (build.status !== 0) fail(`dotnet build failed:\n${build.stdout}${build.stderr}`);
  say(`engine built (dotnet build: ${secondsSince(begun)})`);
  timings.push(`engine build (dotnet build) ${secondsSince(begun)}`);
}

// ---- storage --------------------------------------------------------------------------------------------
let storage = process.env.AzureWebJobsStorage;
if (!storage) {
  for (const p of [azuritePort, azuritePort + 1, azuritePort + 2]) {
    if (await portOpen(p))
      fail(
        `port ${p} (Azurite) is already in use; set LOCAL_HOST_AZURITE_PORT or AzureWebJobsStorage.`,
      );
  }
  const ports = azuritePorts(azuritePort);
  const persist = process.env.LOCAL_HOST_PERSIST === '1';
  const { command, args: azuriteArgs } = azuriteCommand(
    root,
    ports,
    persist ? path.join(root, '.azurite') : undefined,
  );
  if (!fs.existsSync(command)) fail(`${command} is missing: run \`npm ci\`.`);
  const begun = Date.now();
  start('azurite', process.execPath, [
    path.join(root, 'tools', 'local-host', 'watchdog.mjs'),
    command,
    ...azuriteArgs,
  ]);
  storage = azuriteConnectionString(ports);
  if (!(await waitForPorts([ports.blob, ports.queue, ports.table], 60_000, () => stopping)))
    fail('Azurite did not open its ports within 60 s.');
  timings.push(`Azurite start ${secondsSince(begun)}`);
}

// ---- bridge + engine, per app instance -----------------------------------------------------------------
// Only the bridge runs the app's code; NODE_OPTIONS=--inspect would also reach Azurite and clash.
const inspect = process.env.LOCAL_HOST_INSPECT;
const inspectArgs = inspect ? [`--inspect=${inspect === '1' ? '127.0.0.1:9229' : inspect}`] : [];
const clientRpcPort = process.env.LOCAL_HOST_CLIENT_RPC_PORT;
const appsBegun = Date.now();
for (let k = 0; k < instances; k++) {
  const suffix = instances > 1 ? `-${k}` : '';
  const shared = {
    AzureWebJobsStorage: storage,
    FUNCTIONS_WORKER_RUNTIME: 'node',
    LOCAL_HOST_INSTANCE: String(k),
    LOCAL_HOST_PORT: String(frontPort + k),
    LOCAL_HOST_BRIDGE_PORT: String(bridgePort + k),
    LOCAL_HOST_TOKEN: token,
  };
  start(
    `bridge${suffix}`,
    process.execPath,
    [...(k === 0 ? inspectArgs : []), bridgeJs],
    {
      ...shared,
      ...(clientRpcPort && { LOCAL_HOST_CLIENT_RPC_PORT: String(Number(clientRpcPort) + k) }),
    },
    k,
  );
  start(
    `engine${suffix}`,
    'dotnet',
    [engineDll],
    {
      ...shared,
      LOCAL_HOST_HOST_JSON: path.join(root, 'host.json'),
      LOCAL_HOST_BRIDGE_URL: `http://127.0.0.1:${bridgePort + k}/`,
      LOCAL_HOST_PUBLIC_BASE_URL: `http://localhost:${frontPort + k}`,
      // With several engines all but one find 17071 taken. The extension's endpoint then logs a
      // "Hosting failed to start" trace from its own web host, which reads its log levels from
      // the environment (as below), before it takes another port: the ready message names that.
      ...(rpcPortBusy || instances > 1
        ? {
            LOCAL_HOST_RPC_PORT_BUSY: '1',
            'Logging__LogLevel__Microsoft.Extensions.Hosting.Internal.Host': 'None',
          }
        : {}),
      DOTNET_CLI_TELEMETRY_OPTOUT: '1',
      // The extension's local RPC endpoint is its own Kestrel web host; keep its per-request logs quiet.
      Logging__LogLevel__Default: 'Warning',
      ASPNETCORE_Logging__LogLevel__Default: 'Warning',
      DOTNET_NOLOGO: '1',
    },
    k,
  );
}

/** The extension's RPC endpoint of instance k, as its bridge received it from the extension. */
async function extensionEndpoint(k) {
  try {
    const answer = await fetch(`http://127.0.0.1:${bridgePort + k}/client-binding`, {
      signal: AbortSignal.timeout(2000),
    });
    const { rpcBaseUrl } = await answer.json();
    return typeof rpcBaseUrl === 'string' ? new URL(rpcBaseUrl).host : 'not known yet';
  } catch {
    return 'not known yet';
  }
}

/**
 * Every port this launch uses, in one place (said once, at ready, or when it gives up): the rest
 * of the log does not repeat them, so this is the one to read.
 */
async function portsInUse() {
  const lines = [];
  if (process.env.AzureWebJobsStorage) lines.push('storage     AzureWebJobsStorage (no Azurite)');
  else
    lines.push(
      `Azurite     blob 127.0.0.1:${azuritePort}, queue 127.0.0.1:${azuritePort + 1}, table 127.0.0.1:${azuritePort + 2} (${process.env.LOCAL_HOST_PERSIST === '1' ? 'data in .azurite/' : 'in memory'})`,
    );
  for (let k = 0; k < instances; k++) {
    const rpc = await extensionEndpoint(k);
    const moved =
      rpc.endsWith(`:${EXTENSION_RPC_PORT}`) || rpc === 'not known yet'
        ? ''
        : ` (${EXTENSION_RPC_PORT} was taken)`;
    const parts = [
      `front door http://localhost:${frontPort + k}`,
      `bridge 127.0.0.1:${bridgePort + k}`,
      `extension RPC ${rpc}${moved}`,
      ...(clientRpcPort ? [`app to extension through 127.0.0.1:${Number(clientRpcPort) + k}`] : []),
      ...(k === 0 && inspectArgs.length
        ? [`inspector ${inspectArgs[0].slice('--inspect='.length)}`]
        : []),
    ];
    lines.push(`${instances > 1 ? `instance ${k}  ` : ''}${parts.join(', ')}`);
  }
  return lines.map((line) => `  ${line}`).join('\n');
}

const readyTimeout = Number(process.env.LOCAL_HOST_READY_TIMEOUT ?? 300) * 1000;
while (!stopping) {
  if ((await Promise.all(frontDoors.map((d) => answers(d + '/')))).every(Boolean)) {
    timings.push(
      `${instances > 1 ? `${instances} app instances` : 'app instance'} start (engine and bridge until the front door answers) ${secondsSince(appsBegun)}`,
    );
    say(
      `ready: ${frontDoors.join(', ')}, ${secondsSince(t0)} after launch. Ctrl-C to stop.\n  took: ${timings.join('; ')}\n${await portsInUse()}`,
    );
    break;
  }
  if (Date.now() - t0 > readyTimeout) {
    say(`not ready after ${readyTimeout / 1000} s; stopping. Ports:\n${await portsInUse()}`);
    await stopAll(1);
  }
  await sleep(300);
}

/**
 * The app settings of local.settings.json's `Values`, as `func start` applies them: each one that
 * the environment does not already set (the environment wins, and `func start` says it skips
 * those). The worker runtime is this launcher's, and its own Azurite is what
 * `UseDevelopmentStorage=true` means here; another storage connection is used, as `func start` would.
 */
function applyLocalSettings(file) {
  if (!fs.existsSync(file)) return;
  let values;
  try {
    values = JSON.parse(fs.readFileSync(file, 'utf8')).Values ?? {};
  } catch (error) {
    process.stderr.write(`host-local: ${file} is not valid JSON (${error.message}).\n`);
    process.exit(1);
  }
  for (const [name, value] of Object.entries(values)) {
    if (name === 'FUNCTIONS_WORKER_RUNTIME') continue;
    if (name === 'AzureWebJobsStorage' && /^UseDevelopmentStorage=true$/i.test(String(value)))
      continue;
    if (process.env[name] === undefined) process.env[name] = String(value);
  }
}
