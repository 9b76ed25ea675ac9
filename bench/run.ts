/**
 * `npm run bench`: our starter against the sample's check-then-start logic, on the real Durable
 * engine, side by side in one run. It starts its own Azurite, puts the storage front in between
 * (bench/storageFront: a fault proxy per service, for simulated cloud latency, and a tap that
 * counts requests) and starts the local host on it; or, with E2E_BASE_URL, it uses a host that is
 * already running (then without the sections that need the front: `cloud`, `requests`).
 *
 * Sections (BENCH_SECTIONS, comma-separated; default all but `existing`; `all` for every one):
 *   race         bursts of N simultaneous starts of one fresh ID, counting answers and executions;
 *   latency      a start on a fresh ID and a conflict answer, both starters interleaved;
 *   throughput   starts per second on distinct IDs at concurrency C;
 *   cloud        latency and throughput again, with ~5 ms added each way to every storage request;
 *   requests     storage requests per fresh start and per conflict, counted at the tap;
 *   concurrency  throughput at concurrency 1, 4, 16 and 64;
 *   existing     fresh-start latency with 0, 1 000 and 10 000 existing instances (seeded through
 *                our starter), first with no lock blobs, then with as many left over (written
 *                directly, removed after), and the app process's memory after 10 000 starts
 *                (heavy: minutes of seeding; BENCH_EXISTING_LEVELS);
 *   cold         the cold start against a bare durable-functions app with only the sample's
 *                starter: a fresh Node process loading the packaged app's entry points (staged by
 *                scripts/package-stage.mjs), and the local host launched until its first 202;
 *   operator     the operator routes at scale: listing by prefix among 10 000 instances and
 *                purging 1 000 by prefix, against the extension's own API (bench/operatorBench.ts;
 *                heavy, BENCH_OPERATOR_INSTANCES).
 * The local host runs the app's entry point and its HTTP starter (BENCH_APP_MAIN), the sample's
 * starter and the bench's functions. Prints a table and writes bench/results/latest.{md,json} and
 * the plot bench/results/latest.png.
 */
import { fork, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  copyFileSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { odata, TableClient } from '@azure/data-tables';
import { BlobServiceClient } from '@azure/storage-blob';
import { azuriteCommand, azuriteConnectionString, azuritePorts } from '../tools/azurite';
import { expandGlob } from '../tools/local-host/app-loader';
import { EXECUTIONS_TABLE } from './executions';
import { operatorBench } from './operatorBench';
import { renderPlot } from './plot';
import { children, cpuMeter } from './processCpu';
import { markdown } from './report';
import {
  STARTER_CATEGORIES,
  STARTERS,
  type BurstResult,
  type ColdStart,
  type CountedRequests,
  type ExistingPoint,
  type Memory,
  type Report,
  type Starter,
  type ThroughputResult,
} from './types';
import { median, summarize, type Summary } from './stats';

const root = join(__dirname, '..', '..');
const env = process.env;
const int = (name: string, fallback: number) => {
  const value = Number(env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer.`);
  return value;
};

const params = {
  burst: int('BENCH_BURST', 50),
  repeat: int('BENCH_REPEAT', 10),
  latencySamples: int('BENCH_LATENCY_SAMPLES', 200),
  concurrency: int('BENCH_CONCURRENCY', 16),
  throughputStarts: int('BENCH_THROUGHPUT_STARTS', 320),
  // Rounds per starter, alternating who goes first: single rounds differ by 10-40 % here.
  rounds: int('BENCH_ROUNDS', 5),
  concurrencyRounds: int('BENCH_CONCURRENCY_ROUNDS', 3),
  cloudLatencyMs: int('BENCH_CLOUD_LATENCY_MS', 5),
  requestSamples: int('BENCH_REQUEST_SAMPLES', 20),
  existingSamples: int('BENCH_EXISTING_SAMPLES', 50),
  seedConcurrency: int('BENCH_SEED_CONCURRENCY', 12),
  coldRuns: int('BENCH_COLD_RUNS', 20),
  coldLaunches: int('BENCH_COLD_LAUNCHES', 4),
  operatorInstances: int('BENCH_OPERATOR_INSTANCES', 10_000),
};
const ALL_SECTIONS = [
  'cold',
  'race',
  'latency',
  'throughput',
  'cloud',
  'requests',
  'concurrency',
  'existing',
  'operator',
] as const;
type Section = (typeof ALL_SECTIONS)[number];
const sections = new Set<Section>(
  env.BENCH_SECTIONS === 'all'
    ? ALL_SECTIONS
    : env.BENCH_SECTIONS
      ? env.BENCH_SECTIONS.split(',').map((s) => {
          const name = s.trim() as Section;
          if (!ALL_SECTIONS.includes(name)) throw new Error(`Unknown bench section '${s}'.`);
          return name;
        })
      : ALL_SECTIONS.filter((s) => s !== 'existing' && s !== 'operator'),
);
const CONCURRENCY_LEVELS = [1, 4, 16, 64];
/** Existing instances (about: the bench's own starts count too) at which fresh starts are measured. */
const EXISTING_LEVELS = (env.BENCH_EXISTING_LEVELS ?? '0,1000,10000').split(',').map(Number);

const external = env.E2E_BASE_URL?.replace(/\/$/, '');
const frontPort = Number(env.LOCAL_HOST_PORT ?? 7071);
const azuritePort = Number(env.LOCAL_HOST_AZURITE_PORT ?? 10000);
const baseUrl = external ?? `http://localhost:${frontPort}`;
function connectionString(blob: number, queue: number, table: number): string {
  return azuriteConnectionString({ blob, queue, table });
}
/** The bench's own reads go to Azurite directly: not delayed, not counted. */
const directStorage =
  env.BENCH_STORAGE_CONNECTION ?? connectionString(azuritePort, azuritePort + 1, azuritePort + 2);
const LOCK_CONTAINER = env.SINGLETON_LOCK_CONTAINER ?? 'singleton-locks';
const TASK_HUB = 'SingletonHub';
const runId = randomUUID().slice(0, 8);
const ORCHESTRATOR = 'benchHold';
/**
 * What the local host loads of the app, in place of package.json `main`: the entry point and the
 * HTTP starter, which is what is measured. Not the sample jobs: their timer and queue polling
 * would only add background work, alike for both starters.
 */
const BENCH_APP_MAIN =
  env.BENCH_APP_MAIN ??
  'dist/src/{index.js,functions/httpStartSingle.js,functions/operatorRoutes.js}';
/** The results' name in bench/results, or a path (BENCH_OUT, default `latest`): another for A/B runs. */
const OUT = env.BENCH_OUT ?? 'latest';

/** Every start request the app process has served. */
let requestsServed = 0;
/** CPU used by the processes taking part, when they run here; see bench/processCpu. */
let cpu: (() => Record<string, number>) | undefined;

function startUrl(starter: Starter, id: string): string {
  const prefix = starter === 'sample' ? '/api/sample/orchestrators' : '/api/orchestrators';
  return `${baseUrl}${prefix}/${ORCHESTRATOR}/${encodeURIComponent(id)}`;
}

async function post(
  starter: Starter,
  id: string,
  holdSeconds: number,
  record = false,
): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  requestsServed++;
  try {
    const res = await fetch(startUrl(starter, id), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ holdSeconds, record }),
    });
    await res.arrayBuffer();
    return { status: res.status, ms: performance.now() - started };
  } catch {
    return { status: 0, ms: performance.now() - started };
  }
}

