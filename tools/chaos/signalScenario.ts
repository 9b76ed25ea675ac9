/**
 * Scenario h: signal-with-start (`POST …/chaosJob/{id}/events/ping`) under races, endings,
 * continue-as-new, restarts, a storage blackhole and a crash. Every signal carries a unique marker
 * in its data and a start input with its own; the chaos job records each `ping` it reads, so the
 * checker's `signal-received-once` can tell a signal answered 2xx that no run read (lost), one read
 * twice, or the event of a refused signal that reached a run. Each round, across the living
 * instances:
 *  (i)   races on fresh IDs: two bursts per ID, each mixing signals with `reject` and `attach` starts;
 *  (ii)  a run that ends (3 s), and signals spread over 0–6 s: some reach it, some come as it ends,
 *        some after (those must start a new run that reads them, or be refused: never lost);
 *  (iii) a run of 4 generations (continue-as-new), signals spread over its life;
 *  (iv)  a long run, an event raised past the starter, then 3 `restart` starts racing 8 signals;
 *  (v)   storage blackholed for 8 s during a wave of signals to running jobs, then restored; in the
 *        last round, with two instances or more alive, one is SIGKILLed in the middle of a wave;
 *  (vi)  a late copy: a signal starts a run that reads it; once that run has ended, another signal
 *        starts the next run, and a copy of the first signal's sealed event is raised to it past
 *        the starter, as a copy the engine handed to a discarded episode comes back (found twice in
 *        nine runs of this scenario before runs inherited receipts): the next run must ignore it.
 * Runs a signal may start hold their ID at least 2 s, so the run waits for its ping.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { between } from '../fault-proxy/random';
import type { RequestRecord } from './history';
import type { SignalRequest } from './recorder';
import {
  chaos,
  count,
  expect,
  startUntilAccepted,
  statuses,
  type Expectation,
  type Scenario,
  type ScenarioContext,
} from './scenario';

/** The input of a run a signal starts: it holds its ID long enough to read its ping. */
const SIGNAL_START = { holdSeconds: 3, beatSeconds: 1, generations: 1 };
/** The starts racing signals in (i). */
const RACING_START = { holdSeconds: 4, beatSeconds: 1 };
/** A run that outlives the signals sent to it. */
const HOLDING = { holdSeconds: 12, beatSeconds: 1 };
const BLACKHOLE_MS = 8_000;

/** A living instance, drawn when the request is sent (an instance killed meanwhile is not). */
function anyInstance(context: ScenarioContext): number {
  const living = context.cluster.living();
  return living[Math.floor(context.random() * living.length)];
}

function ping(context: ScenarioContext, instanceId: string, instance?: number): SignalRequest {
  return { instance: instance ?? anyInstance(context), instanceId, input: SIGNAL_START };
}

/** Sends signals to `instanceId` at the given offsets (ms from now); resolves with all answers. */
async function spreadOver(
  context: ScenarioContext,
  instanceId: string,
  offsets: readonly number[],
): Promise<RequestRecord[]> {
  return Promise.all(
    offsets.map(async (offset) => {
      await sleep(offset);
      return context.recorder.signal(ping(context, instanceId));
    }),
  );
}

/** `n` offsets drawn uniformly in [0, maxMs], sorted. */
function offsets(context: ScenarioContext, n: number, maxMs: number): number[] {
  return Array.from({ length: n }, () => between(context.random, 0, maxMs)).sort((a, b) => a - b);
}

/** (i) Two bursts per ID, each 4 signals and 2 starts (reject, attach) in a shuffled order. */
async function races(context: ScenarioContext, ids: readonly string[]): Promise<RequestRecord[]> {
  const burst = (id: string) => {
    const kinds = ['signal', 'signal', 'signal', 'signal', 'reject', 'attach'] as const;
    const order = [...kinds].sort(() => context.random() - 0.5);
    return Promise.all(
      order.map((kind) =>
        kind === 'signal'
          ? context.recorder.signal(ping(context, id))
          : context.recorder.start({
              ...chaos(id, RACING_START, { onConflict: kind }),
              instance: anyInstance(context),
            }),
      ),
    );
  };
  const first = await Promise.all(ids.map(burst));
  await sleep(2_500);
  const second = await Promise.all(ids.map(burst));
  return [...first, ...second].flat();
}

