/** The benchmark's report as Markdown (bench/results/latest.md). */
import type { OperatorBenchResult } from './operatorBench';
import { summarize } from './stats';
import {
  STARTER_CATEGORIES,
  STARTERS,
  type BurstResult,
  type ColdStart,
  type Report,
  type Starter,
} from './types';

const f1 = (n: number) => n.toFixed(1);
const f2 = (n: number) => n.toFixed(2);
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

function table(header: string[], rows: (string | number)[][]): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
}

const meanOf = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

export function markdown(report: Report): string {
  const { machine, params } = report;
  const out: string[] = [];
  const load = machine.loadAverage;
  out.push(`# Benchmark: singleton starter vs the sample's check-then-start`, '');
  out.push(
    `${report.date} · ${machine.cpus} × ${machine.cpuModel} · ${machine.memoryGiB} GiB · Node ${machine.node} · ${report.target}`,
    '',
    `Sections: ${report.sections.join(', ')}. Load average during the run (1 min): ${load.length ? `${f1(Math.min(...load))}–${f1(Math.max(...load))}` : 'n/a'}.`,
    '',
    `All latencies are measured at the local host's front door: there is no Functions host hop in front of the app, so in Azure each figure is higher by the same amount for both starters. Storage is Azurite behind a TCP proxy per service (the fault proxy of tools/fault-proxy and a counting tap), in every section; "cloud" adds ${params.cloudLatencyMs} ms (±20 %) each way to every storage request, for both starters and the engine alike.`,
    '',
  );
  if (report.cold) out.push(...coldSection(report.cold));
  if (report.operator) out.push(...operatorSection(report.operator));
  if (report.race.length) {
    out.push(
      `## Race: ${params.burst} simultaneous starts of one fresh ID, ${params.repeat} bursts per starter`,
      '',
    );
    out.push(
      ...table(
        [
          'starter',
          'bursts with exactly one 202',
          '202 per burst (min–max)',
          '409 per burst (min–max)',
          'other',
          'executions per burst (min–max)',
          'bursts with exactly one execution',
        ],
        STARTERS.map((starter) => {
          const rows = report.race.filter((r) => r.starter === starter);
          const range = (f: (r: BurstResult) => number) =>
            `${Math.min(...rows.map(f))}–${Math.max(...rows.map(f))}`;
          return [
            starter,
            `${rows.filter((r) => r.accepted === 1).length}/${rows.length}`,
            range((r) => r.accepted),
            range((r) => r.conflicts),
            rows.reduce((a, r) => a + r.other, 0),
            range((r) => r.executions),
            `${rows.filter((r) => r.executions === 1).length}/${rows.length}`,
          ];
        }),
      ),
      '',
    );
  }
  const latencies = Object.entries(report.latency);
  if (latencies.length) {
    out.push(`## Latency (ms), ${params.latencySamples} samples each, interleaved`, '');
    const rows: (string | number)[][] = [];
    for (const [label, lat] of latencies) {
      for (const measure of ['fresh start', 'conflict', 'conflict alone']) {
        const o = lat[`${measure}/ours`];
        const s = lat[`${measure}/sample`];
        if (!o || !s) continue;
        rows.push([
          label === 'cloud' ? `+${params.cloudLatencyMs} ms each way` : 'loopback',
          measure,
          `${f1(o.p50)} / ${f1(s.p50)}`,
          `**${(o.p50 / s.p50).toFixed(2)}×**`,
          `${f1(o.p95)} / ${f1(s.p95)}`,
          `${f1(o.p99)} / ${f1(s.p99)}`,
          `${(o.p99 / s.p99).toFixed(2)}×`,
          `${o.n} / ${s.n}`,
        ]);
      }
    }
    out.push(
      ...table(
        ['storage', 'measure', 'p50 ours / sample', 'p50 ratio', 'p95', 'p99', 'p99 ratio', 'n'],
        rows,
      ),
      '',
    );
  }
  const { conflictCpu } = report;
  if (conflictCpu?.ours && conflictCpu.sample) {
    out.push(
      '"conflict" follows a fresh start of the same starter; "conflict alone" comes in blocks of 50 conflicts, 400 per starter. CPU per conflict answer in those blocks (ms, from /proc):',
      '',
    );
    const names = Object.keys(conflictCpu.ours);
    out.push(
      ...table(
        ['starter', ...names, 'total'],
        STARTERS.map((s) => {
          const per = conflictCpu[s]!;
          const total = names.reduce((a, n) => a + (per[n] ?? 0), 0);
          return [s, ...names.map((n) => (per[n] ?? 0).toFixed(2)), `**${total.toFixed(2)}**`];
        }),
      ),
      '',
    );
  }
  const throughputs = Object.entries(report.throughput);
  if (throughputs.length) {
    out.push(
      `## Throughput: ${params.throughputStarts} starts on distinct IDs at concurrency ${params.concurrency}, ${params.rounds} rounds each`,
      '',
    );
    const rows: (string | number)[][] = [];
    for (const [label, rounds] of throughputs) {
      const per = (s: Starter) => rounds.filter((t) => t.starter === s).map((t) => t.perSecond);
      const mean = (s: Starter) => per(s).reduce((a, b) => a + b, 0) / per(s).length;
      rows.push([
        label === 'cloud' ? `+${params.cloudLatencyMs} ms each way` : 'loopback',
        per('ours').map(f1).join(', '),
        per('sample').map(f1).join(', '),
        `**${(mean('ours') / mean('sample')).toFixed(2)}×**`,
        rounds.every((t) => t.accepted === t.starts) ? 'all' : 'not all',
      ]);
    }
    out.push(
      ...table(['storage', 'ours (starts/s)', 'sample (starts/s)', 'ratio of means', '202s'], rows),
      '',
    );
    const cpuRows: (string | number)[][] = [];
    let names: string[] = [];
    for (const [label, rounds] of throughputs) {
      for (const starter of STARTERS) {
        const own = rounds.filter((t) => t.starter === starter && t.cpuMsPerStart);
        if (!own.length) continue;
        names = Object.keys(own[0]!.cpuMsPerStart!);
        const mean = (k: string) => own.reduce((a, t) => a + t.cpuMsPerStart![k]!, 0) / own.length;
        const total = names.reduce((a, k) => a + mean(k), 0);
        cpuRows.push([
          label === 'cloud' ? `+${params.cloudLatencyMs} ms each way` : 'loopback',
          starter,
          ...names.map((k) => f1(mean(k))),
          `**${f1(total)}**`,
        ]);
      }
    }
    if (cpuRows.length) {
      out.push(
        "CPU per start (ms, from /proc, mean of the rounds): where the time goes on this 2-core machine, the started orchestrations' runs included (alike for both starters).",
        '',
        ...table(['storage', 'starter', ...names, 'total'], cpuRows),
        '',
      );
    }
  }
  if (report.requests) {
    out.push(
      `## Storage requests per answer, counted at the tap (median of ${params.requestSamples})`,
      '',
      "A start's or conflict's own requests: the lock's (create and delete of its blob), the Instances table's reads (the status read, and the engine's duplicate check inside the start), the start's instance row and its queue message. Engine requests are counted from the request to the answer, the lock's up to 300 ms after it (ours releases the lock in the background). Requests of the started orchestration's own run and the engine's polling that fall in the window are shown apart (mean), alike for both starters.",
      '',
    );
    const keys = Object.keys(report.requests);
    out.push(
      ...table(
        [
          'answer',
          'starter',
          'lock',
          'status reads',
          'instance row',
          'queue message',
          'total (median)',
          'total (mean)',
          "not the starter's (mean)",
        ],
        keys.map((k) => {
          const [measure, starter] = k.split('/');
          const r = report.requests![k]!;
          return [
            measure!,
            starter!,
            ...STARTER_CATEGORIES.map((c) => r.median[c] ?? 0),
            `**${r.median.total}**`,
            f1(r.mean.total!),
            f1(r.mean["not the starter's"] ?? 0),
          ];
        }),
      ),
      '',
    );
  }
  if (report.concurrency.length) {
    out.push(
      `## Scaling: throughput on distinct IDs by concurrency (starts/s, loopback, ${params.concurrencyRounds} rounds each)`,
      '',
    );
    const levels = [...new Set(report.concurrency.map((t) => t.concurrency))];
    out.push(
      ...table(
        ['concurrency', 'starts per round', 'ours', 'sample', 'ratio of means'],
        levels.map((c) => {
          const per = (s: Starter) =>
            report.concurrency
              .filter((t) => t.concurrency === c && t.starter === s)
              .map((t) => t.perSecond);
          return [
            c,
            report.concurrency.find((t) => t.concurrency === c)!.starts,
            per('ours').map(f1).join(', '),
            per('sample').map(f1).join(', '),
            `${(meanOf(per('ours')) / meanOf(per('sample'))).toFixed(2)}×`,
          ];
        }),
      ),
      '',
    );
  }
  if (report.existing.length) {
    out.push(
      `## Scaling: fresh-start latency by what already exists (ms, ${params.existingSamples} samples each, loopback)`,
      '',
    );
    // One row per measurement: each level without lock blobs, then with its leftover ones.
    const ours = report.existing.filter((e) => e.starter === 'ours');
    const sample = report.existing.filter((e) => e.starter === 'sample');
    out.push(
      ...table(
        [
          'target',
          'instances in the hub',
          'lock blobs',
          'p50 ours / sample',
          'p50 ratio',
          'p99 ours / sample',
        ],
        ours.map((o, i) => {
          const s = sample[i]!;
          return [
            o.level,
            o.instances,
            o.lockBlobs,
            `${f1(o.p50)} / ${f1(s.p50)}`,
            `${(o.p50 / s.p50).toFixed(2)}×`,
            `${f1(o.p99)} / ${f1(s.p99)}`,
          ];
        }),
      ),
      '',
    );
    for (const s of report.seeding ?? []) {
      out.push(
        `- Level ${s.target}: ${s.starts} starts through our starter at concurrency ${params.seedConcurrency}, the engine running them to completion, took ${s.seconds.toFixed(0)} s; ${s.target} lock blobs written directly (our lock deletes its blob on release: these stand for blobs left by crashed holders) took ${s.lockBlobSeconds?.toFixed(0) ?? '?'} s, and removing them again after the measurement ${s.removalSeconds?.toFixed(0) ?? '?'} s.`,
      );
    }
    out.push('');
  }
  const { afterWarmUp, afterSeeding } = report.memory ?? {};
  if (afterWarmUp) {
    out.push("## The app process's memory (the local host's Node process)", '');
    out.push(
      ...table(
        ['when', 'start requests served', 'RSS', 'heap used', 'heap total'],
        [
          ['after warm-up', afterWarmUp] as const,
          ...(afterSeeding ? [['after seeding', afterSeeding] as const] : []),
        ].map(([when, m]) => [
          when,
          m.requestsServed,
          mib(m.rss),
          mib(m.heapUsed),
          mib(m.heapTotal),
        ]),
      ),
      '',
    );
  }
  out.push('## Against the targets', '', ...report.targets.map((t) => `- ${t}`), '');
  out.push('![scaling and ratios](latest.png)', '');
  return out.join('\n');
}

