/**
 * The schedule scenario's schedules (scenario i, loaded beside the chaos job; never deployed): the
 * chaos job every 2 s with `skip` and every 3 s with `bufferOne`, each run's input marked with its
 * tick (`sched:{schedule}:{tick}`), so the checker can tell which tick a run belongs to. Created
 * paused: they fire only while the scenario has resumed them. The catch-up window (120 s) outlasts
 * the scenario's outage (storage blackholed, an instance killed and its partitions moving).
 */
import { scheduleSingleton } from '../../../src/schedules/definition';
import { CHAOS_JOB } from './chaosJob';

/** Every schedule run's instance ID starts so (the naive timer's too), apart from requests' tags. */
export const SCHEDULE_ID_PREFIX = 'chaos-sched-';

/** What the scenario and the checker know of each schedule. */
export const CHAOS_SCHEDULES = [
  { name: 'chaos-skip', instanceId: 'chaos-sched-skip', intervalMs: 2_000, overlap: 'skip' },
  {
    name: 'chaos-buffer',
    instanceId: 'chaos-sched-buffer',
    intervalMs: 3_000,
    overlap: 'bufferOne',
  },
] as const;

export const scheduleMarker = (schedule: string, tick: string) => `sched:${schedule}:${tick}`;

for (const { name, instanceId, intervalMs, overlap } of CHAOS_SCHEDULES) {
  scheduleSingleton(name, {
    orchestrator: CHAOS_JOB,
    instanceId,
    schedule: `00:00:0${intervalMs / 1000}`,
    input: (tick: string) => ({
      marker: scheduleMarker(name, tick),
      holdSeconds: 3,
      beatSeconds: 1,
    }),
    overlap,
    catchupWindowSeconds: 120,
    initiallyPaused: true,
  });
}
