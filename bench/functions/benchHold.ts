/**
 * Benchmark-only orchestrator (loaded by the local host through LOCAL_HOST_EXTRA_FUNCTIONS, never
 * deployed): holds its ID for `holdSeconds` on a durable timer, so the starter's answers can be
 * measured against a running instance without the sample jobs' work competing for the CPU.
 */
import * as df from 'durable-functions';
import type { OrchestrationContext } from 'durable-functions';
import { exposeForSingletonStart } from '../../src/singleton/catalog';

df.app.orchestration('benchHold', function* (context: OrchestrationContext) {
  const input = context.df.getInput<{ holdSeconds?: number } | null>();
  const holdSeconds = Math.max(0, Math.min(3600, Number(input?.holdSeconds ?? 0)));
  if (holdSeconds > 0) {
    const until = new Date(context.df.currentUtcDateTime.getTime() + holdSeconds * 1000);
    yield context.df.createTimer(until);
  }
  return { heldSeconds: holdSeconds };
});
exposeForSingletonStart('benchHold');