/** The cold start: side by side, ours against the bare app with the sample's starter. */
function coldSection(cold: ColdStart): string[] {
  const rows: (string | number)[][] = [];
  const row = (measure: string, runs: Record<Starter, number[]> | undefined, digits: number) => {
    if (!runs?.ours.length || !runs.sample.length) return;
    const o = summarize(runs.ours);
    const s = summarize(runs.sample);
    const f = (n: number) => n.toFixed(digits);
    rows.push([
      measure,
      `${f(o.p50)} / ${f(s.p50)}`,
      `**${(o.p50 / s.p50).toFixed(2)}×**`,
      `${f(o.p95)} / ${f(s.p95)}`,
      `${(o.p95 / s.p95).toFixed(2)}×`,
      `${o.n} / ${s.n}`,
    ]);
  };
  row('fresh process: entry points loaded (`require`)', cold.load, 1);
  row('fresh process: from its start until loaded', cold.loaded, 1);
  row('local host: launch until the front door answers', cold.firstAnswer, 0);
  row('local host: launch until the first 202', cold.first202, 0);
  const { ours, sample } = cold.apps;
  return [
    "## Cold start: ours against a bare app with only the sample's starter",
    '',
    `A fresh \`node\` process loads each app's entry points as the Node worker does (package.json \`main\`, with the \`@azure/functions-core\` stand-in), runs alternating: ours, ${ours.load} (${ours.files} files, ${ours.functions} functions); the bare app, ${sample.load} (${sample.files} files, ${sample.functions} function).${ours.launch ? ` Then the local host is launched (launcher, .NET engine already built, bridge; the bench's Azurite as storage) with each, alternating, and POSTs a start every 50 ms from the spawn until one is answered 202: ours with ${ours.launch}, the bare app with ${sample.launch}; both with one orchestrator that ends at once. The launcher also loads the app once to generate the engine's stubs.` : ''}`,
    '',
    ...table(
      ['measure (ms)', 'p50 ours / bare', 'p50 ratio', 'p95 ours / bare', 'p95 ratio', 'n'],
      rows,
    ),
    '',
  ];
}

function operatorSection(o: OperatorBenchResult): string[] {
  const { listPage, purge } = o;
  return [
    `## Operator routes: ${o.instances} instances in the task hub (seeded in ${f1(o.seedSeconds)} s)`,
    '',
    ...table(
      ['measure', 'ours (app route, function key)', "extension's API (system key)", 'ratio'],
      [
        [
          `list by prefix, a page of 100 (${o.listPages} pages), p50 / p95 ms`,
          `${f1(listPage.ours.p50)} / ${f1(listPage.ours.p95)}`,
          `${f1(listPage.extension.p50)} / ${f1(listPage.extension.p95)}`,
          `${f2(listPage.ours.p50 / listPage.extension.p50)}×`,
        ],
        [
          `purge ${purge.instances} by prefix, total s`,
          `${f1(purge.oursSeconds)} (${purge.chunks} chunks, slowest ${purge.slowestChunkMs.toFixed(0)} ms; ${purge.chunksWithinTimeout}/${purge.chunks} within the backend timeout; ${purge.purgedOurs} purged)`,
          `${f1(purge.extensionSeconds)} (list, then DELETE each, 8 at a time; ${purge.purgedExtension} purged)`,
          `${f2(purge.oursSeconds / purge.extensionSeconds)}×`,
        ],
      ],
    ),
    '',
  ];
}
