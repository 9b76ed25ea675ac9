/**
 * The eternal sample job (`periodicSync`, continue-as-new every cycle) through the singleton
 * starter: Running with custom status advancing; 409 while running; onConflict=attach → 200 with
 * the same ID; onConflict=restart → a new execution; the `stop` event → Completed; terminate
 * through terminatePostUri → Terminated → start again → 202; the interval is kept between passes.
 */
import {
  post,
  start,
  uniqueId,
  waitForStatus,
  RUNNING_STATUSES,
  type CheckStatusLinks,
  type OrchestrationStatus,
} from './http';

interface SyncStatus {
  phase: 'syncing' | 'waiting' | 'stopped';
  iteration: number;
  intervalSeconds: number;
  recentRuns: string[];
}
/** The state a generation carries to the next (the first generation's input is the caller's). */
interface SyncState {
  input?: { intervalSeconds: number };
  iteration?: number;
  startedAt?: string;
}

const input = { intervalSeconds: 2 };
const iterationOf = (s: OrchestrationStatus) =>
  (s.customStatus as SyncStatus | null)?.iteration ?? 0;
const startedAtOf = (s: OrchestrationStatus) => (s.input as SyncState | null)?.startedAt;

type Links = CheckStatusLinks;

/** Instances a test left running; terminated after it, so no test depends on another's. */
const toTerminate: Links[] = [];
afterEach(async () => {
  for (const links of toTerminate.splice(0)) {
    await post(links.terminatePostUri.replace('{text}', 'e2e-cleanup'));
  }
});

/** Starts periodicSync under a fresh ID and waits until it runs. */
async function startRunning(label: string): Promise<{ id: string; links: Links }> {
  const id = uniqueId(label);
  const started = await start('periodicSync', id, input);
  expect(started.status).toBe(202);
  const links = started.json;
  toTerminate.push(links);
  await waitForStatus(
    links.statusQueryGetUri,
    (s) => s.runtimeStatus === 'Running',
    30_000,
    'Running',
  );
  return { id, links };
}

describe('eternal job: periodicSync', () => {
  test('start → 202; Running with custom status advancing across continue-as-new', async () => {
    const id = uniqueId('sync');
    const started = await start('periodicSync', id, input);
    expect(started.status).toBe(202);
    expect(started.json.id).toBe(id);
    const links = started.json;
    toTerminate.push(links);

    const seen: number[] = [];
    const status = await waitForStatus(
      links.statusQueryGetUri,
      (s) => {
        if (s.runtimeStatus === 'Running' && iterationOf(s) > 0) seen.push(iterationOf(s));
        return s.runtimeStatus === 'Running' && iterationOf(s) >= 3;
      },
      60_000,
      'periodicSync to reach its third cycle',
    );
    expect(status.name).toBe('periodicSync');
    expect((status.customStatus as SyncStatus).intervalSeconds).toBe(2);
    // Carried state proves continue-as-new: the input of this generation came from the previous one.
    expect((status.input as SyncState).iteration).toBeGreaterThanOrEqual(2);
    expect(new Set(seen).size).toBeGreaterThanOrEqual(2);
  });

  test('a second start while it runs → 409 with the instance ID and its status', async () => {
    const { id } = await startRunning('sync-409');
    const again = await start('periodicSync', id, input);
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toContain('application/problem+json');
    expect(again.json.type).toBe('urn:durable-singleton:problem:instance-exists');
    expect(again.json.instanceId).toBe(id);
    expect(RUNNING_STATUSES).toContain(again.json.runtimeStatus);
  });

  test('onConflict=attach → 200 with the same ID and the links', async () => {
    const { id, links } = await startRunning('sync-attach');
    const attached = await start('periodicSync', id, input, { onConflict: 'attach' });
    expect(attached.status).toBe(200);
    expect(attached.json.id).toBe(id);
    expect(attached.json.statusQueryGetUri).toBe(links.statusQueryGetUri);
    expect(RUNNING_STATUSES).toContain(attached.json.runtimeStatus);
  });

  test('onConflict=restart → 202 and a new execution', async () => {
    const { id, links } = await startRunning('sync-restart');
    const before = await waitForStatus(
      links.statusQueryGetUri,
      (s) => startedAtOf(s) !== undefined,
      30_000,
    );
    const oldStartedAt = startedAtOf(before);
    const restarted = await start('periodicSync', id, input, { onConflict: 'restart' });
    expect(restarted.status).toBe(202);
    expect(restarted.json.id).toBe(id);
    const after = await waitForStatus(
      links.statusQueryGetUri,
      (s) =>
        s.runtimeStatus === 'Running' &&
        startedAtOf(s) !== undefined &&
        startedAtOf(s) !== oldStartedAt,
      60_000,
      'the restarted execution to carry a new startedAt',
    );
    expect(Date.parse(startedAtOf(after)!)).toBeGreaterThan(Date.parse(oldStartedAt!));
  });

  test('the stop event → Completed with a summary', async () => {
    const { links } = await startRunning('sync-stop');
    const raised = await post(links.sendEventPostUri.replace('{eventName}', 'stop'), {});
    expect(raised.status).toBe(202);
    const status = await waitForStatus(
      links.statusQueryGetUri,
      (s) => !RUNNING_STATUSES.includes(s.runtimeStatus),
      30_000,
      'periodicSync to stop',
    );
    expect(status.runtimeStatus).toBe('Completed');
    expect((status.customStatus as SyncStatus).phase).toBe('stopped');
    expect((status.output as { iterations: number }).iterations).toBeGreaterThanOrEqual(1);
  });
});

