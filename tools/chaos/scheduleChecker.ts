/**
 * The schedule invariant, `schedule-ticks`, over a chaos history. Pure: no I/O, no clock.
 *
 * For each schedule the scenario ran, over the ticks of its window:
 *  - no tick ran twice: no two runs carry the same tick marker (`sched:{schedule}:{tick}`);
 *  - every tick is accounted for. A scheduler reports each tick's one end in its counts (started,
 *    skipped, refused, missed, paused; or still waiting): between its two snapshots, the ends plus
 *    the change in waiting ticks must equal the ticks in between; the starts it reports must be the
 *    runs that carry those ticks' markers; and none may be missed, the catch-up window outlasting
 *    the outage. A schedule that reports nothing (the naive timer) accounts for a tick only by a
 *    run carrying it, or by a run of its ID seen running at the tick's time, a heartbeat on each
 *    side (skipped, as the sample's check does; while storage is dark nothing is seen).
 * Overlap is the history checker's `no-overlap`, which covers the schedules' runs like any other.
 */
import type { RunRecord, ScheduleRecord, ScheduleReport } from './history';

export type { ScheduleRecord, ScheduleReport } from './history';

export interface ScheduleViolation {
  readonly invariant: 'schedule-ticks';
  readonly instanceId: string;
  readonly detail: string;
}

/** What every schedule run's marker starts with: `sched:{schedule}:{tick}`. */
export const SCHEDULE_MARKER = 'sched:';

/**
 * The longest gap between two records of a run that still shows it running in between: its
 * heartbeat is every second. A longer gap (storage dark, the run's host killed) proves nothing.
 */
const HEARTBEAT_GAP_MS = 2_500;

/** The run was seen running at `t`: records on both sides of it, close enough together. */
function runningAt(run: RunRecord, t: number): boolean {
  const seen = run.seenAt;
  if (seen === undefined) return run.startedAt <= t && t <= run.lastSeenAt;
  for (let i = 0; i + 1 < seen.length; i++) {
    if (seen[i] <= t && t <= seen[i + 1] && seen[i + 1] - seen[i] <= HEARTBEAT_GAP_MS) return true;
  }
  return false;
}

const markerOf = (schedule: string, tick: number) =>
  `sched:${schedule}:${new Date(tick).toISOString()}`;

function ticksIn(intervalMs: number, from: number, to: number): number[] {
  const ticks: number[] = [];
  for (let t = (Math.floor(from / intervalMs) + 1) * intervalMs; t <= to; t += intervalMs) {
    ticks.push(t);
  }
  return ticks;
}

function sum(ends: ScheduleReport['ends']): number {
  return ends.started + ends.skipped + ends.refused + ends.missed + ends.paused;
}

export function checkSchedules(
  schedules: readonly ScheduleRecord[],
  runs: readonly RunRecord[],
): ScheduleViolation[] {
  const violations: ScheduleViolation[] = [];
  for (const schedule of schedules) {
    const prefix = `${SCHEDULE_MARKER}${schedule.name}:`;
    const fail = (detail: string) =>
      violations.push({ invariant: 'schedule-ticks', instanceId: schedule.instanceId, detail });
    const byMarker = new Map<string, RunRecord[]>();
    for (const run of runs.filter((r) => r.marker.startsWith(prefix))) {
      byMarker.set(run.marker, [...(byMarker.get(run.marker) ?? []), run]);
    }
    for (const [marker, twice] of byMarker) {
      if (twice.length > 1) {
        fail(
          `${schedule.name}: tick ${marker.slice(prefix.length)} ran ${twice.length} times (${twice.map((r) => r.runId).join(', ')})`,
        );
      }
    }
    const { before, after } = schedule;
    if (before && after) {
      const ticks = ticksIn(schedule.intervalMs, before.lastTick, after.lastTick);
      const accounted = sum(after.ends) - sum(before.ends) + after.waiting - before.waiting;
      if (accounted !== ticks.length) {
        fail(
          `${schedule.name}: ${ticks.length} ticks in (${new Date(before.lastTick).toISOString()}, ${new Date(after.lastTick).toISOString()}], but the scheduler accounts for ${accounted}`,
        );
      }
      const missed = after.ends.missed - before.ends.missed;
      if (missed > 0)
        fail(`${schedule.name}: ${missed} tick(s) inside the catch-up window were missed`);
      const started = after.ends.started - before.ends.started;
      const ran = ticks.filter((t) => byMarker.has(markerOf(schedule.name, t))).length;
      if (started !== ran) {
        fail(
          `${schedule.name}: the scheduler started ${started} tick(s); runs carry ${ran} of the window's ticks`,
        );
      }
      continue;
    }
    const ofId = runs.filter((r) => r.instanceId === schedule.instanceId);
    const lost = ticksIn(schedule.intervalMs, schedule.from, schedule.to).filter(
      (t) => !byMarker.has(markerOf(schedule.name, t)) && !ofId.some((r) => runningAt(r, t)),
    );
    if (lost.length > 0) {
      const listed = lost.slice(0, 5).map((t) => new Date(t).toISOString());
      fail(
        `${schedule.name}: ${lost.length} tick(s) neither ran nor met a running run, and nothing accounts for them: ${listed.join(', ')}${lost.length > 5 ? ', …' : ''}`,
      );
    }
  }
  return violations;
}