const instanceUrl = (id: string) =>
  `${baseUrl}/runtime/webhooks/durabletask/instances/${encodeURIComponent(id)}`;

async function terminate(id: string): Promise<void> {
  await fetch(`${instanceUrl(id)}/terminate?reason=bench`, { method: 'POST' }).catch(
    () => undefined,
  );
}

/** Runs `work` on `items` with a few at a time: Azurite serves one request at a time anyway. */
async function few<T>(items: T[], work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

/**
 * Purges the instances (their history and their row) through the extension's HTTP API, so that
 * the task hub stays at the size the `existing` section sets: Azurite answers table queries by
 * scanning every row, so a hub that grew through the run would slow each later round.
 */
async function purge(ids: string[]): Promise<void> {
  let purged = 0;
  await few(ids, async (id) => {
    const res = await fetch(instanceUrl(id), { method: 'DELETE' }).catch(() => undefined);
    if (res?.ok || res?.status === 404) purged++;
    await res?.arrayBuffer();
  });
  if (purged < ids.length) console.log(`purged ${purged} of ${ids.length} instances`);
}

async function runtimeStatus(id: string): Promise<string | undefined> {
  const res = await fetch(instanceUrl(id)).catch(() => undefined);
  if (!res?.ok) return undefined;
  return ((await res.json()) as { runtimeStatus?: string }).runtimeStatus;
}

const executionsTable = TableClient.fromConnectionString(directStorage, EXECUTIONS_TABLE, {
  allowInsecureConnection: true,
});

/** Executions of `id` that ran: rows written by the orchestrator's first activity. */
async function executions(id: string): Promise<number> {
  let count = 0;
  const rows = executionsTable.listEntities({
    queryOptions: { filter: odata`PartitionKey eq ${id}` },
  });
  try {
    for await (const _row of rows) count++;
  } catch (error) {
    // Before the first execution has run anywhere, the table does not exist yet.
    if ((error as { statusCode?: number }).statusCode !== 404) throw error;
  }
  return count;
}

async function settledExecutions(id: string): Promise<number> {
  const deadline = Date.now() + 30_000;
  while ((await executions(id)) === 0 && Date.now() < deadline) await sleep(250);
  // Give a losing start message time to be run (or dropped) by the engine.
  await sleep(3_000);
  return executions(id);
}

/** Alternates which starter goes first, so machine noise hits both alike. */
const order = (i: number): Starter[] => (i % 2 ? STARTERS : [...STARTERS].reverse());

async function race(): Promise<BurstResult[]> {
  const results: BurstResult[] = [];
  for (let r = 1; r <= params.repeat; r++) {
    for (const starter of order(r)) {
      const id = `bench-race-${runId}-${starter}-${r}`;
      const answers = await Promise.all(
        Array.from({ length: params.burst }, () => post(starter, id, 120, true)),
      );
      const count = (s: number) => answers.filter((a) => a.status === s).length;
      const result: BurstResult = {
        starter,
        repetition: r,
        accepted: count(202),
        conflicts: count(409),
        other: answers.length - count(202) - count(409),
        executions: await settledExecutions(id),
      };
      results.push(result);
      console.log(
        `race ${starter} #${r}: 202×${result.accepted} 409×${result.conflicts} other×${result.other} executions=${result.executions}`,
      );
      await terminate(id);
    }
  }
  return results;
}

/** An instance that runs for an hour, to be refused against. */
async function conflictInstance(label: string): Promise<string> {
  const id = `bench-conflict-${label}-${runId}`;
  const seeded = await post('ours', id, 3600);
  if (seeded.status !== 202)
    throw new Error(`Could not start the conflict instance: ${seeded.status}`);
  await sleep(2_000);
  return id;
}

async function latency(label: string, samples: number): Promise<Record<string, Summary>> {
  const conflictId = await conflictInstance(label);
  const measured: Record<string, number[]> = {};
  const record = (key: string, ms: number) => (measured[key] ??= []).push(ms);
  const fresh: string[] = [];
  for (let i = 0; i < samples; i++) {
    for (const starter of order(i)) {
      const id = `bench-lat-${label}-${runId}-${starter}-${i}`;
      const started = await post(starter, id, 0);
      if (started.status === 202) {
        record(`fresh start/${starter}`, started.ms);
        fresh.push(id);
      }
      const conflict = await post(starter, conflictId, 3600);
      if (conflict.status === 409) record(`conflict/${starter}`, conflict.ms);
    }
  }
  if (label === 'local' && cpu) {
    // Conflicts in blocks of their own, without a start before each: their latency, and the CPU
    // each process spends per conflict answer.
    for (let block = 0; block < 8; block++) {
      for (const starter of order(block)) {
        cpu();
        for (let i = 0; i < 50; i++) {
          const conflict = await post(starter, conflictId, 3600);
          if (conflict.status === 409) record(`conflict alone/${starter}`, conflict.ms);
        }
        for (const [process, ms] of Object.entries(cpu())) {
          const per = (conflictCpu[starter] ??= {});
          per[process] = (per[process] ?? 0) + ms / 400;
        }
      }
    }
  }
  await terminate(conflictId);
  await settle(fresh);
  await purge([...fresh, conflictId]);
  return Object.fromEntries(Object.entries(measured).map(([k, v]) => [k, summarize(v)]));
}

/** CPU per conflict answer by process (ms), from the blocks of conflicts alone. */
const conflictCpu: Partial<Record<Starter, Record<string, number>>> = {};

/**
 * Waits until the last of `ids` (the latest starts) have run to completion, so that the engine's
 * backlog from one round is not left to whichever starter is measured next.
 */
async function settle(ids: string[], boundMs = 120_000): Promise<void> {
  const deadline = Date.now() + boundMs;
  for (const id of ids.slice(-8)) {
    while ((await runtimeStatus(id)) !== 'Completed' && Date.now() < deadline) await sleep(200);
  }
}

async function throughput(
  starter: Starter,
  concurrency: number,
  total: number,
  label: string,
): Promise<ThroughputResult> {
  let next = 0;
  const accepted: string[] = [];
  cpu?.();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        const id = `bench-tp-${label}-${runId}-${starter}-${concurrency}-${i}`;
        if ((await post(starter, id, 0)).status === 202) accepted.push(id);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  // CPU per start: up to the round's runs having completed, so it holds all the work the round
  // caused (the engine running the orchestrations, alike for both starters) and none of another's.
  await settle(accepted);
  const used = cpu?.();
  await purge(accepted);
  const n = Math.max(1, accepted.length);
  const cpuMsPerStart = used
    ? Object.fromEntries(Object.entries(used).map(([k, ms]) => [k, ms / n]))
    : undefined;
  return {
    starter,
    concurrency,
    starts: total,
    accepted: accepted.length,
    seconds,
    perSecond: accepted.length / seconds,
    ...(cpuMsPerStart && { cpuMsPerStart }),
  };
}

async function throughputRounds(label: string): Promise<ThroughputResult[]> {
  const results: ThroughputResult[] = [];
  for (let round = 1; round <= params.rounds; round++) {
    for (const starter of order(round)) {
      const result = await throughput(
        starter,
        params.concurrency,
        params.throughputStarts,
        `${label}${round}`,
      );
      results.push(result);
      console.log(
        `throughput ${label} ${starter} #${round}: ${result.perSecond.toFixed(1)} starts/s`,
      );
    }
  }
  return results;
}

// ---- the storage front: Azurite, and per service a fault proxy and a counting tap ----------------

interface StorageFront {
  readonly pid: number;
  readonly ports: { blob: number; queue: number; table: number };
  setLatency(ms: number): Promise<void>;
  counts(): Promise<Record<string, number>>;
  stop(): void;
}

async function startAzurite(): Promise<ChildProcess> {
  const log = openSync(join(root, 'bench', 'results', 'azurite.log'), 'w');
  const { command, args } = azuriteCommand(root, azuritePorts(azuritePort));
  const azurite = spawn(command, args, { cwd: root, stdio: ['ignore', log, log] });
  const service = BlobServiceClient.fromConnectionString(directStorage);
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (azurite.exitCode !== null)
      throw new Error('Azurite exited; see bench/results/azurite.log.');
    if (
      await service.getProperties().then(
        () => true,
        () => false,
      )
    )
      return azurite;
    if (Date.now() > deadline) throw new Error('Azurite did not answer within 60 s.');
    await sleep(500);
  }
}