describe('eternal job: terminate and start again', () => {
  const id = uniqueId('term');

  test('terminate through terminatePostUri → Terminated → start again → 202', async () => {
    const started = await start('periodicSync', id, input);
    expect(started.status).toBe(202);
    await waitForStatus(
      started.json.statusQueryGetUri,
      (s) => s.runtimeStatus === 'Running',
      30_000,
      'Running',
    );

    const terminated = await post(started.json.terminatePostUri.replace('{text}', 'e2e'));
    expect(terminated.status).toBe(202);
    const status = await waitForStatus(
      started.json.statusQueryGetUri,
      (s) => s.runtimeStatus === 'Terminated',
      30_000,
      'Terminated',
    );
    expect(status.runtimeStatus).toBe('Terminated');

    const again = await start('periodicSync', id, input);
    expect(again.status).toBe(202);
    await waitForStatus(
      again.json.statusQueryGetUri,
      (s) => s.runtimeStatus === 'Running',
      30_000,
      'Running again',
    );
    // Leave nothing running behind.
    expect((await post(again.json.terminatePostUri.replace('{text}', 'e2e-cleanup'))).status).toBe(
      202,
    );
  });
});

describe('eternal job: the interval is kept', () => {
  const id = uniqueId('interval');

  test('with intervalSeconds 2, no two passes start less than 2 s apart', async () => {
    const started = await start('periodicSync', id, input);
    expect(started.status).toBe(202);
    try {
      // The job lists when its latest passes started (by its own clock); four give three gaps.
      const status = await waitForStatus(
        started.json.statusQueryGetUri,
        (s) => ((s.customStatus as SyncStatus | null)?.recentRuns?.length ?? 0) >= 4,
        18_000,
        'four passes of periodicSync',
      );
      const starts = (status.customStatus as SyncStatus).recentRuns.map(Date.parse);
      const gaps = starts.slice(1).map((at, i) => at - starts[i]);
      expect(gaps.length).toBeGreaterThanOrEqual(3);
      for (const gap of gaps) {
        expect(gap).toBeGreaterThanOrEqual(input.intervalSeconds * 1_000);
      }
    } finally {
      await post(started.json.terminatePostUri.replace('{text}', 'e2e-cleanup'));
    }
  });
});
