/**
 * The chaos scenarios (issue 11, a–f). Each sends start requests through the recorder while it
 * injects its faults, and returns the expectations specific to it; the invariants over the whole
 * history are the checker's. Every instance ID starts with `<tag>-<scenario key>`, so violations
 * can be told apart per scenario.
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
const LONG = { holdSeconds: 12, beatSeconds: 2 };
/** A job that ends within a burst. */
const SHORT = { holdSeconds: 0 };
/** The start call to the extension's endpoint (the only route under orchestrators/). */
const START_CALL = 'durabletask/orchestrators/';

function expect(ok: boolean, detail: string): Expectation {
  return { ok, detail };
}

function count(records: readonly RequestRecord[], status: number): number {
  return records.filter((r) => r.status === status).length;
}

function statuses(records: readonly RequestRecord[]): string {
  const counts = new Map<number, number>();
  for (const r of records) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  return [...counts].map(([s, n]) => `${s}×${n}`).join(' ');
}

/** `n` requests spread over the living instances, in a seeded random order. */
function spread(
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

function chaos(
  instanceId: string,
  input: Record<string, unknown>,
  extra: Partial<StartRequest> = {},
) {
  return { orchestrator: CHAOS_JOB, instanceId, input, ...extra };
}

/** Retries one start (one at a time, across `instances`) until it is answered 202, or gives up. */
async function startUntilAccepted(
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

async function terminate(context: ScenarioContext, instanceId: string): Promise<void> {
  const [instance] = context.cluster.living();
  await fetch(
    `${context.cluster.frontDoor(instance)}/runtime/webhooks/durabletask/instances/${encodeURIComponent(instanceId)}/terminate?reason=chaos`,
    { method: 'POST', signal: AbortSignal.timeout(10_000) },
  ).catch(() => undefined);
}

const bursts: Scenario = {
  key: 'a',
  title: 'a. bursts split across instances on fresh IDs, long and short jobs',
  needs: 1,
  async run(context) {
    const results: Expectation[] = [];
    for (let round = 1; round <= context.rounds; round++) {
      const long = `${context.tag}-a${round}-long`;
      const short = `${context.tag}-a${round}-short`;
      const [longAnswers, shortAnswers] = await Promise.all([
        context.recorder.burst(spread(context, 30, () => chaos(long, LONG))),
        context.recorder.burst(spread(context, 30, () => chaos(short, SHORT))),
      ]);
      context.log(`a#${round}: long ${statuses(longAnswers)}; short ${statuses(shortAnswers)}`);
      // Exactly one 202 on a quiet machine; under load a start may time out (503) and land, and
      // then none is a 202. Never two: the checker matches every 202 to its own run.
      results.push(
        expect(
          count(longAnswers, 202) <= 1,
          `round ${round}: a burst of 30 on a job that outlives it gets at most one 202 (${statuses(longAnswers)})`,
        ),
      );
    }
    // The sample's eternal job: 60 requests split across the instances, exactly one 202.
    const sync = `${context.tag}-a-sync`;
    const syncAnswers = await context.recorder.burst(
      spread(context, 60, () => ({
        orchestrator: 'periodicSync',
        instanceId: sync,
        input: {},
        marked: false,
      })),
    );
    context.log(`a: periodicSync burst of 60: ${statuses(syncAnswers)}`);
    results.push(
      expect(
        count(syncAnswers, 202) <= 1 &&
          syncAnswers.every((a) => [202, 409, 503].includes(a.status)),
        `periodicSync, 60 requests across ${context.cluster.living().length} instances: at most one 202, the rest 409 (or 503 under load) (${statuses(syncAnswers)})`,
      ),
    );
    await terminate(context, sync);
    return results;
  },
};

const storageBlackhole: Scenario = {
  key: 'd',
  title: 'd. storage blackholed for 10 s during bursts, then restored',
  needs: 1,
  async run(context) {
    const results: Expectation[] = [];
    for (let round = 1; round <= context.rounds; round++) {
      const ids = [`${context.tag}-d${round}-long`, `${context.tag}-d${round}-short`];
      const inputs = [LONG, SHORT];
      await context.cluster.setStorageFaults({ blackhole: true });
      const end = context.board.begin('blackhole', 'storage');
      const during: Promise<RequestRecord[]>[] = [];
      for (const wave of [0, 1, 2]) {
        during.push(
          ...ids.map((id, i) =>
            context.recorder.burst(spread(context, 4, () => chaos(id, inputs[i]))),
          ),
        );
        await sleep(wave < 2 ? 4_000 : 2_000);
      }
      await context.cluster.setStorageFaults({});
      end();
      const answered = (await Promise.all(during)).flat();
      await sleep(2_000);
      const after = (
        await Promise.all(
          ids.map((id, i) =>
            context.recorder.burst(spread(context, 6, () => chaos(id, inputs[i]))),
          ),
        )
      ).flat();
      context.log(`d#${round}: during ${statuses(answered)}; after ${statuses(after)}`);
      results.push(
        expect(
          count(answered, 503) > 0,
          `round ${round}: requests during the blackhole were answered 503 (${statuses(answered)})`,
        ),
      );
    }
    return results;
  },
};

/** CHAOS_ANSWER_RESETS: the share of storage answers replaced by a reset in scenario c (0). */
function answerResets(): number {
  const share = Number(process.env.CHAOS_ANSWER_RESETS ?? 0);
  if (!(share >= 0 && share <= 1)) throw new Error('CHAOS_ANSWER_RESETS must be from 0 to 1.');
  return share;
}

const storageLatencyResets: Scenario = {
  key: 'c',
  title: 'c. storage latency 50–200 ms with jitter and 5 % connection resets, during bursts',
  needs: 1,
  async run(context) {
    for (let round = 1; round <= context.rounds; round++) {
      const long = `${context.tag}-c${round}-long`;
      const short = `${context.tag}-c${round}-short`;
      await context.cluster.setStorageFaults({
        latency: { minMs: 50, maxMs: 200 },
        // Answer resets are off by default: a lost answer to the engine's dequeue hides a start
        // message for the queue's visibility timeout (5 min, measured), longer than the run settles.
        resets: { perConnection: 0.05, perAnswer: answerResets() },
      });
      const endLatency = context.board.begin('latency', 'storage');
      const endResets = context.board.begin('reset', 'storage');
      const answers = (
        await Promise.all([
          context.recorder.burst(spread(context, 24, () => chaos(long, LONG))),
          context.recorder.burst(spread(context, 24, () => chaos(short, SHORT))),
        ])
      ).flat();
      await context.cluster.setStorageFaults({});
      endLatency();
      endResets();
      context.log(`c#${round}: ${statuses(answers)}`);
    }
    // What it must show is in the history: the checker's invariants.
    return [];
  },
};

const killBetweenLockAndStart: Scenario = {
  key: 'b',
  title: 'b. SIGKILL of the instance holding the lock between lock and start',
  needs: 2,
  async run(context) {
    const [victim, ...others] = context.cluster.living();
    const id = `${context.tag}-b-kill`;
    const rpc = `rpc${victim}`;
    const before = (await context.cluster.proxyStats())[rpc].delayedChunks;
    // Hold the start call in the proxy, so the instance dies with the lock taken and nothing started.
    await context.cluster.setFaults(rpc, {
      latency: { minMs: 5_000, maxMs: 5_000, match: START_CALL },
    });
    const endDelay = context.board.begin('latency', `instance:${victim}`);
    const pending = context.recorder.start({ ...chaos(id, LONG), instance: victim });
    const heldDeadline = Date.now() + 20_000;
    while ((await context.cluster.proxyStats())[rpc].delayedChunks === before) {
      if (Date.now() > heldDeadline) {
        endDelay();
        return [expect(false, 'the start call never reached the extension endpoint proxy')];
      }
      await sleep(50);
    }
    context.board.begin('kill', `instance:${victim}`);
    const killedAt = Date.now();
    const pids = context.cluster.kill(victim);
    context.log(`b: killed instance ${victim} (pids ${pids.join(', ')}) with the start call held`);
    const lost = await pending;
    await context.cluster.setFaults(rpc, {});
    endDelay();
    const accepted = await startUntilAccepted(context, id, others, LONG, 60_000);
    const took = accepted ? (accepted.answeredAt - killedAt) / 1000 : Infinity;
    context.log(
      `b: the request to the killed instance got ${lost.status || 'no answer'}; 202 through another instance after ${took.toFixed(1)} s`,
    );
    return [
      expect(
        lost.status === 0,
        `the request to the killed instance got no answer (got ${lost.status})`,
      ),
      expect(
        took <= context.leaseSeconds + 5,
        `the ID was startable again within the lease (${context.leaseSeconds} s) + 5 s: ${took.toFixed(1)} s`,
      ),
    ];
  },
};

const extensionBlackhole: Scenario = {
  key: 'e',
  title: "e. the extension's endpoint blackholed (or too slow) during the start call",
  needs: 2,
  async run(context) {
    const results: Expectation[] = [];
    for (let round = 1; round <= context.rounds; round++) {
      const [x, y] = context.cluster.living();
      const rpc = `rpc${x}`;
      // (1) The start call is swallowed: 503, the lease is left to expire, nothing lands.
      const swallowed = `${context.tag}-e${round}-swallowed`;
      await context.cluster.setFaults(rpc, { blackholeMatch: START_CALL });
      const endHole = context.board.begin('blackhole', `instance:${x}`);
      const first = await context.recorder.start({ ...chaos(swallowed, SHORT), instance: x });
      await context.cluster.setFaults(rpc, {});
      endHole();
      const retried = await startUntilAccepted(context, swallowed, [y], SHORT, 45_000);
      // (2) The start call is slower than the starter's timeout: 503, then the start lands anyway.
      const late = `${context.tag}-e${round}-late`;
      await context.cluster.setFaults(rpc, {
        latency: { minMs: 8_000, maxMs: 8_000, match: START_CALL },
      });
      const endDelay = context.board.begin('latency', `instance:${x}`);
      const slow = await context.recorder.start({
        ...chaos(late, { holdSeconds: 6, beatSeconds: 1 }),
        instance: x,
      });
      await sleep(4_000); // until the held call has been delivered
      await context.cluster.setFaults(rpc, {});
      endDelay();
      const after = await startUntilAccepted(context, late, [y], SHORT, 45_000);
      context.log(
        `e#${round}: swallowed start ${first.status}, retry 202 after ${retried ? ((retried.answeredAt - first.answeredAt) / 1000).toFixed(1) : '-'} s; ` +
          `late start ${slow.status}, retry 202 after ${after ? ((after.answeredAt - slow.answeredAt) / 1000).toFixed(1) : '-'} s`,
      );
      results.push(
        expect(
          first.status === 503 && first.retryAfter !== undefined,
          `round ${round}: a swallowed start call is answered 503 with Retry-After (got ${first.status})`,
        ),
        expect(
          retried !== undefined,
          `round ${round}: the ID is startable again after the lease expired`,
        ),
        expect(
          slow.status === 503,
          `round ${round}: a start call slower than the timeout is answered 503 (got ${slow.status})`,
        ),
        expect(
          after !== undefined,
          `round ${round}: the ID is startable again once the late run ended`,
        ),
      );
    }
    return results;
  },
};

const restartRace: Scenario = {
  key: 'f',
  title:
    'f. onConflict=restart racing rejects and attaches across instances; a start past the starter',
  needs: 1,
  async run(context) {
    const results: Expectation[] = [];
    for (let round = 1; round <= context.rounds; round++) {
      const id = `${context.tag}-f${round}`;
      const [first] = context.cluster.living();
      const seeded = await startUntilAccepted(context, id, [first], LONG, 30_000);
      await sleep(2_000);
      const policies = ['restart', 'reject', 'attach'] as const;
      const answers = await context.recorder.burst(
        spread(context, 12, (i) => chaos(id, LONG, { onConflict: policies[i % 3] })),
      );
      const of = (policy: string) => answers.filter((a) => (a.onConflict ?? 'reject') === policy);
      // A start made past the starter (the extension's own API): the starter must refuse to start
      // over it, on every instance.
      const bypassed = `${context.tag}-f${round}-bypassed`;
      const direct = await context.recorder.startOutOfBand(
        { ...chaos(bypassed, LONG), instance: first },
        'started through the extension API, past the starter',
      );
      await sleep(1_000);
      const over = await context.recorder.burst(spread(context, 9, () => chaos(bypassed, LONG)));
      context.log(
        `f#${round}: restart ${statuses(of('restart'))}; reject ${statuses(of('reject'))}; attach ${statuses(of('attach'))}`,
      );
      results.push(
        expect(seeded !== undefined, `round ${round}: the first start was accepted`),
        expect(
          count(of('restart'), 202) >= 1,
          `round ${round}: a restart replaced the running instance (${statuses(of('restart'))})`,
        ),
        expect(
          of('reject').every((a) => a.status === 409 || a.status === 503),
          `round ${round}: rejects were refused (${statuses(of('reject'))})`,
        ),
        expect(
          direct === 202 && count(over, 202) === 0,
          `round ${round}: over a start made past the starter (${direct}), no 202 (${statuses(over)})`,
        ),
        expect(
          of('attach').every((a) => [200, 409, 503].includes(a.status)),
          `round ${round}: attaches attached, or found a start in progress (${statuses(of('attach'))})`,
        ),
      );
    }
    return results;
  },
};

/** In the order they run: b kills an instance, so it comes after the scenarios that want all of them. */
export const SCENARIOS: readonly Scenario[] = [
  bursts,
  storageBlackhole,
  storageLatencyResets,
  killBetweenLockAndStart,
  extensionBlackhole,
  restartRace,
];