async function startStorageFront(): Promise<StorageFront> {
  const child = fork(
    join(__dirname, 'storageFront.js'),
    [String(azuritePort), String(azuritePort + 1), String(azuritePort + 2), LOCK_CONTAINER],
    { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  const ports = await new Promise<StorageFront['ports']>((resolve, reject) => {
    child.once('message', (m: { ready?: StorageFront['ports'] }) =>
      m.ready ? resolve(m.ready) : reject(new Error('The storage front did not start.')),
    );
    child.once('exit', () => reject(new Error('The storage front exited.')));
  });
  let nextId = 0;
  const ask = <T>(message: object): Promise<T> =>
    new Promise((resolve) => {
      const id = ++nextId;
      const onMessage = (m: { id?: number; result: T }) => {
        if (m.id !== id) return;
        child.off('message', onMessage);
        resolve(m.result);
      };
      child.on('message', onMessage);
      child.send({ id, ...message });
    });
  return {
    pid: child.pid!,
    ports,
    setLatency: async (latencyMs) => void (await ask<number>({ latencyMs })),
    counts: () => ask<Record<string, number>>({ counts: true }),
    stop: () => child.kill('SIGTERM'),
  };
}

async function startLocalHost(storage: string): Promise<ChildProcess> {
  const log = openSync(join(root, 'bench', 'results', 'host.log'), 'w');
  const extra = [
    'dist/tools/sample-starter/sampleHttpStartSingle.js',
    'dist/bench/functions/benchHold.js',
    'dist/bench/functions/benchMemory.js',
  ]
    .map((p) => join(root, p))
    .join(delimiter);
  const host = spawn(process.execPath, [join(root, 'scripts', 'host-local.mjs')], {
    cwd: root,
    env: {
      ...env,
      AzureWebJobsStorage: storage,
      LOCAL_HOST_APP_MAIN: BENCH_APP_MAIN,
      LOCAL_HOST_EXTRA_FUNCTIONS: extra,
    },
    stdio: ['ignore', log, log],
  });
  // Up to 600 s: the engine is rebuilt when its generated stubs changed (after the cold section).
  const deadline = Date.now() + 600_000;
  for (;;) {
    if (host.exitCode !== null)
      throw new Error('The local host exited; see bench/results/host.log.');
    if (Date.now() > deadline) throw new Error('The local host did not become ready in 600 s.');
    const answered = await fetch(`${baseUrl}/`).then(
      () => true,
      () => false,
    );
    if (answered) return host;
    await sleep(1_000);
  }
}

// ---- requests per start and per conflict, counted at the tap ---------------------------------------

const diff = (a: Record<string, number>, b: Record<string, number>, key: string) =>
  (b[key] ?? 0) - (a[key] ?? 0);

async function countedRequest(
  front: StorageFront,
  starter: Starter,
  id: string,
  holdSeconds: number,
  expected: number,
): Promise<Record<string, number> | undefined> {
  const before = await front.counts();
  const { status } = await post(starter, id, holdSeconds);
  const atAnswer = await front.counts();
  await sleep(300);
  const after = await front.counts();
  if (status !== expected) return undefined;
  const counted: Record<string, number> = { lock: diff(before, after, 'lock') };
  for (const c of Object.keys(atAnswer)) {
    if (c === 'lock' || c.endsWith(' requests')) continue;
    counted[c] = diff(before, atAnswer, c);
  }
  counted.total = STARTER_CATEGORIES.reduce((a, c) => a + (counted[c] ?? 0), 0);
  counted["not the starter's"] = Object.entries(counted)
    .filter(([c]) => c !== 'total' && !STARTER_CATEGORIES.includes(c))
    .reduce((a, [, n]) => a + n, 0);
  return counted;
}

async function requestCounts(front: StorageFront): Promise<CountedRequests> {
  const samples: Record<string, Record<string, number>[]> = {};
  const add = (key: string, c: Record<string, number> | undefined) => {
    if (c) (samples[key] ??= []).push(c);
  };
  for (let i = 0; i < params.requestSamples; i++) {
    for (const starter of order(i)) {
      const id = `bench-req-${runId}-${starter}-${i}`;
      add(`fresh start/${starter}`, await countedRequest(front, starter, id, 0, 202));
      // The started orchestration runs now, outside the next window.
      for (let w = 0; w < 20 && (await runtimeStatus(id)) !== 'Completed'; w++) await sleep(100);
      await sleep(200);
    }
  }
  const conflictId = await conflictInstance('req');
  for (let i = 0; i < params.requestSamples; i++) {
    for (const starter of order(i)) {
      add(`conflict/${starter}`, await countedRequest(front, starter, conflictId, 3600, 409));
    }
  }
  await terminate(conflictId);
  const result: CountedRequests = {};
  for (const [key, list] of Object.entries(samples)) {
    const categories = [...new Set(list.flatMap((s) => Object.keys(s)))];
    result[key] = {
      n: list.length,
      median: Object.fromEntries(categories.map((c) => [c, median(list.map((s) => s[c] ?? 0))])),
      mean: Object.fromEntries(
        categories.map((c) => [c, list.reduce((a, s) => a + (s[c] ?? 0), 0) / list.length]),
      ),
    };
    console.log(`requests ${key}: ${JSON.stringify(result[key]!.median)}`);
  }
  return result;
}

// ---- scaling: existing instances and lock blobs; the app's memory ---------------------------------

async function memory(): Promise<Memory | undefined> {
  const res = await fetch(`${baseUrl}/api/bench/memory`).catch(() => undefined);
  if (!res?.ok) return undefined;
  return { ...((await res.json()) as Omit<Memory, 'requestsServed'>), requestsServed };
}

/** Lock blobs in the container and instances in the task hub, counted in storage. */
async function countStored(): Promise<{ lockBlobs: number; instances: number }> {
  let lockBlobs = 0;
  const container =
    BlobServiceClient.fromConnectionString(directStorage).getContainerClient(LOCK_CONTAINER);
  for await (const page of container.listBlobsFlat().byPage({ maxPageSize: 5000 })) {
    lockBlobs += page.segment.blobItems.length;
  }
  let instances = 0;
  const table = TableClient.fromConnectionString(directStorage, `${TASK_HUB}Instances`, {
    allowInsecureConnection: true,
  });
  for await (const page of table
    .listEntities({ queryOptions: { select: ['PartitionKey'] } })
    .byPage({ maxPageSize: 1000 })) {
    instances += page.length;
  }
  return { lockBlobs, instances };
}

async function freshLatencyAt(level: number): Promise<ExistingPoint[]> {
  const stored = await countStored();
  const measured: Record<Starter, number[]> = { ours: [], sample: [] };
  for (let i = 0; i < params.existingSamples; i++) {
    for (const starter of order(i)) {
      const fresh = await post(starter, `bench-ex-${level}-${runId}-${starter}-${i}`, 0);
      if (fresh.status === 202) measured[starter].push(fresh.ms);
    }
  }
  return STARTERS.map((starter) => {
    const s = summarize(measured[starter]);
    console.log(
      `existing ~${level} (${stored.instances} instances, ${stored.lockBlobs} lock blobs) ${starter}: p50 ${s.p50.toFixed(1)} ms`,
    );
    return { level, ...stored, leftoverLockBlobs: leftoverLockBlobs.length, starter, ...s };
  });
}

/** Lock blobs the bench wrote directly, as a crashed holder leaves them, and not yet removed. */
const leftoverLockBlobs: string[] = [];

/**
 * Our lock deletes its blob on release, so the container holds only the locks held now and those
 * crashed holders left behind: the bench writes `target` such blobs directly, under names no start
 * uses, so that a start's create meets a container of that size; returns the seconds it took.
 */
async function seedLockBlobs(target: number): Promise<number> {
  const started = performance.now();
  const container =
    BlobServiceClient.fromConnectionString(directStorage).getContainerClient(LOCK_CONTAINER);
  await container.createIfNotExists();
  const names = Array.from(
    { length: Math.max(0, target - leftoverLockBlobs.length) },
    (_, i) =>
      `${TASK_HUB.toLowerCase()}/left-by-a-crashed-holder-${runId}-${leftoverLockBlobs.length + i}`,
  );
  await few(names, (name) => container.getBlockBlobClient(name).upload('', 0));
  leftoverLockBlobs.push(...names);
  return (performance.now() - started) / 1000;
}

/** Removes the leftover lock blobs again, so that what is measured next meets a clean container. */
async function removeLockBlobs(): Promise<number> {
  const started = performance.now();
  const container =
    BlobServiceClient.fromConnectionString(directStorage).getContainerClient(LOCK_CONTAINER);
  await few(leftoverLockBlobs.splice(0), (name) => container.getBlockBlobClient(name).delete());
  return (performance.now() - started) / 1000;
}

/**
 * Starts through our starter until the task hub holds `target` instances (counted in storage:
 * a start that timed out may or may not have made one), letting the engine run them; returns the
 * starts made and the seconds it took.
 */
async function seedTo(target: number): Promise<{ starts: number; seconds: number }> {
  const started = performance.now();
  let starts = 0;
  for (let stored = (await countStored()).instances; stored < target;) {
    const batch = target - stored;
    let next = 0;
    const last: string[] = [];
    await Promise.all(
      Array.from({ length: params.seedConcurrency }, async () => {
        while (next < batch) {
          const id = `bench-seed-${runId}-${target}-${starts + next++}`;
          await post('ours', id, 0);
          if (next > batch - 10) last.push(id);
        }
      }),
    );
    starts += batch;
    // Let the engine run what was started, so the measurement after does not compete with it.
    await settle(last, 300_000);
    const now = (await countStored()).instances;
    if (now <= stored) break;
    stored = now;
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(`seeded ${starts} instances in ${seconds.toFixed(0)} s`);
  return { starts, seconds };
}

/**
 * Fresh-start latency at `level` instances: with no lock blobs left in the container, then with
 * `level` leftover ones, which are removed again afterwards.
 */
async function existingAt(level: number, report: Report): Promise<void> {
  const seeding = level > 0 ? await seedTo(level) : undefined;
  report.existing.push(...(await freshLatencyAt(level)));
  if (level === 0) return;
  const lockBlobSeconds = await seedLockBlobs(level);
  report.existing.push(...(await freshLatencyAt(level)));
  const removalSeconds = await removeLockBlobs();
  report.seeding!.push({
    target: level,
    ...(seeding ?? { starts: 0, seconds: 0 }),
    lockBlobSeconds,
    removalSeconds,
  });
}

// ---- cold start: a fresh process loading the app, and a launch until the first 202 --------------

/** The environment of the cold runs: no telemetry destination, no module search paths. */
function coldEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = { ...env, ...extra };
  for (const name of [
    'APPLICATIONINSIGHTS_CONNECTION_STRING',
    'OTEL_EXPORTER_OTLP_ENDPOINT',
    'NODE_OPTIONS',
    'NODE_PATH',
    'LOCAL_HOST_EXTRA_FUNCTIONS',
  ])
    delete clean[name];
  return clean;
}

interface ColdApp {
  /** Where the app's package.json is: the probe runs there. */
  dir: string;
  modules: string[];
  what: string;
}

/**
 * The two apps a fresh process loads: ours as deployed (dist/package, staged by
 * scripts/package-stage.mjs: the app compiled from src/ alone with the production dependencies
 * only), and a bare app beside it holding only the sample's starter, on the same dependencies.
 */
function coldApps(dir: string): Record<Starter, ColdApp> {
  const stage = spawnSync(process.execPath, [join(root, 'scripts', 'package-stage.mjs')], {
    cwd: root,
    encoding: 'utf8',
  });
  writeFileSync(join(dir, 'package-stage.log'), `${stage.stdout}${stage.stderr}`);
  if (stage.status !== 0)
    throw new Error('Staging the package failed; see bench/results/package-stage.log.');
  const packaged = join(root, 'dist', 'package');
  const { main } = JSON.parse(readFileSync(join(packaged, 'package.json'), 'utf8')) as {
    main: string;
  };
  const bare = join(root, 'dist', 'bench', 'bare-app');
  rmSync(bare, { recursive: true, force: true });
  mkdirSync(bare, { recursive: true });
  copyFileSync(
    join(root, 'dist', 'tools', 'sample-starter', 'sampleHttpStartSingle.js'),
    join(bare, 'sampleHttpStartSingle.js'),
  );
  writeFileSync(join(bare, 'package.json'), '{ "main": "sampleHttpStartSingle.js" }\n');
  symlinkSync(join(packaged, 'node_modules'), join(bare, 'node_modules'), 'dir');
  return {
    ours: {
      dir: packaged,
      modules: expandGlob(main, packaged),
      what: `the staged package (dist/package): \`main\` ${main}, production dependencies only`,
    },
    sample: {
      dir: bare,
      modules: [join(bare, 'sampleHttpStartSingle.js')],
      what: "a bare app of the sample's starter alone (tools/sample-starter), on the same dependencies",
    },
  };
}

interface Probe {
  beganMs: number;
  loadedMs: number;
  files: number;
  functions: number;
}

function probe(app: ColdApp): Probe {
  const run = spawnSync(process.execPath, [join(__dirname, 'coldProbe.js')], {
    cwd: app.dir,
    encoding: 'utf8',
    env: coldEnv({
      COLD_CORE: join(root, 'dist', 'tools', 'functions-core', 'index.js'),
      COLD_MODULES: JSON.stringify(app.modules),
    }),
  });
  if (run.status !== 0) throw new Error(`The cold probe failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as Probe;
}

/** The cold launch running now, if any: stopped on an interrupt. */
let coldHost: ChildProcess | undefined;

/** The launch's app: ours or the bare one, from one module (bench/functions/coldApp.ts). */
const COLD_APP_MAIN = 'dist/bench/functions/coldApp.js';
const COLD_LAUNCH: Record<Starter, string> = {
  ours: "the app's entry point and HTTP starter (src/index.ts, src/functions/httpStartSingle.ts)",
  sample: "the sample's starter alone",
};

/**
 * Launches the local host (launcher, engine and bridge; the engine already built, the bench's
 * Azurite as storage) with `app`, and POSTs a start every 50 ms from the spawn until one is
 * answered 202; then stops it. Returns ms from the spawn to the first answer and to the 202.
 */
async function launchUntil202(
  app: Starter,
  storage: string,
  label: string,
): Promise<{ firstAnswerMs: number; first202Ms: number }> {
  const log = openSync(join(root, 'bench', 'results', 'cold-launch.log'), 'a');
  const started = performance.now();
  const host = (coldHost = spawn(process.execPath, [join(root, 'scripts', 'host-local.mjs')], {
    cwd: root,
    env: coldEnv({
      AzureWebJobsStorage: storage,
      LOCAL_HOST_APP_MAIN: COLD_APP_MAIN,
      BENCH_COLD_APP: app === 'ours' ? 'ours' : 'bare',
      AzureFunctionsJobHost__extensions__durableTask__hubName: 'ColdHub',
    }),
    stdio: ['ignore', log, log],
  }));
  const prefix = app === 'sample' ? '/api/sample/orchestrators' : '/api/orchestrators';
  let firstAnswerMs: number | undefined;
  try {
    for (let attempt = 0; ; attempt++) {
      if (host.exitCode !== null)
        throw new Error(
          'The local host exited in a cold launch; see bench/results/cold-launch.log.',
        );
      if (performance.now() - started > 600_000)
        throw new Error('A cold launch did not answer 202 in 600 s.');
      const id = `cold-${runId}-${label}-${attempt}`;
      const status = await fetch(`${baseUrl}${prefix}/coldHold/${id}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: 'null',
        signal: AbortSignal.timeout(10_000),
      }).then(
        async (res) => {
          await res.arrayBuffer();
          return res.status;
        },
        () => 0,
      );
      const ms = performance.now() - started;
      if (status !== 0) firstAnswerMs ??= ms;
      if (status === 202) return { firstAnswerMs: firstAnswerMs!, first202Ms: ms };
      await sleep(50);
    }
  } finally {
    if (host.exitCode === null) {
      const exited = new Promise((resolve) => host.once('exit', resolve));
      host.kill('SIGTERM');
      await exited;
    }
  }
}

