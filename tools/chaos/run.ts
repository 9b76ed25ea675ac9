/**
 * `npm run test:chaos`: a seeded, bounded, randomized check of the singleton promise on the real
 * Durable engine, with N app instances on one Azurite and one task hub, fault proxies in front of
 * storage and of each instance's extension endpoint, and the history checker at the end.
 *
 * Environment: CHAOS_SEED (1), CHAOS_ROUNDS (2), CHAOS_INSTANCES (3), CHAOS_SCENARIOS (adcbefghi:
 * which to run, in that order), CHAOS_ANSWER_RESETS (0: share of storage answers reset in c),
 * CHAOS_SETTLE_SECONDS (420: how long runs may take to appear), CHAOS_AGAINST_SAMPLE=1 (send the starts to the Durable sample's
 * check-then-start instead of this starter: the run must then fail), CHAOS_SIGNALS_VIA=sample (send
 * scenario h's signals to the naive read-then-raise-or-start instead: the run must then fail),
 * CHAOS_SCHEDULES_VIA=timer (scenario i's schedule as a naive timer instead: the run must then
 * fail), CHAOS_JSON (chaos.json: the result file's name, for a second run beside the first),
 * LOCAL_HOST_PORT (7071: instance k answers on +k), LOCAL_HOST_BRIDGE_PORT
 * (17072: bridges at +k, the proxies of their extension endpoints at +30+k, the proxies' control
 * at +40), LOCAL_HOST_AZURITE_PORT (10000: Azurite at +0..2, its proxies at +10..12).
 * Writes test-results/chaos.json (or CHAOS_JSON; jest's JSON shape, one test per scenario), chaos-history.json and
 * the logs of every process; exits non-zero on any violation or failed expectation.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { seededRandom } from '../fault-proxy/random';
import { checkHistory } from './checker';
import { SCHEDULE_ID_PREFIX } from './functions/chaosSchedules';
import { schedulesVia } from './scheduleScenario';
import { engineRows } from './evidence';
import { Cluster } from './cluster';
import type { RunRecord } from './history';
import { FaultBoard, Recorder } from './recorder';
import { jestShaped, passed, summaryLines, type ScenarioResult } from './report';
import { readRunRows, runsFromRows, runsTable } from './runsTable';
import { SCENARIOS } from './scenarios';

const root = join(__dirname, '..', '..', '..');
const results = join(root, 'test-results');
/**
 * How long the runs may take to appear and go quiet after the last scenario (CHAOS_SETTLE_SECONDS).
 * The wait ends as soon as every accepted start has its run; the bound covers a start message whose
 * dequeue answer a storage blackhole swallowed: the queue shows it again only after its visibility
 * timeout (5 min, measured), and the run then starts that much later.
 */
const SETTLE_MS = Number(process.env.CHAOS_SETTLE_SECONDS ?? 420) * 1000;
/**
 * How long a signal answered 2xx may take to show as received (a run's record of it can be held up
 * like a start's). Against the naive baseline, whose 2xx signals are lost by design, only a minute.
 */
const SIGNAL_SETTLE_MS = (sample: boolean) => (sample ? Math.min(SETTLE_MS, 60_000) : SETTLE_MS);
/** A run silent this long (two heartbeats and more) is taken as over. */
const QUIET_MS = 6_000;
const REQUEST_TIMEOUT_MS = 60_000;

function int(name: string, fallback: number, min = 1): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < min)
    throw new Error(`${name} must be an integer ≥ ${min}.`);
  return value;
}

function log(message: string): void {
  process.stdout.write(`${new Date().toISOString().slice(11, 23)} [chaos] ${message}\n`);
}

/**
 * The task hub the engines use: the app setting that overrides host.json (as .ci/run sets it),
 * else host.json's extensions.durableTask.hubName, else the extension's default.
 */
function taskHub(): string {
  const override = process.env.AzureFunctionsJobHost__extensions__durableTask__hubName?.trim();
  if (override) return override;
  const hostJson = JSON.parse(readFileSync(join(root, 'host.json'), 'utf8')) as {
    extensions?: { durableTask?: { hubName?: string } };
  };
  return hostJson.extensions?.durableTask?.hubName ?? 'TestHubName';
}

