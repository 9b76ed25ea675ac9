/** Chaos scenarios a, d and c: bursts across instances, storage blackholed, storage slow and resetting. */
import { setTimeout as sleep } from 'node:timers/promises';
import type { RequestRecord } from './history';
import {
  LONG,
  SHORT,
  expect,
  count,
  statuses,
  spread,
  chaos,
  terminate,
  type Scenario,
  type Expectation,
} from './scenario';

export const bursts: Scenario = {
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

export const storageBlackhole: Scenario = {
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

export const storageLatencyResets: Scenario = {
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
