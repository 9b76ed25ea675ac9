/**
 * `npm run build && node dist/bench/conflictMicro.js`: the app's own work per conflict answer, ours
 * against the sample's, without the engine, Azurite or the front door. Both HTTP handlers are
 * invoked as the Node worker invokes them (tools/functions-core: `@azure/functions`' invocation
 * model, the durable client binding data on the input), in this one process; their one status read
 * goes to a stand-in extension in a child process, which answers "Running". After a warm-up
 * of `MICRO_WARM` (2 000) answers each, blocks of `MICRO_BLOCK` (200) conflicts, `MICRO_BLOCKS` (20)
 * per starter, alternating who goes first; reports per answer the wall time (p50 of the calls) and
 * this process's CPU (`process.cpuUsage`, the median block's: the handler, the invocation model,
 * the durable client and its HTTP call, all of it the app's).
 *
 * For an A/B of two builds, run it on each; for a profile, `node --cpu-prof` with
 * `MICRO_ONLY=ours` (or `sample`). The decision lines the app logs go through a log sink like the
 * local host's bridge (formatted, written to /dev/null).
 */
import { fork } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { install, invokeHttpFunction, setLogSink } from '../tools/functions-core';
import { median } from './stats';

type Starter = 'ours' | 'sample';

const ID = 'bench-micro-conflict';
const ORCHESTRATOR = 'benchHold';
const BODY = Buffer.from(JSON.stringify({ holdSeconds: 3600, record: false }));

/** The stand-in extension (child process): every status read answers Running, every start 409. */
function extension(): void {
  const status = JSON.stringify({
    name: ORCHESTRATOR,
    instanceId: ID,
    runtimeStatus: 'Running',
    input: null,
    customStatus: null,
    output: null,
    createdTime: '2026-11-28T00:00:00Z',
    lastUpdatedTime: '2026-11-28T00:00:01Z',
  });
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const start = req.method === 'POST' && req.url?.includes('/orchestrators/');
      res.writeHead(start ? 409 : 202, { 'Content-Type': 'application/json' });
      res.end(
        start
          ? JSON.stringify({
              Message: 'An Orchestration instance with the status Running already exists.',
            })
          : status,
      );
    });
  });
  server.listen(0, '127.0.0.1', () =>
    process.send!({ port: (server.address() as AddressInfo).port }),
  );
  process.on('disconnect', () => process.exit(0));
}

/** The durable client binding data the host hands a function (as the local host's engine makes it). */
function clientBinding(rpcBaseUrl: string): string {
  const base = 'http://localhost:7071/runtime/webhooks/durabletask';
  const query = 'taskHub=SingletonHub&connection=Storage&code=bench-key';
  const instance = `${base}/instances/INSTANCEID`;
  return JSON.stringify({
    taskHubName: 'SingletonHub',
    creationUrls: {
      createNewInstancePostUri: `${base}/orchestrators/{functionName}[/{instanceId}]?code=bench-key`,
      createAndWaitOnNewInstancePostUri: `${base}/orchestrators/{functionName}[/{instanceId}]?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}&code=bench-key`,
    },
    managementUrls: {
      id: 'INSTANCEID',
      statusQueryGetUri: `${instance}?${query}`,
      sendEventPostUri: `${instance}/raiseEvent/{eventName}?${query}`,
      terminatePostUri: `${instance}/terminate?reason={text}&${query}`,
      rewindPostUri: `${instance}/rewind?reason={text}&${query}`,
      purgeHistoryDeleteUri: `${instance}?${query}`,
      restartPostUri: `${instance}/restart?${query}`,
      suspendPostUri: `${instance}/suspend?reason={text}&${query}`,
      resumePostUri: `${instance}/resume?reason={text}&${query}`,
    },
    baseUrl: base,
    requiredQueryStringParameters: 'code=bench-key',
    rpcBaseUrl,
    httpBaseUrl: null,
    connectionName: null,
  });
}

