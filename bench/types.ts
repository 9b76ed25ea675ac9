import type { OperatorBenchResult } from './operatorBench';
/** The benchmark's results, as written to bench/results/latest.json. */
import type { Summary } from './stats';

export type Starter = 'ours' | 'sample';
export const STARTERS: Starter[] = ['ours', 'sample'];

export interface BurstResult {
  starter: Starter;
  repetition: number;
  accepted: number;
  conflicts: number;
  other: number;
  executions: number;
}

export interface ThroughputResult {
  starter: Starter;
  concurrency: number;
  starts: number;
  accepted: number;
  seconds: number;
  perSecond: number;
  /** CPU ms per accepted start, by process, while the round ran. */
  cpuMsPerStart?: Record<string, number>;
}

/**
 * What a start or conflict itself costs: the lock's requests, the Instances table's reads (the
 * status read, and the engine's duplicate check inside the start), the start's instance row
 * (an insert) and its message. Everything else seen in the window is the started orchestration's
 * own run (history, its instance updates, the dequeue) or the engine's background polling,
 * alike for both starters, and is reported apart. Engine requests are counted from the request to
 * the answer; the lock's up to 300 ms after it, as ours releases the lock in the background.
 */
export const STARTER_CATEGORIES = ['lock', 'status', 'instance POST', 'queue send'];

/** Storage requests per answer, by category, keyed `fresh start/ours` etc. */
export type CountedRequests = Record<
  string,
  { n: number; median: Record<string, number>; mean: Record<string, number> }
>;

/**
 * Fresh-start latency with about `level` instances already in the task hub, and either no lock blobs
 * or `level` leftover ones (as crashed holders leave them) in the lock container.
 */
export interface ExistingPoint extends Summary {
  level: number;
  instances: number;
  lockBlobs: number;
  /** Of those, the leftover ones the bench wrote for this measurement. */
  leftoverLockBlobs: number;
  starter: Starter;
}

export interface Memory {
  pid: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  /** Start requests the app process had served when measured (both starters). */
  requestsServed: number;
}

/**
 * The cold start, ours against a bare durable-functions app with only the sample's starter: a
 * fresh Node process loading each app's entry points, and the local host launched with each until
 * its first 202. Every figure in ms, one per run.
 */
export interface ColdStart {
  /** What each side loaded in the fresh process, and what the local host launched with. */
  apps: Record<Starter, { load: string; files: number; functions: number; launch?: string }>;
  /** From the process's start until its first entry point began loading (Node's own start-up). */
  began: Record<Starter, number[]>;
  /** Loading the entry points: `require` of each, in order. */
  load: Record<Starter, number[]>;
  /** From the process's start until the entry points were loaded. */
  loaded: Record<Starter, number[]>;
  /** From the launcher's spawn until the front door first answered, and until the first 202. */
  firstAnswer?: Record<Starter, number[]>;
  first202?: Record<Starter, number[]>;
}

export interface Report {
  date: string;
  target: string;
  machine: {
    cpus: number;
    cpuModel: string;
    memoryGiB: number;
    node: string;
    /** 1-minute load average, every 10 s during the run: how busy the shared machine was. */
    loadAverage: number[];
  };
  params: Record<string, number>;
  sections: string[];
  race: BurstResult[];
  /** `local`: storage on loopback; `cloud`: with the simulated storage latency. */
  latency: Record<string, Record<string, Summary>>;
  /** CPU per conflict answer by process (ms), conflicts alone, loopback. */
  conflictCpu?: Partial<Record<Starter, Record<string, number>>>;
  throughput: Record<string, ThroughputResult[]>;
  requests?: CountedRequests;
  concurrency: ThroughputResult[];
  existing: ExistingPoint[];
  seeding?: {
    target: number;
    starts: number;
    seconds: number;
    /** Seconds to write `target` leftover lock blobs, and to remove them after. */
    lockBlobSeconds?: number;
    removalSeconds?: number;
  }[];
  memory?: { afterWarmUp?: Memory; afterSeeding?: Memory };
  operator?: OperatorBenchResult;
  cold?: ColdStart;
  targets: string[];
}
