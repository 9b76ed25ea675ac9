/**
 * Chaos scenario i: schedules across the living instances while storage is blackholed and an
 * instance is killed. The chaos job's two schedules (functions/chaosSchedules.ts, created paused)
 * are resumed for about 40 s and paused again; meanwhile storage goes dark for 8 s and, when two or
 * more instances live, one is killed (its partitions, the schedulers' among them, move to the
 * others). The scheduler's reports before and after, and the runs, go to the checker's
 * `schedule-ticks` (./scheduleChecker.ts). With CHAOS_SCHEDULES_VIA=timer the naive timer
 * (functions/chaosNaiveSchedule.ts) runs instead, and its ticks are judged by its runs alone.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { CHAOS_SCHEDULES } from './functions/chaosSchedules';
import { NAIVE_SCHEDULE } from './functions/chaosNaiveSchedule';
import { expect, type Expectation, type Scenario, type ScenarioContext } from './scenario';
import type { ScheduleReport } from './scheduleChecker';

export const schedulesVia = (): 'scheduler' | 'timer' =>
  process.env.CHAOS_SCHEDULES_VIA === 'timer' ? 'timer' : 'scheduler';

interface View {
  lastTick: string | null;
  counts: ScheduleReport['ends'] | null;
  buffer: string[];
}

/** One call through the living instances in turn until it is answered 200, for up to `ms`. */
async function until200(
  context: ScenarioContext,
  path: string,
  method: 'GET' | 'POST',
  ms = 60_000,
): Promise<Record<string, unknown> | undefined> {
  const deadline = Date.now() + ms;
  for (let i = 0; Date.now() < deadline; i++) {
    const living = context.cluster.living();
    const base = context.cluster.frontDoor(living[i % living.length]);
    try {
      const response = await fetch(`${base}/api/${path}`, {
        method,
        signal: AbortSignal.timeout(20_000),
      });
      const body = (await response.json()) as Record<string, unknown>;
      if (response.status === 200) return body;
    } catch {
      // No answer: the next instance.
    }
    await sleep(1_000);
  }
  return undefined;
}

async function report(context: ScenarioContext, name: string): Promise<ScheduleReport | undefined> {
  const view = (await until200(context, `schedules/${name}`, 'GET')) as View | undefined;
  if (!view?.counts || view.lastTick === null) return undefined;
  const { started, skipped, refused, missed, paused } = view.counts;
  return {
    lastTick: Date.parse(view.lastTick),
    ends: { started, skipped, refused, missed, paused },
    waiting: view.buffer.length,
  };
}

/** The outage: storage dark for 8 s, then (with two or more living) an instance killed. */
async function outage(context: ScenarioContext): Promise<string> {
  await sleep(8_000);
  await context.cluster.setStorageFaults({ blackhole: true });
  const end = context.board.begin('blackhole', 'storage');
  await sleep(8_000);
  await context.cluster.setStorageFaults({});
  end();
  await sleep(4_000);
  const living = context.cluster.living();
  if (living.length < 2) return 'storage blackholed 8 s (one instance left: none killed)';
  const victim = living[living.length - 1];
  context.board.begin('kill', `instance:${victim}`);
  const pids = context.cluster.kill(victim);
  context.log(`i: killed instance ${victim} (pids ${pids.join(', ')})`);
  await sleep(20_000);
  return `storage blackholed 8 s, instance ${victim} killed`;
}

export const schedulesUnderFaults: Scenario = {
  key: 'i',
  title: 'i. schedules every 2-3 s across the instances, storage blackholed, an instance killed',
  needs: 1,
  async run(context) {
    const results: Expectation[] = [];
    if (schedulesVia() === 'timer') {
      const from = Date.now();
      const what = await outage(context);
      // The last tick's run needs a moment to record itself.
      const to = Date.now() - 4_000;
      context.recorder.schedules.push({ ...NAIVE_SCHEDULE, from, to });
      results.push(expect(true, `the naive timer ran through: ${what}`));
      return results;
    }
    const befores = new Map<string, ScheduleReport | undefined>();
    for (const { name } of CHAOS_SCHEDULES) {
      // Paused first: it starts the scheduler if the keeper has not yet, so there is a report.
      await until200(context, `schedules/${name}/pause`, 'POST');
      befores.set(name, await report(context, name));
      const resumed = await until200(context, `schedules/${name}/resume`, 'POST');
      results.push(expect(resumed !== undefined, `${name} resumed (its scheduler read it)`));
    }
    const what = await outage(context);
    for (const { name } of CHAOS_SCHEDULES) {
      const paused = await until200(context, `schedules/${name}/pause`, 'POST', 120_000);
      results.push(expect(paused !== undefined, `${name} paused again after: ${what}`));
    }
    // Let the last runs end and record themselves before the reports are read.
    await sleep(6_000);
    for (const { name, instanceId, intervalMs } of CHAOS_SCHEDULES) {
      const before = befores.get(name);
      const after = await report(context, name);
      results.push(expect(before !== undefined && after !== undefined, `${name}: reports read`));
      if (before && after) {
        const ticks = Math.round((after.lastTick - before.lastTick) / intervalMs);
        context.log(
          `i: ${name}: about ${ticks} ticks; started ${after.ends.started - before.ends.started}, skipped ${after.ends.skipped - before.ends.skipped}, missed ${after.ends.missed - before.ends.missed}, paused ${after.ends.paused - before.ends.paused}, waiting ${after.waiting}`,
        );
        context.recorder.schedules.push({
          name,
          instanceId,
          intervalMs,
          before,
          after,
          from: 0,
          to: 0,
        });
        results.push(
          expect(after.ends.started > before.ends.started, `${name}: ticks started runs`),
        );
      }
    }
    return results;
  },
};