async function settledRuns(
  cluster: Cluster,
  tag: string,
  accepted: ReadonlySet<string>,
  answeredSignals: ReadonlySet<string>,
  signalSettleMs: number,
): Promise<RunRecord[]> {
  const table = runsTable(cluster.recordStorage);
  const began = Date.now();
  const deadline = began + SETTLE_MS;
  for (;;) {
    // Scenario i's runs take the IDs its schedules declare (functions/chaosSchedules.ts).
    const runs = runsFromRows([
      ...(await readRunRows(table, tag)),
      ...(await readRunRows(table, SCHEDULE_ID_PREFIX)),
    ]);
    const seen = new Set(runs.map((r) => r.marker));
    const missing = [...accepted].filter((m) => !seen.has(m)).length;
    const received = new Set(runs.flatMap((r) => r.signals.map((s) => s.marker)));
    const unread = [...answeredSignals].filter((m) => !received.has(m)).length;
    const waitForSignals = unread > 0 && Date.now() < began + signalSettleMs;
    const busy = runs.filter((r) => !r.ended && Date.now() - r.lastSeenAt < QUIET_MS).length;
    if ((missing === 0 && !waitForSignals && busy === 0) || Date.now() > deadline) {
      log(
        `runs settled: ${runs.length} runs, ${missing} accepted starts without a run yet, ${unread} signals answered 2xx not received yet, ${busy} still running`,
      );
      return runs;
    }
    await sleep(2_000);
  }
}

