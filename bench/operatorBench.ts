/**
 * Section `operator` of `npm run bench`: the operator routes at scale, side by side with what a
 * holder of the extension's system key would do, in one run.
 *  - Listing by prefix in a task hub of N instances (BENCH_OPERATOR_INSTANCES, default 10 000):
 *    time per page of `GET /api/orchestrators/{name}?prefix=…&top=100` against the extension's own
 *    `GET …/instances/?instanceIdPrefix=…&top=100`, pages interleaved.
 *  - Purging 1 000 ended instances by prefix: our bulk route, one chunk per call (`top=100`), the
 *    time of each chunk against the backend timeout, and in total; against the extension's
 *    listing followed by one DELETE per instance, 8 at a time.
 * The task hub is filled by cloning one real, completed instance's row of the Instances table
 * (the row the engine wrote, with a new ID): running 10 000 orchestrations on this 2-core machine
 * would take most of an hour, and a listing or a purge reads and deletes these rows, not history.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { TableClient } from '@azure/data-tables';
import { summarize, type Summary } from './stats';

export interface OperatorBenchDeps {
  readonly baseUrl: string;
  readonly directStorage: string;
  readonly taskHub: string;
  readonly orchestrator: string;
  readonly runId: string;
  readonly instances: number;
  readonly backendTimeoutMs: number;
  /** Starts the orchestrator under `id` through our starter; resolves to the HTTP status. */
  start(id: string): Promise<number>;
  runtimeStatus(id: string): Promise<string | undefined>;
}

export interface OperatorBenchResult {
  readonly instances: number;
  readonly seedSeconds: number;
  /** Per page of 100, ms: ours (the app's route) and the extension's API. */
  readonly listPage: Record<'ours' | 'extension', Summary>;
  readonly listPages: number;
  readonly purge: {
    readonly instances: number;
    readonly oursSeconds: number;
    readonly extensionSeconds: number;
    readonly chunks: number;
    readonly slowestChunkMs: number;
    readonly chunksWithinTimeout: number;
    readonly purgedOurs: number;
    readonly purgedExtension: number;
  };
}

const PAGE = 100;
const PURGE_SET = 1_000;

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

async function getJson(url: string, init?: RequestInit) {
  const response = await fetch(url, init);
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    json: text ? (JSON.parse(text) as unknown) : undefined,
  };
}

async function pool<T>(items: readonly T[], size: number, work: (item: T) => Promise<unknown>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: size }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

/** Clones the row of one real completed instance under `ids`. */
async function seed(deps: OperatorBenchDeps, ids: readonly string[]): Promise<number> {
  const started = performance.now();
  const model = `bench-op-model-${deps.runId}`;
  if ((await deps.start(model)) !== 202) throw new Error('operator bench: the model did not start');
  for (let i = 0; i < 600 && (await deps.runtimeStatus(model)) !== 'Completed'; i++)
    await sleep(100);
  const table = TableClient.fromConnectionString(deps.directStorage, `${deps.taskHub}Instances`, {
    allowInsecureConnection: true,
  });
  const row = await table.getEntity<Record<string, unknown>>(model, '');
  const { partitionKey: _p, rowKey: _r, etag: _e, timestamp: _t, ...columns } = row;
  await pool(ids, 32, (id) =>
    table.upsertEntity({ ...columns, partitionKey: id, rowKey: '', InstanceId: id }, 'Replace'),
  );
  return (performance.now() - started) / 1000;
}