/** (ii) A run of 3 s, and 8 signals over 0–6 s from its acceptance. */
async function ending(context: ScenarioContext, id: string) {
  const started = await startUntilAccepted(
    context,
    id,
    context.cluster.living(),
    SIGNAL_START,
    20_000,
  );
  return { started, signals: await spreadOver(context, id, offsets(context, 8, 6_000)) };
}

/** (iii) 4 generations of 1–2 s, and 8 signals over its life. */
async function generations(context: ScenarioContext, id: string) {
  const holdSeconds = between(context.random, 1, 2);
  const input = { holdSeconds, beatSeconds: 1, generations: 4 };
  const started = await startUntilAccepted(context, id, context.cluster.living(), input, 20_000);
  const life = 4 * holdSeconds * 1_000 + 1_000;
  return { started, signals: await spreadOver(context, id, offsets(context, 8, life)) };
}

/** (iv) A long run, an event raised past the starter, then 3 restarts racing 8 signals. */
async function restarts(context: ScenarioContext, id: string) {
  const started = await startUntilAccepted(context, id, context.cluster.living(), HOLDING, 20_000);
  await sleep(1_500);
  const raised = await context.recorder.raiseOutOfBand(
    { instance: anyInstance(context), instanceId: id },
    'a ping raised through the extension API, past the starter',
  );
  await sleep(500);
  const kinds = [...Array<string>(8).fill('signal'), 'restart', 'restart', 'restart'].sort(
    () => context.random() - 0.5,
  );
  const answers = await Promise.all(
    kinds.map((kind) =>
      kind === 'signal'
        ? context.recorder.signal(ping(context, id))
        : context.recorder.start({
            ...chaos(id, { holdSeconds: 4, beatSeconds: 1 }, { onConflict: 'restart' }),
            instance: anyInstance(context),
          }),
    ),
  );
  return {
    started,
    raised,
    signals: answers.filter((a) => a.signal),
    restarts: answers.filter((a) => !a.signal),
  };
}

/** (vi) A signal's run ends; the next run gets a late copy of its sealed event. */
async function lateCopy(context: ScenarioContext, id: string) {
  const instance = anyInstance(context);
  const first = await context.recorder.signal(ping(context, id, instance));
  // The ID its run listed; none to copy when it was not answered 202 or nothing seals it (baseline).
  const read = first.status === 202 ? await context.recorder.receipts(instance, id) : undefined;
  const [signalId] = read?.receipts ?? [];
  // Until that run has ended (it holds its ID 3 s).
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const status = await context.recorder.receipts(instance, id);
    if (status && !['Running', 'Pending', 'ContinuedAsNew'].includes(status.runtimeStatus)) break;
    await sleep(250);
  }
  const second = await context.recorder.signal(ping(context, id, instance));
  // Copied only to a run the second signal reached (2xx): that run must ignore it.
  const attempted =
    signalId !== undefined && first.signal !== undefined && [200, 202].includes(second.status);
  const copied =
    attempted && first.signal
      ? await context.recorder.raiseLateCopy(
          { instance, instanceId: id },
          signalId,
          first.signal.marker,
        )
      : 0;
  return { signals: [first, second], copied, attempted };
}

/** (v) Running jobs, storage blackholed for 8 s during a wave of signals, then signals after. */
async function blackhole(context: ScenarioContext, ids: readonly string[]) {
  const living = context.cluster.living();
  await Promise.all(ids.map((id) => startUntilAccepted(context, id, living, HOLDING, 20_000)));
  await sleep(1_000);
  await context.cluster.setStorageFaults({ blackhole: true });
  const end = context.board.begin('blackhole', 'storage');
  const during = Promise.all(ids.map((id) => spreadOver(context, id, offsets(context, 4, 6_000))));
  await sleep(BLACKHOLE_MS);
  await context.cluster.setStorageFaults({});
  end();
  await sleep(1_000);
  const after = await Promise.all(ids.map((id) => spreadOver(context, id, [0, 1_500])));
  return { during: (await during).flat(), after: after.flat() };
}

