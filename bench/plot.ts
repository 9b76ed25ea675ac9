/**
 * The benchmark's plot (bench/results/latest.png): Vega-Lite charts rendered to SVG by Vega, then
 * to PNG by resvg. Panels: throughput by concurrency, fresh-start p50 by existing instances, and
 * the p50 latencies side by side, with and without the simulated storage latency.
 */
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { Report } from './types';

type Row = Record<string, string | number>;

function line(title: string, values: Row[], x: string, y: string, xScale = 'linear'): object {
  return {
    title,
    width: 260,
    height: 200,
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: x, type: 'quantitative', scale: { type: xScale } },
      y: { field: y, type: 'quantitative', scale: { zero: true } },
      color: { field: 'starter', type: 'nominal', legend: { labelLimit: 0 } },
    },
  };
}

export async function renderPlot(report: Report): Promise<Buffer> {
  const panels: object[] = [];
  if (report.concurrency.length) {
    panels.push(
      line(
        'Throughput on distinct IDs',
        // The mean of the rounds at each level.
        [...new Set(report.concurrency.map((t) => `${t.starter}/${t.concurrency}`))].map((key) => {
          const rounds = report.concurrency.filter((t) => `${t.starter}/${t.concurrency}` === key);
          return {
            starter: rounds[0]!.starter,
            concurrency: rounds[0]!.concurrency,
            'starts/s': rounds.reduce((a, t) => a + t.perSecond, 0) / rounds.length,
          };
        }),
        'concurrency',
        'starts/s',
        'log',
      ),
    );
  }
  if (report.existing.length) {
    panels.push(
      line(
        'Fresh start p50 by existing instances',
        report.existing.map((e) => ({
          starter: e.leftoverLockBlobs > 0 ? `${e.starter} + leftover locks` : e.starter,
          'instances in the hub': e.instances,
          'p50 (ms)': e.p50,
        })),
        'instances in the hub',
        'p50 (ms)',
      ),
    );
  }
  const bars: Row[] = [];
  for (const [label, lat] of Object.entries(report.latency)) {
    for (const [key, s] of Object.entries(lat)) {
      const [measure, starter] = key.split('/');
      bars.push({ case: `${measure} (${label})`, starter: starter!, 'p50 (ms)': s.p50 });
    }
  }
  if (bars.length) {
    panels.push({
      title: 'p50 latency (local host, no Functions hop)',
      width: 260,
      height: 200,
      data: { values: bars },
      mark: 'bar',
      encoding: {
        y: { field: 'case', type: 'nominal', title: null },
        yOffset: { field: 'starter' },
        x: { field: 'p50 (ms)', type: 'quantitative' },
        color: { field: 'starter', type: 'nominal', legend: { labelLimit: 0 } },
      },
    });
  }
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: `Singleton starter (ours) vs the sample, ${report.date.slice(0, 16)}Z`,
    hconcat: panels,
    config: { font: 'DejaVu Sans' },
  } as TopLevelSpec;
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return new Resvg(svg, { background: 'white', fitTo: { mode: 'zoom', value: 2 } })
    .render()
    .asPng();
}