async function coldStart(storage: string | undefined): Promise<ColdStart> {
  const dir = join(root, 'bench', 'results');
  const apps = coldApps(dir);
  const cold: ColdStart = {
    apps: {
      ours: { load: apps.ours.what, files: 0, functions: 0 },
      sample: { load: apps.sample.what, files: 0, functions: 0 },
    },
    began: { ours: [], sample: [] },
    load: { ours: [], sample: [] },
    loaded: { ours: [], sample: [] },
  };
  // Two unmeasured runs each first: the files in the page cache for both alike.
  for (let i = -2; i < params.coldRuns; i++) {
    for (const starter of order(i + 2)) {
      const p = probe(apps[starter]);
      cold.apps[starter].files = p.files;
      cold.apps[starter].functions = p.functions;
      if (i < 0) continue;
      cold.began[starter].push(p.beganMs);
      cold.load[starter].push(p.loadedMs - p.beganMs);
      cold.loaded[starter].push(p.loadedMs);
    }
  }
  const p50 = (s: Starter) => median(cold.load[s]).toFixed(0);
  console.log(`cold load: entry points loaded in ${p50('ours')} / ${p50('sample')} ms (p50)`);
  if (!storage) return cold;
  writeFileSync(join(dir, 'cold-launch.log'), '');
  cold.firstAnswer = { ours: [], sample: [] };
  cold.first202 = { ours: [], sample: [] };
  for (const starter of STARTERS) cold.apps[starter].launch = COLD_LAUNCH[starter];
  // One unmeasured launch each first: it builds the engine, whose stubs changed since the last
  // launch of another app, and puts both apps' files in the page cache.
  for (let i = -1; i < params.coldLaunches; i++) {
    for (const starter of order(i + 1)) {
      const launch = await launchUntil202(starter, storage, `${starter}${i}`);
      await sleep(2_000);
      if (i < 0) continue;
      cold.firstAnswer[starter].push(launch.firstAnswerMs);
      cold.first202[starter].push(launch.first202Ms);
      console.log(
        `cold launch ${starter} #${i + 1}: first 202 after ${launch.first202Ms.toFixed(0)} ms`,
      );
    }
  }
  return cold;
}

