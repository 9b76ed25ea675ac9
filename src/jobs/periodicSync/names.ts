/** Function and event names of the eternal sample job. */
export const PERIODIC_SYNC = 'periodicSync';
export const PERIODIC_SYNC_RUN = 'periodicSyncRun';
/** Raising this external event ends the job gracefully after the current cycle. */
export const STOP_EVENT = 'stop';
