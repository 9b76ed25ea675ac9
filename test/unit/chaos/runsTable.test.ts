/** Folding the chaos job's rows into runs. */
import { runRow, runsFromRows, type RunMark } from '../../../tools/chaos/runsTable';

const mark = (runId: string, phase: RunMark['phase'], seq = 0): RunMark => ({
  instanceId: 'x',
  orchestrator: 'chaosJob',
  runId,
  marker: `m-${runId}`,
  phase,
  seq,
});

test('a run spans from its first to its last row, whatever order they are read in', () => {
  const rows = [
    runRow(mark('a', 'beat', 1), 1_500, '7402'),
    runRow(mark('a', 'end'), 2_000, '7403'),
    runRow(mark('a', 'start'), 1_000, '7401'),
    runRow(mark('b', 'start'), 3_000, '7402'),
    runRow(mark('b', 'beat', 1), 3_500, '7402'),
  ];
  expect(runsFromRows(rows)).toEqual([
    {
      runId: 'a',
      instanceId: 'x',
      orchestrator: 'chaosJob',
      marker: 'm-a',
      startedAt: 1_000,
      lastSeenAt: 2_000,
      ended: true,
      host: '7401',
    },
    {
      runId: 'b',
      instanceId: 'x',
      orchestrator: 'chaosJob',
      marker: 'm-b',
      startedAt: 3_000,
      lastSeenAt: 3_500,
      ended: false,
      host: '7402',
    },
  ]);
});

test('a row written twice (an activity delivered twice) has one key', () => {
  expect(runRow(mark('a', 'start'), 1, 'h').rowKey).toBe(runRow(mark('a', 'start'), 2, 'h').rowKey);
  expect(runRow(mark('a', 'beat', 1), 1, 'h').rowKey).not.toBe(
    runRow(mark('a', 'beat', 2), 1, 'h').rowKey,
  );
});