// ---- main -----------------------------------------------------------------------------------------

function targets(report: Report): string[] {
  const lines: string[] = [];
  const ours = report.race.filter((r) => r.starter === 'ours');
  const sample = report.race.filter((r) => r.starter === 'sample');
  if (ours.length) {
    lines.push(
      `Race, ours: exactly one 202 in ${ours.filter((r) => r.accepted === 1).length}/${ours.length} bursts, exactly one execution in ${ours.filter((r) => r.executions === 1).length}/${ours.length} (target: all).`,
      `Race, sample: more than one 202 in ${sample.filter((r) => r.accepted > 1).length}/${sample.length} bursts (up to ${Math.max(...sample.map((r) => r.accepted))} callers told "started"); more than one execution in ${sample.filter((r) => r.executions > 1).length}/${sample.length}.`,
    );
  }
  const check = (what: string, value: number, limit: number, atMost: boolean) =>
    `${what} = ${value.toFixed(2)}× (target ${atMost ? '≤' : '≥'} ${limit.toFixed(1)}×): ${(atMost ? value <= limit : value >= limit) ? 'met' : '**missed**'}.`;
  for (const [label, lat] of Object.entries(report.latency)) {
    const r = (measure: string, p: 'p50' | 'p99') =>
      lat[`${measure}/ours`]![p] / lat[`${measure}/sample`]![p];
    const where = label === 'cloud' ? `, +${params.cloudLatencyMs} ms storage latency` : '';
    lines.push(check(`Fresh start p50${where}, ours / sample`, r('fresh start', 'p50'), 1, true));
    lines.push(check(`Fresh start p99${where}, ours / sample`, r('fresh start', 'p99'), 1.2, true));
    lines.push(check(`Conflict p50${where}, ours / sample`, r('conflict', 'p50'), 1, true));
  }
  for (const [label, rounds] of Object.entries(report.throughput)) {
    const mean = (s: Starter) => {
      const own = rounds.filter((t) => t.starter === s);
      return own.reduce((a, t) => a + t.perSecond, 0) / own.length;
    };
    const where = label === 'cloud' ? `, +${params.cloudLatencyMs} ms storage latency` : '';
    lines.push(
      check(
        `Throughput at concurrency ${params.concurrency}${where}, ours / sample`,
        mean('ours') / mean('sample'),
        1,
        false,
      ),
    );
  }
  return lines;
}

