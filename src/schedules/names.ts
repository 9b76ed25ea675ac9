/** The scheduler's function names, events and instance IDs (one scheduler per schedule). */

export const SCHEDULER = 'singletonScheduler';

export const SCHEDULER_ACTIVITIES = {
  /** The schedule, resolved against the app settings now (or why it cannot fire). */
  definition: 'singletonScheduleDefinition',
  /** One try of a tick through the singleton starter. */
  fire: 'singletonScheduleFire',
  /** The runtime status of the run a schedule started last (`RUN_STATUS_UNREADABLE` on a failure). */
  runStatus: 'singletonScheduleRunStatus',
  /** `cancelOther`: the cancel event to the running run. */
  cancel: 'singletonScheduleCancel',
} as const;

/**
 * The run status activity's answer when the status could not be read (storage down, a timeout):
 * not "no instance", which would forget the run and miss its failure.
 */
export const RUN_STATUS_UNREADABLE = 'unreadable';

/** The operator's events: each is a signal the scheduler acknowledges (src/jobs/signalInbox.ts). */
export const SCHEDULER_EVENTS = ['pause', 'resume', 'trigger'] as const;
export type SchedulerEvent = (typeof SCHEDULER_EVENTS)[number];

/** The scheduler's instance ID: `schedule:{name}`. */
export function schedulerIdOf(name: string): string {
  return `schedule:${name}`;
}
