/** The two job files register what the host and the singleton starter need. */
import '../../../src/functions/periodicSync';
import '../../../src/functions/processBatch';
import { checkPeriodicSyncInput } from '../../../src/jobs/periodicSync/input';
import { checkProcessBatchInput } from '../../../src/jobs/processBatch/input';
import { processChunk } from '../../../src/jobs/processBatch/processChunk';
import { findStartable } from '../../../src/singleton/catalog';
import { findTrigger, getRegistration, invoke } from '../../../tools/functions-core';

const trigger = (name: string) => findTrigger(getRegistration(name).metadata);

describe('job registrations', () => {
  it.each([
    ['processBatch', 'orchestrationTrigger'],
    ['processBatchChunk', 'activityTrigger'],
    ['periodicSync', 'orchestrationTrigger'],
    ['periodicSyncRun', 'activityTrigger'],
  ])('registers %s with an %s', (name, type) => {
    expect(trigger(name)?.binding.type).toBe(type);
    expect(Object.keys(getRegistration(name).metadata.bindings)).toHaveLength(1);
  });

  it.each([
    ['processBatch', checkProcessBatchInput],
    ['periodicSync', checkPeriodicSyncInput],
  ])('exposes %s for singleton start, reuse always, with its input check', (name, input) => {
    expect(findStartable(name)).toMatchObject({ name, reuse: 'always', input });
  });

  it.each([
    ['processBatch', ['cancel']],
    ['periodicSync', ['stop', 'runNow', 'setInterval']],
  ])('declares the events %s takes', (name, events) => {
    expect([...(findStartable(name)?.events?.values() ?? [])].map((e) => e.name)).toEqual(events);
  });

  it('does not expose the activities', () => {
    expect(findStartable('processBatchChunk')).toBeUndefined();
    expect(findStartable('periodicSyncRun')).toBeUndefined();
  });

  it('runs both activities through the invocation model', async () => {
    const chunk = { index: 0, firstItem: 1, itemCount: 3 };
    await expect(runActivity('processBatchChunk', chunk)).resolves.toEqual(processChunk(chunk));
    await expect(
      runActivity('periodicSyncRun', { iteration: 2, since: '2024-05-01T08:00:00.000Z' }),
    ).resolves.toEqual({ recordsSynced: 1 });
  });
});

async function runActivity(name: string, input: unknown): Promise<unknown> {
  const response = await invoke(name, {
    inputData: [{ name: trigger(name)?.name ?? '', data: { json: JSON.stringify(input) } }],
  });
  return JSON.parse(String(response.returnValue?.json));
}
