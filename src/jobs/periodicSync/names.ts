/** Function and event names of the eternal sample job. */
export const PERIODIC_SYNC = 'periodicSync';
export const PERIODIC_SYNC_RUN = 'periodicSyncRun';
/** Raising this external event ends the job gracefully after the current cycle. */
export const STOP_EVENT = 'stop';
/** Raising this runs a pass now instead of waiting for the interval; the next is timed from it. */
export const RUN_NOW_EVENT = 'runNow';
/** Raising this with `{ intervalSeconds }` changes the interval from the current wait on. */
export const SET_INTERVAL_EVENT = 'setInterval';