export async function operatorBench(deps: OperatorBenchDeps): Promise<OperatorBenchResult> {
  const { baseUrl, orchestrator, runId } = deps;
  const prefix = (set: string) => `bench-op-${runId}-${set}-`;
  const ids = (set: string, n: number) =>
    Array.from({ length: n }, (_, i) => `${prefix(set)}${String(i).padStart(5, '0')}`);
  const oursToPurge = ids('a', PURGE_SET);
  const theirsToPurge = ids('b', PURGE_SET);
  const listed = ids('c', PURGE_SET);
  const rest = ids('z', Math.max(0, deps.instances - 3 * PURGE_SET));
  const seedSeconds = await seed(deps, [...oursToPurge, ...theirsToPurge, ...listed, ...rest]);
  console.log(`operator: seeded ${deps.instances} instances in ${seedSeconds.toFixed(0)} s`);

  // Listing: page through the 1 000 of one prefix, both ways, pages interleaved.
  const pages: Record<'ours' | 'extension', number[]> = { ours: [], extension: [] };
  let oursToken: string | undefined;
  let theirToken: string | null | undefined;
  let listedOurs = 0;
  do {
    const query = new URLSearchParams({ prefix: prefix('c'), top: String(PAGE) });
    if (oursToken) query.set('continuationToken', oursToken);
    const ours = await timed(() =>
      getJson(`${baseUrl}/api/orchestrators/${orchestrator}?${query}`),
    );
    const body = ours.value.json as { instances: unknown[]; continuationToken?: string };
    listedOurs += body.instances.length;
    pages.ours.push(ours.ms);
    oursToken = body.continuationToken;
    const theirs = await timed(() =>
      getJson(
        `${baseUrl}/runtime/webhooks/durabletask/instances/?instanceIdPrefix=${prefix('c')}&top=${PAGE}`,
        { headers: theirToken ? { 'x-ms-continuation-token': theirToken } : {} },
      ),
    );
    pages.extension.push(theirs.ms);
    theirToken = theirs.value.headers.get('x-ms-continuation-token');
  } while (oursToken !== undefined && pages.ours.length < 50);
  const listPage = { ours: summarize(pages.ours), extension: summarize(pages.extension) };
  console.log(
    `operator: list by prefix, ${listedOurs} instances in ${pages.ours.length} pages: p50 ${listPage.ours.p50.toFixed(1)} ms a page (extension ${listPage.extension.p50.toFixed(1)} ms)`,
  );

  // Purge 1 000: ours, chunk by chunk; then the extension's listing and one DELETE each.
  const chunkMs: number[] = [];
  let purgedOurs = 0;
  let token: string | undefined;
  const oursStarted = performance.now();
  do {
    const query = new URLSearchParams({ prefix: prefix('a'), top: String(PAGE) });
    if (token) query.set('continuationToken', token);
    const chunk = await timed(() =>
      getJson(`${baseUrl}/api/bulk/orchestrators/${orchestrator}/purge?${query}`, {
        method: 'POST',
      }),
    );
    chunkMs.push(chunk.ms);
    const body = chunk.value.json as { counts?: { purged?: number }; continuationToken?: string };
    purgedOurs += body.counts?.purged ?? 0;
    token = body.continuationToken;
  } while (token !== undefined && chunkMs.length < 100);
  const oursSeconds = (performance.now() - oursStarted) / 1000;

  const theirsStarted = performance.now();
  let purgedExtension = 0;
  let next: string | null = null;
  do {
    const page = await getJson(
      `${baseUrl}/runtime/webhooks/durabletask/instances/?instanceIdPrefix=${prefix('b')}&top=${PAGE}`,
      { headers: next ? { 'x-ms-continuation-token': next } : {} },
    );
    next = page.headers.get('x-ms-continuation-token');
    const found = (page.json as { instanceId: string }[]).map((i) => i.instanceId);
    await pool(found, 8, async (id) => {
      const res = await fetch(
        `${baseUrl}/runtime/webhooks/durabletask/instances/${encodeURIComponent(id)}`,
        { method: 'DELETE' },
      );
      await res.arrayBuffer();
      if (res.status === 200) purgedExtension++;
    });
  } while (next);
  const extensionSeconds = (performance.now() - theirsStarted) / 1000;
  const purge = {
    instances: PURGE_SET,
    oursSeconds,
    extensionSeconds,
    chunks: chunkMs.length,
    slowestChunkMs: Math.max(...chunkMs),
    chunksWithinTimeout: chunkMs.filter((ms) => ms <= deps.backendTimeoutMs).length,
    purgedOurs,
    purgedExtension,
  };
  console.log(
    `operator: purge ${PURGE_SET} by prefix: ours ${oursSeconds.toFixed(1)} s in ${purge.chunks} chunks (slowest ${purge.slowestChunkMs.toFixed(0)} ms), extension ${extensionSeconds.toFixed(1)} s`,
  );
  return {
    instances: deps.instances,
    seedSeconds,
    listPage,
    listPages: pages.ours.length,
    purge,
  };
}
