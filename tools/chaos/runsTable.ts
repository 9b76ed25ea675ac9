/**
 * The table where the chaos job records each execution (a row at its start, at each heartbeat, for
 * each `ping` event it reads, and at its end), and how the runner reads it back as runs. A run's
 * rows are keyed by a run ID that is deterministic per execution (and carried across its
 * continue-as-new generations) and a sequence number it counts itself, or for a read what it read
 * and how many times it had read it before: an activity that the engine delivers twice, or a read
 * recorded by a discarded episode and again by the one the engine kept, writes one row; two reads
 * of one signal write two. Every row also lists the reads of its run proven by then
 * (functions/chaosJob.ts says why a recorded read needs a proof).
 */
import { odata, TableClient } from '@azure/data-tables';
import type { RunRecord } from './history';

export const RUNS_TABLE = 'ChaosRuns';

export type RunPhase = 'start' | 'beat' | 'signal' | 'end';

/** What one recording activity writes. */
export interface RunMark {
  readonly instanceId: string;
  /** The orchestrator recording its run. */
  readonly orchestrator: string;
  readonly runId: string;
  readonly marker: string;
  readonly phase: RunPhase;
  /** Heartbeat number (0 for start, signal and end). */
  readonly seq: number;
  /**
   * For `signal`: what was read (`s:<signal ID>` or `m:<data marker>`, then `~<times read before>`),
   * the marker in the event's data, and whether the run had read that signal before.
   */
  readonly signal?: { readonly key: string; readonly marker: string; readonly duplicate: boolean };
  /** The keys of the run's reads that a later episode had replayed when this was scheduled. */
  readonly proven?: readonly string[];
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
  /** `signal` rows: what was read, the event's data marker, and whether it was a duplicate. */
  readonly signalKey?: string;
  readonly signalMarker?: string;
  readonly duplicate?: boolean;
  /** The run's reads proven when the row's activity was scheduled (JSON array of keys). */
  readonly proven?: string;
}

export function runsTable(connectionString: string): TableClient {
  return TableClient.fromConnectionString(connectionString, RUNS_TABLE, {
    allowInsecureConnection: true,
  });
}

export function runRow(mark: RunMark, at: number, host: string): RunRow {
  return {
    partitionKey: mark.instanceId,
    rowKey: `${mark.runId}|${mark.phase}|${mark.signal ? mark.signal.key : mark.seq}`,
    runId: mark.runId,
    orchestrator: mark.orchestrator,
    marker: mark.marker,
    phase: mark.phase,
    at,
    host,
    ...(mark.signal && {
      signalKey: mark.signal.key,
      signalMarker: mark.signal.marker,
      duplicate: mark.signal.duplicate,
    }),
    ...(mark.proven && mark.proven.length > 0 && { proven: JSON.stringify(mark.proven) }),
  };
}

function provenIn(row: RunRow): string[] {
  if (!row.proven) return [];
  const keys = JSON.parse(row.proven) as unknown;
  return Array.isArray(keys) ? keys.filter((k): k is string => typeof k === 'string') : [];
}

/**
 * Folds rows into runs: from the first to the last row of each run ID, with the `ping` events it
 * read in the order it recorded them, each proven or not by the run's rows.
 */
export function runsFromRows(rows: readonly RunRow[]): RunRecord[] {
  const runs = new Map<string, RunRecord>();
  const signalRows = new Map<string, RunRow[]>();
  const proven = new Map<string, Set<string>>();
  const seenAt = new Map<string, number[]>();
  for (const row of rows) {
    const key = `${row.partitionKey}\n${row.runId}`;
    seenAt.set(key, [...(seenAt.get(key) ?? []), row.at]);
    if (row.phase === 'signal') {
      const list = signalRows.get(key);
      if (list) list.push(row);
      else signalRows.set(key, [row]);
    }
    const keys = proven.get(key) ?? new Set<string>();
    for (const k of provenIn(row)) keys.add(k);
    proven.set(key, keys);
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
        signals: [],
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
  return [...runs].map(([key, run]) => ({
    ...run,
    seenAt: [...new Set(seenAt.get(key))].sort((a, b) => a - b),
    signals: (signalRows.get(key) ?? [])
      .sort((a, b) => a.at - b.at)
      .map((row) => ({
        marker: row.signalMarker ?? '',
        duplicate: row.duplicate === true,
        at: row.at,
        proven: proven.get(key)?.has(row.signalKey ?? '') === true,
      })),
  }));
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
