/**
 * `npm run bench`: our starter against the sample's check-then-start logic, on the real Durable
 * engine (the local host, or E2E_BASE_URL), in one run:
 *   1. race: bursts of N simultaneous starts of one fresh ID, R times, counting answers and the
 *      orchestration executions that actually ran (each records itself in a table);
 *   2. latency: a start on a fresh ID and a conflict answer, both starters interleaved;
 *   3. throughput: starts per second on distinct IDs at concurrency C.
 * Prints a table and writes bench/results/latest.{md,json}.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, openSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { delimiter, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { odata, TableClient } from '@azure/data-tables';
import { azuriteConnectionString, azuritePorts } from '../tools/azurite';
import { EXECUTIONS_TABLE } from './executions';
import { summarize, type Summary } from './stats';

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
  latencySamples: int('BENCH_LATENCY_SAMPLES', 100),
  concurrency: int('BENCH_CONCURRENCY', 16),
  throughputStarts: int('BENCH_THROUGHPUT_STARTS', 160),
};
const baseUrl = (env.E2E_BASE_URL ?? 'http://localhost:7071').replace(/\/$/, '');
// The local host's Azurite (LOCAL_HOST_AZURITE_PORT), unless the run targets other storage.
const storage =
  env.BENCH_STORAGE_CONNECTION ??
  azuriteConnectionString(azuritePorts(Number(env.LOCAL_HOST_AZURITE_PORT ?? 10000)));
const runId = randomUUID().slice(0, 8);

type Starter = 'ours' | 'sample';
const STARTERS: Starter[] = ['ours', 'sample'];
const ORCHESTRATOR = 'benchHold';

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

async function terminate(id: string): Promise<void> {
  await fetch(
    `${baseUrl}/runtime/webhooks/durabletask/instances/${encodeURIComponent(id)}/terminate?reason=bench`,
    {
      method: 'POST',
    },
  ).catch(() => undefined);
}

const executionsTable = TableClient.fromConnectionString(storage, EXECUTIONS_TABLE, {
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

interface BurstResult {
  starter: Starter;
  repetition: number;
  accepted: number;
  conflicts: number;
  other: number;
  executions: number;
}

async function race(): Promise<BurstResult[]> {
  const results: BurstResult[] = [];
  for (let r = 1; r <= params.repeat; r++) {
    for (const starter of r % 2 ? STARTERS : [...STARTERS].reverse()) {
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

async function latency(): Promise<Record<string, Summary>> {
  const conflictId = `bench-conflict-${runId}`;
  const seeded = await post('ours', conflictId, 3600);
  if (seeded.status !== 202)
    throw new Error(`Could not start the conflict instance: ${seeded.status}`);
  await sleep(2_000);
  const samples: Record<string, number[]> = {};
  const record = (key: string, ms: number) => (samples[key] ??= []).push(ms);
  for (let i = 0; i < params.latencySamples; i++) {
    // Interleaved, in an order that alternates, so machine noise hits both starters alike.
    const order = i % 2 ? STARTERS : [...STARTERS].reverse();
    for (const starter of order) {
      const fresh = await post(starter, `bench-lat-${runId}-${starter}-${i}`, 0);
      if (fresh.status === 202) record(`fresh start/${starter}`, fresh.ms);
      const conflict = await post(starter, conflictId, 3600);
      if (conflict.status === 409) record(`conflict/${starter}`, conflict.ms);
    }
  }
  await terminate(conflictId);
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, summarize(v)]));
}

interface ThroughputResult {
  starter: Starter;
  starts: number;
  accepted: number;
  seconds: number;
  perSecond: number;
}

async function throughput(starter: Starter, round: number): Promise<ThroughputResult> {
  let next = 0;
  let accepted = 0;
  const total = params.throughputStarts;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: params.concurrency }, async () => {
      while (next < total) {
        const i = next++;
        if ((await post(starter, `bench-tp-${runId}-${starter}-${round}-${i}`, 0)).status === 202)
          accepted++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { starter, starts: total, accepted, seconds, perSecond: accepted / seconds };
}

async function startLocalHost(): Promise<ChildProcess> {
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  const log = openSync(join(root, 'bench', 'results', 'host.log'), 'w');
  const extra = [
    'dist/tools/sample-starter/sampleHttpStartSingle.js',
    'dist/bench/functions/benchHold.js',
  ]
    .map((p) => join(root, p))
    .join(delimiter);
  const host = spawn(process.execPath, [join(root, 'scripts', 'host-local.mjs')], {
    cwd: root,
    env: { ...env, LOCAL_HOST_EXTRA_FUNCTIONS: extra },
    stdio: ['ignore', log, log],
  });
  const deadline = Date.now() + 300_000;
  for (;;) {
    if (host.exitCode !== null)
      throw new Error('The local host exited; see bench/results/host.log.');
    if (Date.now() > deadline) throw new Error('The local host did not become ready in 300 s.');
    const answered = await fetch(`${baseUrl}/`).then(
      () => true,
      () => false,
    );
    if (answered) return host;
    await sleep(1_000);
  }
}

function markdown(report: Report): string {
  const lines: string[] = [];
  const { machine } = report;
  lines.push(`# Benchmark: singleton starter vs the sample's check-then-start`, '');
  lines.push(
    `${report.date} · ${machine.cpus} × ${machine.cpuModel} · ${machine.memoryGiB} GiB · Node ${machine.node} · ${report.target}`,
    '',
  );
  lines.push(
    `## 1. Race: ${params.burst} simultaneous starts of one fresh ID, ${params.repeat} bursts per starter`,
    '',
  );
  lines.push(
    '| starter | bursts with exactly one 202 | 202 per burst (min–max) | 409 per burst (min–max) | other | executions per burst (min–max) | bursts with exactly one execution |',
  );
  lines.push('| --- | --- | --- | --- | --- | --- | --- |');
  for (const starter of STARTERS) {
    const rows = report.race.filter((r) => r.starter === starter);
    const range = (f: (r: BurstResult) => number) =>
      `${Math.min(...rows.map(f))}–${Math.max(...rows.map(f))}`;
    lines.push(
      `| ${starter} | ${rows.filter((r) => r.accepted === 1).length}/${rows.length} | ${range((r) => r.accepted)} | ${range((r) => r.conflicts)} | ${rows.reduce((a, r) => a + r.other, 0)} | ${range((r) => r.executions)} | ${rows.filter((r) => r.executions === 1).length}/${rows.length} |`,
    );
  }
  lines.push('', `## 2. Latency (ms), ${params.latencySamples} samples each, interleaved`, '');
  lines.push(
    '| measure | starter | n | p50 | p95 | p99 |',
    '| --- | --- | --- | --- | --- | --- |',
  );
  for (const [key, s] of Object.entries(report.latency)) {
    const [measure, starter] = key.split('/');
    lines.push(
      `| ${measure} | ${starter} | ${s.n} | ${s.p50.toFixed(1)} | ${s.p95.toFixed(1)} | ${s.p99.toFixed(1)} |`,
    );
  }
  lines.push(
    '',
    `## 3. Throughput: ${params.throughputStarts} starts on distinct IDs at concurrency ${params.concurrency}`,
    '',
  );
  lines.push('| starter | round | 202s | seconds | starts/s |', '| --- | --- | --- | --- | --- |');
  report.throughput.forEach((t, i) =>
    lines.push(
      `| ${t.starter} | ${Math.floor(i / 2) + 1} | ${t.accepted}/${t.starts} | ${t.seconds.toFixed(2)} | ${t.perSecond.toFixed(1)} |`,
    ),
  );
  lines.push('', '## Against the targets', '');
  for (const t of report.targets) lines.push(`- ${t}`);
  return lines.join('\n') + '\n';
}

interface Report {
  date: string;
  target: string;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string };
  params: typeof params;
  race: BurstResult[];
  latency: Record<string, Summary>;
  throughput: ThroughputResult[];
  targets: string[];
}

function targets(report: Omit<Report, 'targets'>): string[] {
  const ours = report.race.filter((r) => r.starter === 'ours');
  const sample = report.race.filter((r) => r.starter === 'sample');
  const ratio = (measure: string) =>
    report.latency[`${measure}/ours`]!.p50 / report.latency[`${measure}/sample`]!.p50;
  const conflict = ratio('conflict');
  const fresh = ratio('fresh start');
  return [
    `Race, ours: exactly one 202 in ${ours.filter((r) => r.accepted === 1).length}/${ours.length} bursts, exactly one execution in ${ours.filter((r) => r.executions === 1).length}/${ours.length} (target: all).`,
    `Race, sample: more than one 202 in ${sample.filter((r) => r.accepted > 1).length}/${sample.length} bursts (up to ${Math.max(...sample.map((r) => r.accepted))} callers told "started"); more than one execution in ${sample.filter((r) => r.executions > 1).length}/${sample.length}.`,
    `Conflict answer p50, ours / sample = ${conflict.toFixed(2)}× (target ≤ 1.1×): ${conflict <= 1.1 ? 'met' : 'missed'}.`,
    `Fresh start p50, ours / sample = ${fresh.toFixed(2)}× (target ≤ 1.5×): ${fresh <= 1.5 ? 'met' : 'missed'}.`,
  ];
}

async function main(): Promise<void> {
  const host = env.E2E_BASE_URL ? undefined : await startLocalHost();
  try {
    console.log(`Benchmarking ${baseUrl} with ${JSON.stringify(params)}`);
    const raceResults = await race();
    const latencyResults = await latency();
    const throughputResults: ThroughputResult[] = [];
    for (let round = 1; round <= 2; round++) {
      for (const starter of round % 2 ? STARTERS : [...STARTERS].reverse()) {
        throughputResults.push(await throughput(starter, round));
      }
    }
    const partial = {
      date: new Date().toISOString(),
      target: env.E2E_BASE_URL ? baseUrl : 'local real-engine host (Durable extension + Azurite)',
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? 'unknown',
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        node: process.version,
      },
      params,
      race: raceResults,
      latency: latencyResults,
      throughput: throughputResults,
    };
    const report: Report = { ...partial, targets: targets(partial) };
    const md = markdown(report);
    const dir = join(root, 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'latest.md'), md);
    writeFileSync(join(dir, 'latest.json'), JSON.stringify(report, null, 2) + '\n');
    console.log('\n' + md);
  } finally {
    if (host && host.exitCode === null) {
      const exited = new Promise((resolve) => host.once('exit', resolve));
      host.kill('SIGTERM');
      await exited;
    }
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
