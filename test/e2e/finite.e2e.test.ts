/**
 * The finite sample job (`processBatch`) through the singleton starter: start → 202 → poll the
 * status link → Completed with the expected output; a second start while it runs → 409; a start
 * after completion → 202 and a new execution.
 */
// A type only: at run time the suite stays black-box.
import type { ProcessBatchSummary } from '../../src/jobs/processBatch/orchestrator';
import { start, uniqueId, waitForStatus, getStatus, RUNNING_STATUSES } from './http';

describe('finite job: processBatch', () => {
  test('start → 202 with the check-status links; the status link reaches Completed with the summary', async () => {
    const id = uniqueId('batch');
    // 150 sequential one-record chunks: long enough (seconds) to be caught running, short enough for CI.
    const input = { items: 150, chunkSize: 1, parallelism: 1 };
    const started = await start('processBatch', id, input);
    expect(started.status).toBe(202);
    expect(started.json.id).toBe(id);
    expect(started.json.statusQueryGetUri).toContain(encodeURIComponent(id));
    expect(started.json.sendEventPostUri).toContain('{eventName}');
    expect(started.json.terminatePostUri).toBeDefined();
    expect(started.headers.get('location')).toBe(started.json.statusQueryGetUri);

    // A second start while it runs is refused.
    const again = await start('processBatch', id, input);
    expect(again.status).toBe(409);
    expect(again.headers.get('content-type')).toContain('application/problem+json');
    expect(again.json.instanceId).toBe(id);
    expect(RUNNING_STATUSES).toContain(again.json.runtimeStatus);

    const status = await waitForStatus(
      started.json.statusQueryGetUri,
      (s) => s.runtimeStatus === 'Completed' || s.runtimeStatus === 'Failed',
      90_000,
      'processBatch to end',
    );
    expect(status.runtimeStatus).toBe('Completed');
    expect(status.name).toBe('processBatch');
    expect(status.customStatus).toEqual({ done: 150, total: 150, receivedSignals: [] });
    const firstRun = status.output as ProcessBatchSummary;
    expect(firstRun.items).toBe(150);
    expect(firstRun.chunks).toBe(150);
    expect(firstRun.processed + firstRun.rejected).toBe(150);
    expect(firstRun.checksum).toMatch(/^[0-9a-f]{8}$/);
  });

  test('a start after completion → 202 and a new execution', async () => {
    const id = uniqueId('batch-again');
    const first = await start('processBatch', id, { items: 3, chunkSize: 3, parallelism: 1 });
    expect(first.status).toBe(202);
    const firstRun = (
      await waitForStatus(
        first.json.statusQueryGetUri,
        (s) => s.runtimeStatus === 'Completed',
        60_000,
        'the first processBatch execution to complete',
      )
    ).output as ProcessBatchSummary;

    const small = { items: 10, chunkSize: 5, parallelism: 2 };
    const restarted = await start('processBatch', id, small);
    expect(restarted.status).toBe(202);
    expect(restarted.json.id).toBe(id);
    const status = await waitForStatus(
      restarted.json.statusQueryGetUri,
      (s) =>
        s.runtimeStatus === 'Completed' && (s.output as ProcessBatchSummary | null)?.items === 10,
      60_000,
      'the new processBatch execution to complete',
    );
    const summary = status.output as ProcessBatchSummary;
    expect(summary.chunks).toBe(2);
    expect(Date.parse(summary.startedAt)).toBeGreaterThanOrEqual(Date.parse(firstRun.completedAt));
    expect(status.input).toEqual(small);

    const history = await getStatus(restarted.json.statusQueryGetUri, true);
    const executions = (history.json.historyEvents ?? []).filter(
      (e) => e.EventType === 'ExecutionStarted',
    );
    expect(executions).toHaveLength(1);
  });
});
