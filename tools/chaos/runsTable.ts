/**
 * The table where the chaos job records each execution (a row at its start, at each heartbeat and
 * at its end), and how the runner reads it back as runs. A run's rows are keyed by a run ID that is
 * deterministic per execution, so an activity that the engine delivers twice writes the same row.
 */
import { odata, TableClient } from '@azure/data-tables';
import type { RunRecord } from './history';

export const RUNS_TABLE = 'ChaosRuns';

export type RunPhase = 'start' | 'beat' | 'end';

/** What one recording activity writes. */
export interface RunMark {
  readonly instanceId: string;
  /** The orchestrator recording its run. */
  readonly orchestrator: string;
  readonly runId: string;
  readonly marker: string;
  readonly phase: RunPhase;
  /** Heartbeat number (0 for start and end). */
  readonly seq: number;
}

export interface RunRow {
  readonly partitionKey: string;
  readonly rowKey: string;
  readonly runId: string;
  readonly orchestrator: string;
  readonly marker: string;
  readonly phase: RunPhase;
  /** Epoch ms when the activity ran. */
  readonly at: number;
  /** The app instance that ran it (its front door port). */
  readonly host: string;
}

export function runsTable(connectionString: string): TableClient {
  return TableClient.fromConnectionString(connectionString, RUNS_TABLE, {
    allowInsecureConnection: true,
  });
}

export function runRow(mark: RunMark, at: number, host: string): RunRow {
  return {
    partitionKey: mark.instanceId,
    rowKey: `${mark.runId}|${mark.phase}|${mark.seq}`,
    runId: mark.runId,
    orchestrator: mark.orchestrator,
    marker: mark.marker,
    phase: mark.phase,
    at,
    host,
  };
}

/** Folds rows into runs: from the first to the last row of each run ID. */
export function runsFromRows(rows: readonly RunRow[]): RunRecord[] {
  const runs = new Map<string, RunRecord>();
  for (const row of rows) {
    const key = `${row.partitionKey}\n${row.runId}`;
    const seen = runs.get(key);
    const startHost = row.phase === 'start' ? row.host : undefined;
    if (!seen) {
      runs.set(key, {
        runId: row.runId,
        instanceId: row.partitionKey,
        orchestrator: row.orchestrator,
        marker: row.marker,
        startedAt: row.at,
        lastSeenAt: row.at,
        ended: row.phase === 'end',
        ...(startHost && { host: startHost }),
      });
      continue;
    }
    runs.set(key, {
      ...seen,
      startedAt: Math.min(seen.startedAt, row.at),
      lastSeenAt: Math.max(seen.lastSeenAt, row.at),
      ended: seen.ended || row.phase === 'end',
      ...(startHost && { host: startHost }),
    });
  }
  return [...runs.values()];
}

/** Every row recorded for the given instance IDs (all when omitted). */
export async function readRunRows(
  table: TableClient,
  instanceIdPrefix?: string,
): Promise<RunRow[]> {
  const rows: RunRow[] = [];
  const filter = instanceIdPrefix
    ? odata`PartitionKey ge ${instanceIdPrefix} and PartitionKey lt ${instanceIdPrefix + '\uffff'}`
    : undefined;
  try {
    for await (const entity of table.listEntities<RunRow>({ queryOptions: { filter } })) {
      rows.push(entity);
    }
  } catch (error) {
    // Before the first run has recorded anything, the table does not exist yet.
    if ((error as { statusCode?: number }).statusCode !== 404) throw error;
  }
  return rows;
}
