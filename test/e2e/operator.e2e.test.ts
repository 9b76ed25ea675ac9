/**
 * The operator's routes on the real engine: status, list by prefix, terminate and purge of the
 * exposed orchestrators' instances through the app's own routes (function key, no system key),
 * and 404 for any instance under a name that is not its orchestrator's.
 */
import { call, start, uniqueId, type Answer } from './http';

type Instance = { instanceId: string; name: string; runtimeStatus: string; input?: unknown };

const instancePath = (name: string, id: string) =>
  `orchestrators/${name}/${encodeURIComponent(id)}`;

async function waitFor(name: string, id: string, status: string): Promise<Instance> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const answer = await call('GET', instancePath(name, id));
    if (answer.json.runtimeStatus === status) return answer.json as unknown as Instance;
    if (Date.now() > deadline) throw new Error(`${id}: still ${answer.text}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

function expectNoSystemKey(answer: Answer<unknown>) {
  expect(`${[...answer.headers.entries()].join()} ${answer.text}`).not.toMatch(
    /code=|runtime\/webhooks/,
  );
}

describe('operator routes', () => {
  it('status: its own instance without input; 404 under another or an unexposed name', async () => {
    const id = uniqueId('op-status');
    expect((await start('periodicSync', id, { intervalSeconds: 30 })).status).toBe(202);
    const running = await waitFor('periodicSync', id, 'Running');
    expect(running).toMatchObject({ name: 'periodicSync', instanceId: id });
    expect(running).not.toHaveProperty('input');
    expect(running).not.toHaveProperty('historyEvents');
    for (const name of ['processBatch', 'periodicSyncRun', 'noSuchJob']) {
      const answer = await call('GET', instancePath(name, id));
      expect({ name, status: answer.status }).toEqual({ name, status: 404 });
      expect(answer.json.type).toBe('urn:durable-singleton:problem:instance-not-found');
    }
    // Terminate: 202, then Terminated; a second one is 409; then purge, and it is gone.
    const terminated = await call('POST', `${instancePath('processBatch', id)}/terminate`);
    expect(terminated.status).toBe(404);
    const terminating = await call('POST', `${instancePath('periodicSync', id)}/terminate`);
    expect(terminating.status).toBe(202);
    expectNoSystemKey(terminating);
    await waitFor('periodicSync', id, 'Terminated');
    const again = await call('POST', `${instancePath('periodicSync', id)}/terminate`);
    expect(again.status).toBe(409);
    expect(again.json.type).toBe('urn:durable-singleton:problem:instance-not-running');
    expect((await call('DELETE', instancePath('processBatch', id))).status).toBe(404);
    const purged = await call('DELETE', instancePath('periodicSync', id));
    expect(purged.status).toBe(200);
    expect(purged.json).toMatchObject({ id, instancesDeleted: 1 });
    expect((await call('GET', instancePath('periodicSync', id))).status).toBe(404);
  }, 120_000);

  it('purge refuses a running instance, and leaves it running', async () => {
    const id = uniqueId('op-purge-running');
    expect((await start('periodicSync', id, { intervalSeconds: 30 })).status).toBe(202);
    await waitFor('periodicSync', id, 'Running');
    const refused = await call('DELETE', instancePath('periodicSync', id));
    expect(refused.status).toBe(409);
    expect(refused.json.type).toBe('urn:durable-singleton:problem:instance-running');
    await waitFor('periodicSync', id, 'Running');
    expect((await call('POST', `${instancePath('periodicSync', id)}/terminate`)).status).toBe(202);
  }, 120_000);

  it('list: pages through its own instances by prefix, never another orchestrator’s', async () => {
    const prefix = uniqueId('op-list');
    const ids = [1, 2, 3].map((n) => `${prefix}-${n}`);
    for (const id of ids) expect((await start('processBatch', id, { items: 1 })).status).toBe(202);
    expect((await start('periodicSync', `${prefix}-0`, { intervalSeconds: 30 })).status).toBe(202);
    for (const id of ids) await waitFor('processBatch', id, 'Completed');

    const seen: Instance[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const query = new URLSearchParams({
        prefix,
        top: '2',
        ...(token && { continuationToken: token }),
      });
      const page = await call('GET', `orchestrators/processBatch?${query}`);
      expect(page.status).toBe(200);
      expectNoSystemKey(page);
      seen.push(...(page.json.instances as Instance[]));
      token = page.json.continuationToken as string | undefined;
      pages += 1;
    } while (token !== undefined && pages < 10);
    expect(seen.map((i) => i.instanceId).sort()).toEqual(ids);
    expect(seen.every((i) => i.name === 'processBatch' && i.runtimeStatus === 'Completed')).toBe(
      true,
    );

    const running = await call(
      'GET',
      `orchestrators/periodicSync?prefix=${prefix}&runtimeStatus=Running,Pending`,
    );
    expect((running.json.instances as Instance[]).map((i) => i.instanceId)).toEqual([
      `${prefix}-0`,
    ]);
    expect(
      (await call('POST', `${instancePath('periodicSync', `${prefix}-0`)}/terminate`)).status,
    ).toBe(202);
  }, 120_000);

  it('list: bad queries are 400 and an unexposed orchestrator is 404', async () => {
    for (const query of [
      'top=0',
      'runtimeStatus=Sleeping',
      'createdFrom=yesterday',
      'continuationToken=forged',
    ]) {
      const answer = await call('GET', `orchestrators/processBatch?${query}`);
      expect({ query, status: answer.status }).toEqual({ query, status: 400 });
    }
    expect((await call('GET', 'orchestrators/periodicSyncRun')).status).toBe(404);
  });

  it('bulk: terminates, then purges, its own instances by prefix, a chunk at a time', async () => {
    const prefix = uniqueId('op-bulk');
    const ids = [1, 2, 3].map((n) => `${prefix}-${n}`);
    for (const id of ids)
      expect((await start('periodicSync', id, { intervalSeconds: 30 })).status).toBe(202);
    const other = `${prefix}-9`;
    expect((await start('processBatch', other, { items: 1 })).status).toBe(202);
    for (const id of ids) await waitFor('periodicSync', id, 'Running');
    await waitFor('processBatch', other, 'Completed');

    for (const action of ['terminate', 'purge'] as const) {
      const outcomes: string[] = [];
      let token: string | undefined;
      let chunks = 0;
      do {
        const query = new URLSearchParams({
          prefix,
          top: '2',
          ...(token && { continuationToken: token }),
        });
        const chunk = await call('POST', `bulk/orchestrators/periodicSync/${action}?${query}`);
        expect(chunk.status).toBe(200);
        expectNoSystemKey(chunk);
        outcomes.push(...(chunk.json.instances as { outcome: string }[]).map((i) => i.outcome));
        token = chunk.json.continuationToken as string | undefined;
        chunks += 1;
      } while (token !== undefined && chunks < 10);
      expect(outcomes).toEqual(ids.map(() => (action === 'terminate' ? 'terminating' : 'purged')));
      if (action === 'terminate')
        for (const id of ids) await waitFor('periodicSync', id, 'Terminated');
    }
    for (const id of ids)
      expect((await call('GET', instancePath('periodicSync', id))).status).toBe(404);
    // processBatch's instance under the prefix is untouched.
    expect((await call('GET', instancePath('processBatch', other))).status).toBe(200);
  }, 120_000);
});
