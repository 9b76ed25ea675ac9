/**
 * What the chaos scenarios share: their context and expectations, the chaos job's inputs, and the
 * helpers that send, count and retry starts.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Random } from '../fault-proxy/random';
import type { Cluster } from './cluster';
import type { RequestRecord } from './history';
import type { FaultBoard, Recorder, StartRequest } from './recorder';

export interface ScenarioContext {
  readonly cluster: Cluster;
  readonly recorder: Recorder;
  readonly board: FaultBoard;
  readonly random: Random;
  readonly rounds: number;
  readonly tag: string;
  /** The starter's lease length (SINGLETON_LOCK_LEASE_SECONDS). */
  readonly leaseSeconds: number;
  log(message: string): void;
}

export interface Expectation {
  readonly ok: boolean;
  readonly detail: string;
}

export interface Scenario {
  readonly key: string;
  readonly title: string;
  /** Instances it needs alive. */
  readonly needs: number;
  run(context: ScenarioContext): Promise<Expectation[]>;
}

export const CHAOS_JOB = 'chaosJob';
/** A job that holds its ID longer than any burst. */
export const LONG = { holdSeconds: 12, beatSeconds: 2 };
/** A job that ends within a burst. */
export const SHORT = { holdSeconds: 0 };
/** The start call to the extension's endpoint (the only route under orchestrators/). */
export const START_CALL = 'durabletask/orchestrators/';

export function expect(ok: boolean, detail: string): Expectation {
  return { ok, detail };
}

export function count(records: readonly RequestRecord[], status: number): number {
  return records.filter((r) => r.status === status).length;
}

export function statuses(records: readonly RequestRecord[]): string {
  const counts = new Map<number, number>();
  for (const r of records) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  return [...counts].map(([s, n]) => `${s}×${n}`).join(' ');
}

/** `n` requests spread over the living instances, in a seeded random order. */
export function spread(
  context: ScenarioContext,
  n: number,
  build: (i: number) => Omit<StartRequest, 'instance'>,
): StartRequest[] {
  const living = context.cluster.living();
  const offset = Math.floor(context.random() * living.length);
  return Array.from({ length: n }, (_, i) => ({
    ...build(i),
    instance: living[(i + offset) % living.length],
  }));
}

export function chaos(
  instanceId: string,
  input: Record<string, unknown>,
  extra: Partial<StartRequest> = {},
) {
  return { orchestrator: CHAOS_JOB, instanceId, input, ...extra };
}

/** Retries one start (one at a time, across `instances`) until it is answered 202, or gives up. */
export async function startUntilAccepted(
  context: ScenarioContext,
  instanceId: string,
  instances: readonly number[],
  input: Record<string, unknown>,
  giveUpMs: number,
): Promise<RequestRecord | undefined> {
  const deadline = Date.now() + giveUpMs;
  for (let i = 0; Date.now() < deadline; i++) {
    const answer = await context.recorder.start({
      ...chaos(instanceId, input),
      instance: instances[i % instances.length],
    });
    if (answer.status === 202) return answer;
    await sleep(1_000);
  }
  return undefined;
}

/** The extension's URL of an instance, through a living app instance's front door. */
export function instanceUrl(context: ScenarioContext, instanceId: string): string {
  const [instance] = context.cluster.living();
  return `${context.cluster.frontDoor(instance)}/runtime/webhooks/durabletask/instances/${encodeURIComponent(instanceId)}`;
}

export async function terminate(context: ScenarioContext, instanceId: string): Promise<void> {
  await fetch(`${instanceUrl(context, instanceId)}/terminate?reason=chaos`, {
    method: 'POST',
    signal: AbortSignal.timeout(10_000),
  }).catch(() => undefined);
}
