/**
 * The chaos suite's job (loaded by the local host through LOCAL_HOST_EXTRA_FUNCTIONS, never
 * deployed): it records its own execution — a row when it starts, one per heartbeat, one per `ping`
 * event it reads, one when it ends, each with the input marker it received — so the history checker
 * can match runs to the requests that started them, see whether two runs of one ID overlapped, and
 * which run read which signal.
 *
 * Input: `{ marker, holdSeconds?, beatSeconds?, generations? }`. `holdSeconds` 0 ends at once (a job
 * that ends within a burst); otherwise it holds the ID on durable timers, beating every
 * `beatSeconds`, so a run that is terminated from outside still shows how long it lasted. With
 * `generations` > 1 each generation holds for `holdSeconds`, then continues as new, carrying its run
 * ID (all generations are one run to the checker), its counters and its receipts.
 *
 * Signals: `chaosJob` acknowledges them (src/singleton/signalReceipt.ts). While it holds its ID it
 * waits for `ping` beside every timer, opens each one with `takeSignal`, lists its receipt in custom
 * status in that same episode, and records it (phase `signal`) with the marker of its data and
 * `duplicate` when the run had read it before. Data raised past the starter (not sealed) is taken
 * as a fresh signal. A read's row is keyed by what was read (the signal ID, or the data's marker
 * when not sealed) and how many times this run had read it before, so one read written twice is one
 * row and the same signal read twice is two.
 *
 * Proof of a read: the engine (DTFx on Azure Storage) sends an episode's activity messages before
 * it commits the episode's history, and discards an episode whose commit loses to another worker's
 * (logged "Split brain detected … will be discarded", measured dozens of times a minute with three
 * instances on one task hub): the record of a read then runs although, for the engine, the run
 * never read that event (it is handed out again, or dropped with the run). So every record also
 * carries `proven`: the reads of this run that a later episode has replayed (durable-functions marks
 * a task played when its event comes from stored history, so its episode was committed), and those
 * carried from earlier generations. A run that read anything writes one more beat after its hold,
 * from an episode after its last read, so its own end proves every read; only a run cut short
 * (terminated) can leave reads unproven. The checker counts proven reads, and the unproven reads of
 * a run that never recorded its end.
 *
 * `chaosOtherJob` is the same job under another name, not exposed for singleton start: the runs of
 * "another orchestrator", started past the starter, that no start of `chaosJob` may attach to,
 * terminate or replace.
 */
import * as df from 'durable-functions';
import type { OrchestrationContext, Task } from 'durable-functions';
import { openStartInput, takeSignal } from '../../../src/jobs/signalInbox';
import { sleepUntil } from '../../../src/jobs/sleepUntil';
import { exposeForSingletonStart } from '../../../src/singleton/catalog';
import { openSignal } from '../../../src/singleton/signalReceipt';
import { runRow, runsTable, type RunMark } from '../runsTable';

export const CHAOS_JOB = 'chaosJob';
export const CHAOS_OTHER_JOB = 'chaosOtherJob';
/** The event the chaos job reads while it holds its ID. */
export const PING = 'ping';
const RECORD = 'chaosRecordRun';
/** Recording goes to storage the faults do not touch when the runner says so. */
const RECORD_STORAGE = 'CHAOS_RECORD_STORAGE';
// Retried so that a storage fault cannot fail a run only because its record did not get written.
const RECORD_RETRY = Object.assign(new df.RetryOptions(500, 10), { backoffCoefficient: 1.5 });

/** What a generation hands the next one (continue-as-new). */
interface Carried {
  generation: number;
  runId: string;
  beats: number;
  receivedSignals: string[];
  /** The keys of this run's reads so far (proven: the continue-as-new that carries them committed). */
  reads: string[];
}

interface ChaosInput {
  marker: string;
  holdSeconds: number;
  beatSeconds: number;
  generations: number;
  carried?: Carried;
}

/** The custom status: the receipts (src/jobs/signalInbox.ts) and the generation. */
export interface ChaosStatus {
  generation: number;
  receivedSignals: string[];
}

function readInput(value: unknown): ChaosInput {
  const input = (value ?? {}) as Partial<ChaosInput>;
  if (typeof input.marker !== 'string' || input.marker === '') {
    throw new Error('chaosJob needs an input with a non-empty string marker.');
  }
  const clamp = (n: unknown, fallback: number, max: number) =>
    Math.max(0, Math.min(max, Number.isFinite(n) ? Number(n) : fallback));
  return {
    marker: input.marker,
    holdSeconds: clamp(input.holdSeconds, 0, 600),
    beatSeconds: Math.max(1, clamp(input.beatSeconds, 2, 60)),
    generations: Math.max(1, Math.floor(clamp(input.generations, 1, 50))),
    ...(input.carried && { carried: input.carried }),
  };
}

/** A task's `isPlayed` (durable-functions sets it from its event: from stored history, or new). */
function played(task: Task): boolean {
  return (task as Task & { isPlayed?: boolean }).isPlayed === true;
}

