/**
 * Benchmark-only orchestrator (loaded by the local host through LOCAL_HOST_EXTRA_FUNCTIONS, never
 * deployed): records that an execution ran (when asked), then holds its ID for `holdSeconds` on a durable timer,
 * so the starter's answers can be measured against a running instance without the sample jobs'
 * work competing for the CPU.
 */
import { randomUUID } from 'node:crypto';
import { TableClient } from '@azure/data-tables';
import * as df from 'durable-functions';
import type { OrchestrationContext } from 'durable-functions';
import { exposeForSingletonStart } from '../../src/singleton/catalog';
import { EXECUTIONS_TABLE } from '../executions';

df.app.activity('benchRecordExecution', {
  handler: async (instanceId: string) => {
    const table = TableClient.fromConnectionString(
      process.env.AzureWebJobsStorage ?? '',
      EXECUTIONS_TABLE,
      {
        allowInsecureConnection: true,
      },
    );
    await table.createTable();
    await table.createEntity({ partitionKey: instanceId, rowKey: randomUUID() });
  },
});

df.app.orchestration('benchHold', function* (context: OrchestrationContext) {
  const input = context.df.getInput<{ holdSeconds?: number; record?: boolean } | null>();
  // Only the race counts executions; elsewhere the extra storage writes would only add noise.
  if (input?.record) {
    yield context.df.callActivity('benchRecordExecution', context.df.instanceId);
  }
  const holdSeconds = Math.max(0, Math.min(3600, Number(input?.holdSeconds ?? 0)));
  if (holdSeconds > 0) {
    const until = new Date(context.df.currentUtcDateTime.getTime() + holdSeconds * 1000);
    yield context.df.createTimer(until);
  }
  return { heldSeconds: holdSeconds };
});
// BENCH_REPLACES_OTHERS=1: exposed with `replacesOtherOrchestrators`, where the engine's duplicate
// check decides alone (no status read under the lock): the ownership check's cost, by A/B runs.
exposeForSingletonStart('benchHold', {
  replacesOtherOrchestrators: process.env.BENCH_REPLACES_OTHERS === '1',
});
