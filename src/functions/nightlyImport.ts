/**
 * A singleton started by a timer: `nightlyImport` (the batch job under its own name) runs once per
 * UTC date. Its reuse policy, `failedOnly`, is what makes that hold: a second firing for the same
 * date — a restart's `runOnStartup`, a catch-up, another app instance — finds the date's instance
 * running (409 `running`) or completed (409 `reuse`) and starts nothing, while a failed run is
 * started again by the next firing. The schedule is the app setting `NIGHTLY_IMPORT_SCHEDULE`
 * (NCRONTAB, six fields; the app's settings set it to `0 0 2 * * *`, 02:00 UTC).
 */
import { app, type InvocationContext, type Timer } from '@azure/functions';
import * as df from 'durable-functions';
import { checkProcessBatchInput } from '../jobs/processBatch/input';
import { processBatchOrchestrator } from '../jobs/processBatch/orchestrator';
import { nightlyImportId } from '../jobs/nightlyImport/instanceId';
import { NIGHTLY_IMPORT } from '../jobs/nightlyImport/names';
import { CANCEL_EVENT } from '../jobs/processBatch/names';
import { exposeForSingletonStart } from '../singleton/catalog';
import { singletonStarter } from '../singletonStarter';

export async function nightlyImportTimer(timer: Timer, context: InvocationContext): Promise<void> {
  const instanceId = nightlyImportId(new Date());
  const starter = singletonStarter(context);
  const result = await starter.start(NIGHTLY_IMPORT, instanceId, null);
  const line = `Nightly import${timer.isPastDue ? ' (past due)' : ''}: ${starter.describe(result, instanceId)}`;
  switch (result.kind) {
    case 'started':
    case 'conflict':
      // A second firing for the date is the guarantee at work, not an error.
      context.info(line);
      return;
    default:
      // Fails the invocation, so that it shows as failed; the next firing tries again.
      throw new Error(line);
  }
}

df.app.orchestration(NIGHTLY_IMPORT, processBatchOrchestrator);
exposeForSingletonStart(NIGHTLY_IMPORT, {
  reuse: 'failedOnly',
  input: checkProcessBatchInput,
  acknowledgesSignals: true,
  events: { [CANCEL_EVENT]: {} },
});

app.timer('nightlyImportTimer', {
  schedule: '%NIGHTLY_IMPORT_SCHEDULE%',
  extraInputs: [df.input.durableClient()],
  handler: nightlyImportTimer,
});
