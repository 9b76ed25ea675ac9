/**
 * What the Durable engine itself stored for the instance IDs with a violation (its Instances and
 * History rows in the task hub's tables), written beside the history so a violation can be traced
 * to the component that broke the promise.
 */
import { odata, TableClient } from '@azure/data-tables';

export interface EngineRows {
  readonly instances: readonly Record<string, unknown>[];
  readonly history: readonly Record<string, unknown>[];
}

async function rows(
  connectionString: string,
  table: string,
  instanceId: string,
): Promise<Record<string, unknown>[]> {
  const client = TableClient.fromConnectionString(connectionString, table, {
    allowInsecureConnection: true,
  });
  const found: Record<string, unknown>[] = [];
  try {
    const query = { queryOptions: { filter: odata`PartitionKey eq ${instanceId}` } };
    for await (const entity of client.listEntities<Record<string, unknown>>(query)) {
      // Inputs and outputs can be large and say nothing about order; keep the facts.
      const { Input: _input, Output: _output, Result: _result, ...rest } = entity;
      found.push(rest);
    }
  } catch (error) {
    found.push({ error: String(error) });
  }
  return found;
}

export async function engineRows(
  connectionString: string,
  taskHub: string,
  instanceIds: readonly string[],
): Promise<Record<string, EngineRows>> {
  const result: Record<string, EngineRows> = {};
  for (const id of instanceIds) {
    result[id] = {
      instances: await rows(connectionString, `${taskHub}Instances`, id),
      history: await rows(connectionString, `${taskHub}History`, id),
    };
  }
  return result;
}