async function main(): Promise<number> {
  const seed = int('CHAOS_SEED', 1, 0);
  const rounds = int('CHAOS_ROUNDS', 2);
  const againstSample = process.env.CHAOS_AGAINST_SAMPLE === '1';
  const signalsVia = process.env.CHAOS_SIGNALS_VIA ?? 'app';
  if (signalsVia !== 'app' && signalsVia !== 'sample') {
    throw new Error('CHAOS_SIGNALS_VIA must be app or sample.');
  }
  const instances = int('CHAOS_INSTANCES', 3);
  const only = process.env.CHAOS_SCENARIOS ?? 'adcbefghi';
  const schedules = schedulesVia();
  const frontDoor = int('LOCAL_HOST_PORT', 7071);
  const bridge = int('LOCAL_HOST_BRIDGE_PORT', 17072);
  const azurite = int('LOCAL_HOST_AZURITE_PORT', 10000);
  const leaseSeconds = int('SINGLETON_LOCK_LEASE_SECONDS', 15);
  const startedAt = Date.now();
  const tag = `chaos${seed}`;
  mkdirSync(results, { recursive: true });

  const cluster = new Cluster({
    root,
    instances,
    seed,
    logDir: results,
    log,
    extraFunctions: [
      join(root, 'dist', 'tools', 'chaos', 'functions', 'chaosJob.js'),
      ...(againstSample
        ? [join(root, 'dist', 'tools', 'sample-starter', 'sampleHttpStartSingle.js')]
        : []),
      ...(signalsVia === 'sample'
        ? [join(root, 'dist', 'tools', 'sample-starter', 'sampleSignal.js')]
        : []),
      // Scenario i's schedules (created paused), or the naive timer in their place.
      join(root, 'dist', 'tools', 'chaos', 'functions', 'chaosSchedules.js'),
      ...(schedules === 'timer'
        ? [join(root, 'dist', 'tools', 'chaos', 'functions', 'chaosNaiveSchedule.js')]
        : []),
    ],
    ports: {
      frontDoor,
      bridge,
      azurite,
      storageProxy: azurite + 10,
      rpcProxy: bridge + 30,
      control: bridge + 40,
    },
  });
  const board = new FaultBoard();
  const recorder = new Recorder(
    (k) => cluster.frontDoor(k),
    board,
    tag,
    REQUEST_TIMEOUT_MS,
    againstSample ? 'sample/orchestrators' : 'orchestrators',
    signalsVia === 'sample' ? 'sample/orchestrators' : 'orchestrators',
  );
  if (againstSample) log("against the Durable sample's starter: violations are expected");
  if (signalsVia === 'sample') {
    log('signals through the naive read-then-raise-or-start: violations are expected');
  }
  const context = {
    cluster,
    recorder,
    board,
    random: seededRandom(seed),
    rounds,
    tag,
    leaseSeconds,
    log,
  };
  const scenarioResults: ScenarioResult[] = [];
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void cluster.stop().then(() => process.exit(130));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  try {
    await cluster.start();
    for (const key of only) {
      const scenario = SCENARIOS.find((s) => s.key === key);
      if (!scenario) throw new Error(`CHAOS_SCENARIOS: no scenario '${key}'.`);
      const began = Date.now();
      log(`scenario ${scenario.title}`);
      let expectations: ScenarioResult['expectations'] = [];
      let error: string | undefined;
      if (cluster.living().length < scenario.needs) {
        error = `not run: needs ${scenario.needs} living instances, ${cluster.living().length} left`;
      } else {
        try {
          expectations = await scenario.run(context);
        } catch (e) {
          error = `threw: ${(e as Error).stack ?? String(e)}`;
        }
      }
      scenarioResults.push({
        key,
        title: scenario.title,
        expectations,
        violations: [],
        ...(error && { error }),
        seconds: (Date.now() - began) / 1000,
      });
    }

    const accepted = new Set([
      ...recorder.requests.filter((r) => r.status === 202).map((r) => r.marker),
      ...recorder.outOfBandStarts.map((s) => s.marker),
    ]);
    const answeredSignals = new Set(
      recorder.requests
        .filter((r) => r.signal && (r.status === 200 || r.status === 202))
        .map((r) => r.signal?.marker ?? ''),
    );
    const runs = await settledRuns(
      cluster,
      tag,
      accepted,
      answeredSignals,
      SIGNAL_SETTLE_MS(signalsVia === 'sample'),
    );
    const history = {
      requests: recorder.requests,
      runs,
      outOfBandStarts: recorder.outOfBandStarts,
      outOfBandSignals: recorder.outOfBandSignals,
      operations: recorder.operations,
      schedules: recorder.schedules,
    };
    writeFileSync(join(results, 'chaos-history.json'), JSON.stringify(history, null, 1));
    const check = checkHistory(history);
    if (check.violations.length > 0) {
      const ids = [...new Set(check.violations.map((v) => v.instanceId))].slice(0, 20);
      const evidence = await engineRows(cluster.recordStorage, taskHub(), ids);
      writeFileSync(join(results, 'chaos-evidence.json'), JSON.stringify(evidence, null, 1));
      log(`the engine's rows for ${ids.length} violated ID(s): test-results/chaos-evidence.json`);
    }
    const attributed = scenarioResults.map((r) => ({
      ...r,
      // The schedules' instance IDs are declared in code (functions/chaosSchedules.ts), not tagged.
      violations: check.violations.filter(
        (v) =>
          v.instanceId.startsWith(`${tag}-${r.key}`) ||
          (r.key === 'i' && v.invariant === 'schedule-ticks'),
      ),
    }));
    const proxies = await cluster.proxyStats();
    const facts = {
      seed,
      rounds,
      instances,
      startedAt,
      seconds: (Date.now() - startedAt) / 1000,
      faults: board.injected,
      proxies,
    };
    for (const line of summaryLines(check, attributed, facts)) process.stdout.write(line + '\n');
    const totals = Object.values(proxies).reduce(
      (t, p) => ({
        delayed: t.delayed + p.delayedChunks,
        resets: t.resets + p.connectionResets + p.answerResets,
        swallowed: t.swallowed + p.blackholedConnections,
      }),
      { delayed: 0, resets: 0, swallowed: 0 },
    );
    process.stdout.write(
      `proxies: ${totals.delayed} chunks delayed, ${totals.resets} connections reset, ${totals.swallowed} connections blackholed\n`,
    );
    writeFileSync(
      join(results, process.env.CHAOS_JSON ?? 'chaos.json'),
      JSON.stringify(jestShaped(check, attributed, facts), null, 1),
    );
    const failed = attributed.filter((r) => !passed(r)).length;
    const unattributed =
      check.violations.length - attributed.reduce((n, r) => n + r.violations.length, 0);
    return failed === 0 && unattributed === 0 ? 0 : 1;
  } finally {
    if (!stopping) await cluster.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`chaos: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