async function main(): Promise<void> {
  const block = Number(process.env.MICRO_BLOCK ?? 200);
  const blocks = Number(process.env.MICRO_BLOCKS ?? 20);
  const only = process.env.MICRO_ONLY as Starter | undefined;
  const child = fork(__filename, ['extension'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve) =>
    child.once('message', (m: { port: number }) => resolve(m.port)),
  );
  const binding = clientBinding(`http://127.0.0.1:${port}/durabletask/`);

  // The lock's storage is never reached on the conflict path after the first answer (the read
  // comes first for an ID just refused); the first one's lock request fails fast here.
  process.env.AzureWebJobsStorage ??=
    'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:1/devstoreaccount1;';
  const devNull = openSync('/dev/null', 'w');
  setLogSink((level, category, message) => {
    if (category.toLowerCase() === 'user' && !/^(trace|debug)$/i.test(level)) {
      writeSync(
        devNull,
        `${new Date().toISOString().slice(11, 23)} [bridge] app ${level.toLowerCase()}: ${message}\n`,
      );
    }
  });
  install();
  const dist = join(__dirname, '..');
  for (const file of [
    'src/functions/httpStartSingle.js',
    'tools/sample-starter/sampleHttpStartSingle.js',
    'bench/functions/benchHold.js',
  ]) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(join(dist, file));
  }

  // MICRO_AA=1: the sample in both places, to see the harness's own bias.
  const ours = process.env.MICRO_AA === '1' ? 'sampleHttpStartSingle' : 'httpStartSingle';
  const call = (starter: Starter) =>
    invokeHttpFunction(
      starter === 'ours' ? ours : 'sampleHttpStartSingle',
      {
        method: 'POST',
        url: `http://localhost:7071/api/${starter === 'sample' ? 'sample/' : ''}orchestrators/${ORCHESTRATOR}/${ID}`,
        headers: { 'content-type': 'application/json', 'content-length': String(BODY.length) },
        body: BODY,
        params: { functionName: ORCHESTRATOR, instanceId: ID },
      },
      binding,
    );

  const starters: Starter[] = only ? [only] : ['ours', 'sample'];
  // Warm-up: connections, the conflict hint for the ID, and JIT. process.cpuUsage counts every
  // thread of the process, the compiler's too: with a short warm-up, whichever starter is measured
  // first pays for optimizing code both share (an A/A run with 300 gave 1.12–1.24×; with 2 000, 1.03×).
  for (let i = 0; i < Number(process.env.MICRO_WARM ?? 2000); i++) {
    for (const s of starters) {
      const reply = await call(s);
      if (reply.status !== 409) throw new Error(`${s}: expected 409, got ${reply.status}`);
    }
  }
  const wall: Record<string, number[]> = { ours: [], sample: [] };
  const cpu: Record<string, number[]> = { ours: [], sample: [] };
  for (let b = 0; b < blocks; b++) {
    for (const s of b % 2 ? [...starters].reverse() : starters) {
      const before = process.cpuUsage();
      for (let i = 0; i < block; i++) {
        const t = performance.now();
        await call(s);
        wall[s]!.push(performance.now() - t);
      }
      const used = process.cpuUsage(before);
      cpu[s]!.push((used.user + used.system) / 1000 / block);
    }
  }
  closeSync(devNull);
  child.disconnect();
  const result = Object.fromEntries(
    starters.map((s) => [
      s,
      // CPU: the median block's, so that one block with a major GC does not decide.
      { wallP50Ms: median(wall[s]!), cpuMsPerAnswer: median(cpu[s]!) },
    ]),
  );
  console.log(JSON.stringify({ block, blocks, ...result }));
  if (!only) {
    const o = result.ours!;
    const p = result.sample!;
    console.log(
      `conflict answer, ours / sample: wall p50 ${o.wallP50Ms.toFixed(3)} / ${p.wallP50Ms.toFixed(3)} ms (${(o.wallP50Ms / p.wallP50Ms).toFixed(2)}×), CPU ${o.cpuMsPerAnswer.toFixed(3)} / ${p.cpuMsPerAnswer.toFixed(3)} ms (${(o.cpuMsPerAnswer / p.cpuMsPerAnswer).toFixed(2)}×)`,
    );
  }
}

if (process.argv[2] === 'extension') {
  extension();
} else {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
