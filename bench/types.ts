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
}

/** Storage requests per answer, by category, keyed `fresh start/ours` etc. */
export type CountedRequests = Record<
  string,
  { n: number; median: Record<string, number>; mean: Record<string, number> }
>;

/** Fresh-start latency with about `level` instances (and lock blobs) already in storage. */
export interface ExistingPoint extends Summary {
  level: number;
  instances: number;
  lockBlobs: number;
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
  throughput: Record<string, ThroughputResult[]>;
  requests?: CountedRequests;
  concurrency: ThroughputResult[];
  existing: ExistingPoint[];
  seeding?: { target: number; starts: number; seconds: number }[];
  memory?: { afterWarmUp?: Memory; afterSeeding?: Memory };
  targets: string[];
}
