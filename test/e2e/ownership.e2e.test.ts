/**
 * Instances belong to their orchestrator, on the real engine: an instance started past the starter
 * (through the extension's own API) under an ID is never attached to, terminated or replaced by a
 * start of another orchestrator under that ID, whatever `onConflict` says — running or ended.
 */
import {
  BASE,
  getStatus,
  post,
  start,
  statusUrl,
  uniqueId,
  waitForStatus,
  type OrchestrationStatus,
} from './http';

const POLICIES = ['reject', 'attach', 'restart'] as const;

/** Starts `name` under `instanceId` through the extension's API, past the starter. */
async function startPastTheStarter(name: string, instanceId: string, input: unknown) {
  const answer = await post(
    `${BASE}/runtime/webhooks/durabletask/orchestrators/${name}/${encodeURIComponent(instanceId)}`,
    input,
  );
  expect(answer.status).toBe(202);
}

async function current(instanceId: string): Promise<OrchestrationStatus> {
  const answer = await getStatus(statusUrl(instanceId));
  expect(answer.status).toBeLessThan(300);
  return answer.json;
}

/** Every policy's start of `orchestrator` is refused, and the instance is as it was. */
async function expectRefusedAndUntouched(orchestrator: string, instanceId: string, input: unknown) {
  const before = await current(instanceId);
  for (const onConflict of POLICIES) {
    const answer = await start(orchestrator, instanceId, input, { onConflict });
    expect({ onConflict, status: answer.status, rule: answer.json.rule }).toEqual({
      onConflict,
      status: 409,
      rule: 'other-orchestrator',
    });
    expect(answer.json.type).toBe('urn:durable-singleton:problem:instance-exists');
    expect(answer.json.runtimeStatus).toBe(before.runtimeStatus);
    // The caller learns that the ID is taken, not by which job.
    expect(answer.text).not.toContain(before.name);
  }
  const after = await current(instanceId);
  expect(after).toMatchObject({
    name: before.name,
    runtimeStatus: before.runtimeStatus,
    createdTime: before.createdTime,
  });
  return after;
}

describe("another orchestrator's instance", () => {
  it('a running one is refused for reject, attach and restart, and keeps running', async () => {
    const id = uniqueId('owner-running');
    await startPastTheStarter('periodicSync', id, { intervalSeconds: 30 });
    await waitForStatus(statusUrl(id), (s) => s.runtimeStatus === 'Running', 60_000, 'Running');
    try {
      const after = await expectRefusedAndUntouched('processBatch', id, { items: 1 });
      expect(after.runtimeStatus).toBe('Running');
    } finally {
      await post(`${statusUrl(id)}/terminate?reason=e2e`);
    }
  });

  it('an ended one is refused for reject, attach and restart, and its history and output are kept', async () => {
    const id = uniqueId('owner-ended');
    await startPastTheStarter('processBatch', id, { items: 1 });
    const ended = await waitForStatus(
      statusUrl(id),
      (s) => s.runtimeStatus === 'Completed',
      120_000,
      'Completed',
    );
    const after = await expectRefusedAndUntouched('periodicSync', id, { intervalSeconds: 30 });
    expect(after.output).toEqual(ended.output);
  });
});
