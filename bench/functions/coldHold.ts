/**
 * Benchmark-only orchestrator of the cold-start measurement (bench/functions/coldApp.ts): ends at
 * once, so the launch's first start leaves the engine nothing to run for long.
 */
import * as df from 'durable-functions';

// eslint-disable-next-line require-yield
df.app.orchestration('coldHold', function* () {
  return null;
});
