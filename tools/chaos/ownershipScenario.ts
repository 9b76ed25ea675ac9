/**
 * Scenario g: instances belong to their orchestrator. Runs of another orchestrator
 * (`chaosOtherJob`, not exposed for singleton start) are started past the starter, some that hold
 * their ID and some that end at once; then starts of `chaosJob` under those IDs, with every
 * `onConflict`, are spread over the instances, and an operator's terminate and purge of both IDs
 * under `chaosJob`'s name. The checker's `other-orchestrator-untouched` says whether any of them
 * replaced or cut short another orchestrator's run. With `CHAOS_OPERATOR_VIA=extension` (the
 * baseline) the operator uses the extension's own links instead, as the sample's 202 hands them
 * to any function-key holder, and the checker must find the holding run cut short.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { CHAOS_JOB, CHAOS_OTHER_JOB } from './functions/chaosJob';
import {
  chaos,
  expect,
  instanceUrl,
  spread,
  statuses,
  type Expectation,
  type Scenario,
} from './scenario';
import type { ScenarioContext } from './scenario';
import type { OperationRecord } from './history';

/** Holds its ID past the requests below; ends by itself within the scenario. */
const HOLDING = { holdSeconds: 10, beatSeconds: 2 };
const POLICIES = ['reject', 'attach', 'restart'] as const;

/** Polls the extension's status of `instanceId` until `done`, or gives up after `timeoutMs`. */
async function waitForStatus(
  context: ScenarioContext,
  instanceId: string,
  done: (runtimeStatus: string) => boolean,
  timeoutMs: number,
): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  let last: string | undefined;
  while (Date.now() < deadline) {
    const answer = await fetch(instanceUrl(context, instanceId), {
      signal: AbortSignal.timeout(10_000),
    }).catch(() => undefined);
    if (answer?.ok) {
      last = ((await answer.json()) as { runtimeStatus?: string }).runtimeStatus;
      if (last && done(last)) return last;
    }
    await sleep(500);
  }
  return last;
}

export const otherOrchestrators: Scenario = {
  key: 'g',
  title:
    "g. another orchestrator's running and ended runs, then starts of every onConflict under their IDs",
  needs: 1,
  async run(context) {
    const results: Expectation[] = [];
    for (let round = 1; round <= context.rounds; round++) {
      const [first] = context.cluster.living();
      const holding = `${context.tag}-g${round}-running`;
      const ended = `${context.tag}-g${round}-ended`;
      const started = await Promise.all([
        context.recorder.startOutOfBand(
          { orchestrator: CHAOS_OTHER_JOB, instanceId: holding, input: HOLDING, instance: first },
          "another orchestrator's run that holds its ID, past the starter",
        ),
        context.recorder.startOutOfBand(
          { orchestrator: CHAOS_OTHER_JOB, instanceId: ended, input: {}, instance: first },
          "another orchestrator's run that ends at once, past the starter",
        ),
      ]);
      const states = await Promise.all([
        waitForStatus(context, holding, (s) => s === 'Running', 30_000),
        waitForStatus(context, ended, (s) => s === 'Completed', 30_000),
      ]);
      const answers = await context.recorder.burst(
        spread(context, 12, (i) =>
          chaos(i % 2 === 0 ? holding : ended, {}, { onConflict: POLICIES[i % 3] }),
        ),
      );
      const via = process.env.CHAOS_OPERATOR_VIA === 'extension' ? 'extension' : 'app';
      const operated: OperationRecord[] = [];
      for (const [operation, instanceId] of [
        ['terminate', holding],
        ['purge', ended],
        ['terminate', ended],
        ['purge', holding],
      ] as const) {
        const instance =
          context.cluster.living()[operated.length % context.cluster.living().length]!;
        operated.push(
          await context.recorder.operate(
            operation,
            { instance, orchestrator: CHAOS_JOB, instanceId },
            via,
          ),
        );
      }
      const operatedStatuses = operated.map((o) => o.status).join(' ');
      context.log(
        `g#${round}: out of band ${started.join(' ')} (${states.join(', ')}); starts ${statuses(answers)}; operator (${via}) ${operatedStatuses}`,
      );
      results.push(
        expect(
          started.every((s) => s === 202) && states[0] === 'Running' && states[1] === 'Completed',
          `round ${round}: the other orchestrator's runs started past the starter (${started.join(', ')}) and were Running and Completed (${states.join(', ')})`,
        ),
        expect(
          answers.every((a) => a.status === 409),
          `round ${round}: every start of chaosJob under their IDs was refused, whatever onConflict (${statuses(answers)})`,
        ),
        expect(
          operated.every((o) => o.status === 404),
          `round ${round}: the operator's terminate and purge under chaosJob's name found neither (${operatedStatuses})`,
        ),
      );
      // The holding run ends by itself, and records it, before the history is read.
      await waitForStatus(context, holding, (s) => s !== 'Running', 30_000);
    }
    return results;
  },
};