/** (v) Running jobs, a wave of signals, and one instance SIGKILLed in its middle. */
async function crash(context: ScenarioContext, ids: readonly string[]) {
  const living = context.cluster.living();
  const victim = living[living.length - 1];
  await Promise.all(ids.map((id) => startUntilAccepted(context, id, living, HOLDING, 20_000)));
  await sleep(1_000);
  const wave = Promise.all(ids.map((id) => spreadOver(context, id, offsets(context, 6, 5_000))));
  await sleep(2_000);
  context.board.begin('kill', `instance:${victim}`);
  const pids = context.cluster.kill(victim);
  context.log(`h: killed instance ${victim} (pids ${pids.join(', ')}) during a wave of signals`);
  return { victim, signals: await wave };
}

export const signalScenario: Scenario = {
  key: 'h',
  title:
    'h. signal-with-start racing starts, runs ending, continue-as-new, restarts, a storage blackhole and a crash',
  needs: 1,
  async run(context) {
    const results: Expectation[] = [];
    const all: RequestRecord[] = [];
    for (let round = 1; round <= context.rounds; round++) {
      const id = (name: string) => `${context.tag}-h${round}-${name}`;
      const raced = await races(context, [id('race1'), id('race2')]);
      const [ended, continued, copy] = await Promise.all([
        ending(context, id('ending')),
        generations(context, id('generations')),
        lateCopy(context, id('copy')),
      ]);
      const restarted = await restarts(context, id('restart'));
      const dark = await blackhole(context, [id('dark1'), id('dark2')]);
      const lastRound = round === context.rounds;
      const crashed =
        lastRound && context.cluster.living().length >= 2
          ? await crash(context, [id('crash1'), id('crash2')])
          : undefined;
      const signals = [
        ...raced.filter((r) => r.signal),
        ...ended.signals,
        ...continued.signals,
        ...copy.signals,
        ...restarted.signals,
        ...dark.during,
        ...dark.after,
        ...(crashed?.signals.flat() ?? []),
      ];
      all.push(...signals);
      context.log(
        `h#${round}: races ${statuses(raced.filter((r) => r.signal))} (starts ${statuses(raced.filter((r) => !r.signal))}); ` +
          `ending ${statuses(ended.signals)}; generations ${statuses(continued.signals)}; ` +
          `late copy: signals ${statuses(copy.signals)}, copy raised ${copy.copied}; ` +
          `restart: signals ${statuses(restarted.signals)}, restarts ${statuses(restarted.restarts)}, raised past ${restarted.raised}; ` +
          `blackhole: during ${statuses(dark.during)}, after ${statuses(dark.after)}` +
          (crashed
            ? `; crash of instance ${crashed.victim}: ${statuses(crashed.signals.flat())}`
            : ''),
      );
      results.push(
        expect(
          [ended.started, continued.started, restarted.started].every((s) => s !== undefined),
          `round ${round}: the runs of (ii), (iii) and (iv) were started`,
        ),
        expect(
          copy.copied === 202 || !copy.attempted,
          `round ${round}: the late copy of a signal a run read was raised (${copy.copied})`,
        ),
        expect(
          restarted.raised === 202,
          `round ${round}: the ping raised past the starter was taken (${restarted.raised})`,
        ),
        expect(
          count(dark.during, 503) > 0,
          `round ${round}: signals during the storage blackhole were answered 503 (${statuses(dark.during)})`,
        ),
      );
    }
    results.push(
      expect(
        count(all, 200) > 0 && count(all, 202) > 0,
        `signals were raised to running runs (200) and started runs (202): ${statuses(all)}`,
      ),
    );
    return results;
  },
};
