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
      seenAt: [1_000, 1_500, 2_000],
      signals: [],
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
      seenAt: [3_000, 3_500],
      signals: [],
    },
  ]);
});

test('a row written twice (an activity delivered twice) has one key', () => {
  expect(runRow(mark('a', 'start'), 1, 'h').rowKey).toBe(runRow(mark('a', 'start'), 2, 'h').rowKey);
  expect(runRow(mark('a', 'beat', 1), 1, 'h').rowKey).not.toBe(
    runRow(mark('a', 'beat', 2), 1, 'h').rowKey,
  );
});

test('signal rows: one per read, in the order recorded, proven by any row of the run', () => {
  const signal = (key: string, marker: string, duplicate = false, proven: string[] = []) => ({
    ...mark('a', 'signal'),
    signal: { key, marker, duplicate },
    proven,
  });
  const rows = [
    runRow({ ...mark('a', 'start'), proven: [] }, 1_000, '7401'),
    runRow(signal('s:3~0', 's-3', false, ['s:1~0', 's:1~1']), 1_900, '7402'),
    runRow(signal('s:1~1', 's-1', true, ['s:1~0']), 1_500, '7402'),
    runRow(signal('s:1~0', 's-1'), 1_400, '7401'),
    // Recorded by an episode the engine discarded: no later row proves it.
    runRow(signal('s:9~0', 's-9'), 1_950, '7403'),
    runRow({ ...mark('a', 'end'), proven: ['s:1~0', 's:1~1', 's:3~0'] }, 2_000, '7403'),
  ];
  const [run] = runsFromRows(rows);
  expect(run).toMatchObject({ startedAt: 1_000, lastSeenAt: 2_000, ended: true });
  expect(run.signals).toEqual([
    { marker: 's-1', duplicate: false, at: 1_400, proven: true },
    { marker: 's-1', duplicate: true, at: 1_500, proven: true },
    { marker: 's-3', duplicate: false, at: 1_900, proven: true },
    { marker: 's-9', duplicate: false, at: 1_950, proven: false },
  ]);
  // The same read written twice (or by a discarded episode and the kept one) is one row; two
  // reads of one signal are two.
  expect(runRow(signal('s:1~0', 's-1'), 1, 'h').rowKey).toBe(
    runRow(signal('s:1~0', 's-1'), 2, 'h').rowKey,
  );
  expect(runRow(signal('s:1~0', 's-1'), 1, 'h').rowKey).not.toBe(
    runRow(signal('s:1~1', 's-1', true), 1, 'h').rowKey,
  );
  expect(runRow(signal('s:1~0', 's-1'), 1, 'h')).toMatchObject({
    signalKey: 's:1~0',
    signalMarker: 's-1',
    duplicate: false,
  });
  // Table keys refuse '/', '\\', '#' and '?'.
  expect(runRow(signal('s:1~0', 's-1'), 1, 'h').rowKey).not.toMatch(/[/\\#?]/);
  expect(runRow(mark('a', 'beat', 1), 1, 'h')).not.toHaveProperty('signalMarker');
  expect(runRow(mark('a', 'beat', 1), 1, 'h')).not.toHaveProperty('proven');
});