async function main(): Promise<void> {
  const dir = join(root, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const stops: Array<() => Promise<void> | void> = [];
  // Interrupted: stop what was started (the host, the storage front, Azurite), then leave.
  const interrupt = () => {
    void (async () => {
      for (const stop of stops.reverse()) await stop();
      process.exit(130);
    })();
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  let front: StorageFront | undefined;
  const loads: number[] = [];
  const sampleLoad = setInterval(() => loads.push(loadavg()[0]!), 10_000);
  // Only the cold section launches its own hosts.
  const measuresHost = [...sections].some((s) => s !== 'cold');
  try {
    let cold: ColdStart | undefined;
    let azurite: ChildProcess | undefined;
    if (!external) {
      azurite = await startAzurite();
      stops.push(() => void azurite!.kill('SIGTERM'));
      stops.push(() => void coldHost?.kill('SIGTERM'));
      // First, before the bench's own host is launched on the same ports.
      if (sections.has('cold')) cold = await coldStart(directStorage);
    }
    if (azurite && measuresHost) {
      front = await startStorageFront();
      stops.push(() => front!.stop());
      const { blob, queue, table } = front.ports;
      const host = await startLocalHost(connectionString(blob, queue, table));
      const parts = children(host.pid!);
      const pidOf = (pattern: RegExp) => parts.find((p) => pattern.test(p.command))?.pid ?? 0;
      cpu = cpuMeter({
        app: pidOf(/local-host\/(bridge|main)\.js/),
        engine: pidOf(/LocalHost\.Engine/),
        azurite: azurite.pid!,
        proxies: front.pid,
        'load generator': process.pid,
      });
      stops.push(async () => {
        if (host.exitCode !== null) return;
        const exited = new Promise((resolve) => host.once('exit', resolve));
        host.kill('SIGTERM');
        await exited;
      });
    }
    console.log(`Benchmarking ${baseUrl}: ${[...sections].join(', ')}; ${JSON.stringify(params)}`);
    const report: Report = {
      date: new Date().toISOString(),
      target:
        external ?? 'local real-engine host (Durable extension + Azurite), no Functions host hop',
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? 'unknown',
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        node: process.version,
        loadAverage: [],
      },
      params,
      sections: [...sections],
      race: [],
      latency: {},
      throughput: {},
      concurrency: [],
      existing: [],
      targets: [],
    };
    if (external && sections.has('cold')) cold = await coldStart(undefined);
    if (cold) report.cold = cold;
    // Warm-up: the first requests of each starter pay for connections and JIT.
    if (measuresHost) {
      for (let i = 0; i < 10; i++)
        for (const s of STARTERS) await post(s, `bench-warm-${runId}-${s}-${i}`, 0);
    }
    report.memory = { afterWarmUp: measuresHost ? await memory() : undefined };
    // The small levels are measured first, on a task hub with nothing else in it yet; the large
    // ones last, after the other sections' starts.
    const early = EXISTING_LEVELS.filter((level) => level <= 1_000);
    const late = EXISTING_LEVELS.filter((level) => level > 1_000);
    report.seeding = [];
    if (sections.has('existing')) for (const level of early) await existingAt(level, report);
    if (sections.has('race')) report.race = await race();
    if (sections.has('latency')) {
      report.latency.local = await latency('local', params.latencySamples);
      if (conflictCpu.ours) report.conflictCpu = conflictCpu;
    }
    if (sections.has('throughput')) report.throughput.local = await throughputRounds('local');
    if (front && sections.has('cloud')) {
      await front.setLatency(params.cloudLatencyMs);
      report.latency.cloud = await latency('cloud', params.latencySamples);
      report.throughput.cloud = await throughputRounds('cloud');
      await front.setLatency(0);
    }
    if (front && sections.has('requests')) report.requests = await requestCounts(front);
    if (sections.has('concurrency')) {
      for (const c of CONCURRENCY_LEVELS) {
        for (let round = 1; round <= params.concurrencyRounds; round++) {
          for (const starter of order(round)) {
            const starts = Math.max(params.throughputStarts, 5 * c);
            const result = await throughput(starter, c, starts, `c${round}`);
            report.concurrency.push(result);
            console.log(
              `concurrency ${c} ${starter} #${round}: ${result.perSecond.toFixed(1)} starts/s`,
            );
          }
        }
      }
    }
    if (sections.has('existing')) {
      for (const level of late) await existingAt(level, report);
      report.memory.afterSeeding = await memory();
    }
    if (sections.has('operator')) {
      report.operator = await operatorBench({
        baseUrl,
        directStorage,
        taskHub: TASK_HUB,
        orchestrator: ORCHESTRATOR,
        runId,
        instances: params.operatorInstances,
        backendTimeoutMs: Number(env.SINGLETON_BACKEND_TIMEOUT_MS ?? 5_000),
        start: async (id) => (await post('ours', id, 0)).status,
        runtimeStatus,
      });
    }
    clearInterval(sampleLoad);
    report.machine.loadAverage = loads;
    report.targets = targets(report);
    const md = markdown(report);
    writeFileSync(resolve(dir, `${OUT}.md`), md);
    writeFileSync(resolve(dir, `${OUT}.json`), JSON.stringify(report, null, 2) + '\n');
    writeFileSync(resolve(dir, `${OUT}.png`), await renderPlot(report));
    console.log('\n' + md);
  } finally {
    clearInterval(sampleLoad);
    for (const stop of stops.reverse()) await stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
