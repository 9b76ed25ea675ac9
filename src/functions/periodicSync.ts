/**
 * The eternal sample job: `periodicSync` runs `periodicSyncRun` every `intervalSeconds` until it
 * receives the `stop` event or is terminated. Exposed for singleton start with the default reuse
 * policy (`always`): after it has stopped, completed or been terminated, starting the same ID again
 * begins a new run, which is how it is restarted.
 */
import * as df from 'durable-functions';
import { checkPeriodicSyncInput, checkSetIntervalData } from '../jobs/periodicSync/input';
import {
  PERIODIC_SYNC,
  PERIODIC_SYNC_RUN,
  RUN_NOW_EVENT,
  SET_INTERVAL_EVENT,
  STOP_EVENT,
} from '../jobs/periodicSync/names';
import { periodicSyncOrchestrator } from '../jobs/periodicSync/orchestrator';
import { periodicSyncRun } from '../jobs/periodicSync/syncRun';
import { exposeForSingletonStart } from '../singleton/catalog';

df.app.orchestration(PERIODIC_SYNC, periodicSyncOrchestrator);
df.app.activity(PERIODIC_SYNC_RUN, { handler: periodicSyncRun });
exposeForSingletonStart(PERIODIC_SYNC, {
  input: checkPeriodicSyncInput,
  acknowledgesSignals: true,
  events: {
    [STOP_EVENT]: {},
    [RUN_NOW_EVENT]: {},
    [SET_INTERVAL_EVENT]: { data: checkSetIntervalData },
  },
});