/** The marker in a ping's data (`{ marker }`); `''` without one. */
function markerOf(data: unknown): string {
  if (data === null || typeof data !== 'object') return '';
  const marker = (data as { marker?: unknown }).marker;
  return typeof marker === 'string' ? marker : '';
}

df.app.activity(RECORD, {
  handler: async (mark: RunMark) => {
    const connection = process.env[RECORD_STORAGE] ?? process.env.AzureWebJobsStorage ?? '';
    const table = runsTable(connection);
    await table.createTable();
    await table.upsertEntity(
      runRow(mark, Date.now(), process.env.LOCAL_HOST_PORT ?? String(process.pid)),
      'Replace',
    );
  },
});

const recordingJob = (orchestrator: string) =>
  function* (context: OrchestrationContext): Generator<Task, unknown, unknown> {
    const opened = openStartInput(context.df.getInput());
    const input = readInput(opened.input);
    const { marker, holdSeconds, beatSeconds, generations, carried } = input;
    const instanceId = context.df.instanceId;
    const generation = carried?.generation ?? 1;
    // Deterministic per execution (instance ID + this execution's start time), the same on replay;
    // later generations carry the first one's.
    const runId = carried?.runId ?? context.df.newGuid(`${instanceId}|${marker}`);
    let beats = carried?.beats ?? 0;
    // A first generation inherits the receipts of the instance it follows.
    let receivedSignals = carried?.receivedSignals ?? [...opened.receipts];
    /** Reads of earlier generations, then this one's with the task each came with. */
    const earlier = carried?.reads ?? [];
    const reads: { key: string; task: Task }[] = [];
    const now = () => context.df.currentUtcDateTime.getTime();
    const publish = () =>
      context.df.setCustomStatus({ generation, receivedSignals } satisfies ChaosStatus);
    const keys = () => [...earlier, ...reads.map((r) => r.key)];
    const mark = (phase: RunMark['phase'], seq = 0, signal?: RunMark['signal']) =>
      context.df.callActivityWithRetry(RECORD, RECORD_RETRY, {
        instanceId,
        orchestrator,
        runId,
        marker,
        phase,
        seq,
        ...(signal && { signal }),
        // Data only (not replayed: an action's input is sent once, when it is first scheduled).
        proven: [...earlier, ...reads.filter((r) => played(r.task)).map((r) => r.key)],
      } satisfies RunMark);

    /** Yields `task` beside a new ping wait; returns the ping when it came first. */
    function* unlessPinged(task: Task): Generator<Task, Task | undefined, unknown> {
      const ping = context.df.waitForExternalEvent(PING);
      const winner = yield context.df.Task.any([task, ping]);
      return winner === ping ? ping : undefined;
    }

    /** Reads a ping (and those that come while its record is written): list, publish, record. */
    function* receive(first: Task): Generator<Task, void, unknown> {
      for (let ping: Task | undefined = first; ping !== undefined;) {
        const { id } = openSignal(ping.result);
        const taken = takeSignal(receivedSignals, ping.result);
        receivedSignals = taken.receipts;
        publish();
        const dataMarker = markerOf(taken.data);
        const what = id === undefined ? `m:${dataMarker}` : `s:${id}`;
        const before = keys().filter((k) => k.slice(0, k.lastIndexOf('~')) === what).length;
        const key = `${what}~${before}`;
        reads.push({ key, task: ping });
        const signal = { key, marker: dataMarker, duplicate: !taken.fresh };
        ping = yield* unlessPinged(mark('signal', 0, signal));
      }
    }

    publish();
    if (generation === 1) yield mark('start');
    const until = now() + holdSeconds * 1000;
    while (now() < until) {
      const due = new Date(Math.min(until, now() + beatSeconds * 1000));
      for (;;) {
        const woken = yield* sleepUntil(context, due, [context.df.waitForExternalEvent(PING)]);
        if (woken === undefined) break;
        yield* receive(woken);
      }
      beats += 1;
      const pinged = yield* unlessPinged(mark('beat', beats));
      if (pinged) yield* receive(pinged);
    }
    if (generation < generations) {
      const next: Carried = {
        generation: generation + 1,
        runId,
        beats,
        receivedSignals,
        reads: keys(),
      };
      context.df.continueAsNew({ ...input, carried: next } satisfies ChaosInput);
      return undefined;
    }
    // A beat from the episode after the last read, so that the end, scheduled after it, proves all.
    if (reads.length > 0) yield mark('beat', ++beats);
    yield mark('end');
    return { runId, marker };
  };

df.app.orchestration(CHAOS_JOB, recordingJob(CHAOS_JOB));
exposeForSingletonStart(CHAOS_JOB, { acknowledgesSignals: true, events: { [PING]: {} } });
df.app.orchestration(CHAOS_OTHER_JOB, recordingJob(CHAOS_OTHER_JOB));
